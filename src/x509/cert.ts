import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import {
  bytesOf,
  checkBitString,
  checkDer,
  children,
  contentOf,
  DerError,
  expectTag,
  sameBytes,
  TAG,
  type Tlv,
} from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { stringText, UTF8_STRING } from "../der/strings.js";
import { parseTime, readTimeForPrint, timeOf } from "../der/time.js";
import { describe } from "../errors.js";
import {
  decodeAccessUris,
  decodeBasicConstraints,
  decodeCrlUris,
  decodeExtKeyUsage,
} from "./extensions.js";

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
  /** The algorithm the signed part names; RFC 5280 §4.1.1.2 wants it equal to the outer one. */
  readonly tbsSignatureAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
  /** The signature BIT STRING's unused-bits count; anything but 0 fails verification. */
  readonly signatureUnusedBits: number;
  readonly extensions: readonly Extension[];
  readonly version: number;
  #publicKey?: KeyObject;
  #serialHex?: string;
  #keyUsage?: Set<number> | null;

  /**
   * `forPrint`: read the validity times as OpenSSL's decoder does (see readTimeForPrint), for a
   * certificate that is only printed, such as one inside an OCSP message shown with -resp_text.
   */
  constructor(der: Uint8Array, forPrint = false) {
    this.der = der;
    // The validity times are judged below, where an error can name them.
    const top = checkDer(der, { timesForPrint: true });
    expectTag(top, TAG.SEQUENCE, "Certificate");
    const [tbsT, algT, sigT, ...rest] = children(der, top);
    if (!tbsT || !algT || !sigT || rest.length) throw new DerError("Certificate: wrong shape", 0);
    expectTag(tbsT, TAG.SEQUENCE, "TBSCertificate");
    this.tbs = bytesOf(der, tbsT);
    this.signatureAlgorithm = parseAlgorithm(der, algT);
    this.signature = bitStringBytes(der, sigT);
    this.signatureUnusedBits = der[sigT.contentStart]!;
    const f = children(der, tbsT);
    let i = 0;
    this.version = 0;
    if (f[0]?.tag === 0xa0) {
      const [v, extra] = children(der, f[0]);
      if (!v || extra) throw new DerError("Certificate: [0] must hold one version", f[0].start);
      expectTag(v, TAG.INTEGER, "version");
      this.version = contentOf(der, v)[0] ?? 0;
      i = 1;
    }
    const [serialT, innerAlgT, issuerT, validityT, subjectT, spkiT, ...more] = f.slice(i);
    if (!serialT || !innerAlgT || !issuerT || !validityT || !subjectT || !spkiT) {
      throw new DerError("TBSCertificate: missing fields", tbsT.start);
    }
    expectTag(serialT, TAG.INTEGER, "serialNumber");
    this.serial = contentOf(der, serialT);
    this.tbsSignatureAlgorithm = parseAlgorithm(der, innerAlgT);
    this.issuer = nameBytes(der, issuerT, "issuer");
    expectTag(validityT, TAG.SEQUENCE, "validity");
    const [nb, na, extraTime] = children(der, validityT);
    if (!nb || !na || extraTime) throw new DerError("validity: not two times", validityT.start);
    const readTime = forPrint ? readTimeForPrint : parseTime;
    this.notBefore = timeOf(der, nb, "notBefore", readTime);
    this.notAfter = timeOf(der, na, "notAfter", readTime);
    this.subject = nameBytes(der, subjectT, "subject");
    expectTag(spkiT, TAG.SEQUENCE, "subjectPublicKeyInfo");
    this.spki = bytesOf(der, spkiT);
    const [keyAlgT, keyT, extraKey] = children(der, spkiT);
    if (!keyAlgT || !keyT || extraKey)
      throw new DerError("subjectPublicKeyInfo: wrong shape", spkiT.start);
    parseAlgorithm(der, keyAlgT);
    this.publicKeyBits = bitStringBytes(der, keyT);
    // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each optional, in this order.
    let last = 0;
    for (const t of more) {
      const n = t.tag & 0x1f;
      if (t.tag !== (n === 3 ? 0xa3 : 0x80 | n) || n <= last || n > 3) {
        throw new DerError(
          `TBSCertificate: unexpected field with tag 0x${t.tag.toString(16)}`,
          t.start,
        );
      }
      last = n;
      if (n < 3) checkBitString(der, t);
    }
    const extsT = more.find((t) => t.tag === 0xa3);
    this.extensions = extsT ? parseExtensions(der, extsT) : [];
  }

  get publicKey(): KeyObject {
    this.#publicKey ??= publicKeyOf(this.spki);
    return this.#publicKey;
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.find((e) => e.oid === oid);
  }

  /** Serial as OpenSSL prints it in hex: upper case, even length, no sign byte. */
  get serialHex(): string {
    this.#serialHex ??= serialToHex(this.serial);
    return this.#serialHex;
  }

  get selfIssued(): boolean {
    return sameBytes(this.subject, this.issuer);
  }

  get basicConstraints(): { ca: boolean; pathLen?: number } | undefined {
    return this.decodeExtension(OID.basicConstraints, decodeBasicConstraints);
  }

  /** Key usage bits, or undefined when the extension is absent (any use allowed). */
  get keyUsage(): Set<number> | undefined {
    // Read at each issuer check; a malformed value throws again each time, as it did the first.
    if (this.#keyUsage === undefined) this.#keyUsage = this.decodeKeyUsage() ?? null;
    return this.#keyUsage ?? undefined;
  }

  private decodeKeyUsage(): Set<number> | undefined {
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
    return this.decodeExtension(OID.extKeyUsage, decodeExtKeyUsage);
  }

  get ocspUrls(): string[] {
    return this.accessUrls(OID.adOcsp);
  }

  get caIssuersUrls(): string[] {
    return this.accessUrls(OID.adCaIssuers);
  }

  get crlUrls(): string[] {
    return this.decodeExtension(OID.crlDistributionPoints, decodeCrlUris) ?? [];
  }

  private accessUrls(method: string): string[] {
    return this.decodeExtension(OID.authorityInfoAccess, (v) => decodeAccessUris(v, method)) ?? [];
  }

  /**
   * The extension `oid` decoded by `decode`, undefined when absent. A value that is not DER or
   * not that structure is a DerError naming the extension, like any other malformed part of
   * the certificate.
   */
  decodeExtension<T>(oid: string, decode: (value: Uint8Array) => T): T | undefined {
    const e = this.extension(oid);
    if (!e) return undefined;
    try {
      return decode(e.value);
    } catch (err) {
      const at = e.value.byteOffset - this.der.byteOffset;
      throw new DerError(`extension ${oid} is malformed (${describe(err)})`, at);
    }
  }

  /** SHA-1 of the public key bits: the ResponderID byKey and SubjectKeyIdentifier method 1. */
  keyHash(alg = "sha1"): Buffer {
    return createHash(alg).update(this.publicKeyBits).digest();
  }

  equals(other: Certificate): boolean {
    return sameBytes(this.der, other.der);
  }
}

// The same responder certificate arrives in every response it signs; importing its key is a
// sixth of the cost of verifying one, so imported keys are kept (a bounded, oldest-out cache).
const KEY_CACHE_SIZE = 256;
const keyCache = new Map<string, KeyObject>();

function publicKeyOf(spki: Uint8Array): KeyObject {
  const k = Buffer.from(spki).toString("latin1");
  let key = keyCache.get(k);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(k, key);
  }
  return key;
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
    oid: decodeOid(buf, oidT.contentStart, oidT.end),
    params: paramsT ? bytesOf(buf, paramsT) : undefined,
  };
}

/**
 * Universal tags a Name's attribute value may carry: X509_NAME_ENTRY reads it as
 * ASN1_PRINTABLE, which admits the text types, BIT STRING, SEQUENCE and the tags OpenSSL files
 * as unknown; a VisibleString, an INTEGER or a time there makes OpenSSL refuse the structure.
 */
const NAME_VALUE_TAGS = new Set([3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30]);

/**
 * The bytes of a Name (RFC 5280 §4.1.2.4: a SEQUENCE of non-empty SETs of type-and-value
 * pairs), after checking that shape and that each value is one OpenSSL reads: everything that
 * matches or prints names relies on it.
 */
export function nameBytes(buf: Uint8Array, t: Tlv, what: string): Uint8Array {
  expectTag(t, TAG.SEQUENCE, what);
  for (const rdn of children(buf, t)) {
    expectTag(rdn, TAG.SET, `${what} RDN`);
    const pairs = children(buf, rdn);
    if (pairs.length === 0) throw new DerError(`${what}: empty RDN`, rdn.start);
    for (const pair of pairs) {
      expectTag(pair, TAG.SEQUENCE, `${what} attribute`);
      const [type, value, extra] = children(buf, pair);
      if (!type || !value || extra)
        throw new DerError(`${what}: attribute of wrong shape`, pair.start);
      expectTag(type, TAG.OID, `${what} attribute type`);
      if ((value.tag & 0xc0) !== 0 || !NAME_VALUE_TAGS.has(value.tag & 0x1f))
        throw new DerError(
          `${what}: attribute value with tag 0x${value.tag.toString(16)}`,
          value.start,
        );
      // Only UTF-8, UCS-2 and UCS-4 text can be unreadable, and ASCII UTF-8 never is.
      const c = contentOf(buf, value);
      if (
        value.tag === UTF8_STRING
          ? !isAscii(c)
          : value.tag === TAG.BMP_STRING || value.tag === TAG.UNIVERSAL_STRING
      )
        stringText(value.tag, c, value.contentStart);
    }
  }
  return bytesOf(buf, t);
}

function isAscii(c: Uint8Array): boolean {
  for (let i = 0; i < c.length; i++) if (c[i]! > 0x7f) return false;
  return true;
}

export function bitStringBytes(buf: Uint8Array, t: Tlv): Uint8Array {
  expectTag(t, TAG.BIT_STRING, "BIT STRING");
  const c = contentOf(buf, t);
  if (c.length === 0) throw new DerError("BIT STRING: empty", t.start);
  return c.subarray(1);
}

export function parseExtensions(buf: Uint8Array, wrapper: Tlv): Extension[] {
  const [seq, extra] = children(buf, wrapper);
  if (!seq || extra) throw new DerError("extensions: [3] must hold one SEQUENCE", wrapper.start);
  return parseExtensionList(buf, seq);
}

export function parseExtensionList(buf: Uint8Array, seq: Tlv): Extension[] {
  expectTag(seq, TAG.SEQUENCE, "Extensions");
  return children(buf, seq).map((ext) => {
    expectTag(ext, TAG.SEQUENCE, "Extension");
    const [oidT, second, third, extra] = children(buf, ext);
    if (!oidT) throw new DerError("Extension: empty", ext.start);
    expectTag(oidT, TAG.OID, "extnID");
    const hasCritical = second?.tag === TAG.BOOLEAN;
    const valueT = hasCritical ? third : second;
    if (!valueT) throw new DerError("Extension: no value", ext.start);
    if (extra || (!hasCritical && third))
      throw new DerError("Extension: too many fields", ext.start);
    expectTag(valueT, TAG.OCTET_STRING, "extnValue");
    return {
      oid: decodeOid(buf, oidT.contentStart, oidT.end),
      critical: hasCritical && contentOf(buf, second!)[0] !== 0,
      value: contentOf(buf, valueT),
    };
  });
}
