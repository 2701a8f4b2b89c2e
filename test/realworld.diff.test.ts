/**
 * Differential tests for what real-world OCSP messages hold and the usual test PKIs do not
 * (issue 14): GeneralizedTimes with fractional seconds, bytes >= 0x80 in IA5Strings of
 * embedded certificates, malformed times, and a spread of responder IDs, signers, extensions,
 * error statuses and signed requests. Each message is built here at test time (the CA and the
 * signers with the openssl CLI, the DER with the project's encoders and test/support/forge.ts)
 * and shown by `openssl ocsp` (3.0, the oracle) and by the BUILT ocspkit:
 *   - `ocsp -respin F -resp_text -noverify` / `ocsp -reqin F -req_text`: stdout byte for byte and
 *     the exit code;
 *   - `inspect` on the same message as DER, PEM, base64 and a GET URL: stdout byte for byte
 *     against OpenSSL's text.
 * ocspkit runs in this process (support/cli.ts: the built bundles, stdout kept as bytes); a few
 * cases also spawn bin/ocspkit.cjs, for the bytes and exit status the process itself gives.
 * Where ocspkit deliberately differs (it verifies what OpenSSL 3.0 skips, it refuses to verify
 * a time it cannot read), the test says so and checks ocspkit's side.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeTlv, TAG } from "../src/der/der.js";
import { encodeOid } from "../src/der/oid.js";
import { type CertId, certIdFor } from "../src/ocsp/certid.js";
import { digestByName, SHA1 } from "../src/ocsp/digests.js";
import { encodeCertId, encodeExtensions, encodeRequest } from "../src/ocsp/request.js";
import { signRequest } from "../src/ocsp/signed-request.js";
import { Certificate, type Extension } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { type Command, runBuiltCli } from "./support/cli.js";
import {
  encodeBasic,
  encodeOcspResponse,
  fromTree,
  type Node,
  type SignScheme,
  seq,
  signTbs,
  toTree,
} from "./support/forge.js";
import { argv, ERROR_STACK_LINE, ocspkitCommand, openssl, pool } from "./support/pki.js";

interface Run {
  code: number;
  out: Buffer;
  err: string;
}

/** Runs a program, keeping stdout as bytes (the point of some cases is a raw byte). */
function run(cmd: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd[0]!,
      cmd.slice(1),
      { encoding: "buffer", timeout: 20_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, out: stdout, err: stderr.toString("utf8") });
      },
    );
  });
}
/** `ocspkit ARGS…` as a process. */
const spawned = (...args: string[]) => run([...ocspkitCommand(), ...args]);
/** The same, in this process; spawned when OCSPKIT_CMD names another program. */
const ocspkit = async (...args: string[]): Promise<Run> => {
  if (process.env["OCSPKIT_CMD"]?.trim()) return spawned(...args);
  const r = await runBuiltCli(args[0] as Command, args.slice(1));
  return { code: r.code ?? -1, out: r.out, err: r.stderr };
};
const opensslRun = (...args: string[]) => run(["openssl", ...args]);

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const explicit = (n: number, inner: Uint8Array) => encodeTlv(0xa0 | n, inner);
/** A time value exactly as written (tag 0x18 GeneralizedTime, 0x17 UTCTime). */
const time = (text: string, tag = 0x18) => encodeTlv(tag, Buffer.from(text, "latin1"));
const oid = (o: string) => encodeTlv(TAG.OID, encodeOid(o));
const ext = (o: string, value: Uint8Array, critical = false): Extension => ({
  oid: o,
  critical,
  value,
});

type Status =
  | "good"
  | "unknown"
  | { readonly at: Uint8Array; readonly reason?: number; readonly raw?: Uint8Array };

interface Single {
  readonly certId?: CertId;
  readonly status?: Status;
  readonly thisUpdate?: Uint8Array;
  readonly nextUpdate?: Uint8Array | null;
  readonly extensions?: readonly Extension[];
}

interface Spec {
  readonly producedAt?: Uint8Array;
  readonly responses?: readonly Single[];
  readonly extensions?: readonly Extension[];
  readonly byKey?: boolean;
  readonly signer?: "ca" | "rsa" | "pss" | "ed25519";
  /** Certificates carried (DER); default the signer's. */
  readonly certs?: readonly Uint8Array[];
}

interface Signer {
  cert: Certificate;
  key: KeyObject;
  scheme?: SignScheme;
}

let dir: string;
let ca: Certificate;
let leaf: Certificate;
/** The leaf, with a notAfter in month 43 (the signature no longer matches: printing only). */
let badTimeLeaf: Uint8Array;
let signers: Record<NonNullable<Spec["signer"]>, Signer>;
let leafKey: KeyObject;
let caFile: string;
let leafFile: string;

const NOW = new Date();
const gt = (d: Date, fraction = "") =>
  time(`${d.toISOString().slice(0, 19).replace(/[-T:]/g, "")}${fraction}Z`);

function encodeStatus(s: Status): Uint8Array {
  if (s === "good") return Uint8Array.of(0x80, 0);
  if (s === "unknown") return Uint8Array.of(0x82, 0);
  const reason =
    s.reason === undefined ? [] : [explicit(0, encodeTlv(TAG.ENUMERATED, Uint8Array.of(s.reason)))];
  return encodeTlv(0xa1, cat(s.at, ...reason));
}

function response(spec: Spec): Uint8Array {
  const signer = signers[spec.signer ?? "ca"];
  const singles = (spec.responses ?? [{}]).map((s) =>
    seq(
      encodeCertId(s.certId ?? certIdFor(ca, leaf, SHA1)),
      encodeStatus(s.status ?? "good"),
      s.thisUpdate ?? gt(new Date(NOW.getTime() - 3600_000)),
      ...(s.nextUpdate === null
        ? []
        : [explicit(0, s.nextUpdate ?? gt(new Date(NOW.getTime() + 86400_000)))]),
      ...(s.extensions?.length ? [explicit(1, encodeExtensions(s.extensions))] : []),
    ),
  );
  const rid = spec.byKey
    ? explicit(2, encodeTlv(TAG.OCTET_STRING, keyHash(signer.cert)))
    : explicit(1, signer.cert.subject);
  const tbs = seq(
    rid,
    spec.producedAt ?? gt(NOW),
    seq(...singles),
    ...(spec.extensions?.length ? [explicit(1, encodeExtensions(spec.extensions))] : []),
  );
  const { algorithm, signature } = signTbs(tbs, signer.key, signer.scheme);
  const certs = (spec.certs ?? [signer.cert.der]).map((d) => ({ der: d }) as Certificate);
  return encodeOcspResponse(encodeBasic({ tbs, algorithm, signature, certs }));
}

function keyHash(c: Certificate): Uint8Array {
  return certIdFor(c, c, SHA1).issuerKeyHash;
}

/** No answers, from the responder `name`, carrying `certs`; signed by the CA unless `signed`. */
function emptyResponse(
  name: Uint8Array,
  certs: readonly Uint8Array[] = [],
  signed?: { algorithm: Uint8Array; signature: Uint8Array },
): Uint8Array {
  const tbs = seq(explicit(1, name), gt(NOW), seq());
  const { algorithm, signature } = signed ?? signTbs(tbs, signers.ca.key);
  const carried = certs.map((der) => ({ der }) as Certificate);
  return encodeOcspResponse(encodeBasic({ tbs, algorithm, signature, certs: carried }));
}

/** How many cases at once (each one starts an openssl or two). */
const AT_ONCE = 4;

let fileNo = 0;
function save(der: Uint8Array, ext = "der"): string {
  const f = join(dir, `m${++fileNo}.${ext}`);
  writeFileSync(f, der);
  return f;
}

/** The same message as PEM, base64 and an RFC 5019 GET URL, for inspect. */
function otherForms(der: Uint8Array, label: string): string[] {
  const b64 = Buffer.from(der).toString("base64");
  const pem = `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
  return [
    save(Buffer.from(pem), "pem"),
    save(Buffer.from(`${b64}\n`), "b64"),
    save(Buffer.from(`http://ocsp.example.test/${encodeURIComponent(b64)}\n`), "url"),
  ];
}

/**
 * OpenSSL's output without the error-stack lines X509_print writes into it for a key it cannot
 * load (they carry a thread id; ocspkit writes none).
 */
function withoutStack(b: Buffer): string {
  return b
    .toString("latin1")
    .split("\n")
    .filter((l) => !ERROR_STACK_LINE.test(l))
    .join("\n");
}

/**
 * `ocsp -respin -resp_text -noverify` of both tools, byte for byte with the exit code; then
 * inspect in every form against OpenSSL's text. Returns OpenSSL's stdout.
 */
async function sameResponseText(name: string, der: Uint8Array, forms = true): Promise<string> {
  const f = save(der);
  const args = ["ocsp", "-respin", f, "-resp_text", "-noverify"];
  const [o, k] = await Promise.all([opensslRun(...args), ocspkit(...args)]);
  assert.equal(k.out.toString("latin1"), withoutStack(o.out), `${name}: -resp_text stdout`);
  assert.equal(k.code, o.code, `${name}: exit code (openssl said ${o.err})`);
  assert.doesNotMatch(k.err, /internal error|\n\s+at /, `${name}: no crash`);
  // inspect prints the text also for error statuses, as -ignore_err lets OpenSSL do.
  const shown =
    o.out.subarray(0, 16).toString() === "Responder Error:"
      ? await opensslRun(...args, "-ignore_err")
      : o;
  const text = withoutStack(shown.out).replace(/^Responder Error: .*\n/, "");
  for (const file of [f, ...(forms ? otherForms(der, "OCSP RESPONSE") : [])]) {
    const r = await ocspkit("inspect", file);
    assert.equal(r.out.toString("latin1"), text, `${name}: inspect ${file}`);
    assert.doesNotMatch(r.err, /internal error|\n\s+at /, `${name}: no crash`);
  }
  return o.out.toString("latin1");
}

async function sameRequestText(name: string, der: Uint8Array): Promise<string> {
  const f = save(der);
  const args = ["ocsp", "-reqin", f, "-req_text"];
  const [o, k] = await Promise.all([opensslRun(...args), ocspkit(...args)]);
  assert.equal(k.out.toString("latin1"), o.out.toString("latin1"), `${name}: -req_text stdout`);
  assert.equal(k.code, o.code, `${name}: exit code`);
  for (const file of [f, ...otherForms(der, "OCSP REQUEST")]) {
    const r = await ocspkit("inspect", file);
    assert.equal(r.out.toString("latin1"), o.out.toString("latin1"), `${name}: inspect ${file}`);
  }
  return o.out.toString("latin1");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ocspkit-realworld-"));
  const f = (n: string) => join(dir, n);
  const ec = argv`-algorithm EC -pkeyopt ec_paramgen_curve:P-256`;
  await Promise.all([
    openssl(argv`genpkey ${ec} -out ${f("ca.key")}`),
    openssl(argv`genpkey ${ec} -out ${f("leaf.key")}`),
    openssl(argv`genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ${f("rsa.key")}`),
    openssl(argv`genpkey -algorithm ED25519 -out ${f("ed.key")}`),
  ]);
  await openssl(
    argv`req -x509 -new -key ${f("ca.key")} -subj ${"/O=Real World/CN=Real World CA"} -days 30
         -addext ${"basicConstraints=critical,CA:true"} -out ${f("ca.pem")}`,
  );
  // IA5Strings with bytes >= 0x80: a DNS name, an e-mail address, a URI, a CPS pointer.
  writeFileSync(
    f("ext.cnf"),
    Buffer.concat([
      Buffer.from("[leaf]\nsubjectAltName=DNS:caf"),
      Buffer.of(0xe9),
      Buffer.from(".example,email:a"),
      Buffer.of(0xff),
      Buffer.from("@x.test,URI:http://x.test/"),
      Buffer.of(0x80, 0xc3),
      Buffer.from("\ncertificatePolicies=@pol\nauthorityInfoAccess=OCSP;URI:http://o.test/"),
      Buffer.of(0xfe),
      Buffer.from('\n[pol]\npolicyIdentifier=1.2.3.4\nCPS.1="http://cps.test/'),
      Buffer.of(0xe9),
      Buffer.from(
        '"\n[signer]\nbasicConstraints=critical,CA:false\nextendedKeyUsage=OCSPSigning\n',
      ),
    ]),
  );
  const issue = async (key: string, subject: string, out: string, section: string) => {
    await openssl(argv`req -new -key ${f(key)} -subj ${subject} -out ${f(`${out}.csr`)}`);
    await openssl(
      argv`x509 -req -in ${f(`${out}.csr`)} -CA ${f("ca.pem")} -CAkey ${f("ca.key")}
           -set_serial ${String(100 + fileNo++)} -days 10 -extfile ${f("ext.cnf")}
           -extensions ${section} -out ${f(`${out}.pem`)}`,
    );
  };
  await Promise.all([
    issue("leaf.key", "/CN=leaf.test", "leaf", "leaf"),
    issue("rsa.key", "/CN=RSA responder", "rsa", "signer"),
    issue("ed.key", "/CN=Ed25519 responder", "ed", "signer"),
  ]);
  caFile = f("ca.pem");
  leafFile = f("leaf.pem");
  ca = loadCertificate(caFile, "CA");
  leaf = loadCertificate(leafFile, "leaf");
  const key = (n: string) => createPrivateKey(readFileSync(f(n)));
  leafKey = key("leaf.key");
  const rsa = loadCertificate(f("rsa.pem"), "rsa");
  signers = {
    ca: { cert: ca, key: key("ca.key") },
    rsa: { cert: rsa, key: key("rsa.key") },
    pss: {
      cert: rsa,
      key: key("rsa.key"),
      scheme: { kind: "pss", digest: "sha256", saltLength: 32 },
    },
    ed25519: { cert: loadCertificate(f("ed.pem"), "ed"), key: key("ed.key") },
  };
  // notAfter month 43: patch the UTCTime text inside the DER.
  const na = leaf.notAfter.toISOString();
  const text = `${na.slice(2, 4)}${na.slice(5, 7)}${na.slice(8, 10)}`;
  const bytes = Buffer.from(leaf.der);
  const at = bytes.indexOf(Buffer.from(text, "latin1"), bytes.indexOf(Buffer.from("Z", "latin1")));
  assert.ok(at > 0, "notAfter found");
  bytes.write("43", at + 2, "latin1");
  badTimeLeaf = new Uint8Array(bytes);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("issue 14: times and strings as OpenSSL prints them", () => {
  test("fractional seconds in every time field, -resp_text and inspect in every form", async () => {
    const text = await sameResponseText(
      "fractions",
      response({
        producedAt: time("20210819121804.364362Z"),
        responses: [
          {
            status: { at: time("20210101000000.123Z"), reason: 1 },
            thisUpdate: time("20210819121804.5Z"),
            nextUpdate: time("20210826121804.000Z"),
          },
        ],
        certs: [ca.der, leaf.der],
      }),
    );
    assert.match(text, /Produced At: Aug 19 12:18:04\.364362 2021 GMT\n/);
    assert.match(text, /This Update: Aug 19 12:18:04\.5 2021 GMT\n/);
  });

  test("IA5String bytes >= 0x80 in an embedded certificate are written raw", async () => {
    const der = response({ certs: [leaf.der] });
    const text = await sameResponseText("high bytes", der, false);
    assert.ok(text.includes("DNS:caf\xe9.example"), "OpenSSL writes the raw byte");
    // The process writes the same raw bytes to its stdout.
    const p = await spawned("ocsp", "-respin", save(der), "-resp_text", "-noverify");
    assert.equal(p.out.toString("latin1"), withoutStack(Buffer.from(text, "latin1")));
    assert.equal(p.code, 0, p.err);
  });

  test("malformed times: Bad time value where OpenSSL prints it, exit as OpenSSL", async () => {
    const cases: [string, Spec][] = [
      ["producedAt month 43", { producedAt: time("20214319121804Z") }],
      ["producedAt without Z", { producedAt: time("20210819121804") }],
      ["producedAt without seconds", { producedAt: time("202108191218Z") }],
      ["producedAt with an offset", { producedAt: time("20210819121804+0130") }],
      ["producedAt as a UTCTime", { producedAt: time("2108191218+0100", 0x17) }],
      ["thisUpdate day 32", { responses: [{ thisUpdate: time("20210832121804Z") }] }],
      ["nextUpdate garbage", { responses: [{ nextUpdate: time("tomorrow") }] }],
      ["nextUpdate empty fraction", { responses: [{ nextUpdate: time("20210819121804.Z") }] }],
      ["revocationTime hour 25", { responses: [{ status: { at: time("20210819251804Z") } }] }],
      ["second of two singles", { responses: [{}, { thisUpdate: time("2021") }] }],
      ["embedded certificate's notAfter", { certs: [badTimeLeaf] }],
      ["February 29 of a common year", { producedAt: time("20210229000000Z") }],
      ["February 29 of a leap year", { producedAt: time("20240229000000Z") }],
      ["a leap second", { producedAt: time("20211231235960Z") }],
      ["year 0", { producedAt: time("00000101000000Z") }],
      ["nine fraction digits", { producedAt: time("99991231235959.999999999Z") }],
      ["a comma for the fraction", { producedAt: time("20210819121804,5Z") }],
      ["an offset of -1200", { responses: [{ thisUpdate: time("20210819121804-1200") }] }],
    ];
    await pool(cases, AT_ONCE, async ([name, spec]) => {
      await sameResponseText(name, response(spec), false);
    });
  });

  test("inspect names the malformed field and prints what can be printed", async () => {
    const bad = save(response({ producedAt: time("20214319121804Z") }));
    const r = await ocspkit("inspect", bad);
    assert.equal(r.code, 0);
    assert.match(r.out.toString(), /Produced At: Bad time value$/);
    assert.match(r.err, /producedAt: invalid time "20214319121804Z"/);
    const utc = save(response({ producedAt: time("2108191218+0100", 0x17) }));
    const u = await ocspkit("inspect", utc);
    assert.equal(u.code, 1);
    assert.match(u.out.toString(), /Response Type: Basic OCSP Response$/);
    assert.match(u.err, /producedAt has tag 0x17, expected 0x18/);
    assert.doesNotMatch(u.err, /is not an OCSP request or response/);
    const j = await ocspkit("inspect", bad, "--json");
    assert.equal(JSON.parse(j.out.toString()).producedAt, null);
    // Verification refuses what it cannot read, in inspect as in ocsp.
    // Spawned: the exit status of the process, not only the code the command returned.
    const v = await spawned("inspect", bad, "--issuer", caFile, "--ca-file", caFile);
    assert.equal(v.code, 3);
    assert.doesNotMatch(v.err, /verify OK/);
  });

  test("a time that does not read is printed, never verified", async () => {
    const bad = save(response({ responses: [{ nextUpdate: time("20214319121804Z") }] }));
    const query = argv`ocsp -issuer ${caFile} -cert ${leafFile} -respin ${bad} -CAfile ${caFile}`;
    // -noverify: a print-only mode, as OpenSSL's.
    const [o, k] = await Promise.all([
      opensslRun(...query, "-noverify"),
      ocspkit(...query, "-noverify"),
    ]);
    assert.equal(withoutStack(k.out), withoutStack(o.out));
    assert.match(
      k.out.toString(),
      /WARNING: Status times invalid\.\ngood\n.*\n\tNext Update: Bad time value\n/,
    );
    assert.equal(k.code, o.code);
    // Verifying: OpenSSL says "Response verify OK" (it never reads nextUpdate there); ocspkit
    // refuses, names the field, and prints the same summary after its failure.
    const [o2, k2] = await Promise.all([opensslRun(...query), ocspkit(...query)]);
    assert.match(o2.err, /Response verify OK/);
    assert.equal(k2.code, 1);
    assert.doesNotMatch(k2.err, /Response verify OK/);
    assert.match(k2.err, /Response Verify Failure/);
    assert.match(k2.err, /nextUpdate: invalid time/);
    assert.equal(withoutStack(k2.out), withoutStack(o2.out));
  });

  test("-cert status summary: fractions printed, times checked", async () => {
    const summary = (f: string) =>
      argv`ocsp -issuer ${caFile} -cert ${leafFile} -respin ${f} -CAfile ${caFile}`;
    const hour = 3600_000;
    const fresh = save(
      response({
        responses: [
          {
            thisUpdate: gt(new Date(NOW.getTime() - hour), ".25"),
            nextUpdate: gt(new Date(NOW.getTime() + hour), ".50"),
          },
        ],
      }),
    );
    const [o, k] = await Promise.all([opensslRun(...summary(fresh)), ocspkit(...summary(fresh))]);
    assert.equal(o.code, 0, o.err);
    assert.equal(k.out.toString(), o.out.toString());
    assert.match(k.out.toString(), /This Update: .*\d\.25 \d{4} GMT\n/);
    assert.equal(k.code, o.code);
    // Where OpenSSL 3.0 is wrong: it skips the validity check for times with a fraction, so a
    // 2021 answer long expired passes silently. ocspkit says so (README, where it differs).
    const old = save(
      response({
        responses: [
          { thisUpdate: time("20210819121804.5Z"), nextUpdate: time("20210826121804.5Z") },
        ],
      }),
    );
    const [o2, k2] = await Promise.all([opensslRun(...summary(old)), ocspkit(...summary(old))]);
    assert.doesNotMatch(o2.out.toString(), /WARNING/);
    assert.equal(
      k2.out.toString(),
      o2.out.toString().replace(": good", ": WARNING: Status times invalid.\ngood"),
    );
    assert.match(k2.err, /status expired/);
    // OpenSSL 3.0 also orders the two times by length first (ASN1_STRING_cmp): a nextUpdate
    // with a shorter fraction is "before" thisUpdate. ocspkit compares the instants.
    const shorter = save(
      response({
        responses: [
          {
            thisUpdate: gt(new Date(NOW.getTime() - hour), ".25"),
            nextUpdate: gt(new Date(NOW.getTime() + hour), ".5"),
          },
        ],
      }),
    );
    const [o3, k3] = await Promise.all([
      opensslRun(...summary(shorter)),
      ocspkit(...summary(shorter)),
    ]);
    assert.match(o3.out.toString(), /WARNING: Status times invalid/);
    assert.doesNotMatch(k3.out.toString(), /WARNING/);
    assert.equal(k3.code, 0);
  });
});

describe("varied responses and requests print as OpenSSL prints them", () => {
  const crlId = () =>
    seq(
      explicit(0, encodeTlv(0x16, Buffer.from("http://crl.test/ca.crl"))),
      explicit(1, encodeTlv(TAG.INTEGER, Uint8Array.of(7))),
      explicit(2, time("20210819121804.25Z")),
    );
  const locator = () =>
    seq(
      ca.subject,
      seq(seq(oid("1.3.6.1.5.5.7.48.1"), encodeTlv(0x86, Buffer.from("http://ocsp.ca.test/")))),
    );

  test("signers, responder IDs, statuses and extensions", async () => {
    const other = certIdFor(ca, Uint8Array.of(0x00, 0x80, 0x01), digestByName("sha256")!);
    const cases: [string, Spec][] = [
      ["RSA delegated signer", { signer: "rsa" }],
      ["RSA-PSS", { signer: "pss" }],
      ["Ed25519, responder by key", { signer: "ed25519", byKey: true }],
      ["CA by key, no certs", { byKey: true, certs: [] }],
      [
        "several singles, every status and reason",
        {
          responses: [
            { status: "good", nextUpdate: null },
            { certId: other, status: "unknown" },
            ...[0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11].map((reason) => ({
              status: { at: time("20210101000000Z"), reason },
            })),
            { status: { at: time("20210101000000Z") } },
          ],
        },
      ],
      [
        "single extensions: reason, invalidity, hold, issuer, unknown critical",
        {
          responses: [
            {
              status: { at: time("20210101000000Z") },
              extensions: [
                ext("2.5.29.21", encodeTlv(TAG.ENUMERATED, Uint8Array.of(1))),
                ext("2.5.29.24", time("20201231000000.5Z")),
                ext("2.5.29.23", oid("1.2.840.10040.2.2")),
                ext("2.5.29.29", seq(explicit(4, ca.subject))),
                ext("1.2.3.4.5", encodeTlv(TAG.OCTET_STRING, Buffer.from("x")), true),
                ext("1.3.6.1.5.5.7.48.1.6", time("20200101000000Z")),
              ],
            },
          ],
        },
      ],
      [
        "response extensions: nonce, CRL ID, archive cutoff, locator, acceptable, extended revoke",
        {
          extensions: [
            ext("1.3.6.1.5.5.7.48.1.2", encodeTlv(TAG.OCTET_STRING, Buffer.alloc(16, 0xab))),
            ext("1.3.6.1.5.5.7.48.1.3", crlId()),
            ext("1.3.6.1.5.5.7.48.1.6", time("20200101000000.75Z")),
            ext("1.3.6.1.5.5.7.48.1.7", locator(), true),
            ext("1.3.6.1.5.5.7.48.1.4", seq(oid("1.3.6.1.5.5.7.48.1.1"))),
            ext("1.3.6.1.5.5.7.48.1.9", Uint8Array.of(TAG.NULL, 0)),
            ext("1.3.6.1.5.5.7.48.1.8", seq(seq(oid("1.2.840.10045.4.3.2")))),
          ],
        },
      ],
      [
        "bad times inside extensions",
        {
          extensions: [ext("1.3.6.1.5.5.7.48.1.6", time("20204401000000Z"))],
          responses: [{ extensions: [ext("2.5.29.24", time("2020"))] }],
        },
      ],
    ];
    await pool(cases, AT_ONCE, async ([name, spec]) => {
      await sameResponseText(name, response(spec), false);
    });
  });

  test("post-quantum signers OpenSSL 3.0 does not know (ML-DSA): printed by OID", async () => {
    const mlDsa44 = "2.16.840.1.101.3.4.3.17";
    // The leaf, its key and signature algorithms turned into ML-DSA-44 (printing only).
    const tree = toTree(leaf.der);
    const swap = (n: Node): void => {
      if (n.tag === TAG.OID && n.content) {
        const name = Buffer.from(n.content).toString("hex");
        // ecdsa-with-SHA256 and id-ecPublicKey
        if (name === "2a8648ce3d040302" || name === "2a8648ce3d0201")
          n.content = encodeOid(mlDsa44);
      }
      if (
        n.tag === TAG.OID &&
        n.content &&
        Buffer.from(n.content).toString("hex") === "2a8648ce3d030107"
      ) {
        n.content = encodeOid("1.2.3"); // the curve parameter, now just an unknown OID
      }
      for (const k of n.kids ?? []) swap(k);
    };
    swap(tree);
    const pqLeaf = fromTree(tree);
    const signed = { algorithm: seq(oid(mlDsa44)), signature: new Uint8Array(2420).fill(0x5a) };
    await sameResponseText(
      "ML-DSA-44 signature and certificate",
      emptyResponse(ca.subject, [pqLeaf], signed),
      false,
    );
  });

  test("verification with -issuer/-cert: verdicts and summaries as OpenSSL's", async () => {
    const other = certIdFor(ca, Uint8Array.of(0x42), SHA1);
    const revoked = { at: time("20210101000000.5Z"), reason: 4 };
    const cases: [string, Spec, string[]][] = [
      ["CA signs, by name", {}, []],
      ["RSA delegate", { signer: "rsa" }, []],
      ["RSA-PSS delegate, by key", { signer: "pss", byKey: true }, []],
      ["Ed25519 delegate", { signer: "ed25519" }, []],
      ["CA by key, no certs", { byKey: true, certs: [] }, []],
      ["delegate not included, found with -VAfile", { signer: "rsa", certs: [] }, ["-VAfile"]],
      ["delegate not included, not found", { signer: "rsa", certs: [] }, []],
      [
        "the leaf among other answers, revoked",
        {
          responses: [{ certId: other }, { status: revoked }, { certId: other, status: "unknown" }],
        },
        [],
      ],
      ["no answer for the leaf", { responses: [{ certId: other }] }, []],
    ];
    await pool(cases, AT_ONCE, async ([name, spec, extra]) => {
      const f = save(response(spec));
      const args = argv`ocsp -issuer ${caFile} -cert ${leafFile} -respin ${f} -CAfile ${caFile}`;
      if (extra.includes("-VAfile")) args.push("-VAfile", join(dir, "rsa.pem"));
      const [o, k] = await Promise.all([opensslRun(...args), ocspkit(...args)]);
      const verdict = (e: string) => /Response verify OK|Response Verify Failure/.exec(e)?.[0];
      assert.equal(k.out.toString("latin1"), withoutStack(o.out), `${name}: stdout`);
      assert.equal(k.code, o.code, `${name}: exit code (${o.err})`);
      assert.equal(verdict(k.err), verdict(o.err), `${name}: verdict (${k.err})`);
    });
  });

  test("names with bytes that are not UTF-8, in certificates and responder IDs", async () => {
    const patched = Buffer.from(leaf.der);
    const at = patched.indexOf(Buffer.from("leaf.test"));
    patched[at + 2] = 0xe9; // "le\xe9f.test" in a UTF8String: not UTF-8
    const oddName = seq(
      encodeTlv(TAG.SET, seq(oid("2.5.4.3"), encodeTlv(0x0c, Buffer.of(0x61, 0xe9, 0x62)))),
      encodeTlv(TAG.SET, seq(oid("1.2.840.113549.1.9.1"), encodeTlv(0x16, Buffer.of(0x78, 0xff)))),
      encodeTlv(TAG.SET, seq(oid("2.5.4.10"), encodeTlv(0x14, Buffer.of(0x54, 0xe9)))),
    );
    await sameResponseText("odd names", emptyResponse(oddName, [patched]), false);
  });

  test("every error status", async () => {
    await pool([1, 2, 3, 4, 5, 6, 7], AT_ONCE, async (status) => {
      await sameResponseText(`status ${status}`, encodeOcspResponse(undefined, status), false);
    });
    const basic = response({});
    // successful but of an unknown response type
    const other = seq(
      encodeTlv(TAG.ENUMERATED, Uint8Array.of(0)),
      explicit(0, seq(oid("1.2.3.4"), encodeTlv(TAG.OCTET_STRING, Uint8Array.of(5, 0)))),
    );
    await sameResponseText("unknown response type", other, false);
    assert.ok(basic.length > 0);
  });

  test("requests: plain, several with extensions, signed with odd certificates", async () => {
    const id = certIdFor(ca, leaf, SHA1);
    const nonce = ext("1.3.6.1.5.5.7.48.1.2", encodeTlv(TAG.OCTET_STRING, Buffer.alloc(8, 1)));
    await sameRequestText(
      "plain",
      encodeRequest({ requests: [{ certId: id, extensions: [] }], extensions: [] }),
    );
    await sameRequestText(
      "several, with extensions",
      encodeRequest({
        requests: [
          { certId: id, extensions: [ext("1.3.6.1.5.5.7.48.1.7", locator())] },
          { certId: certIdFor(ca, leaf, digestByName("sha256")!), extensions: [] },
        ],
        extensions: [nonce, ext("1.3.6.1.5.5.7.48.1.4", seq(oid("1.3.6.1.5.5.7.48.1.1")))],
      }),
    );
    const req = { requests: [{ certId: id, extensions: [] }], extensions: [nonce] };
    await sameRequestText("signed", signRequest(req, leaf, leafKey, [leaf, ca]));
    await sameRequestText(
      "signed, certificate with a bad time",
      signRequest(req, leaf, leafKey, [new Certificate(badTimeLeaf, true)]),
    );
  });

  test("requests: requestor names of every kind, versions, odd CertIDs", async () => {
    const list = seq(seq(encodeCertId(certIdFor(ca, leaf, SHA1))));
    const named = (gn: Uint8Array, version?: number) =>
      seq(
        seq(
          ...(version === undefined
            ? []
            : [explicit(0, encodeTlv(TAG.INTEGER, Uint8Array.of(version)))]),
          explicit(1, gn),
          list,
        ),
      );
    const high = (s: string) => Buffer.concat([Buffer.from(s), Buffer.of(0xe9)]);
    const requestors = [
      ["URI", encodeTlv(0x86, high("http://requestor.test/"))],
      ["e-mail", encodeTlv(0x81, high("me@requestor.test"))],
      ["DNS", encodeTlv(0x82, Buffer.from("requestor.test"))],
      ["IP", encodeTlv(0x87, Uint8Array.of(127, 0, 0, 1))],
      ["registered ID", encodeTlv(0x88, encodeOid("1.2.3.4"))],
      ["directory name", explicit(4, ca.subject)],
    ] as const;
    await pool(requestors, AT_ONCE, async ([name, gn]) => {
      await sameRequestText(`requestor ${name}`, named(gn));
    });
    await sameRequestText("version 2", named(encodeTlv(0x82, Buffer.from("x.test")), 1));
    const odd = (hashOid: string, serial: Uint8Array, params = true) =>
      seq(
        seq(
          seq(
            seq(
              seq(oid(hashOid), ...(params ? [Uint8Array.of(TAG.NULL, 0)] : [])),
              encodeTlv(TAG.OCTET_STRING, Buffer.alloc(3, 1)),
              encodeTlv(TAG.OCTET_STRING, new Uint8Array()),
              encodeTlv(TAG.INTEGER, serial),
            ),
          ),
        ),
      );
    await sameRequestText("unknown hash, negative serial", odd("1.2.3.4.5", Uint8Array.of(0x80)));
    await sameRequestText(
      "sha512 without params, zero serial",
      odd("2.16.840.1.101.3.4.2.3", Uint8Array.of(0), false),
    );
  });

  test("responses: names and strings with high bytes, raw nonces, empty lists", async () => {
    const utf8Name = seq(
      encodeTlv(
        TAG.SET,
        seq(oid("2.5.4.3"), encodeTlv(0x0c, Buffer.from("R\u00e9pondeur \u2713", "utf8"))),
      ),
    );
    const highLocator = seq(
      ca.subject,
      seq(seq(oid("1.3.6.1.5.5.7.48.1"), encodeTlv(0x86, Buffer.of(0x68, 0xe9, 0xff)))),
    );
    const cases: [string, Spec][] = [
      [
        "service locator URI with high bytes",
        { extensions: [ext("1.3.6.1.5.5.7.48.1.7", highLocator)] },
      ],
      [
        "CRL ID URL with high bytes",
        {
          extensions: [
            ext(
              "1.3.6.1.5.5.7.48.1.3",
              seq(explicit(0, encodeTlv(0x16, Buffer.of(0x61, 0xe9, 0x80)))),
            ),
          ],
        },
      ],
      [
        "a nonce without its inner OCTET STRING",
        { extensions: [ext("1.3.6.1.5.5.7.48.1.2", Buffer.from("raw-nonce"))] },
      ],
      ["an empty nonce", { extensions: [ext("1.3.6.1.5.5.7.48.1.2", new Uint8Array())] }],
      ["no responses at all", { responses: [] }],
    ];
    await pool(cases, AT_ONCE, async ([name, spec]) => {
      await sameResponseText(name, response(spec), false);
    });
    // Version 2, a long key hash (i2a_ASN1_STRING wraps it), an empty certificate list.
    const longKey = explicit(2, encodeTlv(TAG.OCTET_STRING, Buffer.alloc(40, 0xab)));
    const v2 = seq(explicit(0, encodeTlv(TAG.INTEGER, Uint8Array.of(1))), longKey, gt(NOW), seq());
    const sig = signTbs(v2, signers.ca.key);
    const bits = encodeTlv(TAG.BIT_STRING, cat(Uint8Array.of(0), sig.signature));
    await sameResponseText(
      "version 2, long key hash, empty certificate list",
      encodeOcspResponse(seq(v2, sig.algorithm, bits, explicit(0, seq()))),
      false,
    );
    // A responder named in UTF-8: the name printed with OpenSSL's escapes.
    await sameResponseText("UTF-8 responder name", emptyResponse(utf8Name), false);
  });
});
