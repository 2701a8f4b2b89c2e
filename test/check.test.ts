/**
 * `ocspkit check` end to end against a PKI built at test time whose leaves name loopback
 * servers: an OpenSSL responder (index.txt) for OCSP, and a small node:http "repository" that
 * serves the issuers (DER, PEM, PKCS#7) and the CRL. The servers start first on port 0, then
 * the leaves are issued with `openssl x509 -req -extfile` naming those ports.
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { exitCode, isoTime } from "../src/check/report.ts";
import { certIdFor } from "../src/ocsp/certid.ts";
import { SHA1 } from "../src/ocsp/digests.ts";
import { loadCertificate } from "../src/x509/load.ts";
import { runBuiltCli } from "./support/cli.ts";
import { signedResponse } from "./support/forge.ts";
import {
  argv,
  makePki,
  ocspErrorResponse,
  ocspkitCommand,
  openssl,
  type Pki,
  type Responder,
  runCommand,
  startFixedResponder,
  startOpensslResponder,
} from "./support/pki.ts";

/** Runs the built `check` in-process (fast, test/support/cli.ts), capturing what it prints. */
async function check(...args: string[]) {
  const r = await runBuiltCli("check", args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

async function checkJson(...args: string[]) {
  const r = await check("--json", ...args);
  assert.equal(r.err.includes("internal error"), false, r.err);
  return { ...r, results: JSON.parse(r.out).results as Record<string, unknown>[] };
}

/** A loopback server for issuers and CRLs: path → body; every request is counted. */
async function startRepository() {
  const files = new Map<string, Buffer>();
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const body = files.get(req.url ?? "");
    if (req.url === "/slow") return; // never answers: timeouts
    if (req.url === "/redirect") {
      res.writeHead(302, { Location: "/issuer.der", Connection: "close" });
      return res.end();
    }
    res.writeHead(body ? 200 : 404, { Connection: "close" });
    res.end(body ?? "not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    hits,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Repo = Awaited<ReturnType<typeof startRepository>>;

const LEAF_EXT = (extra: string) => `[e]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
${extra}
`;

interface Env {
  pki: Pki;
  dir: string;
  repo: Repo;
  responder: Responder;
  index: string;
  leaf: Record<string, string>;
  /** CRLs (DER) to swap in: an expired one, one by another CA. */
  crls: Record<string, Buffer>;
}

/** `YYMMDDHHMMSSZ`, the index.txt time form. */
const indexTime = (d: Date) => d.toISOString().replace(/[-T:]/g, "").slice(2, 14) + "Z";

async function issue(
  env: Omit<Env, "leaf" | "crls">,
  name: string,
  serial: string,
  ext: string,
  ca: { cert: string; key: string },
  status?: "V" | "R",
): Promise<string> {
  const f = (s: string) => join(env.dir, `${name}.${s}`);
  writeFileSync(f("ext"), LEAF_EXT(ext));
  await openssl(
    argv`req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${f("key")}
         -out ${f("csr")} -subj ${`/O=ocspkit tests/CN=${name}`}`,
  );
  await openssl(
    argv`x509 -req -in ${f("csr")} -CA ${ca.cert} -CAkey ${ca.key} -set_serial ${`0x${serial}`}
         -days 30 -extfile ${f("ext")} -extensions e -out ${f("pem")}`,
  );
  if (status) {
    const notAfter = indexTime(new Date(Date.now() + 30 * 86_400_000));
    const rev =
      status === "R" ? `${indexTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))},keyCompromise` : "";
    appendFileSync(
      env.index,
      `${status}\t${notAfter}\t${rev}\t${serial}\tunknown\t/O=ocspkit tests/CN=${name}\n`,
    );
  }
  return f("pem");
}

async function makeEnv(): Promise<Env> {
  const pki = await makePki();
  const dir = join(pki.dir, "check");
  mkdirSync(dir);
  const index = join(dir, "index.txt");
  copyFileSync(pki.index, index);
  copyFileSync(pki.indexAttr, `${index}.attr`);
  const repo = await startRepository();
  const responder = await startOpensslResponder(pki, { index });
  const base = { pki, dir, repo, responder, index };
  const ocsp = `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/issuer.der`;
  const crl = `crlDistributionPoints = URI:${repo.url}/inter.crl`;
  const inter = pki.intermediate;
  const leaf: Record<string, string> = {
    good: await issue(base, "good", "5001", ocsp, inter, "V"),
    revoked: await issue(base, "revoked", "5002", ocsp, inter, "R"),
    unknown: await issue(base, "unknown", "5003", ocsp, inter),
    crlGood: await issue(base, "crl-good", "5004", crl, inter, "V"),
    crlRevoked: await issue(base, "crl-revoked", "5005", crl, inter, "R"),
    both: await issue(base, "both", "5006", `${ocsp}\n${crl}`, inter, "R"),
    bare: await issue(base, "bare", "5007", "", inter, "V"),
    p7: await issue(
      base,
      "p7",
      "5008",
      `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/issuer.p7c`,
      inter,
      "V",
    ),
    redirect: await issue(
      base,
      "redirect",
      "5009",
      `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/redirect`,
      inter,
      "V",
    ),
    slowIssuer: await issue(
      base,
      "slow-issuer",
      "500A",
      `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/slow`,
      inter,
    ),
    hugeIssuer: await issue(
      base,
      "huge-issuer",
      "500B",
      `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/huge`,
      inter,
    ),
    foreign: await issue(
      base,
      "foreign",
      "5A01",
      `authorityInfoAccess = OCSP;URI:${responder.url}, caIssuers;URI:${repo.url}/foreign.der`,
      pki.foreignRoot,
    ),
  };
  const der = (pem: string) =>
    Buffer.from(readFileSync(pem, "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
  repo.files.set("/issuer.der", der(inter.cert));
  repo.files.set("/foreign.der", der(pki.foreignRoot.cert));
  const p7 = join(dir, "issuer.p7c");
  await openssl(argv`crl2pkcs7 -nocrl -certfile ${inter.cert} -outform DER -out ${p7}`);
  repo.files.set("/issuer.p7c", readFileSync(p7));
  // CRLs: OpenSSL's `ca -gencrl` over the same index the responder reads.
  writeFileSync(join(dir, "crlnumber"), "01\n");
  const cnf = join(dir, "ca.cnf");
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${index}\ncrlnumber = ${join(dir, "crlnumber")}\n` +
      "default_md = sha256\ndefault_crl_days = 1\n",
  );
  const gencrl = async (name: string, ca: { cert: string; key: string }, extra: string[] = []) => {
    const out = join(dir, `${name}.crl`);
    await openssl(
      argv`ca -gencrl -config ${cnf} -keyfile ${ca.key} -cert ${ca.cert} ${extra} -out ${out}`,
    );
    await openssl(argv`crl -in ${out} -outform DER -out ${`${out}.der`}`);
    return readFileSync(`${out}.der`);
  };
  repo.files.set("/inter.crl", await gencrl("inter", inter));
  const crls = {
    stale: await gencrl("stale", inter, [
      ...["-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200102000000Z"],
    ]),
    foreign: await gencrl("foreign", pki.foreignRoot),
  };
  repo.files.set("/huge", Buffer.alloc(300 * 1024, 0x30));
  return { ...base, leaf, crls };
}

describe("exit codes: 1 any revoked · 3 any error · 2 any unknown · 0 all good", () => {
  type Status = "good" | "revoked" | "unknown" | "error";
  const rule = (s: readonly Status[]) =>
    s.includes("revoked")
      ? 1
      : s.includes("error") || s.length === 0
        ? 3
        : s.includes("unknown")
          ? 2
          : 0;
  test("every mix of statuses, in every order", () => {
    const all: Status[] = ["good", "revoked", "unknown", "error"];
    // Every sequence of up to three statuses: each mix, each order, repeats included.
    let mixes: Status[][] = [[]];
    for (let n = 0; n < 3; n++)
      mixes = [
        ...mixes,
        ...mixes.filter((m) => m.length === n).flatMap((m) => all.map((s) => [...m, s])),
      ];
    for (const m of mixes) {
      assert.equal(exitCode(m.map((status) => ({ status }))), rule(m), m.join(",") || "(none)");
    }
    assert.equal(exitCode([{ status: "unknown" }, { status: "error" }]), 3);
    assert.equal(exitCode([{ status: "error" }, { status: "unknown" }]), 3);
  });
});

test("isoTime: to the second, each time its own after others (it remembers a few)", () => {
  const a = new Date("2026-12-01T04:52:46.789Z");
  const b = new Date("2027-01-02T03:04:05Z");
  assert.equal(isoTime(a), "2026-12-01T04:52:46Z");
  assert.equal(isoTime(a), "2026-12-01T04:52:46Z");
  assert.equal(isoTime(b), "2027-01-02T03:04:05Z");
  assert.equal(isoTime(new Date(a.getTime())), "2026-12-01T04:52:46Z");
  assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
  assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
});

describe("check", () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(async () => {
    await env.responder.stop();
    await env.repo.stop();
    env.pki.cleanup();
  });

  test("good, revoked and unknown with only --ca-file: statuses, JSON and exit codes", async () => {
    const { leaf, pki } = env;
    const good = await checkJson("--ca-file", pki.caFiles.root, leaf.good!);
    assert.equal(good.code, 0);
    const [g] = good.results;
    assert.equal(g!.status, "good");
    assert.equal(g!.serial, "5001");
    assert.equal(g!.file, leaf.good);
    assert.equal(g!.source, "OCSP");
    assert.equal(g!.responder, env.responder.url);
    assert.match(String(g!.thisUpdate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(g!.nextUpdate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal("error" in g!, false);
    assert.equal("revocationTime" in g!, false);

    const rev = await checkJson("--ca-file", pki.caFiles.root, leaf.revoked!);
    assert.equal(rev.code, 1);
    assert.equal(rev.results[0]!.status, "revoked");
    assert.equal(rev.results[0]!.revocationReason, "keyCompromise");
    assert.equal(rev.results[0]!.revocationTime, "2025-01-02T03:04:05Z");

    const unk = await checkJson("--ca-file", pki.caFiles.root, leaf.unknown!);
    assert.equal(unk.code, 2);
    assert.equal(unk.results[0]!.status, "unknown");

    const all = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      leaf.good!,
      leaf.unknown!,
      leaf.revoked!,
    );
    assert.equal(all.code, 1, "revoked wins over unknown");
    assert.deepEqual(
      all.results.map((r) => r.status),
      ["good", "unknown", "revoked"],
      "results keep the order of the operands",
    );
  });

  test("a certificate of a foreign CA: the responder may not speak for it (error, exit 3)", async () => {
    const r = await checkJson("--ca-file", env.pki.caFiles.root, env.leaf.foreign!);
    assert.equal(r.code, 3);
    assert.equal(r.results[0]!.status, "error");
    // Its signer chains to no CA of this certificate: unprovable either way.
    assert.ok(["ERR_CHAIN", "ERR_SIGNER_UNAUTHORIZED"].includes(String(r.results[0]!.errorCode)));
    assert.ok(String(r.results[0]!.error).length > 10);
  });

  test("one unknown and one error: exit 3, in either order (an error outranks an unknown)", async () => {
    const { leaf, pki } = env;
    for (const files of [
      [leaf.unknown!, leaf.foreign!],
      [leaf.foreign!, leaf.unknown!],
      [leaf.unknown!, pki.missing],
    ]) {
      const r = await checkJson("--ca-file", pki.caFiles.root, ...files);
      assert.deepEqual(
        r.results.map((x) => x.status).sort(),
        ["error", "unknown"],
        JSON.stringify(r.results),
      );
      assert.equal(r.code, 3, files.join(" "));
    }
  });

  test("the issuer from a PKCS#7 caIssuers file, from a redirect, from the same file, from --issuer", async () => {
    const { leaf, pki, dir } = env;
    const p7 = await checkJson("--ca-file", pki.caFiles.root, leaf.p7!, leaf.redirect!);
    assert.deepEqual(
      p7.results.map((r) => r.status),
      ["good", "good"],
    );
    // No caIssuers URL: the chain in the same file, or --issuer.
    const bare = leaf.bare!;
    const withChain = join(dir, "bare-chain.pem");
    writeFileSync(withChain, readFileSync(bare, "utf8") + readFileSync(pki.intermediate.cert));
    const r = await checkJson("--ca-file", pki.caFiles.root, "--url", env.responder.url, withChain);
    assert.equal(r.results[0]!.status, "good", JSON.stringify(r.results[0]));
    const i = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      "--issuer",
      pki.intermediate.cert,
      "--url",
      env.responder.url,
      bare,
    );
    assert.equal(i.results[0]!.status, "good");
    const none = await checkJson("--ca-file", pki.caFiles.root, "--url", env.responder.url, bare);
    assert.equal(none.code, 3);
    assert.match(String(none.results[0]!.error), /issuer certificate not found/);
    const wrong = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      "--issuer",
      pki.foreignRoot.cert,
      leaf.good!,
    );
    assert.equal(wrong.code, 3);
    assert.match(String(wrong.results[0]!.error), /--issuer certificate did not issue/);
  });

  test("issuer downloads are bounded in time and size", async () => {
    const r = await checkJson(
      ...["--ca-file", env.pki.caFiles.root, "--timeout", "1"],
      env.leaf.slowIssuer!,
      env.leaf.hugeIssuer!,
    );
    assert.equal(r.code, 3);
    assert.match(
      String(r.results[0]!.error),
      /cannot download the issuer certificate from .*\/slow: no answer within 1000 ms/,
    );
    assert.match(String(r.results[1]!.error), /\/huge: larger than the 262144-byte limit/);
  });

  test("GET when no nonce (RFC 5019), POST with --nonce or --method post", async () => {
    const { leaf, pki, responder } = env;
    const methods = async (...args: string[]) => {
      const before = responder.exchanges.length;
      const r = await checkJson("--ca-file", pki.caFiles.root, ...args, leaf.good!);
      assert.equal(r.results[0]!.status, "good", JSON.stringify(r.results[0]));
      return responder.exchanges.slice(before).map((e) => e.method);
    };
    assert.deepEqual(await methods(), ["GET"]);
    assert.deepEqual(await methods("--nonce"), ["POST"]);
    assert.deepEqual(await methods("--method", "post"), ["POST"]);
    assert.deepEqual(await methods("--method", "post", "--no-nonce"), ["POST"]);
    assert.deepEqual(await methods("--method", "get"), ["GET"]);
  });

  test("a stale, a forged and a tampered answer are errors, never a status", async () => {
    const { leaf, pki } = env;
    const cert = loadCertificate(leaf.good!, "cert");
    const issuer = loadCertificate(pki.intermediate.cert, "issuer");
    const signer = loadCertificate(pki.ocspSigner.cert, "signer");
    const key = createPrivateKey(readFileSync(pki.ocspSigner.key));
    const day = 86_400_000;
    const stale = signedResponse({
      responderId: { byKey: signer.keyHash() },
      producedAt: new Date(Date.now() - 3 * day),
      responses: [
        {
          certId: certIdFor(issuer, cert, SHA1),
          status: "good",
          thisUpdate: new Date(Date.now() - 3 * day),
          nextUpdate: new Date(Date.now() - 2 * day),
        },
      ],
      key,
      certs: [signer],
    });
    const staleServer = await startFixedResponder(Buffer.from(stale));
    const forgedServer = await startOpensslResponder(pki, {
      index: env.index,
      rsigner: pki.badSigner.cert,
    });
    try {
      const s = await checkJson(
        "--ca-file",
        pki.caFiles.root,
        "--url",
        staleServer.url,
        leaf.good!,
      );
      assert.equal(s.code, 3);
      assert.equal(s.results[0]!.status, "error");
      assert.equal(s.results[0]!.errorCode, "ERR_STALE");
      assert.equal(s.results[0]!.thisUpdate, null, "nothing unverified is reported");

      const f = await checkJson(
        "--ca-file",
        pki.caFiles.root,
        "--url",
        forgedServer.url,
        leaf.revoked!,
      );
      assert.equal(f.code, 3, "a revoked answer from an unauthorised signer is not 'revoked'");
      assert.equal(f.results[0]!.status, "error");
      assert.equal(f.results[0]!.errorCode, "ERR_SIGNER_UNAUTHORIZED");
    } finally {
      await staleServer.stop();
      await forgedServer.stop();
    }
    // A good answer with one bit of its signature flipped.
    const honest = env.responder.exchanges.at(-1)!.response;
    const tampered = Buffer.from(honest);
    tampered[tampered.length - 1]! ^= 1;
    const t = await startFixedResponder(tampered);
    try {
      const r = await checkJson("--ca-file", pki.caFiles.root, "--url", t.url, leaf.good!);
      assert.equal(r.code, 3);
      assert.equal(r.results[0]!.status, "error");
    } finally {
      await t.stop();
    }
  });

  test("an untrusted root: the answer does not verify (system store or wrong --ca-file)", async () => {
    const r = await checkJson("--ca-file", env.pki.caFiles.foreign, env.leaf.good!);
    assert.equal(r.code, 3);
    assert.equal(r.results[0]!.errorCode, "ERR_CHAIN");
  });

  test("no OCSP URL: a clear error, or the CRL's status with --crl-fallback", async () => {
    const { leaf, pki, repo } = env;
    const r = await checkJson("--ca-file", pki.caFiles.root, leaf.crlGood!);
    assert.equal(r.code, 3);
    assert.match(String(r.results[0]!.error), /no OCSP responder.*--crl-fallback/);

    const hitsBefore = repo.hits.filter((h) => h === "/inter.crl").length;
    const c = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      "--issuer",
      pki.intermediate.cert,
      "--crl-fallback",
      leaf.crlGood!,
      leaf.crlRevoked!,
    );
    assert.equal(c.code, 1);
    const [good, revoked] = c.results;
    assert.equal(good!.status, "good");
    assert.equal(good!.source, "CRL");
    assert.equal(good!.responder, `${repo.url}/inter.crl`);
    assert.equal(revoked!.status, "revoked");
    assert.equal(revoked!.revocationReason, "keyCompromise");
    assert.equal(revoked!.revocationTime, "2025-01-02T03:04:05Z");
    assert.equal(
      repo.hits.filter((h) => h === "/inter.crl").length - hitsBefore,
      1,
      "one download for both",
    );
  });

  test("--crl-fallback when the responder fails; a bad CRL is an error", async () => {
    const { leaf, pki, repo } = env;
    const down = await startFixedResponder(Buffer.from("oops"), { httpStatus: 500 });
    try {
      const r = await checkJson(
        "--ca-file",
        pki.caFiles.root,
        "--url",
        down.url,
        "--crl-fallback",
        leaf.both!,
      );
      assert.equal(r.results[0]!.status, "revoked");
      assert.equal(r.results[0]!.source, "CRL");
      assert.match(String(r.results[0]!.ocspError), /HTTP 500/);
      // Without the fallback: the responder's failure.
      const n = await checkJson("--ca-file", pki.caFiles.root, "--url", down.url, leaf.both!);
      assert.equal(n.code, 3);
      assert.match(String(n.results[0]!.error), /HTTP 500/);
    } finally {
      await down.stop();
    }
    // A CRL that must not be believed: each is one clear error.
    const good = repo.files.get("/inter.crl")!;
    const broken = Buffer.from(good);
    broken[broken.length - 1]! ^= 1;
    const refused = async (body: Buffer, caFile: string, why: RegExp) => {
      repo.files.set("/inter.crl", body);
      const r = await checkJson(
        ...["--ca-file", caFile, "--crl-fallback", "--issuer", pki.intermediate.cert],
        leaf.crlGood!,
      );
      assert.equal(r.code, 3, why.source);
      assert.equal(r.results[0]!.status, "error");
      assert.match(String(r.results[0]!.error), why);
    };
    try {
      await refused(broken, pki.caFiles.root, /CRL's signature is invalid/);
      await refused(Buffer.from("not a CRL"), pki.caFiles.root, /CRL from .* is malformed/);
      await refused(env.crls.stale!, pki.caFiles.root, /CRL is not current: CRL expired/);
      await refused(env.crls.foreign!, pki.caFiles.root, /issued by another CA/);
      await refused(good, pki.caFiles.foreign, /CRL issuer is not trusted/);
    } finally {
      repo.files.set("/inter.crl", good);
    }
  });

  test("tryLater is asked once more; a second tryLater is an error", async () => {
    const { leaf, pki } = env;
    const busy = await startFixedResponder(ocspErrorResponse(3));
    try {
      const r = await checkJson("--ca-file", pki.caFiles.root, "--url", busy.url, leaf.good!);
      assert.equal(r.code, 3);
      assert.match(String(r.results[0]!.error), /trylater/);
      assert.equal(busy.exchanges.length, 2);
    } finally {
      await busy.stop();
    }
  });

  test("transport faults name the responder: refused, garbage, wrong content type", async () => {
    const { leaf, pki } = env;
    const garbage = await startFixedResponder(Buffer.from("garbage"));
    const html = await startFixedResponder(Buffer.from("<html>"), { contentType: "text/html" });
    try {
      const r = await checkJson(
        "--ca-file",
        pki.caFiles.root,
        "--url",
        garbage.url,
        leaf.good!,
        "--timeout",
        "2",
      );
      assert.equal(r.code, 3);
      assert.match(String(r.results[0]!.error), /malformed OCSP response/);
      const h = await checkJson("--ca-file", pki.caFiles.root, "--url", html.url, leaf.good!);
      assert.match(String(h.results[0]!.error), /content type/);
    } finally {
      await garbage.stop();
      await html.stop();
    }
    const refused = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      "--url",
      "http://127.0.0.1:9/",
      leaf.good!,
    );
    assert.equal(refused.code, 3);
    assert.match(String(refused.results[0]!.error), /cannot reach 127\.0\.0\.1:9/);
  });

  test("bad inputs: one result each naming the file, the others still checked", async () => {
    const { leaf, pki, dir } = env;
    const empty = join(dir, "empty.pem");
    writeFileSync(empty, "");
    const r = await checkJson(
      "--ca-file",
      pki.caFiles.root,
      pki.missing,
      pki.notACert,
      empty,
      leaf.good!,
    );
    assert.equal(r.code, 3);
    assert.deepEqual(
      r.results.map((x) => x.status),
      ["error", "error", "error", "good"],
    );
    assert.match(String(r.results[0]!.error), new RegExp(`${pki.missing}.*no such file`));
    assert.match(String(r.results[1]!.error), /notacert\.txt is not a certificate/);
    assert.match(String(r.results[2]!.error), /empty\.pem is empty/);
    for (const x of r.results.slice(0, 3)) {
      assert.equal(x.errorCode, "ERR_INPUT");
      assert.equal(x.serial, null);
    }
    // A root is not something OCSP can answer for.
    const root = await checkJson("--ca-file", pki.caFiles.root, pki.root.cert);
    assert.match(String(root.results[0]!.error), /self-signed/);
  });

  test("a folder of certificates: keys are passed over, certificates checked", async () => {
    const { leaf, pki, dir } = env;
    const folder = join(dir, "site");
    mkdirSync(folder);
    copyFileSync(leaf.good!, join(folder, "cert.pem"));
    copyFileSync(leaf.revoked!, join(folder, "other.crt"));
    copyFileSync(join(dir, "good.key"), join(folder, "privkey.pem"));
    writeFileSync(join(folder, "README"), "not looked at");
    const r = await checkJson("--ca-file", pki.caFiles.root, folder);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.results.map((x) => [x.file, x.status]),
      [
        [join(folder, "cert.pem"), "good"],
        [join(folder, "other.crt"), "revoked"],
      ],
    );
    assert.match(r.err, /skipped .*privkey\.pem holds no certificate/);
    const emptyDir = join(dir, "nothing");
    mkdirSync(emptyDir);
    const e = await checkJson("--ca-file", pki.caFiles.root, emptyDir);
    assert.equal(e.code, 3);
    assert.match(String(e.results[0]!.error), /holds no certificate files/);
  });

  test("usage errors exit 64 with one line", async () => {
    const { pki, leaf } = env;
    for (const args of [
      [],
      ["--concurrency", "0", leaf.good!],
      ["--concurrency", "x", leaf.good!],
      ["--timeout", "-1", leaf.good!],
      ["--method", "put", leaf.good!],
      ["--json", "--ndjson", leaf.good!],
      ["--bogus", leaf.good!],
      ["--ca-file", pki.missing, leaf.good!],
      ["--ca-file", pki.notACert, leaf.good!],
      ["--issuer", pki.missing, leaf.good!],
      ["-", "-"],
    ]) {
      const r = await check(...args);
      assert.equal(r.code, 64, `${args.join(" ")}: ${r.err}`);
      assert.equal(r.out, "");
      assert.match(r.err, /^ocspkit check: /, args.join(" "));
    }
  });

  test("the table, --ndjson, stdin and the exit code through the real binary", async () => {
    const { leaf, pki } = env;
    const t = await check("--ca-file", pki.caFiles.root, leaf.good!, leaf.revoked!, pki.missing);
    assert.equal(t.code, 1);
    const lines = t.out.split("\n");
    assert.match(
      lines[0]!,
      /^CERTIFICATE\s+SERIAL\s+STATUS\s+REASON\s+REVOKED AT\s+NEXT UPDATE\s+SOURCE$/,
    );
    assert.match(
      lines[1]!,
      /good\.pem\s+5001\s+good\s+-\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+OCSP/,
    );
    assert.match(lines[2]!, /revoked\.pem\s+5002\s+revoked\s+keyCompromise\s+2025-01-02 03:04:05Z/);
    assert.match(t.out, /does-not-exist\.pem: error: cannot read/);
    assert.equal(/\x1b\[/.test(t.out), false, "no colour off a terminal");

    const nd = await check("--ndjson", "--ca-file", pki.caFiles.root, leaf.good!, leaf.revoked!);
    const objs = nd.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(objs.map((o) => o.status).sort(), ["good", "revoked"]);

    const bin = await runCommand(
      ocspkitCommand()[0]!,
      [...ocspkitCommand().slice(1), "check", "--json", "--ca-file", pki.caFiles.root, "-"],
      { input: readFileSync(leaf.revoked!) },
    );
    assert.equal(bin.code, 1, bin.stderr);
    const res = JSON.parse(bin.stdout).results;
    assert.equal(res[0].file, "-");
    assert.equal(res[0].status, "revoked");
  });
});
