// A deliberately small X.509 issuer for the demo's throw-away PKI: DER by ocspkit's own
// encoder, signatures by node:crypto, only the extensions an OCSP PKI needs. Not a CA product:
// no policy, no name constraints, EC P-256 keys.
import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { checkDer, children, encodeTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { encodeInteger } from "../ocsp/certid.js";
import { encodeAlgorithm, signatureAlgorithmFor, signBytes } from "../ocsp/sign.js";
import { bitStringBytes, Certificate, OID } from "../x509/cert.js";

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, cat(...parts));
const oid = (s: string) => encodeTlv(TAG.OID, encodeOid(s));
const UTF8 = 0x0c;
const UTC_TIME = 0x17;

export interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

export function newKey(): KeyPair {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

export interface Issuer {
  readonly cert: Certificate;
  readonly key: KeyObject;
}

export interface CertSpec {
  /** Common name; every name also gets O=ocspkit demo. */
  readonly cn: string;
  readonly serial: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly key: KeyPair;
  /** Absent: self-signed. */
  readonly issuer?: Issuer;
  /** A CA, with this path length constraint (undefined: none). */
  readonly ca?: { readonly pathLen?: number };
  /** A delegated OCSP responder: id-kp-OCSPSigning and id-pkix-ocsp-nocheck. */
  readonly ocspSigning?: boolean;
  readonly ocspUrl?: string;
  readonly caIssuersUrl?: string;
  readonly crlUrl?: string;
}

function demoName(cn: string): Uint8Array {
  const rdn = (type: string, value: string) =>
    encodeTlv(TAG.SET, seq(oid(type), encodeTlv(UTF8, Buffer.from(value, "utf8"))));
  return seq(rdn("2.5.4.10", "ocspkit demo"), rdn("2.5.4.3", cn));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049. */
function utcTime(d: Date): Uint8Array {
  const s = d.toISOString().replace(/[-T:]/g, "").slice(2, 14);
  return encodeTlv(UTC_TIME, Buffer.from(`${s}Z`, "latin1"));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  const flag = critical ? [Uint8Array.of(TAG.BOOLEAN, 1, 0xff)] : [];
  return seq(oid(id), ...flag, encodeTlv(TAG.OCTET_STRING, value));
}

/** BIT STRING of KeyUsage bits, numbered as in RFC 5280 (0 = digitalSignature). */
function keyUsage(bits: number[]): Uint8Array {
  const bytes = Uint8Array.of(0, 0);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const used = bytes[1] ? 2 : 1;
  const last = bytes[used - 1]!;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return encodeTlv(TAG.BIT_STRING, cat(Uint8Array.of(unused), bytes.subarray(0, used)));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (what keyHash() computes). */
function keyId(spki: Uint8Array): Uint8Array {
  const [, keyT] = children(spki, checkDer(spki));
  return new Uint8Array(createHash("sha1").update(bitStringBytes(spki, keyT!)).digest());
}

const uri = (u: string) => encodeTlv(0x86, Buffer.from(u, "latin1"));

function extensions(s: CertSpec, subjectKeyId: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const bc = s.ca
    ? seq(
        Uint8Array.of(TAG.BOOLEAN, 1, 0xff),
        ...(s.ca.pathLen === undefined
          ? []
          : [encodeTlv(TAG.INTEGER, encodeInteger(BigInt(s.ca.pathLen)))]),
      )
    : seq();
  out.push(extension(OID.basicConstraints, true, bc));
  // keyCertSign 5 + cRLSign 6 for CAs; digitalSignature 0 for the rest.
  out.push(extension(OID.keyUsage, true, keyUsage(s.ca ? [5, 6] : [0])));
  if (!s.ca) {
    const eku = s.ocspSigning ? OID.kpOcspSigning : "1.3.6.1.5.5.7.3.1";
    out.push(extension(OID.extKeyUsage, false, seq(oid(eku))));
  }
  if (s.ocspSigning) out.push(extension(OID.ocspNoCheck, false, Uint8Array.of(TAG.NULL, 0)));
  out.push(extension("2.5.29.14", false, encodeTlv(TAG.OCTET_STRING, subjectKeyId)));
  if (s.issuer) {
    const aki = s.issuer.cert.keyHash();
    out.push(extension("2.5.29.35", false, seq(encodeTlv(0x80, aki))));
  }
  const access = [
    ...(s.ocspUrl ? [seq(oid(OID.adOcsp), uri(s.ocspUrl))] : []),
    ...(s.caIssuersUrl ? [seq(oid(OID.adCaIssuers), uri(s.caIssuersUrl))] : []),
  ];
  if (access.length) out.push(extension(OID.authorityInfoAccess, false, seq(...access)));
  if (s.crlUrl) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
    const dp = seq(encodeTlv(0xa0, encodeTlv(0xa0, uri(s.crlUrl))));
    out.push(extension(OID.crlDistributionPoints, false, seq(dp)));
  }
  return out;
}

export function issue(s: CertSpec): Certificate {
  const spki = new Uint8Array(s.key.publicKey.export({ type: "spki", format: "der" }));
  const signer = s.issuer?.key ?? s.key.privateKey;
  const algorithm = signatureAlgorithmFor(signer);
  const tbs = seq(
    encodeTlv(0xa0, encodeTlv(TAG.INTEGER, Uint8Array.of(2))),
    encodeTlv(TAG.INTEGER, encodeInteger(s.serial)),
    encodeAlgorithm(algorithm),
    s.issuer ? s.issuer.cert.subject : demoName(s.cn),
    seq(utcTime(s.notBefore), utcTime(s.notAfter)),
    demoName(s.cn),
    spki,
    encodeTlv(0xa3, seq(...extensions(s, keyId(spki)))),
  );
  const { signature } = signBytes(signer, tbs);
  const bits = encodeTlv(TAG.BIT_STRING, cat(Uint8Array.of(0), signature));
  return new Certificate(seq(tbs, encodeAlgorithm(algorithm), bits));
}
