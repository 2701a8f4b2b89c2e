/**
 * Adversarial inputs for the tests and `npm run fuzz`:
 * - OCSP responses built byte by byte, so tests can forge what no honest responder sends: a
 *   status for a certificate nobody asked about, a signature by the wrong key, a CertID with a
 *   wrong hash, an answer from the future. Signing uses node:crypto; encoding uses ocspkit's
 *   own DER encoders, whose output the strict parser reads back (so a forged answer fails for
 *   the reason the test means, not because it is malformed);
 * - signers of every key type and of every wrong kind, issued with the openssl CLI;
 * - DER mutations, and `exercise`, the invariants every input must keep.
 */
import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { children, DerError, encodeTlv, isConstructed, readTlv, TAG } from "../../src/der/der.js";
import { encodeOid } from "../../src/der/oid.js";
import { encodeGeneralizedTime } from "../../src/der/time.js";
import { OcspError } from "../../src/errors.js";
import { type CertId, certIdFor } from "../../src/ocsp/certid.js";
import { SHA1 } from "../../src/ocsp/digests.js";
import {
  encodeCertId,
  encodeExtensions,
  encodeRequest,
  nonceExtension,
  parseRequest,
} from "../../src/ocsp/request.js";
import { type BasicResponse, type OcspResponse, parseResponse } from "../../src/ocsp/response.js";
import { encodeAlgorithm, signatureAlgorithmFor } from "../../src/ocsp/sign.js";
import { signRequest } from "../../src/ocsp/signed-request.js";
import { requestText, responseText } from "../../src/ocsp/text.js";
import { type VerifyFlags, type VerifyOptions, verifyBasic } from "../../src/verify/basic.js";
import { TrustStore } from "../../src/verify/chain.js";
import { verifyResponse } from "../../src/verify/response.js";
import { Certificate, type Extension } from "../../src/x509/cert.js";
import { loadCertificate } from "../../src/x509/load.js";
import { argv, type KeyPair, openssl, type Pki } from "./pki.js";

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
export const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, cat(...parts));
const explicit = (n: number, inner: Uint8Array) => encodeTlv(0xa0 | n, inner);
const BASIC_OID = "1.3.6.1.5.5.7.48.1.1";
const PSS_OID = "1.2.840.113549.1.1.10";
const MGF1_OID = "1.2.840.113549.1.1.8";
const HASH_OIDS: Record<string, string> = {
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
};

export type Status = "good" | "unknown" | { readonly revokedAt: Date; readonly reason?: number };

export interface SingleSpec {
  readonly certId: CertId;
  readonly status: Status;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly extensions?: readonly Extension[];
}

export interface TbsSpec {
  /** byName: the DER Name; byKey: the SHA-1 of the responder's key bits. */
  readonly responderId: { readonly byName: Uint8Array } | { readonly byKey: Uint8Array };
  readonly producedAt: Date;
  readonly responses: readonly SingleSpec[];
  readonly extensions?: readonly Extension[];
}

function encodeStatus(s: Status): Uint8Array {
  if (s === "good") return Uint8Array.of(0x80, 0);
  if (s === "unknown") return Uint8Array.of(0x82, 0);
  const reason =
    s.reason === undefined ? [] : [explicit(0, encodeTlv(TAG.ENUMERATED, Uint8Array.of(s.reason)))];
  return encodeTlv(0xa1, cat(encodeGeneralizedTime(s.revokedAt), ...reason));
}

export function encodeSingle(s: SingleSpec): Uint8Array {
  return seq(
    encodeCertId(s.certId),
    encodeStatus(s.status),
    encodeGeneralizedTime(s.thisUpdate),
    ...(s.nextUpdate ? [explicit(0, encodeGeneralizedTime(s.nextUpdate))] : []),
    ...(s.extensions?.length ? [explicit(1, encodeExtensions(s.extensions))] : []),
  );
}

/** ResponseData, DER, as OpenSSL writes it (version v1 omitted). */
export function encodeTbs(spec: TbsSpec): Uint8Array {
  const rid =
    "byName" in spec.responderId
      ? explicit(1, spec.responderId.byName)
      : explicit(2, encodeTlv(TAG.OCTET_STRING, spec.responderId.byKey));
  return seq(
    rid,
    encodeGeneralizedTime(spec.producedAt),
    seq(...spec.responses.map(encodeSingle)),
    ...(spec.extensions?.length ? [explicit(1, encodeExtensions(spec.extensions))] : []),
  );
}

export type SignScheme =
  | { readonly kind: "default"; readonly digest?: string }
  | { readonly kind: "pss"; readonly digest: string; readonly saltLength: number };

const algId = (oid: string, params?: Uint8Array) =>
  seq(encodeTlv(TAG.OID, encodeOid(oid)), ...(params ? [params] : []));

/** RSASSA-PSS-params with every field written out (RFC 4055 §3.1). */
export function pssAlgorithm(digest: string, saltLength: number): Uint8Array {
  const hash = algId(HASH_OIDS[digest]!, Uint8Array.of(TAG.NULL, 0));
  return algId(
    PSS_OID,
    seq(
      explicit(0, hash),
      explicit(1, algId(MGF1_OID, hash)),
      explicit(2, encodeTlv(TAG.INTEGER, Uint8Array.of(saltLength))),
    ),
  );
}

/** Signs `tbs` with `key`; returns the DER AlgorithmIdentifier and the signature value. */
export function signTbs(
  tbs: Uint8Array,
  key: KeyObject,
  scheme: SignScheme = { kind: "default" },
): { algorithm: Uint8Array; signature: Uint8Array } {
  const type = key.asymmetricKeyType;
  if (scheme.kind === "pss") {
    const signature = sign(scheme.digest, tbs, {
      key,
      padding: 6, // RSA_PKCS1_PSS_PADDING
      saltLength: scheme.saltLength,
    });
    return {
      algorithm: pssAlgorithm(scheme.digest, scheme.saltLength),
      signature: new Uint8Array(signature),
    };
  }
  const digest = scheme.digest ?? "sha256";
  const eddsa = type === "ed25519" || type === "ed448";
  const signature = sign(
    eddsa ? null : digest,
    tbs,
    type === "ec" ? { key, dsaEncoding: "der" } : key,
  );
  return {
    algorithm: encodeAlgorithm(signatureAlgorithmFor(key, digest)),
    signature: new Uint8Array(signature),
  };
}

export interface BasicParts {
  readonly tbs: Uint8Array;
  /** DER AlgorithmIdentifier. */
  readonly algorithm: Uint8Array;
  readonly signature: Uint8Array;
  readonly certs?: readonly Certificate[];
  /** The BIT STRING's unused-bits octet (0 in every honest response). */
  readonly unusedBits?: number;
}

export function encodeBasic(p: BasicParts): Uint8Array {
  const bits = encodeTlv(TAG.BIT_STRING, cat(Uint8Array.of(p.unusedBits ?? 0), p.signature));
  const certs = p.certs?.length ? [explicit(0, seq(...p.certs.map((c) => c.der)))] : [];
  return seq(p.tbs, p.algorithm, bits, ...certs);
}

/** An OCSPResponse: `successful` wrapping a BasicOCSPResponse, or a bare error status. */
export function encodeOcspResponse(basic: Uint8Array | undefined, status = 0): Uint8Array {
  const st = encodeTlv(TAG.ENUMERATED, Uint8Array.of(status));
  if (!basic) return seq(st);
  const rb = seq(encodeTlv(TAG.OID, encodeOid(BASIC_OID)), encodeTlv(TAG.OCTET_STRING, basic));
  return seq(st, explicit(0, rb));
}

export interface SignedResponseSpec extends TbsSpec {
  readonly key: KeyObject;
  readonly scheme?: SignScheme;
  readonly certs?: readonly Certificate[];
}

/** The whole OCSPResponse, signed honestly over the ResponseData it carries. */
export function signedResponse(spec: SignedResponseSpec): Uint8Array {
  const tbs = encodeTbs(spec);
  const { algorithm, signature } = signTbs(tbs, spec.key, spec.scheme);
  return encodeOcspResponse(encodeBasic({ tbs, algorithm, signature, certs: spec.certs }));
}

// ---------------------------------------------------------------------------
// More signers, next to makePki's
// ---------------------------------------------------------------------------

export interface Signer extends KeyPair {
  readonly certificate: Certificate;
  readonly privateKey: KeyObject;
}

export function loadSigner(kp: KeyPair): Signer {
  return {
    ...kp,
    certificate: loadCertificate(kp.cert, "certificate"),
    privateKey: createPrivateKey(readFileSync(kp.key)),
  };
}

export interface ExtraSigners {
  /** Delegated signers issued by the intermediate with id-kp-OCSPSigning, one per key type. */
  readonly rsa: KeyPair;
  readonly p384: KeyPair;
  readonly ed25519: KeyPair;
  readonly ed448: KeyPair;
  /** id-kp-OCSPSigning, but issued by the foreign root. */
  readonly foreign: KeyPair;
  /** id-kp-OCSPSigning, but issued by the root (the leaves' CA's own issuer). */
  readonly fromRoot: KeyPair;
  /** Issued by the intermediate, id-kp-OCSPSigning, plus a critical extension nobody knows. */
  readonly unknownCritical: KeyPair;
  /** Issued by the intermediate, id-kp-OCSPSigning, basicConstraints that does not decode. */
  readonly malformedExtension: KeyPair;
}

const SIGNER_EXT = `
[ocsp]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
[unknown_critical]
basicConstraints = critical,CA:false
extendedKeyUsage = OCSPSigning
1.3.6.1.4.1.55555.1 = critical,DER:0500
[malformed]
extendedKeyUsage = OCSPSigning
basicConstraints = DER:0500
`;

/** Issues the extra signers into the PKI directory with the openssl CLI. */
export async function makeExtraSigners(pki: Pki): Promise<ExtraSigners> {
  const f = (name: string) => join(pki.dir, name);
  writeFileSync(f("signers.cnf"), SIGNER_EXT);
  let serial = 0x5e00;
  const issue = async (id: string, keyArgs: string[], ca: KeyPair, ext: string) => {
    const [key, csr, cert] = [f(`${id}.key`), f(`${id}.csr`), f(`${id}.pem`)];
    const subject = `/O=ocspkit tests/CN=ocspkit ${id}`;
    const hex = (++serial).toString(16).toUpperCase();
    await openssl(argv`genpkey ${keyArgs} -out ${key}`);
    await openssl(argv`req -new -key ${key} -subj ${subject} -out ${csr}`);
    await openssl(
      argv`x509 -req -in ${csr} -CA ${ca.cert} -CAkey ${ca.key} -set_serial ${`0x${hex}`}
           -days 30 -extfile ${f("signers.cnf")} -extensions ${ext} -out ${cert}`,
    );
    return { cert, key, subject, serial: hex };
  };
  const ec = (curve: string) => argv`-algorithm EC -pkeyopt ${`ec_paramgen_curve:${curve}`}`;
  const p256 = ec("P-256");
  const [rsa, p384, ed25519, ed448, foreign, fromRoot, unknownCritical, malformedExtension] =
    await Promise.all([
      issue(
        "rsa-signer",
        argv`-algorithm RSA -pkeyopt rsa_keygen_bits:2048`,
        pki.intermediate,
        "ocsp",
      ),
      issue("p384-signer", ec("P-384"), pki.intermediate, "ocsp"),
      issue("ed25519-signer", argv`-algorithm ED25519`, pki.intermediate, "ocsp"),
      issue("ed448-signer", argv`-algorithm ED448`, pki.intermediate, "ocsp"),
      issue("foreign-signer", p256, pki.foreignRoot, "ocsp"),
      issue("root-signer", p256, pki.root, "ocsp"),
      issue("critical-signer", p256, pki.intermediate, "unknown_critical"),
      issue("malformed-signer", p256, pki.intermediate, "malformed"),
    ]);
  return {
    rsa,
    p384,
    ed25519,
    ed448,
    foreign,
    fromRoot,
    unknownCritical,
    malformedExtension,
  };
}

// ---------------------------------------------------------------------------
// Mutations: the same ones drive the property tests (fast-check) and `npm run fuzz`
// ---------------------------------------------------------------------------

/** A DER value as a tree, to mutate structure while keeping every length consistent. */
export interface Node {
  tag: number;
  /** Children of a constructed value; content of a primitive one. */
  kids?: Node[];
  content?: Uint8Array;
  /** The DER value an OCTET STRING wraps (a BasicOCSPResponse, an extension's value). */
  inner?: Node;
}

export function toTree(der: Uint8Array, at = 0, end = der.length): Node {
  const t = readTlv(der, at, end);
  if (isConstructed(t.tag)) {
    return { tag: t.tag, kids: children(der, t).map((c) => toTree(der, c.start, c.end)) };
  }
  const content = der.subarray(t.contentStart, t.end);
  if (t.tag === TAG.OCTET_STRING && content.length > 1) {
    try {
      const inner = toTree(content);
      if (fromTree(inner).length === content.length) return { tag: t.tag, inner };
    } catch {
      /* an OCTET STRING of plain bytes */
    }
  }
  return { tag: t.tag, content };
}

/** Encodes `n`; `badHeader` gives one node a header DER forbids (see HEADER_DAMAGE). */
export function fromTree(n: Node, badHeader?: { node: Node; kind: number }): Uint8Array {
  const body = n.kids
    ? cat(...n.kids.map((k) => fromTree(k, badHeader)))
    : n.inner
      ? fromTree(n.inner, badHeader)
      : (n.content ?? new Uint8Array());
  if (badHeader?.node !== n) return encodeTlv(n.tag, body);
  return HEADER_DAMAGE[badHeader.kind % HEADER_DAMAGE.length]!(n.tag, body);
}

/** Headers that break DER: indefinite, non-minimal, one too long, one too short. */
const HEADER_DAMAGE: ((tag: number, body: Uint8Array) => Uint8Array)[] = [
  (tag, body) => cat(Uint8Array.of(tag | 0x20, 0x80), body, Uint8Array.of(0, 0)),
  (tag, body) => cat(Uint8Array.of(tag, 0x84, 0, 0, body.length >> 8, body.length & 0xff), body),
  (tag, body) => cat(encodeTlv(tag, body).subarray(0, -body.length || undefined), body),
  (tag, body) => {
    const e = encodeTlv(tag, cat(body, Uint8Array.of(0)));
    return e.subarray(0, e.length - 1);
  },
];

function nodes(n: Node, out: { node: Node; parent?: Node }[] = [], parent?: Node) {
  out.push({ node: n, parent });
  for (const k of n.kids ?? []) nodes(k, out, n);
  if (n.inner) nodes(n.inner, out);
  return out;
}

export const MUTATION_OPS = [
  "flip",
  "set",
  "insert",
  "delete",
  "truncate",
  "append",
  "tag",
  "drop",
  "dup",
  "nest",
  "content",
  "value",
  "splice",
  "header",
] as const;

export interface Mutation {
  readonly op: (typeof MUTATION_OPS)[number];
  /** Where, as a fraction of the length (byte ops) or of the node count (tree ops). */
  readonly at: number;
  readonly value: number;
  readonly count: number;
}

/**
 * Applies one mutation. Byte operations damage the encoding itself; tree operations keep it
 * well formed (lengths are recomputed) and damage the meaning, so they reach the verifier.
 * `pool` supplies foreign subtrees for "splice".
 */
export function mutate(der: Uint8Array, m: Mutation, pool: readonly Uint8Array[] = []): Uint8Array {
  const pos = Math.min(der.length, Math.floor(m.at * der.length));
  const fill = () => new Uint8Array(m.count).fill(m.value);
  switch (m.op) {
    case "flip": {
      if (der.length === 0) return der;
      const out = der.slice();
      out[Math.min(pos, der.length - 1)]! ^= 1 << (m.value & 7);
      return out;
    }
    case "set": {
      if (der.length === 0) return der;
      const out = der.slice();
      out[Math.min(pos, der.length - 1)] = m.value;
      return out;
    }
    case "insert":
      return cat(der.subarray(0, pos), fill(), der.subarray(pos));
    case "delete":
      return cat(der.subarray(0, pos), der.subarray(pos + Math.max(1, m.count)));
    case "truncate":
      return der.subarray(0, pos);
    case "append":
      return cat(der, fill());
  }
  let tree: Node;
  try {
    tree = toTree(der);
  } catch {
    return mutate(der, { ...m, op: "flip" });
  }
  const all = nodes(tree);
  const { node, parent } = all[Math.min(all.length - 1, Math.floor(m.at * all.length))]!;
  const siblings = parent?.kids;
  const i = siblings?.indexOf(node) ?? -1;
  switch (m.op) {
    case "tag": {
      const tag = (m.value & 0x1f) === 0x1f ? m.value ^ 1 : m.value;
      // The constructed bit follows the node's form, so the encoding stays readable.
      node.tag = node.kids ? tag | 0x20 : tag & ~0x20;
      break;
    }
    case "drop":
      if (siblings) siblings.splice(i, 1);
      break;
    case "dup":
      if (siblings) siblings.splice(i, 0, ...Array(1 + (m.count % 3)).fill(node));
      break;
    case "nest": {
      let inner: Node = { ...node };
      for (let k = 0; k < m.count % 48; k++) inner = { tag: TAG.SEQUENCE, kids: [inner] };
      Object.assign(node, {
        tag: TAG.SEQUENCE,
        kids: [inner],
        content: undefined,
        inner: undefined,
      });
      break;
    }
    case "content":
      if (node.kids) node.kids = [];
      else Object.assign(node, { content: fill(), inner: undefined });
      break;
    case "value":
      // Same length, other bytes: the structure still parses, the meaning changes.
      if (node.content?.length)
        node.content = node.content.map((b, k) =>
          k === m.count % node.content!.length ? b ^ (m.value | 1) : b,
        );
      break;
    case "splice": {
      const donor = pool.length ? pool[m.value % pool.length]! : der;
      try {
        const other = nodes(toTree(donor));
        const { node: graft } = other[m.count % other.length]!;
        const { tag, kids, content, inner } = graft;
        Object.assign(node, { tag, kids, content, inner });
      } catch {
        /* a donor that is not DER has nothing to graft */
      }
      break;
    }
    case "header":
      return fromTree(tree, { node, kind: m.value });
  }
  return fromTree(tree);
}

/** A small deterministic PRNG (mulberry32), so a fuzz run is reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomMutation(rand: () => number): Mutation {
  return {
    op: MUTATION_OPS[Math.floor(rand() * MUTATION_OPS.length)]!,
    at: rand(),
    value: Math.floor(rand() * 256),
    count: Math.floor(rand() * 64),
  };
}

// ---------------------------------------------------------------------------
// The invariants every input must keep (property tests and `npm run fuzz`)
// ---------------------------------------------------------------------------

export interface Target {
  /** The verification settings (trust, certificates) of the original responses. */
  readonly verify: VerifyOptions;
  readonly asked: readonly CertId[];
  readonly issuer: Certificate;
  readonly now: Date;
  /** tbs + signature of every original response: the only signed content that may verify. */
  readonly signed: ReadonlySet<string>;
}

export const signedKey = (bs: BasicResponse) =>
  `${Buffer.from(bs.tbs).toString("hex")}/${Buffer.from(bs.signature).toString("hex")}`;

export interface Outcome {
  readonly parsed: boolean;
  readonly verified: boolean;
  /** What went wrong: an exception that escaped, or a verdict that should not have passed. */
  readonly problem?: string;
}

const escaped = (where: string, err: unknown) =>
  `${where} threw ${(err as Error)?.name ?? typeof err}: ${(err as Error)?.stack ?? String(err)}`;

/**
 * Runs `input` through everything that reads untrusted bytes: the response and request
 * parsers, the text printers, the certificate parser, OpenSSL's verification and the strict
 * one. Parsers may only fail with their own error types; verifiers may never throw; and a
 * response may verify only if its signed bytes are an original's.
 */
export function exercise(input: Uint8Array, target: Target): Outcome {
  let parsed = false;
  let verified = false;
  const problem = (p: string): Outcome => ({ parsed, verified, problem: p });
  let resp: OcspResponse | undefined;
  try {
    resp = parseResponse(input);
    parsed = true;
  } catch (err) {
    if (!(err instanceof OcspError)) return problem(escaped("parseResponse", err));
  }
  if (resp) {
    try {
      responseText(resp);
    } catch (err) {
      return problem(escaped("responseText", err));
    }
  }
  // The reading for printing (ocsp -resp_text, inspect) reads more, and must print all it reads.
  try {
    responseText(parseResponse(input, true));
  } catch (err) {
    if (!(err instanceof OcspError)) return problem(escaped("printing", err));
  }
  const bs = resp?.basic;
  if (resp && bs) {
    for (const flags of FLAG_SETS) {
      let v: ReturnType<typeof verifyBasic>;
      try {
        v = verifyBasic(bs, { ...target.verify, flags });
      } catch (err) {
        return problem(escaped("verifyBasic", err));
      }
      if (v.ok && !flags.noSignature && !target.signed.has(signedKey(bs)))
        return problem(
          `verifyBasic accepted changed signed bytes (flags ${JSON.stringify(flags)})`,
        );
    }
    let strict: ReturnType<typeof verifyResponse>;
    try {
      strict = verifyResponse(resp, {
        asked: target.asked,
        issuer: target.issuer,
        trust: target.verify.store,
        extraCerts: target.verify.certs,
        now: target.now,
      });
    } catch (err) {
      return problem(escaped("verifyResponse", err));
    }
    verified = strict.ok;
    if (strict.ok && !target.signed.has(signedKey(bs)))
      return problem("verifyResponse accepted changed signed bytes");
  }
  try {
    requestText(parseRequest(input));
  } catch (err) {
    if (!(err instanceof OcspError)) return problem(escaped("parseRequest/requestText", err));
  }
  try {
    new Certificate(input);
  } catch (err) {
    if (!(err instanceof DerError)) return problem(escaped("Certificate", err));
  }
  return { parsed, verified };
}

/** OpenSSL's defaults, and the flag sets that skip parts of the work (never the signature). */
const FLAG_SETS: readonly VerifyFlags[] = [
  {},
  { noChecks: true },
  { trustOther: true },
  { noChain: true },
];

export interface Corpus {
  readonly responses: readonly Uint8Array[];
  readonly requests: readonly Uint8Array[];
  readonly target: Target;
}

/**
 * Valid responses from every kind of signer (delegated ECDSA P-256 and P-384, Ed25519,
 * RSA-PSS, the CA itself with RSA PKCS#1 v1.5, a byKey ResponderID), with all three statuses,
 * extensions and a nonce; and valid requests, plain and signed. All verify under `target`.
 */
export function buildCorpus(pki: Pki, extra: ExtraSigners, now = new Date()): Corpus {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const inter = loadCertificate(pki.intermediate.cert, "intermediate");
  const root = loadCertificate(pki.root.cert, "root");
  const leaf = (l: KeyPair) => loadCertificate(l.cert, "leaf");
  const id = (l: KeyPair) => certIdFor(inter, leaf(l), SHA1);
  const asked = [id(pki.leaves.good), id(pki.leaves.revoked.keyCompromise), id(pki.leaves.unknown)];
  const hour = 3_600_000;
  const responses: SingleSpec[] = [
    { certId: asked[0]!, status: "good", thisUpdate: at, nextUpdate: new Date(+at + hour) },
    {
      certId: asked[1]!,
      status: { revokedAt: new Date(+at - 24 * hour), reason: 1 },
      thisUpdate: at,
      nextUpdate: new Date(+at + hour),
      extensions: [
        {
          oid: "2.5.29.24",
          critical: false,
          value: encodeGeneralizedTime(new Date(+at - 48 * hour)),
        },
      ],
    },
    { certId: asked[2]!, status: "unknown", thisUpdate: at },
  ];
  const nonce = nonceExtension(Uint8Array.from({ length: 16 }, (_, i) => i));
  const signers: { s: Signer; scheme?: SignScheme; byKey?: boolean; certs: boolean }[] = [
    { s: loadSigner(pki.ocspSigner), certs: true },
    { s: loadSigner(pki.ocspSigner), certs: true, byKey: true },
    { s: loadSigner(pki.intermediate), certs: false },
    {
      s: loadSigner(extra.rsa),
      certs: true,
      scheme: { kind: "pss", digest: "sha256", saltLength: 32 },
    },
    { s: loadSigner(extra.p384), certs: true, scheme: { kind: "default", digest: "sha384" } },
    { s: loadSigner(extra.ed25519), certs: true },
  ];
  const out = signers.map(({ s, scheme, byKey, certs }) =>
    signedResponse({
      responderId: byKey ? { byKey: s.certificate.keyHash() } : { byName: s.certificate.subject },
      producedAt: at,
      responses,
      extensions: [nonce],
      key: s.privateKey,
      scheme,
      certs: certs ? [s.certificate] : [],
    }),
  );
  const signed = new Set(out.map((r) => signedKey(parseResponse(r).basic!)));
  const request = {
    requests: asked.map((certId) => ({ certId, extensions: [] })),
    extensions: [nonce],
  };
  const signer = loadSigner(pki.ocspSigner);
  return {
    responses: [...out, encodeOcspResponse(undefined, 6)],
    requests: [
      encodeRequest(request),
      signRequest(request, signer.certificate, signer.privateKey, [signer.certificate]),
    ],
    target: {
      verify: {
        certs: [inter],
        store: new TrustStore([root]),
        flags: {},
        chain: { at, partialChain: false },
      },
      asked,
      issuer: inter,
      now: at,
      signed,
    },
  };
}
