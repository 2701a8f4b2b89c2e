/**
 * `ocspkit inspect`: every form a request or response turns up in, printed as OpenSSL prints
 * it (compared with `openssl ocsp -reqin/-respin … -req_text/-resp_text`), as JSON, verified.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runBuiltCli } from "./support/cli.ts";
import {
  argv,
  makePki,
  makeResponseFile,
  ocspkitCommand,
  openssl,
  type Pki,
  runCommand,
} from "./support/pki.ts";

/** The built `inspect` in-process (test/support/cli.ts). */
async function inspect(...args: string[]) {
  const r = await runBuiltCli("inspect", args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describe("inspect", () => {
  let pki: Pki;
  const f: Record<string, string> = {};
  const opensslText: Record<string, string> = {};
  before(async () => {
    pki = await makePki();
    const p = (n: string) => join(pki.dir, n);
    f.req = p("req.der");
    f.resp = p("resp.der");
    f.reqNonce = p("req-nonce.der");
    await openssl(
      argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.revoked.keyCompromise.cert}
           -no_nonce -reqout ${f.req}`,
    );
    await openssl(
      argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert}
           -cert ${pki.leaves.good2.cert} -reqout ${f.reqNonce}`,
    );
    await makeResponseFile(pki, f.req, f.resp);
    opensslText.req = (await openssl(argv`ocsp -reqin ${f.req} -req_text`)).stdout;
    opensslText.reqNonce = (await openssl(argv`ocsp -reqin ${f.reqNonce} -req_text`)).stdout;
    opensslText.resp = (await openssl(argv`ocsp -respin ${f.resp} -resp_text -noverify`)).stdout;
    const b64 = (file: string) => readFileSync(file).toString("base64");
    f.respPem = p("resp.pem");
    writeFileSync(
      f.respPem,
      `-----BEGIN OCSP RESPONSE-----\n${b64(f.resp).replace(/.{64}/g, "$&\n")}\n-----END OCSP RESPONSE-----\n`,
    );
    f.respB64 = p("resp.b64");
    writeFileSync(f.respB64, `${b64(f.resp)}\n`);
    f.getUrl = p("get.txt");
    writeFileSync(f.getUrl, `http://ocsp.example.test/sub/${encodeURIComponent(b64(f.req))}\n`);
    f.getUrlRaw = p("get-raw.txt");
    writeFileSync(f.getUrlRaw, `http://ocsp.example.test/${b64(f.req)}`);
    f.garbage = p("garbage.txt");
    writeFileSync(f.garbage, "hello, world\n");
    f.empty = p("empty");
    writeFileSync(f.empty, "");
    f.certDer = p("cert.der");
    await openssl(argv`x509 -in ${pki.leaves.good.cert} -outform DER -out ${f.certDer}`);
  });
  after(() => pki.cleanup());

  test("a DER response and request print exactly as openssl prints them", async () => {
    const r = await inspect(f.resp!);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, opensslText.resp);
    const q = await inspect(f.req!);
    assert.equal(q.out, opensslText.req);
    const n = await inspect(f.reqNonce!);
    assert.equal(n.out, opensslText.reqNonce);
  });

  test("PEM, base64 and GET URLs (escaped or not) are recognised", async () => {
    for (const file of [f.respPem!, f.respB64!]) {
      const r = await inspect(file);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, opensslText.resp);
    }
    for (const file of [f.getUrl!, f.getUrlRaw!]) {
      const r = await inspect(file);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, opensslText.req);
    }
  });

  test("--json: the decoded fields", async () => {
    const r = await inspect("--json", f.respPem!);
    const o = JSON.parse(r.out);
    assert.equal(o.type, "response");
    assert.equal(o.form, "PEM");
    assert.equal(o.responseStatus, "successful");
    const s = o.responses[0];
    assert.equal(s.status, "revoked");
    assert.equal(s.revocationReason, "keyCompromise");
    assert.equal(s.certId.serial, pki.leaves.revoked.keyCompromise.serial);
    assert.equal(s.certId.hashAlgorithm, "sha1");
    assert.match(s.thisUpdate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(o.certs[0].subject, "O = ocspkit tests, CN = ocspkit OCSP Signer");
    assert.equal("verification" in o, false);
    const q = JSON.parse((await inspect("--json", f.reqNonce!)).out);
    assert.equal(q.type, "request");
    assert.equal(q.requests.length, 2);
    assert.equal(q.signed, false);
    assert.ok(q.nonce);
  });

  test("with --issuer/--ca-file the response is verified", async () => {
    const ok = await inspect(
      "--ca-file",
      pki.caFiles.root,
      "--issuer",
      pki.intermediate.cert,
      f.resp!,
    );
    assert.equal(ok.code, 0);
    assert.equal(ok.err, "Response verify OK\n");
    const chain = await inspect("--json", "--ca-file", pki.caFiles.chain, f.resp!);
    assert.equal(chain.code, 0);
    assert.equal(JSON.parse(chain.out).verification.ok, true);
    const bad = await inspect(
      "--ca-file",
      pki.caFiles.foreign,
      "--issuer",
      pki.intermediate.cert,
      f.resp!,
    );
    assert.equal(bad.code, 3);
    assert.match(bad.err, /^Response Verify Failure: signer certificate/);
    const noIssuer = await inspect("--ca-file", pki.caFiles.root, f.resp!);
    assert.equal(noIssuer.code, 3);
    assert.match(noIssuer.err, /not among --issuer, --ca-file/);
  });

  test("what is not an OCSP message: exit 1 with one line naming it", async () => {
    for (const [file, why] of [
      [f.garbage!, /garbage\.txt is not an OCSP request or response: not DER, PEM, base64/],
      [f.empty!, /empty is not an OCSP request or response: it is empty/],
      [f.certDer!, /cert\.der is not an OCSP request or response/],
      [pki.missing, /cannot read an OCSP message from .*does-not-exist\.pem: no such file/],
    ] as const) {
      const r = await inspect(file);
      assert.equal(r.code, 1, file);
      assert.equal(r.out, "");
      assert.match(r.err, why);
      assert.equal(r.err.trim().split("\n").length, 1);
    }
    assert.equal((await inspect()).code, 64);
    assert.equal((await inspect(f.resp!, "--issuer", pki.missing)).code, 64);
  });

  test("standard input through the real binary", async () => {
    const [cmd, ...pre] = ocspkitCommand();
    const r = await runCommand(cmd!, [...pre, "inspect", "-"], { input: readFileSync(f.respB64!) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, opensslText.resp);
  });
});
