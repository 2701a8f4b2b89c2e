import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import {
  BIT_STRING,
  BMP_STRING,
  BOOLEAN,
  checkBitString,
  checkDer,
  contentOf,
  DerError,
  expectTag,
  INTEGER,
  newSlot,
  OCTET_STRING,
  OID as OID_TAG,
  readTlv,
  readTlvInto,
  SEQUENCE,
  SET,
  sameBytes,
  type Tlv,
  type TlvSlot,
  UNIVERSAL_STRING,
  wrongTag,
} from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { stringText, UTF8_STRING } from "../der/strings.js";
import { checkTimeTag, parseTime, readTimeForPrint, timeMs, timeOf } from "../der/time.js";
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

/** The validity times are judged where an error can name them (see Certificate). */
const TIMES_UNJUDGED = { timesForPrint: true } as const;

/**
 * A parsed certificate. Names, keys and the signed part are kept as the exact bytes of the
 * original encoding: CertID hashes and signatures are over those bytes, not a re-encoding.
 *
 * The constructor checks everything (DER, shape, names, times, algorithms, extension list) but
 * keeps only where each part starts: the views, times, algorithms and extensions are made when
 * first read. A check of 1,000 certificates reads a few parts of each, and making them all up
 * front cost as much in garbage collection as the decoding itself.
 */
export class Certificate {
  readonly der: Uint8Array;
  /** The signature BIT STRING's unused-bits count; anything but 0 fails verification. */
  readonly signatureUnusedBits: number;
  readonly version: number;
  readonly #forPrint: boolean;
  // Where each part's TLV starts in `der`.
  readonly #tbsAt: number;
  readonly #signatureAlgorithmAt: number;
  readonly #signatureAt: number;
  readonly #serialAt: number;
  readonly #tbsSignatureAlgorithmAt: number;
  readonly #issuerAt: number;
  readonly #notBeforeAt: number;
  readonly #notAfterAt: number;
  readonly #subjectAt: number;
  readonly #spkiAt: number;
  readonly #publicKeyAt: number;
  /** The SEQUENCE inside [3], or -1 when there are no extensions. */
  readonly #extensionsAt: number;
  #tbs?: Uint8Array;
  #signatureAlgorithm?: AlgorithmId;
  #signature?: Uint8Array;
  #serial?: Uint8Array;
  #tbsSignatureAlgorithm?: AlgorithmId;
  #issuer?: Uint8Array;
  #notBefore?: Date;
  #notAfter?: Date;
  #subject?: Uint8Array;
  #spki?: Uint8Array;
  #publicKeyBits?: Uint8Array;
  #extensions?: readonly Extension[];
  #publicKey?: KeyObject;
  #serialHex?: string;
  #keyUsage?: Set<number> | null;

  /**
   * `forPrint`: read the validity times as OpenSSL's decoder does (see readTimeForPrint), for a
   * certificate that is only printed, such as one inside an OCSP message shown with -resp_text.
   */
  constructor(der: Uint8Array, forPrint = false) {
    this.der = der;
    this.#forPrint = forPrint;
    const top = checkDer(der, TIMES_UNJUDGED);
    expectTag(top, SEQUENCE, "Certificate");
    // Each value is read into `s` in turn; a field's start is kept, and read again when needed.
    const s = newSlot();
    const end = top.end;
    const tbsAt = top.contentStart;
    const algAt = skip(der, tbsAt, end, s);
    const sigAt = skip(der, algAt, end, s);
    if (sigAt === end || skip(der, sigAt, end, s) !== end)
      throw new DerError("Certificate: wrong shape", 0);
    const tbsEnd = readTlvInto(der, tbsAt, end, s).end;
    expectTag(s, SEQUENCE, "TBSCertificate");
    let p = s.contentStart;
    checkAlgorithm(der, readTlvInto(der, algAt, end, s), s);
    checkBitStringField(readTlvInto(der, sigAt, end, s));
    this.signatureUnusedBits = der[s.contentStart]!;
    this.#tbsAt = tbsAt;
    this.#signatureAlgorithmAt = algAt;
    this.#signatureAt = sigAt;

    this.version = 0;
    if (p < tbsEnd && der[p] === 0xa0) {
      const wrapperEnd = readTlvInto(der, p, tbsEnd, s).end;
      const inner = s.contentStart;
      if (inner === wrapperEnd || readTlvInto(der, inner, wrapperEnd, s).end !== wrapperEnd)
        throw new DerError("Certificate: [0] must hold one version", p);
      expectTag(s, INTEGER, "version");
      this.version = der[s.contentStart]!;
      p = wrapperEnd;
    }
    const serialAt = p;
    const innerAlgAt = skip(der, serialAt, tbsEnd, s);
    const issuerAt = skip(der, innerAlgAt, tbsEnd, s);
    const validityAt = skip(der, issuerAt, tbsEnd, s);
    const subjectAt = skip(der, validityAt, tbsEnd, s);
    const spkiAt = skip(der, subjectAt, tbsEnd, s);
    if (spkiAt === tbsEnd) throw new DerError("TBSCertificate: missing fields", tbsAt);
    expectTag(readTlvInto(der, serialAt, tbsEnd, s), INTEGER, "serialNumber");
    checkAlgorithm(der, readTlvInto(der, innerAlgAt, tbsEnd, s), s);
    checkName(der, readTlvInto(der, issuerAt, tbsEnd, s), "issuer", s);
    this.#serialAt = serialAt;
    this.#tbsSignatureAlgorithmAt = innerAlgAt;
    this.#issuerAt = issuerAt;

    const validityEnd = readTlvInto(der, validityAt, tbsEnd, s).end;
    expectTag(s, SEQUENCE, "validity");
    const nbAt = s.contentStart;
    const naAt = skip(der, nbAt, validityEnd, s);
    if (naAt === validityEnd || skip(der, naAt, validityEnd, s) !== validityEnd)
      throw new DerError("validity: not two times", validityAt);
    const checkTime = forPrint ? checkTimeTag : timeMs;
    timeOf(der, readTlvInto(der, nbAt, validityEnd, s), "notBefore", checkTime);
    timeOf(der, readTlvInto(der, naAt, validityEnd, s), "notAfter", checkTime);
    checkName(der, readTlvInto(der, subjectAt, tbsEnd, s), "subject", s);
    this.#notBeforeAt = nbAt;
    this.#notAfterAt = naAt;
    this.#subjectAt = subjectAt;

    const spkiEnd = readTlvInto(der, spkiAt, tbsEnd, s).end;
    expectTag(s, SEQUENCE, "subjectPublicKeyInfo");
    const keyAlgAt = s.contentStart;
    const keyAt = skip(der, keyAlgAt, spkiEnd, s);
    if (keyAt === spkiEnd || skip(der, keyAt, spkiEnd, s) !== spkiEnd)
      throw new DerError("subjectPublicKeyInfo: wrong shape", spkiAt);
    checkAlgorithm(der, readTlvInto(der, keyAlgAt, spkiEnd, s), s);
    checkBitStringField(readTlvInto(der, keyAt, spkiEnd, s));
    this.#spkiAt = spkiAt;
    this.#publicKeyAt = keyAt;

    // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each optional, in this order.
    let last = 0;
    let extsAt = -1;
    for (let q = spkiEnd; q < tbsEnd; ) {
      const t = readTlvInto(der, q, tbsEnd, s);
      q = t.end;
      const n = t.tag & 0x1f;
      if (t.tag !== (n === 3 ? 0xa3 : 0x80 | n) || n <= last || n > 3) {
        throw new DerError(
          `TBSCertificate: unexpected field with tag 0x${t.tag.toString(16)}`,
          t.start,
        );
      }
      last = n;
      if (n < 3) checkBitString(der, t);
      else extsAt = t.start;
    }
    this.#extensionsAt = -1;
    if (extsAt >= 0) {
      const seqAt = extensionsIn(der, readTlvInto(der, extsAt, tbsEnd, s), s);
      readExtensionList(der, readTlvInto(der, seqAt, tbsEnd, s), s);
      this.#extensionsAt = seqAt;
    }
  }

  get tbs(): Uint8Array {
    this.#tbs ??= viewAt(this.der, this.#tbsAt, "all");
    return this.#tbs;
  }

  get signatureAlgorithm(): AlgorithmId {
    this.#signatureAlgorithm ??= parseAlgorithm(
      this.der,
      readTlv(this.der, this.#signatureAlgorithmAt),
    );
    return this.#signatureAlgorithm;
  }

  /** The signature BIT STRING contents after the unused-bits octet. */
  get signature(): Uint8Array {
    this.#signature ??= viewAt(this.der, this.#signatureAt, "bits");
    return this.#signature;
  }

  get serial(): Uint8Array {
    this.#serial ??= viewAt(this.der, this.#serialAt, "content");
    return this.#serial;
  }

  /** The algorithm the signed part names; RFC 5280 §4.1.1.2 wants it equal to the outer one. */
  get tbsSignatureAlgorithm(): AlgorithmId {
    this.#tbsSignatureAlgorithm ??= parseAlgorithm(
      this.der,
      readTlv(this.der, this.#tbsSignatureAlgorithmAt),
    );
    return this.#tbsSignatureAlgorithm;
  }

  get issuer(): Uint8Array {
    this.#issuer ??= viewAt(this.der, this.#issuerAt, "all");
    return this.#issuer;
  }

  get notBefore(): Date {
    this.#notBefore ??= this.#time(this.#notBeforeAt);
    return this.#notBefore;
  }

  get notAfter(): Date {
    this.#notAfter ??= this.#time(this.#notAfterAt);
    return this.#notAfter;
  }

  #time(at: number): Date {
    const t = readTlv(this.der, at);
    return this.#forPrint ? readTimeForPrint(this.der, t) : parseTime(this.der, t);
  }

  get subject(): Uint8Array {
    this.#subject ??= viewAt(this.der, this.#subjectAt, "all");
    return this.#subject;
  }

  get spki(): Uint8Array {
    this.#spki ??= viewAt(this.der, this.#spkiAt, "all");
    return this.#spki;
  }

  /** The subjectPublicKey BIT STRING contents after the unused-bits octet. */
  get publicKeyBits(): Uint8Array {
    this.#publicKeyBits ??= viewAt(this.der, this.#publicKeyAt, "bits");
    return this.#publicKeyBits;
  }

  get extensions(): readonly Extension[] {
    this.#extensions ??=
      this.#extensionsAt < 0
        ? []
        : parseExtensionList(this.der, readTlv(this.der, this.#extensionsAt));
    return this.#extensions;
  }

  get publicKey(): KeyObject {
    this.#publicKey ??= publicKeyOf(this.spki);
    return this.#publicKey;
  }

  extension(oid: string): Extension | undefined {
    // An index loop, not find (a closure per call) nor for-of (an iterator): a check asks every
    // certificate for several.
    const list = this.extensions;
    for (let i = 0; i < list.length; i++) if (list[i]!.oid === oid) return list[i];
    return undefined;
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
    expectTag(t, BIT_STRING, "keyUsage");
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

/** Where the value after the one at `at` starts; `at` itself when nothing is left before `end`. */
function skip(buf: Uint8Array, at: number, end: number, s: TlvSlot): number {
  return at < end ? readTlvInto(buf, at, end, s).end : at;
}

// viewAt reads headers into this one slot; nothing it calls reads into it too.
const scratch = newSlot();

/** A view of the value at `at`: all of it, its content, or a BIT STRING's bits. */
function viewAt(der: Uint8Array, at: number, part: "all" | "content" | "bits"): Uint8Array {
  const t = readTlvInto(der, at, der.length, scratch);
  const from = part === "all" ? t.start : part === "content" ? t.contentStart : t.contentStart + 1;
  return der.subarray(from, t.end);
}

export function parseAlgorithm(buf: Uint8Array, t: Tlv): AlgorithmId {
  checkAlgorithm(buf, t, newSlot());
  const oid = readTlv(buf, t.contentStart, t.end);
  return {
    oid: decodeOid(buf, oid.contentStart, oid.end),
    params: oid.end < t.end ? buf.subarray(oid.end, t.end) : undefined,
  };
}

/** Checks the AlgorithmIdentifier `t` (which may be `s`, the slot every part is read into). */
function checkAlgorithm(buf: Uint8Array, t: Tlv, s: TlvSlot): void {
  if (t.tag !== SEQUENCE) throw wrongTag(t, SEQUENCE, "AlgorithmIdentifier");
  const { start, contentStart, end } = t;
  if (contentStart === end) throw new DerError("AlgorithmIdentifier: wrong shape", start);
  const oid = readTlvInto(buf, contentStart, end, s);
  const oidTag = oid.tag;
  if (oid.end !== end && readTlvInto(buf, oid.end, end, s).end !== end)
    throw new DerError("AlgorithmIdentifier: wrong shape", start);
  if (oidTag !== OID_TAG) throw wrongTag(readTlv(buf, contentStart, end), OID_TAG, "algorithm");
}

/**
 * Universal tags a Name's attribute value may carry: X509_NAME_ENTRY reads it as
 * ASN1_PRINTABLE, which admits the text types, BIT STRING, SEQUENCE and the tags OpenSSL files
 * as unknown; a VisibleString, an INTEGER or a time there makes OpenSSL refuse the structure.
 * One bit per tag number.
 */
const NAME_VALUE_TAGS = [3, 7, 8, 9, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30].reduce(
  (mask, n) => mask | (1 << n),
  0,
);

/**
 * The bytes of a Name (RFC 5280 §4.1.2.4: a SEQUENCE of non-empty SETs of type-and-value
 * pairs), after checking that shape and that each value is one OpenSSL reads: everything that
 * matches or prints names relies on it. `t` must lie in bytes checkDer has passed.
 */
export function nameBytes(buf: Uint8Array, t: Tlv, what: string): Uint8Array {
  const { start, end } = t;
  checkName(buf, t, what, newSlot());
  return buf.subarray(start, end);
}

/** nameBytes' checks, reading every value into `s` (which `t` may be). */
function checkName(buf: Uint8Array, t: Tlv, what: string, s: TlvSlot): void {
  if (t.tag !== SEQUENCE) throw wrongTag(t, SEQUENCE, what);
  // `rdn`, `pair`, `type` and `value` are each `s`, read again.
  for (let p = t.contentStart, end = t.end; p < end; ) {
    const rdn = readTlvInto(buf, p, end, s);
    const rdnEnd = rdn.end;
    p = rdnEnd;
    if (rdn.tag !== SET) throw wrongTag(rdn, SET, `${what} RDN`);
    if (rdn.contentStart === rdnEnd) throw new DerError(`${what}: empty RDN`, rdn.start);
    for (let q = rdn.contentStart; q < rdnEnd; ) {
      const pair = readTlvInto(buf, q, rdnEnd, s);
      const pairStart = q;
      const pairEnd = pair.end;
      q = pairEnd;
      if (pair.tag !== SEQUENCE) throw wrongTag(pair, SEQUENCE, `${what} attribute`);
      const typeAt = pair.contentStart;
      if (typeAt === pairEnd) throw new DerError(`${what}: attribute of wrong shape`, pairStart);
      const type = readTlvInto(buf, typeAt, pairEnd, s);
      const typeTag = type.tag;
      if (type.end === pairEnd || readTlvInto(buf, type.end, pairEnd, s).end !== pairEnd)
        throw new DerError(`${what}: attribute of wrong shape`, pairStart);
      if (typeTag !== OID_TAG)
        throw wrongTag(readTlv(buf, typeAt, pairEnd), OID_TAG, `${what} attribute type`);
      checkNameValue(buf, s, what);
    }
  }
}

function checkNameValue(buf: Uint8Array, value: Tlv, what: string): void {
  const tag = value.tag;
  if ((tag & 0xc0) !== 0 || !((NAME_VALUE_TAGS >> (tag & 0x1f)) & 1))
    throw new DerError(`${what}: attribute value with tag 0x${tag.toString(16)}`, value.start);
  // Only UTF-8, UCS-2 and UCS-4 text can be unreadable, and ASCII UTF-8 never is.
  let plain = tag !== BMP_STRING && tag !== UNIVERSAL_STRING;
  if (tag === UTF8_STRING)
    for (let i = value.contentStart; plain && i < value.end; i++) plain = buf[i]! <= 0x7f;
  if (!plain) stringText(tag, contentOf(buf, value), value.contentStart);
}

export function bitStringBytes(buf: Uint8Array, t: Tlv): Uint8Array {
  checkBitStringField(t);
  return buf.subarray(t.contentStart + 1, t.end);
}

function checkBitStringField(t: Tlv): void {
  expectTag(t, BIT_STRING, "BIT STRING");
  if (t.contentStart === t.end) throw new DerError("BIT STRING: empty", t.start);
}

export function parseExtensions(buf: Uint8Array, wrapper: Tlv): Extension[] {
  return parseExtensionList(buf, readTlv(buf, extensionsIn(buf, wrapper, newSlot())));
}

/** Where the one value inside the extensions field `wrapper` ([3] or [0] EXPLICIT) starts. */
function extensionsIn(buf: Uint8Array, wrapper: Tlv, s: TlvSlot): number {
  const { start, contentStart, end } = wrapper;
  let count = 0;
  for (let p = contentStart; p < end; count++) p = readTlvInto(buf, p, end, s).end;
  if (count !== 1) throw new DerError("extensions: [3] must hold one SEQUENCE", start);
  return contentStart;
}

export function parseExtensionList(buf: Uint8Array, seq: Tlv): Extension[] {
  const out: Extension[] = [];
  readExtensionList(buf, seq, newSlot(), out);
  return out;
}

/**
 * Checks the Extensions `seq` (which may be `s`), reading each value into `s`; with `out`,
 * decodes each extension into it too. One walk for both, so that checking a certificate builds
 * no extension it may never read.
 */
function readExtensionList(buf: Uint8Array, seq: Tlv, s: TlvSlot, out?: Extension[]): void {
  expectTag(seq, SEQUENCE, "Extensions");
  // Each of `ext`, `oid`, `second` and `value` is `s`, read again.
  for (let p = seq.contentStart, end = seq.end; p < end; ) {
    const ext = readTlvInto(buf, p, end, s);
    const extStart = p;
    const extEnd = ext.end;
    p = extEnd;
    if (ext.tag !== SEQUENCE) throw wrongTag(ext, SEQUENCE, "Extension");
    if (ext.contentStart === extEnd) throw new DerError("Extension: empty", extStart);
    const oid = readTlvInto(buf, ext.contentStart, extEnd, s);
    if (oid.tag !== OID_TAG) throw wrongTag(oid, OID_TAG, "extnID");
    const oidStart = oid.contentStart;
    const oidEnd = oid.end;
    if (oidEnd === extEnd) throw new DerError("Extension: no value", extStart);
    const second = readTlvInto(buf, oidEnd, extEnd, s);
    const hasCritical = second.tag === BOOLEAN;
    const critical = hasCritical && buf[second.contentStart] !== 0;
    if (hasCritical && second.end === extEnd) throw new DerError("Extension: no value", extStart);
    const value = hasCritical ? readTlvInto(buf, second.end, extEnd, s) : second;
    if (value.end !== extEnd) throw new DerError("Extension: too many fields", extStart);
    if (value.tag !== OCTET_STRING) throw wrongTag(value, OCTET_STRING, "extnValue");
    out?.push({
      oid: decodeOid(buf, oidStart, oidEnd),
      critical,
      value: buf.subarray(value.contentStart, value.end),
    });
  }
}
