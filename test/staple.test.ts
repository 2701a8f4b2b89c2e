/**
 * `ocspkit staple` against `openssl s_server -status_file` on 127.0.0.1 (port 0): a good, a
 * revoked, a mismatched, a tampered, a stale and no staple; answers made by OpenSSL's responder.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { certIdFor } from "../src/ocsp/certid.ts";
import { SHA1 } from "../src/ocsp/digests.ts";
import { loadCertificate } from "../src/x509/load.ts";
import { runBuiltCli } from "./support/cli.ts";
import { signedResponse } from "./support/forge.ts";
import {
  argv,
  type KeyPair,
  makePki,
  makeResponseFile,
  ocspkitCommand,
  openssl,
  type Pki,
  runArgv,
} from "./support/pki.ts";

/** The built `staple` in-process (test/support/cli.ts). */
async function staple(...args: string[]) {
  const r = await runBuiltCli("staple", args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** `openssl s_server` serving `leaf` (and the chain), stapling `statusFile` when given. */
async function sServer(pki: Pki, leaf: KeyPair, statusFile?: string, sendChain = true) {
  const args = argv`s_server -accept 127.0.0.1:0 -cert ${leaf.cert} -key ${leaf.key}`;
  if (sendChain) args.push("-cert_chain", pki.chain);
  if (statusFile) args.push("-status_file", statusFile);
  const child: ChildProcess = spawn("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  let seen = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`s_server did not start: ${seen}`));
    }, 10_000);
    const onData = (b: Buffer) => {
      seen += b.toString();
      const m = /ACCEPT .*:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => reject(new Error(`s_server exited: ${seen}`)));
  });
  return {
    target: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        child.kill();
      }),
  };
}

describe("staple", () => {
  let pki: Pki;
  const files: Record<string, string> = {};
  before(async () => {
    pki = await makePki();
    for (const [name, leaf] of [
      ["good", pki.leaves.good],
      ["revoked", pki.leaves.revoked.keyCompromise],
      ["good2", pki.leaves.good2],
    ] as const) {
      const req = join(pki.dir, `${name}.req`);
      await openssl(
        argv`ocsp -issuer ${pki.intermediate.cert} -cert ${leaf.cert} -no_nonce -reqout ${req}`,
      );
      files[name] = join(pki.dir, `${name}.resp`);
      await makeResponseFile(pki, req, files[name]!);
    }
    const tampered = Buffer.from(readFileSync(files.good!));
    tampered[tampered.length - 1]! ^= 1;
    files.tampered = join(pki.dir, "tampered.resp");
    writeFileSync(files.tampered, tampered);
    const cert = loadCertificate(pki.leaves.good.cert, "cert");
    const signer = loadCertificate(pki.ocspSigner.cert, "signer");
    const day = 86_400_000;
    files.stale = join(pki.dir, "stale.resp");
    writeFileSync(
      files.stale,
      signedResponse({
        responderId: { byKey: signer.keyHash() },
        producedAt: new Date(Date.now() - 3 * day),
        responses: [
          {
            certId: certIdFor(loadCertificate(pki.intermediate.cert, "ca"), cert, SHA1),
            status: "good",
            thisUpdate: new Date(Date.now() - 3 * day),
            nextUpdate: new Date(Date.now() - 2 * day),
          },
        ],
        key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
        certs: [signer],
      }),
    );
  });
  after(() => pki.cleanup());

  const cases: [string, () => KeyPair, string | undefined, number, RegExp][] = [
    ["a good staple", () => pki.leaves.good, "good", 0, /staple: good/],
    [
      "a revoked staple",
      () => pki.leaves.revoked.keyCompromise,
      "revoked",
      1,
      /revoked, keyCompromise/,
    ],
    ["no staple", () => pki.leaves.good, undefined, 2, /no staple/],
    ["a staple for another certificate", () => pki.leaves.good, "good2", 3, /another certificate/],
    ["a tampered staple", () => pki.leaves.good, "tampered", 3, /invalid staple: .*signature/],
    ["a stale staple", () => pki.leaves.good, "stale", 3, /invalid staple: .*expired/],
  ];
  for (const [name, leaf, file, code, text] of cases) {
    test(`${name}: exit ${code}`, async () => {
      const server = await sServer(pki, leaf(), file && files[file]);
      try {
        const r = await staple(server.target, "--ca-file", pki.caFiles.root);
        assert.equal(r.code, code, r.out + r.err);
        assert.match(r.out, text);
        const j = await staple(server.target, "--ca-file", pki.caFiles.root, "--json");
        assert.equal(j.code, code);
        const o = JSON.parse(j.out);
        assert.equal(o.stapled, file !== undefined);
        assert.equal(o.serial, leaf().serial);
        assert.equal(o.status, ["good", "revoked", "none", "error"][code]);
        if (code === 3) assert.ok(o.error && o.errorCode, j.out);
        if (code === 1) assert.equal(o.revocationReason, "keyCompromise");
      } finally {
        await server.stop();
      }
    });
  }

  test("an untrusted signer: the staple is invalid (wrong --ca-file)", async () => {
    const server = await sServer(pki, pki.leaves.good, files.good);
    try {
      const r = await staple(server.target, "--ca-file", pki.caFiles.foreign);
      assert.equal(r.code, 3);
      assert.match(r.out, /invalid staple/);
    } finally {
      await server.stop();
    }
  });

  test("the built CLI: a server a TLS client would refuse is exit 3 unless --insecure", async () => {
    // A leaf valid for staple.test, with a good staple of its own.
    const dir = pki.dir;
    const named: KeyPair = {
      cert: join(dir, "named.pem"),
      key: join(dir, "named.key"),
      subject: "/CN=staple.test",
      serial: "5A01",
    };
    writeFileSync(join(dir, "named.cnf"), "subjectAltName=DNS:staple.test\n");
    await openssl(argv`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${named.key}`);
    await openssl(
      argv`req -new -key ${named.key} -subj ${named.subject} -out ${join(dir, "named.csr")}`,
    );
    await openssl(
      argv`x509 -req -in ${join(dir, "named.csr")} -CA ${pki.intermediate.cert}
           -CAkey ${pki.intermediate.key} -set_serial 0x5A01 -days 5
           -extfile ${join(dir, "named.cnf")} -out ${named.cert}`,
    );
    const signer = loadCertificate(pki.ocspSigner.cert, "signer");
    const ca = loadCertificate(pki.intermediate.cert, "ca");
    const now = Date.now();
    const resp = join(dir, "named.resp");
    writeFileSync(
      resp,
      signedResponse({
        responderId: { byKey: signer.keyHash() },
        producedAt: new Date(now),
        responses: [
          {
            certId: certIdFor(ca, loadCertificate(named.cert, "named"), SHA1),
            status: "good",
            thisUpdate: new Date(now - 60_000),
            nextUpdate: new Date(now + 86_400_000),
          },
        ],
        key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
        certs: [signer],
      }),
    );
    const cli = (...args: string[]) =>
      runArgv([...ocspkitCommand(), "staple", ...args, "--ca-file", pki.caFiles.root]);
    const server = await sServer(pki, named, resp);
    try {
      const ok = await cli(server.target, "--servername", "staple.test");
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /staple: good/);
      const wrong = await cli(server.target, "--servername", "wrong.test");
      assert.equal(wrong.code, 3, wrong.stdout);
      assert.match(wrong.stdout, /staple: good/);
      assert.match(wrong.stdout, /TLS: the server's certificate is not valid for wrong\.test/);
      const j = await cli(server.target, "--servername", "wrong.test", "--json");
      assert.equal(j.code, 3);
      const o = JSON.parse(j.stdout);
      assert.equal(o.tlsChainTrusted, false);
      assert.equal(o.tlsChainError, "ERR_TLS_CERT_ALTNAME_INVALID");
      assert.equal(o.status, "good");
      const insecure = await cli(server.target, "--servername", "wrong.test", "--insecure");
      assert.equal(insecure.code, 0, insecure.stdout);
      assert.match(insecure.stdout, /--insecure: ignored/);
    } finally {
      await server.stop();
    }
    // No intermediate sent: the chain does not build from the root alone.
    const bare = await sServer(pki, named, resp, false);
    try {
      const r = await cli(bare.target, "--servername", "staple.test");
      assert.equal(r.code, 3, r.stdout);
      assert.match(r.stdout, /TLS: the server's certificate chain does not verify: UNABLE_TO_/);
      const j = JSON.parse(
        (await cli(bare.target, "--servername", "staple.test", "--json")).stdout,
      );
      assert.equal(j.tlsChainTrusted, false);
      assert.match(j.tlsChainError, /^UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
    } finally {
      await bare.stop();
    }
  });

  test("no server, bad targets and options", async () => {
    const r = await staple("127.0.0.1:9", "--ca-file", pki.caFiles.root, "--timeout", "3");
    assert.equal(r.code, 3);
    assert.match(r.err, /^ocspkit staple: TLS connection to 127\.0\.0\.1:9 failed/);
    for (const args of [
      [],
      ["host:99999"],
      ["a:b:c"],
      ["h", "--timeout", "0"],
      ["h", "--ca-file", pki.missing],
    ]) {
      const u = await staple(...args);
      assert.equal(u.code, 64, `${args.join(" ")}: ${u.err}`);
      assert.match(u.err, /^ocspkit staple: /);
    }
  });
});
