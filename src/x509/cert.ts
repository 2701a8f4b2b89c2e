import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityInfoAccessSyntax,
  BasicConstraints,
  CRLDistributionPoints,
  ExtendedKeyUsage,
} from "@peculiar/asn1-x509";
import {
  bytesOf,
  checkDer,
  children,
  contentOf,
  DerError,
  expectTag,
  TAG,
  type Tlv,
} from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { parseTime } from "../der/time.js";

export const OID = {
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  crlDistributionPoints: "2.5.29.31",
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",
  kpOcspSigning: "1.3.6.1.5.5.7.3.9",
  kpAny: "2.5.29.37.0",
  adOcsp: "1.3.6.1.5.5.7.48.1",
  adCaIssuers: "1.3.6.1.5.5.7.48.2",
} as const;

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue contents (the DER of the extension's own structure). */
  readonly value: Uint8Array;
}

export interface AlgorithmId {
  readonly oid: string;
  /** DER of the parameters, absent when the field is omitted. */
  readonly params?: Uint8Array;
}

/** X.509 key usage bits, numbered as in RFC 5280 §4.2.1.3. */
export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5 } as const;

/**
 * A parsed certificate. Names, keys and the signed part are kept as the exact bytes of the
 * original encoding: CertID hashes and signatures are over those bytes, not a re-encoding.
 */
export class Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly serial: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly spki: Uint8Array;
  /** The subjectPublicKey BIT STRING contents after the unused-bits octet. */
  readonly publicKeyBits: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
  readonly extensions: readonly Extension[];
  readonly version: number;
  #publicKey?: KeyObject;

  constructor(der: Uint8Array) {
    this.der = der;
    const top = checkDer(der);
    expectTag(top, TAG.SEQUENCE, "Certificate");
    const [tbsT, algT, sigT, ...rest] = children(der, top);
    if (!tbsT || !algT || !sigT || rest.length) throw new DerError("Certificate: wrong shape", 0);
    expectTag(tbsT, TAG.SEQUENCE, "TBSCertificate");
    this.tbs = bytesOf(der, tbsT);
    this.signatureAlgorithm = parseAlgorithm(der, algT);
    this.signature = bitStringBytes(der, sigT);
    const f = children(der, tbsT);
    let i = 0;
    this.version = 0;
    if (f[0]?.tag === 0xa0) {
      const [v] = children(der, f[0]);
      if (!v) throw new DerError("Certificate: empty version", f[0].start);
      expectTag(v, TAG.INTEGER, "version");
      this.version = contentOf(der, v)[0] ?? 0;
      i = 1;
    }
    const [serialT, , issuerT, validityT, subjectT, spkiT, ...more] = f.slice(i);
    if (!serialT || !issuerT || !validityT || !subjectT || !spkiT) {
      throw new DerError("TBSCertificate: missing fields", tbsT.start);
    }
    expectTag(serialT, TAG.INTEGER, "serialNumber");
    this.serial = contentOf(der, serialT);
    expectTag(issuerT, TAG.SEQUENCE, "issuer");
    this.issuer = bytesOf(der, issuerT);
    const [nb, na] = children(der, validityT);
    if (!nb || !na) throw new DerError("validity: missing times", validityT.start);
    this.notBefore = parseTime(der, nb);
    this.notAfter = parseTime(der, na);
    expectTag(subjectT, TAG.SEQUENCE, "subject");
    this.subject = bytesOf(der, subjectT);
    expectTag(spkiT, TAG.SEQUENCE, "subjectPublicKeyInfo");
    this.spki = bytesOf(der, spkiT);
    const [, keyT] = children(der, spkiT);
    if (!keyT) throw new DerError("subjectPublicKeyInfo: no key", spkiT.start);
    this.publicKeyBits = bitStringBytes(der, keyT);
    const extsT = more.find((t) => t.tag === 0xa3);
    this.extensions = extsT ? parseExtensions(der, extsT) : [];
  }

  get publicKey(): KeyObject {
    this.#publicKey ??= createPublicKey({
      key: Buffer.from(this.spki),
      format: "der",
      type: "spki",
    });
    return this.#publicKey;
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  /** Serial as OpenSSL prints it in hex: upper case, even length, no sign byte. */
  get serialHex(): string {
    return serialToHex(this.serial);
  }

  get selfIssued(): boolean {
    return Buffer.from(this.subject).equals(this.issuer);
  }

  get basicConstraints(): { ca: boolean; pathLen?: number } | undefined {
    const e = this.extension(OID.basicConstraints);
    if (!e) return undefined;
    const bc = AsnConvert.parse(e.value, BasicConstraints);
    return { ca: bc.cA, pathLen: bc.pathLenConstraint };
  }

  /** Key usage bits, or undefined when the extension is absent (any use allowed). */
  get keyUsage(): Set<number> | undefined {
    const e = this.extension(OID.keyUsage);
    if (!e) return undefined;
    const t = checkDer(e.value);
    expectTag(t, TAG.BIT_STRING, "keyUsage");
    const c = contentOf(e.value, t);
    const bits = new Set<number>();
    for (let byte = 1; byte < c.length; byte++) {
      for (let b = 0; b < 8; b++) if (c[byte]! & (0x80 >> b)) bits.add((byte - 1) * 8 + b);
    }
    return bits;
  }

  /** Extended key usage OIDs, or undefined when the extension is absent. */
  get extKeyUsage(): string[] | undefined {
    const e = this.extension(OID.extKeyUsage);
    if (!e) return undefined;
    return AsnConvert.parse(e.value, ExtendedKeyUsage).map(String);
  }

  get ocspUrls(): string[] {
    return this.accessUrls(OID.adOcsp);
  }

  get caIssuersUrls(): string[] {
    return this.accessUrls(OID.adCaIssuers);
  }

  get crlUrls(): string[] {
    const e = this.extension(OID.crlDistributionPoints);
    if (!e) return [];
    const urls: string[] = [];
    for (const dp of AsnConvert.parse(e.value, CRLDistributionPoints)) {
      for (const gn of dp.distributionPoint?.fullName ?? []) {
        if (gn.uniformResourceIdentifier) urls.push(gn.uniformResourceIdentifier);
      }
    }
    return urls;
  }

  private accessUrls(method: string): string[] {
    const e = this.extension(OID.authorityInfoAccess);
    if (!e) return [];
    return AsnConvert.parse(e.value, AuthorityInfoAccessSyntax)
      .filter((ad) => ad.accessMethod === method && ad.accessLocation.uniformResourceIdentifier)
      .map((ad) => ad.accessLocation.uniformResourceIdentifier!);
  }

  /** SHA-1 of the public key bits: the ResponderID byKey and SubjectKeyIdentifier method 1. */
  keyHash(alg = "sha1"): Buffer {
    return createHash(alg).update(this.publicKeyBits).digest();
  }

  equals(other: Certificate): boolean {
    return Buffer.from(this.der).equals(other.der);
  }
}

export function serialToHex(serial: Uint8Array): string {
  let s = Buffer.from(serial).toString("hex").toUpperCase();
  // OpenSSL prints the magnitude: a leading 00 only guards the sign bit.
  if (s.length > 2 && s.startsWith("00")) s = s.slice(2);
  return s;
}

export function parseAlgorithm(buf: Uint8Array, t: Tlv): AlgorithmId {
  expectTag(t, TAG.SEQUENCE, "AlgorithmIdentifier");
  const [oidT, paramsT, extra] = children(buf, t);
  if (!oidT || extra) throw new DerError("AlgorithmIdentifier: wrong shape", t.start);
  expectTag(oidT, TAG.OID, "algorithm");
  return {
    oid: decodeOid(contentOf(buf, oidT)),
    params: paramsT ? bytesOf(buf, paramsT) : undefined,
  };
}

export function bitStringBytes(buf: Uint8Array, t: Tlv): Uint8Array {
  expectTag(t, TAG.BIT_STRING, "BIT STRING");
  const c = contentOf(buf, t);
  if (c.length === 0) throw new DerError("BIT STRING: empty", t.start);
  return c.subarray(1);
}

export function parseExtensions(buf: Uint8Array, wrapper: Tlv): Extension[] {
  const [seq] = children(buf, wrapper);
  if (!seq) throw new DerError("extensions: empty wrapper", wrapper.start);
  return parseExtensionList(buf, seq);
}

export function parseExtensionList(buf: Uint8Array, seq: Tlv): Extension[] {
  expectTag(seq, TAG.SEQUENCE, "Extensions");
  return children(buf, seq).map((ext) => {
    expectTag(ext, TAG.SEQUENCE, "Extension");
    const parts = children(buf, ext);
    const oidT = parts[0];
    if (!oidT) throw new DerError("Extension: empty", ext.start);
    expectTag(oidT, TAG.OID, "extnID");
    let critical = false;
    let valueT = parts[1];
    if (valueT?.tag === TAG.BOOLEAN) {
      critical = contentOf(buf, valueT)[0] !== 0;
      valueT = parts[2];
    }
    if (!valueT) throw new DerError("Extension: no value", ext.start);
    expectTag(valueT, TAG.OCTET_STRING, "extnValue");
    return { oid: decodeOid(contentOf(buf, oidT)), critical, value: contentOf(buf, valueT) };
  });
}
