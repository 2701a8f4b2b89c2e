/**
 * Forged and misattributed OCSP answers, made at test time: by OpenSSL's responder with the
 * wrong signer or -badsig, or byte by byte (test/support/forge.ts) for what no responder
 * would send. Each is read by `openssl ocsp -respin` (the oracle) and `ocspkit ocsp -respin`
 * with the same arguments: exit code, stdout (error-stack lines aside) and the verify line
 * must be the same, and ocspkit must say why on stderr when it fails. Then the library's
 * strict verifyResponse must refuse the same answer with the named check for the rule it
 * breaks (RFC 6960 §3.2, §4.2.2.2).
 *
 *   node --import tsx --test test/forged.test.ts     (after `npm run build`)
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { queryOcsp } from "../src/client.js";
import { encodeTlv, TAG } from "../src/der/der.js";
import { OcspError } from "../src/errors.js";
import { type CertId, certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest, nonceExtension } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";
import { TrustStore } from "../src/verify/chain.js";
import { type ResponseCheck, verifyResponse } from "../src/verify/response.js";
import { Certificate, type Extension } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { runOcspkit } from "./support/cli.js";
import {
  type ExtraSigners,
  encodeBasic,
  encodeOcspResponse,
  encodeTbs,
  fromTree,
  loadSigner,
  makeExtraSigners,
  pssAlgorithm,
  type SignScheme,
  type SingleSpec,
  seq,
  signTbs,
  toTree,
} from "./support/forge.js";
import {
  argv,
  type KeyPair,
  makePki,
  makeResponseFile,
  ocspErrorResponse,
  openssl,
  type Pki,
  type RunResult,
  runCommand,
  startFixedResponder,
  stripErrorStack,
} from "./support/pki.js";
import { withinOneSecond } from "./support/wait.js";

let pki: Pki;
let extra: ExtraSigners;
let inter: Certificate;
let root: Certificate;
let idGood: CertId;
let idGood2: CertId;
/** The request OpenSSL's responder answers (-cert good, no nonce). */
let request: string;
/** This second; forged answers are produced "now". */
let now: Date;
let seqNo = 0;

before(async () => {
  pki = await makePki();
  extra = await makeExtraSigners(pki);
  inter = loadCertificate(pki.intermediate.cert, "intermediate");
  root = loadCertificate(pki.root.cert, "root");
  idGood = certIdFor(inter, loadCertificate(pki.leaves.good.cert, "leaf"), SHA1);
  idGood2 = certIdFor(inter, loadCertificate(pki.leaves.good2.cert, "leaf"), SHA1);
  request = join(pki.dir, "request.der");
  await openssl(
    argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert} -no_nonce
         -reqout ${request}`,
  );
  now = new Date(Math.floor(Date.now() / 1000) * 1000);
});

after(() => pki?.cleanup());

const HOUR = 3_600_000;

/** `n` bytes that look random and are the same on every run: a failure can be replayed. */
function fixedBytes(seed: string, n: number): Uint8Array {
  const out = Buffer.alloc(n);
  for (let i = 0; i * 32 < n; i++) {
    createHash("sha256")
      .update(`${seed}/${i}`)
      .digest()
      .copy(out, i * 32);
  }
  return new Uint8Array(out);
}

/**
 * Cases of a block run at once: each mostly waits for an openssl process. (Every case writes
 * its own files; `now` is fixed for the run.)
 */
const CASES_AT_ONCE = 4;
const at = (ms: number) => new Date(+now + ms);

interface Forgery {
  signer?: KeyPair;
  /** Signs with this key instead of the signer's own. */
  key?: KeyPair;
  responses?: SingleSpec[];
  extensions?: Extension[];
  responderId?: { byName: Uint8Array } | { byKey: Uint8Array };
  scheme?: SignScheme;
  /** Replaces the AlgorithmIdentifier the response names (the signature is unchanged). */
  algorithm?: Uint8Array;
  /** Changes the signed bytes after signing. */
  afterSigning?: (tbs: Uint8Array) => Uint8Array;
  certs?: Certificate[];
}

/** A BasicOCSPResponse built and signed here; by default an honest one from the delegated signer. */
function forge(f: Forgery = {}): Uint8Array {
  const signer = loadSigner(f.signer ?? pki.ocspSigner);
  const key = f.key ? loadSigner(f.key).privateKey : signer.privateKey;
  const tbs = encodeTbs({
    responderId: f.responderId ?? { byName: signer.certificate.subject },
    producedAt: now,
    responses: f.responses ?? [
      { certId: idGood, status: "good", thisUpdate: now, nextUpdate: at(HOUR) },
    ],
    extensions: f.extensions,
  });
  const signed = signTbs(tbs, key, f.scheme);
  return encodeOcspResponse(
    encodeBasic({
      tbs: f.afterSigning ? f.afterSigning(tbs) : tbs,
      algorithm: f.algorithm ?? signed.algorithm,
      signature: signed.signature,
      certs: f.certs ?? [signer.certificate],
    }),
  );
}

/** A response from OpenSSL's responder to `request`, with the given responder options. */
async function fromOpenssl(opts: Parameters<typeof makeResponseFile>[3]): Promise<Uint8Array> {
  const out = join(pki.dir, `openssl-${++seqNo}.der`);
  await makeResponseFile(pki, request, out, opts);
  return new Uint8Array(readFileSync(out));
}

// ---------------------------------------------------------------------------
// Both command lines

const VERIFY_LINES = new Set([
  "Response verify OK",
  "Response Verify Failure",
  "WARNING: no nonce in response",
  "Nonce Verify error",
]);
const verifyLines = (stderr: string) =>
  stderr.split("\n").filter((l) => VERIFY_LINES.has(l.trimEnd()));
const CRASH = /ocspkit: internal error|^\s+at .+:\d+:\d+\)?$|node:internal/m;
const OK = ["Response verify OK"];
const FAIL = ["Response Verify Failure"];

interface Expect {
  code: number;
  verify: string[];
  /** Substrings of stdout. */
  stdout?: string[];
}

const rel = (p: string) => relative(pki.dir, p);
/** -issuer/-cert for the good leaf (no nonce: a -respin answer cannot echo a fresh one). */
const ASK = () => argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}`;
const CHAIN = () => argv`-CAfile ${rel(pki.caFiles.chain)}`;
const STANDARD = () => [...ASK(), "-no_nonce", ...CHAIN()];

function show(tool: string, args: string[], r: RunResult): string {
  return `--- ${tool} ocsp ${args.join(" ")}\nexit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

/** Runs both tools on `der` and holds ocspkit to openssl's verdict and output. */
async function same(der: Uint8Array, args: string[], expect: Expect): Promise<RunResult> {
  const full = ["ocsp", "-respin", respFile(der), ...args];
  const [o, k] = await bothTools(full);
  return compare(full, o, k, expect);
}

/** `der` in a file of its own, named relative to the PKI dir (the tools' cwd). */
function respFile(der: Uint8Array): string {
  const file = join(pki.dir, `forged-${++seqNo}.der`);
  writeFileSync(file, der);
  return rel(file);
}

function bothTools(full: string[]): Promise<[RunResult, RunResult]> {
  return Promise.all([
    runCommand("openssl", full, { cwd: pki.dir }),
    runOcspkit("ocsp", full.slice(1), { cwd: pki.dir }),
  ]);
}

function compare(full: string[], o: RunResult, k: RunResult, expect: Expect): RunResult {
  const ctx = `${show("openssl", full, o)}\n${show("ocspkit", full, k)}`;
  assert.equal(o.code, expect.code, `openssl's exit code (the oracle)\n${ctx}`);
  assert.deepEqual(verifyLines(o.stderr), expect.verify, `openssl's verify lines\n${ctx}`);
  for (const s of expect.stdout ?? [])
    assert.ok(o.stdout.includes(s), `openssl prints ${s}\n${ctx}`);
  assert.equal(k.code, o.code, `exit code\n${ctx}`);
  assert.deepEqual(verifyLines(k.stderr), verifyLines(o.stderr), `verify lines\n${ctx}`);
  assert.equal(stripErrorStack(k.stdout), stripErrorStack(o.stdout), `stdout\n${ctx}`);
  assert.doesNotMatch(k.stderr, CRASH, `ocspkit crashed\n${ctx}`);
  if (o.stderr.split("\n").some((l) => /:error:/.test(l))) {
    const said = k.stderr.split("\n").filter((l) => l && !VERIFY_LINES.has(l));
    assert.ok(said.length > 0, `openssl explains on stderr, ocspkit must too\n${ctx}`);
  }
  return k;
}

// ---------------------------------------------------------------------------
// The library

interface LibOptions {
  asked?: CertId[];
  trust?: Certificate[];
  requestExtensions?: Extension[];
  requireNonce?: boolean;
}

/** verifyResponse on `der`: "ok", or the name of the check that must fail. */
function lib(der: Uint8Array, expected: "ok" | ResponseCheck["name"], o: LibOptions = {}) {
  const v = verifyResponse(parseResponse(der), {
    asked: o.asked ?? [idGood],
    issuer: inter,
    trust: new TrustStore(o.trust ?? [root]),
    now,
    requestExtensions: o.requestExtensions,
    requireNonce: o.requireNonce,
  });
  const failed = v.checks.find((c) => !c.ok);
  const ctx = JSON.stringify(v.checks, null, 1);
  if (expected === "ok") {
    assert.ok(v.ok, `verifyResponse must accept\n${ctx}`);
    assert.equal(v.answers.length, (o.asked ?? [idGood]).length);
    return v;
  }
  assert.equal(v.ok, false, `verifyResponse must refuse (${expected})\n${ctx}`);
  assert.deepEqual(v.answers, [], "no status from a refused answer");
  assert.equal(failed?.name, expected, `the failing check\n${ctx}`);
  assert.ok(v.reason && v.reason.length > 0, "the refusal says why");
  return v;
}

// ---------------------------------------------------------------------------

describe("honest answers verify, for every signature algorithm", {
  concurrency: CASES_AT_ONCE,
}, () => {
  test("delegated ECDSA P-256 signer (forged here, honestly)", async () => {
    const der = forge();
    await same(der, STANDARD(), { code: 0, verify: OK, stdout: [": good\n"] });
    lib(der, "ok");
  });
  test("RSA-PSS from OpenSSL's responder (-rsigopt rsa_padding_mode:pss)", async () => {
    const der = await fromOpenssl({
      rsigner: extra.rsa.cert,
      rkey: extra.rsa.key,
      extraArgs: ["-rsigopt", "rsa_padding_mode:pss"],
    });
    assert.equal(parseResponse(der).basic!.signatureAlgorithm.oid, "1.2.840.113549.1.1.10");
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
  test("RSA-PSS with every parameter written out, salt 20 (forged here)", async () => {
    const der = forge({
      signer: extra.rsa,
      scheme: { kind: "pss", digest: "sha384", saltLength: 20 },
    });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
  test("RSA PKCS#1 v1.5 by the CA itself", async () => {
    const der = await fromOpenssl({ rsigner: pki.intermediate.cert, rkey: pki.intermediate.key });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
  test("ECDSA P-384 with SHA-384 (-rmd sha384)", async () => {
    const der = await fromOpenssl({
      rsigner: extra.p384.cert,
      rkey: extra.p384.key,
      extraArgs: ["-rmd", "sha384"],
    });
    assert.equal(parseResponse(der).basic!.signatureAlgorithm.oid, "1.2.840.10045.4.3.3");
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
  for (const [name, oid] of [
    ["ed25519", "1.3.101.112"],
    ["ed448", "1.3.101.113"],
  ] as const) {
    test(`${name} signer from OpenSSL's responder`, async () => {
      const der = await fromOpenssl({ rsigner: extra[name].cert, rkey: extra[name].key });
      assert.equal(parseResponse(der).basic!.signatureAlgorithm.oid, oid);
      await same(der, STANDARD(), { code: 0, verify: OK });
      lib(der, "ok");
    });
  }
  test("ResponderID byKey", async () => {
    const der = forge({ responderId: { byKey: loadSigner(pki.ocspSigner).certificate.keyHash() } });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
  test("ResponderID byName spelled in another case and string type (X509_NAME_cmp)", async () => {
    const subject = loadSigner(pki.ocspSigner).certificate.subject;
    const tree = toTree(subject);
    const cn = tree.kids!.at(-1)!.kids![0]!.kids![1]!;
    cn.tag = 0x13; // PrintableString where the certificate has a UTF8String
    cn.content = Buffer.from(`  ${Buffer.from(cn.content!).toString("latin1").toUpperCase()} `);
    const der = forge({ responderId: { byName: fromTree(tree) } });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "ok");
  });
});

describe("the signer must be authorised (RFC 6960 §4.2.2.2)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  test("delegated signer without id-kp-OCSPSigning (OpenSSL's responder, -rsigner bad-signer)", async () => {
    const der = await fromOpenssl({ rsigner: pki.badSigner.cert, rkey: pki.badSigner.key });
    await same(der, STANDARD(), { code: 1, verify: FAIL, stdout: [": good\n"] });
    lib(der, "signer-authorized");
  });
  test("id-kp-OCSPSigning, but issued by another CA (trusted too)", async () => {
    const der = forge({ signer: extra.foreign });
    const args = [...ASK(), "-no_nonce", ...argv`-CAfile ${rel(pki.caFiles.rootAndForeign)}`];
    await same(der, args, { code: 1, verify: FAIL });
    lib(der, "signer-authorized", { trust: [root, loadCertificate(pki.foreignRoot.cert, "root")] });
  });
  test("id-kp-OCSPSigning, issued by the root: not the CA of the certificate asked about", async () => {
    const der = forge({ signer: extra.fromRoot });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-authorized");
  });
  test("the root CA answers for its intermediate's certificate", async () => {
    const der = forge({ signer: pki.root });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-authorized");
  });
  test("the CertID names another issuer key (hash of the root's key)", async () => {
    const certId = { ...idGood, issuerKeyHash: root.keyHash() };
    const der = forge({ responses: [{ certId, status: "good", thisUpdate: now }] });
    await same(der, STANDARD(), { code: 1, verify: FAIL, stdout: ["ERROR: No Status found."] });
    lib(der, "signer-authorized");
  });
  test("the CertID names another issuer name", async () => {
    const certId = { ...idGood, issuerNameHash: new Uint8Array(20).fill(7) };
    const der = forge({
      responses: [{ certId, status: { revokedAt: at(-HOUR) }, thisUpdate: now }],
    });
    await same(der, STANDARD(), { code: 1, verify: FAIL, stdout: ["ERROR: No Status found."] });
    lib(der, "signer-authorized");
  });
  test("-no_cert_checks never turns a failed chain into success (CVE-2022-1343)", async () => {
    const der = forge();
    const args = [
      ...ASK(),
      "-no_nonce",
      ...argv`-CAfile ${rel(pki.caFiles.foreign)} -no_cert_checks`,
    ];
    await same(der, args, { code: 1, verify: FAIL });
  });
  test("signer certificate with an unknown critical extension", async () => {
    const der = forge({ signer: extra.unknownCritical });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-chain");
  });
  test("signer certificate with an extension that does not decode", async () => {
    const der = forge({ signer: extra.malformedExtension });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-chain");
  });
  test("signer certificate whose outer algorithm differs from the signed one", async () => {
    const tree = toTree(loadSigner(pki.ocspSigner).certificate.der);
    tree.kids![1]!.kids!.pop(); // sha256WithRSAEncryption without its NULL parameters
    const der = forge({ certs: [new Certificate(fromTree(tree))] });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-chain");
  });
  test("ResponderID byKey of a key no certificate has", async () => {
    const der = forge({ responderId: { byKey: new Uint8Array(20).fill(0xab) } });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signer-found");
  });
  test("-attime at the signer's notAfter fails, at its notBefore verifies (X509_cmp_time)", async () => {
    const signer = loadSigner(pki.ocspSigner).certificate;
    const der = forge();
    const time = (d: Date) => argv`-attime ${String(d.getTime() / 1000)}`;
    await same(der, [...STANDARD(), ...time(signer.notAfter)], { code: 1, verify: FAIL });
    await same(der, [...STANDARD(), ...time(signer.notBefore)], { code: 0, verify: OK });
  });
});

describe("the signature covers exactly the signed bytes, with the algorithm named", {
  concurrency: CASES_AT_ONCE,
}, () => {
  test("-badsig (OpenSSL's responder corrupts its own signature)", async () => {
    const der = await fromOpenssl({ extraArgs: ["-badsig"] });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signature");
  });
  test("producedAt changed after signing", async () => {
    const der = forge({
      afterSigning: (tbs) => {
        const out = tbs.slice();
        const i = Buffer.from(out).indexOf(Buffer.from("Z", "latin1")) - 1; // a seconds digit
        out[i] = out[i] === 0x30 ? 0x31 : 0x30;
        return out;
      },
    });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signature");
  });
  test("signed by a key other than the named signer's", async () => {
    const der = forge({ key: pki.badSigner });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signature");
  });
  test("ECDSA signature labelled ecdsa-with-SHA384 although made with SHA-256", async () => {
    const algorithm = seq(
      encodeTlv(TAG.OID, Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 3])),
    );
    const der = forge({ algorithm });
    await same(der, STANDARD(), { code: 1, verify: FAIL });
    lib(der, "signature");
  });
  const pss = { kind: "pss", digest: "sha256", saltLength: 32 } as const;
  const pssOid = encodeTlv(
    TAG.OID,
    Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 10]),
  );
  const tweakPss = (edit: (params: ReturnType<typeof toTree>) => void) => {
    const tree = toTree(pssAlgorithm("sha256", 32));
    edit(tree.kids![1]!);
    return fromTree(tree);
  };
  // Signed with the RFC 4055 defaults (SHA-1, MGF1-SHA-1, salt 20): what a reader that takes
  // absent parameters for the defaults would accept, and OpenSSL does not.
  const defaults = { kind: "pss", digest: "sha1", saltLength: 20 } as const;
  for (const [name, scheme, algorithm] of [
    ["without parameters", defaults, () => seq(pssOid)],
    ["with NULL parameters", defaults, () => seq(pssOid, Uint8Array.of(TAG.NULL, 0))],
    [
      "with a mask generation function other than MGF1",
      pss,
      () => tweakPss((p) => (p.kids![1]!.kids![0]!.kids![0]!.content = Uint8Array.of(0x2a, 3))),
    ],
    [
      "naming MGF1 with SHA-1 under SHA-256",
      pss,
      () =>
        tweakPss((p) => {
          p.kids![1]!.kids![0]!.kids![1]!.kids![0]!.content = Uint8Array.of(0x2b, 0x0e, 3, 2, 0x1a);
        }),
    ],
    [
      "with trailer field 2",
      pss,
      () =>
        tweakPss((p) => {
          p.kids!.push({ tag: 0xa3, kids: [{ tag: TAG.INTEGER, content: Uint8Array.of(2) }] });
        }),
    ],
  ] as const) {
    test(`RSA-PSS ${name}`, async () => {
      const der = forge({ signer: extra.rsa, scheme, algorithm: algorithm() });
      await same(der, STANDARD(), { code: 1, verify: FAIL });
      lib(der, "signature");
    });
  }
});

describe("statuses are only taken for what was asked", { concurrency: CASES_AT_ONCE }, () => {
  test("a status for a different certificate", async () => {
    const der = forge({
      responses: [
        { certId: idGood2, status: { revokedAt: at(-HOUR), reason: 1 }, thisUpdate: now },
      ],
    });
    await same(der, STANDARD(), { code: 1, verify: OK, stdout: ["ERROR: No Status found."] });
    lib(der, "certid-match");
  });
  test("the asked certificate's serial with another hash algorithm", async () => {
    const certId = certIdFor(inter, loadCertificate(pki.leaves.good.cert, "leaf"), {
      name: "sha256",
      oid: "2.16.840.1.101.3.4.2.1",
    });
    const der = forge({ responses: [{ certId, status: "good", thisUpdate: now }] });
    await same(der, STANDARD(), { code: 1, verify: OK, stdout: ["ERROR: No Status found."] });
    lib(der, "certid-match");
  });
  test("two answers for one certificate: good, then revoked", async () => {
    const der = forge({
      responses: [
        { certId: idGood, status: "good", thisUpdate: now },
        { certId: idGood, status: { revokedAt: at(-HOUR), reason: 1 }, thisUpdate: now },
      ],
    });
    // OpenSSL reports the first; the library refuses to choose.
    await same(der, STANDARD(), { code: 0, verify: OK, stdout: [": good\n"] });
    lib(der, "certid-match");
  });
  test("several answers, the asked one among them", async () => {
    const der = forge({
      responses: [
        { certId: idGood2, status: "unknown", thisUpdate: now },
        { certId: idGood, status: { revokedAt: at(-HOUR), reason: 1 }, thisUpdate: now },
      ],
    });
    await same(der, STANDARD(), {
      code: 0,
      verify: OK,
      stdout: [": revoked\n", "Reason: keyCompromise"],
    });
    const v = lib(der, "ok");
    assert.equal(v.answers[0]!.status, "revoked");
  });
});

describe("nonces", { concurrency: CASES_AT_ONCE }, () => {
  const sent = () => nonceExtension(new Uint8Array(16).fill(1));
  test("a replayed answer: its nonce is not the request's", async () => {
    const der = forge({ extensions: [nonceExtension(fixedBytes("replayed nonce", 16))] });
    // With -cert and no -no_nonce both tools put a fresh nonce in the request.
    await same(der, [...ASK(), ...CHAIN()], { code: 1, verify: ["Nonce Verify error"] });
    lib(der, "nonce", { requestExtensions: [sent()] });
  });
  test("no nonce in the answer: a warning, or a refusal when the nonce is required", async () => {
    const der = forge();
    await same(der, [...ASK(), ...CHAIN()], {
      code: 0,
      verify: ["WARNING: no nonce in response", "Response verify OK"],
    });
    lib(der, "ok", { requestExtensions: [sent()] });
    lib(der, "nonce", { requestExtensions: [sent()], requireNonce: true });
  });
  test("the nonce echoed", () => {
    lib(forge({ extensions: [sent()] }), "ok", { requestExtensions: [sent()], requireNonce: true });
  });

  // A request with a known nonce (-reqin) against answers whose nonce is nearly the same: the
  // comparison must be of every byte of the extension's value, as OCSP_check_nonce's is.
  const asked = fixedBytes("asked nonce", 16);
  const lastByteFlipped = Uint8Array.from(asked, (b, i) => (i === 15 ? b ^ 1 : b));
  const near: Array<[string, Extension]> = [
    ["its last byte differs", nonceExtension(lastByteFlipped)],
    ["one byte short", nonceExtension(asked.subarray(0, 15))],
    ["one byte more", nonceExtension(Uint8Array.from([...asked, 0]))],
    // the same 16 bytes, not wrapped in an OCTET STRING as the request's are
    ["the same bytes, unwrapped", { oid: sent().oid, critical: false, value: asked }],
  ];
  const requestFile = () => {
    const file = join(pki.dir, `request-${++seqNo}.der`);
    const extensions = [nonceExtension(asked)];
    writeFileSync(
      file,
      encodeRequest({ requests: [{ certId: idGood, extensions: [] }], extensions }),
    );
    return rel(file);
  };
  for (const [name, got] of near) {
    test(`a nonce that is nearly the request's: ${name}`, async () => {
      const der = forge({ extensions: [got] });
      await same(der, [...argv`-reqin ${requestFile()}`, ...CHAIN()], {
        code: 1,
        verify: ["Nonce Verify error"],
      });
      lib(der, "nonce", { requestExtensions: [nonceExtension(asked)] });
      lib(der, "nonce", { requestExtensions: [nonceExtension(asked)], requireNonce: true });
    });
  }
  test("the request's nonce echoed byte for byte (-reqin): verify OK", async () => {
    const der = forge({ extensions: [nonceExtension(asked)] });
    await same(der, [...argv`-reqin ${requestFile()}`, ...CHAIN()], { code: 0, verify: OK });
  });
  test("a nonce in the answer when none was asked: fine, as OpenSSL has it", async () => {
    const der = forge({ extensions: [nonceExtension(asked)] });
    await same(der, STANDARD(), { code: 0, verify: OK, stdout: [": good\n"] });
    lib(der, "ok", { requestExtensions: [] });
  });
  test("a responder replaying one answer: the CLI and queryOcsp refuse it", async () => {
    const r = await startFixedResponder(Buffer.from(forge({ extensions: [sent()] })));
    try {
      // Both tools send a fresh nonce of their own, so the replayed one cannot match.
      const [o, k] = await Promise.all([
        runCommand("openssl", ["ocsp", "-url", r.url, ...ASK(), ...CHAIN()], { cwd: pki.dir }),
        runOcspkit("ocsp", ["-url", r.url, ...ASK(), ...CHAIN()], { cwd: pki.dir }),
      ]);
      const ctx = `${show("openssl", [], o)}\n${show("ocspkit", [], k)}`;
      assert.deepEqual(
        verifyLines(o.stderr),
        ["Nonce Verify error"],
        `openssl (the oracle)\n${ctx}`,
      );
      assert.equal(o.code, 1, ctx);
      assert.deepEqual(verifyLines(k.stderr), verifyLines(o.stderr), ctx);
      assert.equal(k.code, 1, ctx);
      assert.equal(k.stdout, "", "no status from a replayed answer");
      const q = await queryOcsp({
        cert: loadCertificate(pki.leaves.good.cert, "leaf"),
        issuer: inter,
        trust: new TrustStore([root]),
        url: r.url,
        method: "POST",
        nonce: true,
        now,
      });
      assert.equal(q.status, "error");
      assert.equal(q.error?.code, "ERR_NONCE_MISMATCH", q.error?.message);
    } finally {
      await r.stop();
    }
  });
});

describe("times (thisUpdate, nextUpdate)", { concurrency: CASES_AT_ONCE }, () => {
  test("a stale answer: nextUpdate an hour ago", async () => {
    const der = forge({
      responses: [
        { certId: idGood, status: "good", thisUpdate: at(-2 * HOUR), nextUpdate: at(-HOUR) },
      ],
    });
    await same(der, STANDARD(), {
      code: 0,
      verify: OK,
      stdout: ["WARNING: Status times invalid."],
    });
    lib(der, "time-window");
  });
  test("an answer from the future: thisUpdate in an hour", async () => {
    const der = forge({
      responses: [
        { certId: idGood, status: "good", thisUpdate: at(HOUR), nextUpdate: at(2 * HOUR) },
      ],
    });
    await same(der, STANDARD(), {
      code: 0,
      verify: OK,
      stdout: ["WARNING: Status times invalid."],
    });
    lib(der, "time-window");
  });
  test("nextUpdate before thisUpdate", async () => {
    const der = forge({
      responses: [{ certId: idGood, status: "good", thisUpdate: now, nextUpdate: at(-60_000) }],
    });
    await same(der, STANDARD(), {
      code: 0,
      verify: OK,
      stdout: ["WARNING: Status times invalid."],
    });
    lib(der, "time-window");
  });
  test("within the skew: thisUpdate a minute ahead is fine", async () => {
    const der = forge({
      responses: [{ certId: idGood, status: "good", thisUpdate: at(60_000), nextUpdate: at(HOUR) }],
    });
    await same(der, STANDARD(), { code: 0, verify: OK, stdout: [": good\n"] });
    lib(der, "ok");
  });

  const SEC = 1000;
  const SKEW = 300 * SEC; // OpenSSL's default -validity_period, the library's default skew
  const times = (thisUpdate: Date, nextUpdate?: Date) =>
    forge({ responses: [{ certId: idGood, status: "good", thisUpdate, nextUpdate }] });

  // The library against a fixed `now`: exactly at the edges of the skew.
  test("library: thisUpdate exactly the skew ahead is fine, one second more is not", () => {
    lib(times(at(SKEW), at(HOUR)), "ok");
    lib(times(at(SKEW + SEC), at(HOUR)), "time-window");
    lib(times(at(2 * SKEW), at(HOUR)), "time-window");
  });
  test("library: nextUpdate 299 s ago is fine; exactly the skew ago has expired (X509_cmp_time)", () => {
    lib(times(at(-HOUR), at(-SKEW + SEC)), "ok");
    lib(times(at(-HOUR), at(-SKEW)), "time-window");
    lib(times(at(-HOUR), at(-SKEW - SEC)), "time-window");
    lib(times(at(-HOUR), at(-2 * SKEW + SEC)), "time-window");
  });

  // The command line, by the real clock: OpenSSL's OCSP_check_validity reads time() and has no
  // -attime for it. Half a minute of margin keeps these independent of how slow the machine is.
  const WARN = "WARNING: Status times invalid.";
  const byTheClock: Array<[string, (t: number) => [number, number], boolean]> = [
    ["thisUpdate 4½ min ahead: inside the default skew", (t) => [t + 270 * SEC, t + HOUR], false],
    ["thisUpdate 5½ min ahead: outside it", (t) => [t + 330 * SEC, t + HOUR], true],
    ["nextUpdate 4½ min ago: inside the default skew", (t) => [t - HOUR, t - 270 * SEC], false],
    ["nextUpdate 5½ min ago: outside it", (t) => [t - HOUR, t - 330 * SEC], true],
  ];
  for (const [name, window, warned] of byTheClock) {
    test(`default -validity_period: ${name}`, async () => {
      const [thisUpdate, nextUpdate] = window(Date.now());
      const der = times(new Date(thisUpdate), new Date(nextUpdate));
      const k = await same(der, STANDARD(), { code: 0, verify: OK, stdout: ["good\n"] });
      assert.equal(k.stdout.includes(WARN), warned, k.stdout);
    });
  }

  /**
   * Each tool at the very second where the verdict flips: `args(nowSec)` builds the options
   * from the current second, and a run counts only when the tool finished within that second
   * (each tool on its own, ten attempts: see withinOneSecond).
   */
  async function atTheSecond(der: Uint8Array, args: (nowSec: number) => string[], expect: Expect) {
    const file = respFile(der);
    const runAt = (tool: "openssl" | "ocspkit") =>
      withinOneSecond(
        tool,
        async () => {
          const second = Math.floor(Date.now() / 1000);
          const full = ["ocsp", "-respin", file, ...STANDARD(), ...args(second)];
          const r =
            tool === "openssl"
              ? await runCommand("openssl", full, { cwd: pki.dir })
              : await runOcspkit("ocsp", full.slice(1), { cwd: pki.dir });
          return { full, r, same: Math.floor(Date.now() / 1000) === second };
        },
        (x) => x.same,
      );
    const [o, k] = await Promise.all([runAt("openssl"), runAt("ocspkit")]);
    return compare(o.full, o.r, k.r, expect);
  }
  const sec = (ms: number) => Math.floor(ms / 1000);
  const flips: Array<
    [string, (t: number) => [number, number], (s: number, edge: number) => string[], number, number]
  > = [
    // nextUpdate exactly N seconds ago with -validity_period N: expired (equal counts as earlier)
    [
      "nextUpdate exactly -validity_period ago: expired",
      (t) => [t - 2 * HOUR, t - HOUR],
      (s, e) => argv`-validity_period ${s - e}`,
      1,
      0,
    ],
    [
      "nextUpdate one second less than -validity_period ago: fine",
      (t) => [t - 2 * HOUR, t - HOUR],
      (s, e) => argv`-validity_period ${s - e + 1}`,
      1,
      1,
    ],
    // thisUpdate exactly N seconds ahead with -validity_period N: fine; N - 1: not yet valid
    [
      "thisUpdate exactly -validity_period ahead: fine",
      (t) => [t + HOUR, t + 2 * HOUR],
      (s, e) => argv`-validity_period ${e - s}`,
      0,
      1,
    ],
    [
      "thisUpdate one second more than -validity_period ahead: not yet valid",
      (t) => [t + HOUR, t + 2 * HOUR],
      (s, e) => argv`-validity_period ${e - s - 1}`,
      0,
      0,
    ],
    // thisUpdate exactly -status_age ago: too old; one second younger: fine
    [
      "thisUpdate exactly -status_age ago: too old",
      (t) => [t - HOUR, t + HOUR],
      (s, e) => argv`-status_age ${s - e}`,
      0,
      0,
    ],
    [
      "thisUpdate one second younger than -status_age: fine",
      (t) => [t - HOUR, t + HOUR],
      (s, e) => argv`-status_age ${s - e + 1}`,
      0,
      1,
    ],
  ];
  for (const [name, window, args, edgeIndex, fine] of flips) {
    test(`at the second: ${name}`, async () => {
      const t = sec(Date.now()) * 1000;
      const w = window(t);
      const der = times(new Date(w[0]), new Date(w[1]));
      const edge = sec(w[edgeIndex]!);
      const k = await atTheSecond(der, (s) => args(s, edge), {
        code: 0,
        verify: OK,
        stdout: [fine ? ": good\n" : WARN],
      });
      assert.equal(k.stdout.includes(WARN), !fine, k.stdout);
    });
  }
});

describe("extensions", { concurrency: CASES_AT_ONCE }, () => {
  const unknown = (critical: boolean): Extension => ({
    oid: "1.3.6.1.4.1.55555.9",
    critical,
    value: Uint8Array.of(TAG.NULL, 0),
  });
  test("an unknown critical response extension: OpenSSL ignores it, the library refuses", async () => {
    const der = forge({ extensions: [unknown(true)] });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "critical-extensions");
  });
  test("an unknown critical single extension", async () => {
    const der = forge({
      responses: [{ certId: idGood, status: "good", thisUpdate: now, extensions: [unknown(true)] }],
    });
    await same(der, STANDARD(), { code: 0, verify: OK });
    lib(der, "critical-extensions");
  });
  test("an unknown non-critical extension is fine", () => {
    lib(forge({ extensions: [unknown(false)] }), "ok");
  });
});

describe("errors and garbage", { concurrency: CASES_AT_ONCE }, () => {
  for (const status of [1, 2, 3, 5, 6]) {
    test(`error response ${status} (no body)`, async () => {
      const der = new Uint8Array(ocspErrorResponse(status));
      await same(der, STANDARD(), { code: 1, verify: [], stdout: ["Responder Error: "] });
      lib(der, "response-status");
    });
  }
  test("successful without a body", async () => {
    const der = encodeOcspResponse(undefined, 0);
    await same(der, STANDARD(), { code: 1, verify: [] });
    lib(der, "response-type");
  });
  test("truncated anywhere", async () => {
    const der = forge();
    for (const cut of [0, 1, 2, 5, 40, der.length >> 1, der.length - 1]) {
      const part = der.subarray(0, cut);
      const k = await same(part, STANDARD(), { code: 1, verify: [] });
      assert.match(k.stderr, /Error reading OCSP response/);
      assert.throws(
        () => parseResponse(part),
        (e) => e instanceof OcspError && e.message.length > 0,
      );
    }
  });
  test("random bytes", async () => {
    for (let i = 0; i < 4; i++) {
      const junk = fixedBytes(`junk ${i}`, 1 + i * 97);
      await same(junk, STANDARD(), { code: 1, verify: [] });
      assert.throws(() => parseResponse(junk), OcspError);
    }
  });
});
