import { hex } from "../hex.js";
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
    issuerNameHash: hash(digest, cert ? cert.issuer : issuer.subject),
    issuerKeyHash: hash(digest, issuer.publicKeyBits),
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

/** Byte equality without copying: batches compare every asked CertID with every answer. */
function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A string key equal for exactly the CertIDs sameCertId calls equal. */
export function certIdKey(id: CertId): string {
  return `${id.hashAlgorithm}/${hex(id.issuerNameHash)}/${hex(id.issuerKeyHash)}/${hex(id.serial)}`;
}

/** Same issuer: algorithm OID and both hashes (OCSP_id_issuer_cmp). */
export function sameIssuer(a: CertId, b: CertId): boolean {
  return (
    a.hashAlgorithm === b.hashAlgorithm &&
    eq(a.issuerNameHash, b.issuerNameHash) &&
    eq(a.issuerKeyHash, b.issuerKeyHash)
  );
}

export function sameCertId(a: CertId, b: CertId): boolean {
  return sameIssuer(a, b) && eq(a.serial, b.serial);
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
