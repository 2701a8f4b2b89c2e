import { sameBytes } from "../der/der.js";
import type { Certificate } from "../x509/cert.js";
import { type Digest, digestByOid, hash } from "./digests.js";

/** RFC 6960 §4.1.1 CertID. Compared byte-wise, as OpenSSL's OCSP_id_cmp does. */
export interface CertId {
  readonly hashAlgorithm: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  /** The INTEGER contents (two's complement, as encoded). */
  readonly serial: Uint8Array;
}

/**
 * The CertID for `subject` (a certificate, or a bare serial) under `issuer`. Like OpenSSL's
 * OCSP_cert_to_id, the name hash is of the certificate's own issuer field when a certificate
 * is given, and the key hash is always of `issuer`'s key: a wrong -issuer then yields a
 * CertID that no honest responder can vouch for, rather than a silently "corrected" one.
 */
export function certIdFor(
  issuer: Certificate,
  subject: Certificate | Uint8Array,
  digest: Digest,
): CertId {
  const cert = subject instanceof Uint8Array ? undefined : subject;
  return {
    hashAlgorithm: digest.oid,
    issuerNameHash: nameHash(digest, cert ? cert.issuer : issuer.subject),
    issuerKeyHash: keyHash(digest, issuer),
    serial: cert ? cert.serial : (subject as Uint8Array),
  };
}

/**
 * Does `ca` hash to the CertID's issuer fields (its name and key, OpenSSL's OCSP_id_issuer_cmp
 * against the CA's own CertID)? Undefined when ocspkit has no such digest.
 */
export function issuerHashesMatch(ca: Certificate, id: CertId): boolean | undefined {
  const d = digestByOid(id.hashAlgorithm);
  return d === undefined ? undefined : sameIssuer(certIdFor(ca, id.serial, d), id);
}

// A batch asks about many certificates of few CAs: each CA's key and each issuer name are
// hashed once (the hashes are shared, and nothing writes to a CertID). Keys by certificate,
// names by their bytes in a bounded, oldest-out memo.
const keyHashes = new WeakMap<Certificate, Map<string, Uint8Array>>();
const MEMO_SIZE = 256;
const nameHashes = new Map<string, Uint8Array>();

function keyHash(digest: Digest, ca: Certificate): Uint8Array {
  let byDigest = keyHashes.get(ca);
  if (!byDigest) {
    byDigest = new Map();
    keyHashes.set(ca, byDigest);
  }
  let h = byDigest.get(digest.name);
  if (!h) {
    h = hash(digest, ca.publicKeyBits);
    byDigest.set(digest.name, h);
  }
  return h;
}

// The certificates of a batch name their issuer alike: the last name hashed is compared first,
// which costs less than making its key.
let lastName: { digest: string; name: Uint8Array; hash: Uint8Array } | undefined;

function nameHash(digest: Digest, name: Uint8Array): Uint8Array {
  if (lastName?.digest === digest.name && sameBytes(lastName.name, name)) return lastName.hash;
  const k = `${digest.name}\0${Buffer.from(name.buffer, name.byteOffset, name.byteLength).toString("latin1")}`;
  let h = nameHashes.get(k);
  if (!h) {
    h = hash(digest, name);
    if (nameHashes.size >= MEMO_SIZE) nameHashes.delete(nameHashes.keys().next().value!);
    nameHashes.set(k, h);
  }
  lastName = { digest: digest.name, name: name.slice(), hash: h };
  return h;
}

/**
 * A number equal for CertIDs sameCertId calls equal: the serial's length and last four octets,
 * the part that tells the CertIDs of a batch apart (serials are random or counted up), read in
 * place without a string of the bytes.
 */
export function certIdHash(id: CertId): number {
  const s = id.serial;
  let h = s.length;
  for (let i = Math.max(0, s.length - 4); i < s.length; i++) h = (h << 8) ^ s[i]!;
  return h;
}

/** Same issuer: algorithm OID and both hashes (OCSP_id_issuer_cmp). */
export function sameIssuer(a: CertId, b: CertId): boolean {
  return (
    a.hashAlgorithm === b.hashAlgorithm &&
    sameBytes(a.issuerNameHash, b.issuerNameHash) &&
    sameBytes(a.issuerKeyHash, b.issuerKeyHash)
  );
}

export function sameCertId(a: CertId, b: CertId): boolean {
  return sameIssuer(a, b) && sameBytes(a.serial, b.serial);
}

/**
 * Parses a serial as `openssl ocsp -serial` does (s2i_ASN1_INTEGER): decimal, or hex after
 * 0x/0X, optionally negative. Returns the INTEGER contents, or undefined when it is not a number.
 */
export function parseSerial(text: string): Uint8Array | undefined {
  let s = text.trim();
  let neg = false;
  if (s.startsWith("-")) {
    neg = true;
    s = s.slice(1);
  }
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(s)) v = BigInt(s);
  else if (/^[0-9]+$/.test(s)) v = BigInt(s);
  else return undefined;
  return encodeInteger(neg ? -v : v);
}

/** Minimal two's-complement INTEGER contents. */
export function encodeInteger(v: bigint): Uint8Array {
  if (v === 0n) return Uint8Array.of(0);
  const bytes: number[] = [];
  let n = v;
  // Emit bytes until the remaining value is pure sign extension of the last byte emitted.
  for (;;) {
    const b = Number(n & 0xffn);
    bytes.unshift(b);
    n >>= 8n;
    if ((n === 0n && (b & 0x80) === 0) || (n === -1n && (b & 0x80) !== 0)) break;
  }
  return Uint8Array.from(bytes);
}
