/**
 * Checks src/x509/text.ts against the system `openssl` (3.0.x) byte for byte. Every
 * certificate is generated here with the openssl CLI; the printers must reproduce
 * `openssl x509 -text -noout -nameopt compat` (which is `X509_print`) and the name
 * options, and what `openssl ocsp -resp_text` prints for a locally made response.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import "./support/seed.js";
import { encodeTlv } from "../src/der/der.js";
import { encodeOid } from "../src/der/oid.js";
import { attributeShortName } from "../src/x509/name-oids.js";
import { decodeName, nameOneline, onelineForm } from "../src/x509/name-oneline.js";
import { objectShortName } from "../src/x509/oids.js";
import { parseTlv } from "../src/x509/print-der.js";
import {
  asn1TimeText,
  certificateText,
  certificateTextBytes,
  extensionsText,
  gmtTime,
  nameCompat,
  nameSlashed,
  oidName,
  pemCertificate,
  signatureText,
} from "../src/x509/text.js";
import { pool } from "./support/pki.js";
import { OPENSSL_VECTORS, testWithVectors } from "./support/vectors.js";

const VECTORS = OPENSSL_VECTORS;

let dir = "";

/** `openssl ARGS` in the work dir: its stdout, or a rejection with its stderr. */
function openssl(args: readonly string[], input?: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", args, { cwd: dir });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`openssl ${args.join(" ")}: exit ${code}\n${Buffer.concat(err)}`));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/** openssl runs at once: both cores busy while node compares. */
const AT_ONCE = 4;

/** One run of openssl per distinct question: the same certificate is asked about by several tests. */
const answers = new Map<string, Promise<Buffer>>();
function oracle(args: readonly string[], der: Uint8Array): Promise<Buffer> {
  const key = `${args.join(" ")}\0${Buffer.from(der).toString("base64")}`;
  let a = answers.get(key);
  if (!a) {
    a = openssl(args, der);
    answers.set(key, a);
  }
  return a;
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

function derOf(pemFile: string): Buffer {
  return Buffer.from(new X509Certificate(readFileSync(join(dir, pemFile))).raw);
}

// --- A minimal DER walker, only to pull fields out of certificates and responses ---

interface Node {
  readonly tag: number;
  readonly raw: Buffer;
  readonly content: Buffer;
}

function node(buf: Buffer, at = 0): Node {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = buf.subarray(at + 2, at + 2 + n).reduce((acc, b) => acc * 256 + b, 0);
    head += n;
  }
  return {
    tag,
    raw: buf.subarray(at, at + head + len),
    content: buf.subarray(at + head, at + head + len),
  };
}

function kids(parent: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < parent.content.length; at += out[out.length - 1]!.raw.length) {
    out.push(node(parent.content, at));
  }
  return out;
}

/** A DER TLV with a short or long-form length. */
function encode(tag: number, content: Uint8Array): Buffer {
  const len = content.length;
  const header = len < 0x80 ? [len] : len < 0x100 ? [0x81, len] : [0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.of(tag, ...header), content]);
}

/** The certificate with its validity replaced by two raw time TLVs (signature left stale). */
function withValidity(der: Buffer, notBefore: Buffer, notAfter: Buffer): Buffer {
  const [tbs, ...rest] = kids(node(der));
  const fields = kids(tbs!).map((f) => f.raw);
  const at = kids(tbs!)[0]!.tag === 0xa0 ? 4 : 3;
  fields[at] = encode(0x30, Buffer.concat([notBefore, notAfter]));
  const newTbs = encode(0x30, Buffer.concat(fields));
  return encode(0x30, Buffer.concat([newTbs, ...rest.map((f) => f.raw)]));
}

function timeTlv(tag: number, text: string): Buffer {
  return encode(tag, Buffer.from(text, "latin1"));
}

/** [issuer, subject] Name DERs of a certificate. */
function certNames(der: Buffer): [Buffer, Buffer] {
  const tbs = kids(kids(node(der))[0]!);
  const offset = tbs[0]!.tag === 0xa0 ? 1 : 0;
  return [tbs[offset + 2]!.raw, tbs[offset + 4]!.raw];
}

// --- Certificate generation ---

const certs = new Map<string, Buffer>();

/** `openssl genpkey` with space-separated options; returns the key file name. */
async function key(name: string, options: string): Promise<string> {
  await openssl(["genpkey", ...options.split(" "), "-out", `${name}.key`]);
  return `${name}.key`;
}

async function selfSigned(name: string, keyFile: string, subj: string, options = "") {
  const extra = options === "" ? [] : options.split(" ");
  await openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    keyFile,
    "-subj",
    subj,
    "-days",
    "30",
    ...extra,
    "-out",
    `${name}.pem`,
  ]);
  certs.set(name, derOf(`${name}.pem`));
}

interface IssueOptions {
  readonly subj?: string;
  readonly extensions?: string;
  readonly serial?: string;
  readonly days?: string;
  readonly ca?: string;
  readonly extra?: readonly string[];
}

/** A certificate for `keyFile` issued by the root (or `ca`), with an extension section. */
async function issued(name: string, keyFile: string, options: IssueOptions = {}) {
  const ca = options.ca ?? "root";
  await openssl([
    "req",
    "-new",
    "-key",
    keyFile,
    "-subj",
    options.subj ?? `/C=US/O=Test/CN=${name}`,
    "-out",
    `${name}.csr`,
  ]);
  const args = ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`];
  args.push(
    "-set_serial",
    options.serial ?? "3",
    "-days",
    options.days ?? "30",
    ...(options.extra ?? []),
  );
  if (options.extensions !== undefined) {
    args.push(
      "-extfile",
      file(`${name}.cnf`, `[ext]\n${options.extensions}\n`),
      "-extensions",
      "ext",
    );
  }
  await openssl([...args, "-out", `${name}.pem`]);
  certs.set(name, derOf(`${name}.pem`));
}

/** A certificate self-signed with the root's key, its subject given by `subjectArgs`. */
async function rootSigned(name: string, subjectArgs: readonly string[]) {
  await openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    "root.key",
    "-days",
    "1",
    ...subjectArgs,
    "-out",
    `${name}.pem`,
  ]);
  certs.set(name, derOf(`${name}.pem`));
}

/** A self-signed certificate whose subject comes from a request config (string masks, OIDs). */
const fromConfig = (name: string, config: string) =>
  rootSigned(name, ["-config", file(`${name}.cnf`, config)]);

const SECTIONS = `
[dn_sect]
C = US
O = Dir Org
CN = Dir CN
[pol]
policyIdentifier = 1.3.6.1.4.1.99.1
CPS.1 = "http://cps.example.com"
userNotice.1 = @notice
[notice]
explicitText = "Explicit text here"
organization = "Org Inc"
noticeNumbers = 1,2,3
[notice2]
explicitText = "UTF8:Explicit \u00fctf"
[pol2]
policyIdentifier = 2.5.29.32.0
userNotice.1 = @notice2
[dp1]
fullname = URI:http://a/1.crl, DNS:foo.example, IP:2001:db8::1, otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@x
reasons = keyCompromise, CACompromise, superseded
CRLissuer = dirName:dn_sect
[dp2]
relativename = rel_sect
reasons = unused, AACompromise
[rel_sect]
CN = relative CN
`;

const LEAF_EXTENSIONS = `basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth,OCSPSigning,1.2.3.4.5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer:always
subjectAltName = DNS:example.com,DNS:*.example.com,IP:192.168.1.1,IP:2001:db8::1,email:a@b.com,URI:http://x.y/z,RID:1.2.3.4,dirName:dn_sect,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@x,otherName:1.2.3.4.5;UTF8:foo,otherName:1.2.3.4.6;INTEGER:5
authorityInfoAccess = OCSP;URI:http://ocsp.example.com/,caIssuers;URI:http://ca.example.com/ca.crt,caIssuers;dirName:dn_sect
crlDistributionPoints = URI:http://crl.example.com/a.crl,URI:http://crl2.example.com/b.crl
certificatePolicies = 2.23.140.1.2.1,@pol,@pol2
nsComment = "Hello comment"
1.2.3.4.99 = ASN1:UTF8String:some unknown ext
1.2.3.4.98 = critical,DER:01:02:03:41:42:0a:7f:ff
${SECTIONS}`;

const MORE_EXTENSIONS = `crlDistributionPoints = dp1, dp2, URI:http://plain/x.crl
freshestCRL = URI:http://fresh/x.crl
nsCertType = client, server, email, objsign, sslCA
keyUsage = nonRepudiation, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly
issuerAltName = DNS:issuer.example, email:iss@x
policyConstraints = requireExplicitPolicy:3, inhibitPolicyMapping:1
inhibitAnyPolicy = 2
nameConstraints = permitted;DNS:.example.com, permitted;IP:192.168.0.0/255.255.0.0, excluded;email:bad.com, excluded;IP:2001:db8::/ffff:ffff::, permitted;dirName:dn_sect
policyMappings = 1.2.3.4:1.2.3.5, 2.23.140.1.2.1:1.2.3.6
tlsfeature = status_request, status_request_v2
basicConstraints = CA:TRUE, pathlen:0
subjectKeyIdentifier = none
authorityKeyIdentifier = keyid
nsBaseUrl = http://base/
nsSslServerName = server.example
subjectInfoAccess = caRepository;URI:http://repo/, 1.2.3.4;email:x@y
${SECTIONS}`;

/** Extensions given as raw DER, for shapes the config syntax cannot produce. */
const RAW_EXTENSIONS = [
  "subjectAltName = DER:30:00",
  "subjectAltName = DER:30:02:82:00",
  "subjectAltName = DER:30:05:82:03:61:00:62",
  "subjectAltName = DER:30:05:87:03:01:02:03",
  "subjectAltName = DER:30:03:88:01:00",
  "subjectAltName = DER:30:04:A4:02:30:00",
  "keyUsage = DER:03:01:00",
  "basicConstraints = DER:30:16:01:01:FF:02:11:00:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF:FF",
  "basicConstraints = DER:30:06:01:01:FF:02:01:FB",
  "privateKeyUsagePeriod = DER:30:22:80:0F:32:30:32:36:30:31:30:32:30:33:30:34:30:35:5A:81:0F:32:30:32:37:30:31:30:32:30:33:30:34:30:35:5A",
  "1.3.6.1.5.5.7.48.1.2 = DER:04:10:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
  "1.3.6.1.5.5.7.48.1.3 = DER:30:1C:A0:08:16:06:68:74:74:70:3A:2F:A1:03:02:01:07:A2:11:18:0F:32:30:32:36:30:31:30:32:30:33:30:34:30:35:5A",
  "1.3.6.1.5.5.7.48.1.6 = DER:18:0F:32:30:32:36:30:31:30:32:30:33:30:34:30:35:5A",
  "1.3.6.1.5.5.7.48.1.7 = DER:30:29:30:0F:31:0D:30:0B:06:03:55:04:03:0C:04:4E:61:6D:65:30:16:30:14:06:08:2B:06:01:05:05:07:30:01:86:08:68:74:74:70:3A:2F:2F:78",
  "1.3.6.1.5.5.7.48.1.9 = DER:05:00",
  "2.5.29.21 = DER:0A:01:01",
  "ct_precert_poison = critical,ASN1:NULL",
  "1.2.643.100.111 = ASN1:UTF8String:tool name",
  "2.5.29.24 = DER:18:0F:32:30:32:36:30:31:30:32:30:33:30:34:30:35:5A",
];

/** Subjects exercising escaping in the three name forms. */
const SUBJECTS = [
  '/C=US/O=Acme, Inc./OU=R\\+D/CN=a "quoted" name\\\\back/emailAddress=x@y.z',
  "/CN= leading space/OU=trailing space /O=#hash/L=semi;colon<>/ST=a=b/street=#",
  "/CN=slash\\/in\\/value/O=x\\/CN=fake/OU=a\\/Bc=d",
  "/CN=\u00dcn\u00efc\u00f6d\u00e9 \u2603 \u65e5\u672c/O=tab\there/OU=ctrl\u0001x/L= ",
  "/CN=multi+OU=valued/O=x+UID=u1/DC=com/DC=example/serialNumber=123/street=Main",
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "x509-text-"));
  file("sections.cnf", SECTIONS);
  const long = "x".repeat(60);

  // The keys first, all at once: RSA 4096 and the DSA parameters take seconds each.
  await Promise.all([
    key("root", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"),
    key("ica", "-algorithm RSA -pkeyopt rsa_keygen_bits:4096"),
    key("p256", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256").then(() =>
      openssl(["ec", "-in", "p256.key", "-conv_form", "compressed", "-out", "comp.key"]),
    ),
    key("p384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"),
    key("p521", "-algorithm EC -pkeyopt ec_paramgen_curve:P-521"),
    key("k1", "-algorithm EC -pkeyopt ec_paramgen_curve:secp256k1"),
    key("bp", "-algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP384r1"),
    key(
      "explicit",
      "-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:explicit",
    ),
    key("ed25519", "-algorithm ED25519"),
    key("ed448", "-algorithm ED448"),
    key("pss", "-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048"),
    key(
      "pssr",
      "-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32",
    ),
    openssl(
      "genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.params".split(" "),
    ).then(() => key("dsa", "-paramfile dsa.params")),
    key("longca", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"),
  ]);
  await Promise.all([
    selfSigned(
      "root",
      "root.key",
      "/C=US/O=Test/CN=Root CA",
      "-addext basicConstraints=critical,CA:TRUE,pathlen:1",
    ),
    selfSigned("longca", "longca.key", `/C=US/O=${long}/OU=${long}/CN=${long}/L=${long}/ST=abc`),
  ]);

  // Then every certificate, a few at a time; each job is one certificate (or a chain of them).
  const dn = "[req]\ndistinguished_name = dn\nprompt = no\nutf8 = yes\n";
  const jobs: Array<() => Promise<unknown>> = [
    async () => {
      await issued("ica", "ica.key", {
        subj: "/C=US/O=Test/CN=ICA",
        extensions:
          "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer:always",
        serial: "0x7f0102030405060708090a0b0c0d0e0f10111213",
      });
      await issued("ocsp", "p384.key", {
        subj: "/C=US/O=Test/CN=OCSP Signer",
        extensions:
          "keyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\nnoCheck=ignored",
        ca: "ica",
      });
    },
    () => issued("leaf", "p256.key", { extensions: LEAF_EXTENSIONS, extra: ["-sha384"] }),
    () => issued("more", "p256.key", { extensions: MORE_EXTENSIONS, serial: "0x7fffffffffffffff" }),
    ...RAW_EXTENSIONS.map(
      (ext, i) => () => issued(`raw${i}`, "p256.key", { extensions: ext, serial: String(i) }),
    ),
    ...["0", "-1", "-5", "0x8000000000000000", "-0x8000000000000000", "-0x8000000000000001"].map(
      (serial) => () =>
        issued(`serial${serial}`, "p256.key", { serial, extensions: "basicConstraints=CA:FALSE" }),
    ),
    () => issued("gentime", "p256.key", { days: "20000" }),
    () => selfSigned("p521", "p521.key", "/CN=P-521", "-sha512"),
    () => selfSigned("k1", "k1.key", "/CN=secp256k1"),
    () => selfSigned("bp", "bp.key", "/CN=brainpool"),
    () => selfSigned("comp", "comp.key", "/CN=compressed point"),
    () => selfSigned("explicit", "explicit.key", "/CN=explicit parameters"),
    () => selfSigned("ed25519", "ed25519.key", "/CN=Ed25519"),
    () => selfSigned("ed448", "ed448.key", "/CN=Ed448"),
    () => selfSigned("pss", "pss.key", "/CN=PSS key"),
    () => selfSigned("pssr", "pssr.key", "/CN=PSS restricted"),
    () =>
      selfSigned(
        "psssig",
        "root.key",
        "/CN=PSS signature",
        "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32",
      ),
    () => selfSigned("dsa", "dsa.key", "/CN=DSA"),
    ...SUBJECTS.map(
      (subj, i) => () => rootSigned(`name${i}`, ["-utf8", "-multivalue-rdn", "-subj", subj]),
    ),
    () =>
      fromConfig(
        "bmp",
        `${dn}string_mask = pkix\n[dn]\nCN = \u00dcn\u00efc\u00f6d\u00e9 \u2603 name\nO = plain\n`,
      ),
    () => fromConfig("t61", `${dn}string_mask = nombstr\n[dn]\nCN = Gr\u00fc\u00df\nO = plain\n`),
    () =>
      fromConfig(
        "oid",
        `oid_section = oids\n[oids]\nmyattr = 1.2.3.4.5\n${dn}[dn]\nCN = test\nmyattr = unknown attr value\n1.UID = xx\n`,
      ),
    // A config without x509_extensions makes a version 1 certificate.
    () => fromConfig("v1", `${dn}[dn]\nCN = version one\n`),
    // Names longer than the 256-byte buffer i2v_GENERAL_NAME gives X509_NAME_oneline.
    () =>
      issued("longdir", "p256.key", {
        ca: "longca",
        extensions: `authorityKeyIdentifier=keyid,issuer:always\nsubjectAltName=dirName:dn\n[dn]\nCN=${long}\nO=${long}\nOU=${long}\nL=${long}\nST=${long}`,
      }),
  ];
  await pool(jobs, AT_ONCE, (job) => job().then(() => undefined));

  // Time encodings openssl's own tools never write: fractions, offsets, no seconds, junk.
  const times: [number, string][] = [
    [0x18, "20261127024753.123Z"],
    [0x18, "20261127024753.Z"],
    [0x18, "20261127024753-0130"],
    [0x17, "2611270247+0200"],
    [0x17, "491231235959Z"],
    [0x18, "202611270247Z"],
    [0x18, "20261131024753Z"],
    [0x17, "26112702475Z"],
  ];
  times.forEach(([tag, text], i) => {
    certs.set(
      `time${i}`,
      withValidity(certs.get("root")!, timeTlv(tag, text), timeTlv(0x18, "20500101000000Z")),
    );
  });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What openssl prints for each certificate given to `printAll`, by its DER in base64. */
const printed = new Map<string, { text: Buffer; pem: Buffer }>();
let batches = 0;

/**
 * `openssl x509 -inform DER -text -noout -nameopt compat` and `openssl x509 -inform DER` for
 * many certificates in two runs of openssl instead of two per certificate: `pkcs7 -print_certs
 * -text` prints each with X509_print (compat names are its default) and PEM_write_bio_X509,
 * then an empty line, which are what those two commands print.
 */
async function printAll(ders: readonly Uint8Array[]): Promise<void> {
  const todo = [...new Set(ders.map((d) => Buffer.from(d).toString("base64")))].filter(
    (b64) => !printed.has(b64),
  );
  if (todo.length === 0) return;
  const pem = todo
    .map(
      (b64) =>
        `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`,
    )
    .join("");
  const input = file(`print-${++batches}.pem`, pem);
  const p7 = await openssl(["crl2pkcs7", "-nocrl", "-certfile", input, "-outform", "DER"]);
  const out = await openssl(["pkcs7", "-inform", "DER", "-print_certs", "-text"], p7);
  const end = Buffer.from("-----END CERTIFICATE-----\n\n");
  const begin = Buffer.from("-----BEGIN CERTIFICATE-----\n");
  let at = 0;
  for (const b64 of todo) {
    const stop = out.indexOf(end, at);
    assert.ok(stop >= 0, `openssl printed fewer certificates than the ${todo.length} given`);
    const block = out.subarray(at, stop + end.length - 1);
    const pemAt = block.lastIndexOf(begin);
    printed.set(b64, { text: block.subarray(0, pemAt), pem: block.subarray(pemAt) });
    at = stop + end.length;
  }
  assert.equal(at, out.length, "openssl printed more certificates than given");
}

function opensslText(der: Uint8Array): Buffer {
  const p = printed.get(Buffer.from(der).toString("base64"));
  assert.ok(p, "printed by printAll");
  return p.text;
}

async function subjectLine(der: Uint8Array, nameopt: string): Promise<string> {
  const out = await oracle(
    ["x509", "-inform", "DER", "-noout", "-subject", "-nameopt", nameopt],
    der,
  );
  return out
    .toString("utf8")
    .replace(/^subject=/, "")
    .replace(/\n$/, "");
}

describe("certificateText matches openssl x509 -text -nameopt compat", () => {
  test("every generated certificate", async () => {
    assert.ok(certs.size > 40);
    await printAll([...certs.values()]);
    await pool([...certs], AT_ONCE, async ([name, der]) => {
      const expected = opensslText(der);
      assert.equal(certificateText(der), expected.toString("utf8"), name);
      assert.deepEqual(Buffer.from(certificateTextBytes(der)), expected, name);
    });
  });

  testWithVectors("vectors folder certificates", async () => {
    const pems = readdirSync(VECTORS).filter((f) => f.endsWith(".pem"));
    assert.ok(pems.length > 0);
    const found: Array<[string, Buffer]> = pems.flatMap((pem) => {
      const text = readFileSync(join(VECTORS, pem), "latin1");
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
      return blocks.map((block): [string, Buffer] => [
        pem,
        Buffer.from(block.replace(/-----[A-Z ]+-----|\s/g, ""), "base64"),
      ]);
    });
    await printAll(found.map(([, der]) => der));
    for (const [pem, der] of found) {
      assert.equal(certificateText(der), opensslText(der).toString("utf8"), pem);
      const reencoded = printed.get(der.toString("base64"))!.pem;
      assert.equal(pemCertificate(der), reencoded.toString("utf8"), pem);
    }
  });
});

describe("name forms", () => {
  test("oneline, compat and slashed forms match openssl", async () => {
    await printAll([...certs.values()]);
    await pool([...certs], AT_ONCE, async ([name, der]) => {
      const [issuer, subject] = certNames(der);
      assert.equal(nameOneline(subject, objectShortName), await subjectLine(der, "oneline"), name);
      // The small name-attribute table (what `check` uses) names these subjects the same way.
      assert.equal(nameOneline(subject), await subjectLine(der, "oneline"), name);
      assert.equal(nameSlashed(subject), await subjectLine(der, "compat"), name);
      const text = opensslText(der).toString("utf8");
      assert.equal(
        `        Subject: ${nameCompat(subject)}\n`,
        /^ {8}Subject: .*\n/m.exec(text)?.[0],
        name,
      );
      assert.equal(
        `        Issuer: ${nameCompat(issuer)}\n`,
        /^ {8}Issuer: .*\n/m.exec(text)?.[0],
        name,
      );
    });
  });

  test("escaping examples", () => {
    const [, subject] = certNames(certs.get("name0")!);
    assert.equal(
      nameOneline(subject, objectShortName),
      'C = US, O = "Acme, Inc.", OU = "R+D", CN = a \\"quoted\\" name\\\\back, emailAddress = x@y.z',
    );
    assert.equal(
      nameCompat(subject),
      'C=US, O=Acme, Inc., OU=R\\+D, CN=a "quoted" name\\back/emailAddress=x@y.z',
    );
    const [, unknown] = certNames(certs.get("oid")!);
    assert.equal(
      nameOneline(unknown, objectShortName),
      "CN = test, 1.2.3.4.5 = unknown attr value, UID = xx",
    );
  });
});

describe("one-line names read in place", () => {
  // nameOneline reads everyday names in place and hands the rest to the general reader, which
  // the tests above hold to openssl: both must give the same text, or the same refusal.
  const tlv = (tag: number, content: Uint8Array) => encodeTlv(tag, content);
  const atv = fc
    .record({
      oid: fc.constantFrom("2.5.4.3", "2.5.4.10", "1.2.3.4.5", "0.9.2342.19200300.100.1.25"),
      tag: fc.constantFrom(12, 18, 19, 20, 22, 26, 30, 28, 3, 0x2c),
      value: fc.array(
        fc.constantFrom(
          0x41,
          0x7a,
          0x20,
          0x23,
          0x2c,
          0x2b,
          0x22,
          0x5c,
          0x3d,
          0x01,
          0x7f,
          0x80,
          0xe9,
        ),
        { maxLength: 6 },
      ),
    })
    .map(({ oid, tag, value }) =>
      tlv(0x30, Buffer.concat([tlv(0x06, encodeOid(oid)), tlv(tag, Uint8Array.from(value))])),
    );
  const name = fc
    .array(fc.array(atv, { minLength: 1, maxLength: 3 }), { maxLength: 4 })
    .map((rdns) => tlv(0x30, Buffer.concat(rdns.map((r) => tlv(0x31, Buffer.concat(r))))));
  const spoilt = fc
    .tuple(name, fc.nat(), fc.nat(255), fc.boolean())
    .map(([der, at, byte, spoil]) => {
      if (!spoil || der.length === 0) return der;
      const out = Uint8Array.from(der);
      out[at % out.length] = byte;
      return out;
    });
  const either = (f: () => string) => {
    try {
      return f();
    } catch (err) {
      return `throws ${(err as Error).message}`;
    }
  };

  test("the same text as the general reader, for names plain, odd and spoilt", () => {
    fc.assert(
      fc.property(spoilt, (der) => {
        for (const shortName of [attributeShortName, objectShortName]) {
          assert.equal(
            either(() => nameOneline(der, shortName)),
            either(() => onelineForm(decodeName(parseTlv(der)), shortName)),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("openssl ocsp -resp_text", () => {
  test("embedded certificate, PEM, responder id, extensions and signature", async () => {
    file("index.txt", "");
    await openssl(["ocsp", "-issuer", "root.pem", "-cert", "leaf.pem", "-reqout", "req.der"]);
    await openssl([
      "ocsp",
      "-index",
      "index.txt",
      "-CA",
      "ica.pem",
      "-rsigner",
      "ocsp.pem",
      "-rkey",
      "p384.key",
      "-rother",
      "ica.pem",
      "-reqin",
      "req.der",
      "-respout",
      "resp.der",
    ]);
    const text = (
      await openssl(["ocsp", "-respin", "resp.der", "-resp_text", "-noverify"])
    ).toString("utf8");

    const response = node(readFileSync(join(dir, "resp.der")));
    const responseBytes = kids(kids(response)[1]!)[0]!;
    const basic = node(kids(responseBytes)[1]!.content);
    const [tbs, signatureAlgorithm, signature, certList] = kids(basic);
    for (const cert of kids(kids(certList!)[0]!)) {
      assert.ok(text.includes(certificateText(cert.raw) + pemCertificate(cert.raw)));
    }
    const signatureBits = signature!.content.subarray(1);
    assert.ok(text.includes(signatureText(signatureAlgorithm!.raw, signatureBits)));

    const tbsFields = kids(tbs!);
    const responderId = tbsFields[0]!.tag === 0xa0 ? tbsFields[1]! : tbsFields[0]!;
    assert.equal(responderId.tag, 0xa1);
    assert.ok(
      text.includes(
        `    Responder Id: ${nameOneline(kids(responderId)[0]!.raw, objectShortName)}\n`,
      ),
    );

    const extensions = tbsFields.find((f) => f.tag === 0xa1 && f !== responderId);
    assert.ok(extensions);
    assert.ok(text.includes(extensionsText(kids(extensions)[0]!.raw, 4, "Response Extensions")));
  });

  testWithVectors("vectors folder responses", async () => {
    const responses = readdirSync(VECTORS).filter((f) => /^[DN]+\d\.ors$/.test(f));
    assert.ok(responses.length > 0);
    await pool(responses, AT_ONCE, async (name) => {
      const der = Buffer.from(readFileSync(join(VECTORS, name), "latin1"), "base64");
      const text = (
        await oracle(["ocsp", "-respin", "-", "-resp_text", "-noverify"], der)
      ).toString("utf8");
      const basic = node(kids(kids(kids(node(der))[1]!)[0]!)[1]!.content);
      const [, signatureAlgorithm, signature, certList] = kids(basic);
      assert.ok(
        text.includes(signatureText(signatureAlgorithm!.raw, signature!.content.subarray(1))),
        name,
      );
      for (const cert of certList ? kids(kids(certList)[0]!) : []) {
        assert.ok(text.includes(certificateText(cert.raw) + pemCertificate(cert.raw)), name);
      }
    });
  });
});

describe("small printers", () => {
  test("signatureText forms", () => {
    const sig = Uint8Array.from({ length: 20 }, (_, i) => i);
    assert.equal(
      signatureText("1.2.840.113549.1.1.11", sig),
      "    Signature Algorithm: sha256WithRSAEncryption\n    Signature Value:\n" +
        "        00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:\n        12:13\n",
    );
    assert.equal(
      signatureText("1.3.101.112", Uint8Array.of(0xab)),
      "    Signature Algorithm: ED25519\n    Signature Value:\n        ab\n",
    );
    // A bare RSA-PSS OID carries no parameters, which OpenSSL reports as invalid.
    assert.equal(
      signatureText("1.2.840.113549.1.1.10", Uint8Array.of(1)),
      "    Signature Algorithm: rsassaPss\n    Signature Value:        (INVALID PSS PARAMETERS)\n        01\n",
    );
  });

  test("gmtTime and asn1TimeText", () => {
    assert.equal(gmtTime(new Date(Date.UTC(2026, 10, 27, 2, 47, 53))), "Nov 27 02:47:53 2026 GMT");
    assert.equal(
      gmtTime(new Date(Date.UTC(2026, 10, 7, 2, 47, 53)), ".25"),
      "Nov  7 02:47:53.25 2026 GMT",
    );
    const generalized = (text: string) => Uint8Array.of(0x18, text.length, ...Buffer.from(text));
    assert.equal(asn1TimeText(generalized("20261127024753.123Z")), "Nov 27 02:47:53.123 2026 GMT");
    assert.equal(asn1TimeText(generalized("20261127024753Z")), "Nov 27 02:47:53 2026 GMT");
    assert.equal(asn1TimeText(generalized("202611270247Z")), "Nov 27 02:47:00 2026 GMT");
    assert.equal(asn1TimeText(generalized("20261127024753-0130")), "Nov 27 04:17:53 2026 GMT");
    assert.equal(asn1TimeText(generalized("20261131024753Z")), "Bad time value");
    assert.equal(
      asn1TimeText(Uint8Array.of(0x17, 13, ...Buffer.from("491231235959Z"))),
      "Dec 31 23:59:59 2049 GMT",
    );
  });

  test("oidName", () => {
    assert.equal(oidName("1.2.840.113549.1.1.11"), "sha256WithRSAEncryption");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.1"), "Basic OCSP Response");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.2"), "OCSP Nonce");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.3"), "OCSP CRL ID");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.6"), "OCSP Archive Cutoff");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.7"), "OCSP Service Locator");
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.8"), "Extended OCSP Status");
    // OpenSSL names RFC 6960's id-pkix-ocsp-extended-revoke after an older draft.
    assert.equal(oidName("1.3.6.1.5.5.7.48.1.9"), "valid");
    assert.equal(oidName("1.3.14.3.2.26"), "sha1");
    assert.equal(oidName("2.16.840.1.101.3.4.2.1"), "sha256");
    assert.equal(oidName("1.2.840.10045.4.3.2"), "ecdsa-with-SHA256");
    assert.equal(oidName("1.2.3.4.5.6.7"), "1.2.3.4.5.6.7");
  });
});
