// A Name on one line, as OpenSSL's XN_FLAG_ONELINE prints it. Apart from the other printers
// (text.ts) and from OpenSSL's 1,000-object table (oids.ts) so that `check`, which shows each
// certificate's subject, loads neither: by default attributes are named from the small table
// of name attributes (name-oids.ts); the printers pass the whole table.
import { newSlot, readTlvInto } from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { attributeShortName } from "./name-oids.js";
import {
  childrenOf,
  DerError,
  expectUniversal,
  hex2,
  oidOf,
  parseTlv,
  sequenceOf,
  TAG,
  type Tlv,
  truncated,
  UNIVERSAL,
} from "./print-der.js";

/** An attribute's short name ("CN"), or undefined when the table has none. */
export type ShortName = (oid: string) => string | undefined;

export interface NameEntry {
  readonly oid: string;
  /** Index of the RDN (SET) the entry came from; entries sharing it are multi-valued. */
  readonly set: number;
  /** Universal tag of the value, or -1 for a non-universal one. */
  readonly type: number;
  /** Content octets of the value (a BIT STRING's without its unused-bits byte). */
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
}

export function nameEntry(tlv: Tlv, set: number): NameEntry {
  const [type, value] = sequenceOf(tlv);
  if (value === undefined) throw new DerError("name entry without value");
  const stringType = value.cls === UNIVERSAL ? value.tag : -1;
  const bytes = stringType === TAG.bitString ? value.content.subarray(1) : value.content;
  return { oid: oidOf(type), set, type: stringType, value: bytes, raw: value.raw };
}

export function decodeName(tlv: Tlv | undefined): NameEntry[] {
  return sequenceOf(tlv).flatMap((rdn, set) =>
    childrenOf(expectUniversal(rdn, TAG.set)).map((entry) => nameEntry(entry, set)),
  );
}

// Bits of OpenSSL's charmap.h (`char_type`) and the ASN1_STRFLGS escape flags.
const CH_ESC_2253 = 0x01;
const CH_ESC_CTRL = 0x02;
const CH_ESC_MSB = 0x04;
const CH_NOESC_QUOTE = 0x08;
const CH_FIRST_ESC = 0x20;
const CH_LAST_ESC = 0x40;
const CH_BACKSLASH_ESC = CH_ESC_2253 | CH_FIRST_ESC | CH_LAST_ESC;
/** XN_FLAG_ONELINE's escape flags: RFC 2253 + control + MSB + quote instead of backslash. */
const ONELINE_ESC_FLAGS = CH_ESC_2253 | CH_ESC_CTRL | CH_ESC_MSB | CH_NOESC_QUOTE;

function charTypeOf(b: number): number {
  let t = b < 0x20 || b > 0x7e ? CH_ESC_CTRL : 0;
  const c = String.fromCharCode(b);
  if (c === " ") t |= CH_NOESC_QUOTE | CH_FIRST_ESC | CH_LAST_ESC;
  if (c === "#") t |= CH_NOESC_QUOTE | CH_FIRST_ESC;
  if (",+<>;".includes(c)) t |= CH_NOESC_QUOTE | CH_ESC_2253;
  if (c === '"' || c === "\\") t |= CH_ESC_2253;
  return t;
}

// charType of each ASCII byte, worked out once.
const CHAR_TYPES = Uint8Array.from({ length: 0x80 }, (_, b) => charTypeOf(b));
const charType = (b: number) => CHAR_TYPES[b]!;

/** Per ASN.1 tag: bytes per character (0 = UTF-8), -1 = not a string type (`tag2nbyte`). */
function charWidth(tag: number): number {
  switch (tag) {
    case TAG.utf8String:
      return 0;
    case 18:
    case 19:
    case 20:
    case TAG.ia5String:
    case TAG.utcTime:
    case TAG.generalizedTime:
    case TAG.visibleString:
      return 1;
    case 28:
      return 4;
    case TAG.bmpString:
      return 2;
    default:
      return -1;
  }
}

/** `UTF8_putc`: nothing for surrogates and values past U+10FFFF. */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) {
    if (cp >= 0xd800 && cp <= 0xdfff) return [];
    return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  }
  if (cp < 0x110000) {
    return [
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f),
    ];
  }
  return [];
}

/**
 * `do_print_ex` with XN_FLAG_ONELINE's string flags (RFC2253 escaping, quotes instead of
 * backslashes where allowed, UTF-8 conversion, \XX for control and non-ASCII bytes,
 * "#hex" DER dump for non-string types). Undefined when OpenSSL fails (a BMPString or
 * UniversalString of impossible length).
 */
function onelineValue(entry: NameEntry): string | undefined {
  const width = entry.type > 0 && entry.type < 31 ? charWidth(entry.type) : -1;
  if (width === -1) return "#" + Array.from(entry.raw, (b) => hex2(b, true)).join("");
  const v = entry.value;
  if ((width === 2 && v.length % 2) || (width === 4 && v.length % 4)) return undefined;
  let quotes = false;
  let out = "";
  const put = (b: number, position: number) => {
    const flags = b > 0x7f ? CH_ESC_MSB : charType(b) & (ONELINE_ESC_FLAGS | position);
    const c = String.fromCharCode(b);
    if (flags & CH_BACKSLASH_ESC) {
      if (flags & CH_NOESC_QUOTE) quotes = true;
      out += flags & CH_NOESC_QUOTE ? c : "\\" + c;
    } else if (flags & (CH_ESC_CTRL | CH_ESC_MSB)) out += "\\" + hex2(b, true);
    else out += c === "\\" ? "\\\\" : c;
  };
  // UTF8String is shown byte by byte; every other type is converted to UTF-8 first (which
  // leaves an ASCII character one byte: `check` prints a subject for every certificate).
  const step = Math.max(width, 1);
  const count = v.length / step;
  for (let index = 0; index < count; index++) {
    const position = index === count - 1 ? CH_LAST_ESC : index === 0 ? CH_FIRST_ESC : 0;
    let cp = 0;
    for (let k = 0; k < step; k++) cp = cp * 256 + v[index * step + k]!;
    if (width === 0 || cp < 0x80) put(cp, position);
    else for (const b of utf8Bytes(cp)) put(b, position);
  }
  return quotes ? `"${out}"` : out;
}

/**
 * `X509_NAME_print_ex(..., XN_FLAG_ONELINE)`: "C = US, O = Test, CN = x + OU = y", each
 * attribute named by `shortName` or, when it has none, as a dotted OID.
 */
export function onelineForm(entries: readonly NameEntry[], shortName: ShortName): string {
  let out = "";
  let prevSet = -1;
  for (const entry of entries) {
    if (prevSet !== -1) out += prevSet === entry.set ? " + " : ", ";
    prevSet = entry.set;
    out += (shortName(entry.oid) ?? truncated(entry.oid, 80)) + " = ";
    const value = onelineValue(entry);
    if (value === undefined) return out;
    out += value;
  }
  return out;
}

/**
 * `X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE)` of a DER Name, as OCSP text prints
 * "Responder Id:" and as `openssl x509 -subject -nameopt oneline` prints it. With the default
 * `shortName` (name attributes only) an attribute outside that table shows as a dotted OID;
 * pass oids.ts's objectShortName for OpenSSL's output byte for byte.
 */
export function nameOneline(
  nameDer: Uint8Array,
  shortName: ShortName = attributeShortName,
): string {
  return plainOneline(nameDer, shortName) ?? onelineForm(decodeName(parseTlv(nameDer)), shortName);
}

/** Text types whose bytes print as themselves when no byte needs escaping (charWidth 0 or 1). */
const PLAIN_TAGS = new Set([TAG.utf8String, 18, 19, 20, TAG.ia5String, TAG.visibleString]);

/**
 * nameOneline of the everyday Name, read in place: single-byte tags, every value a text type
 * whose bytes need no escaping or quoting, so that the value prints as its bytes. Undefined for
 * anything else, which the general reader above prints (or refuses) as OpenSSL does: `check`
 * prints a subject for every certificate, and the general reader's objects cost more than the
 * rest of planning a certificate.
 */
function plainOneline(der: Uint8Array, shortName: ShortName): string | undefined {
  // Each of the name, its RDNs, their attributes, types and values is read into `s` in turn;
  // anything that is not DER throws, and is the general reader's to print or refuse.
  const s = newSlot();
  try {
    const name = readTlvInto(der, 0, der.length, s);
    if (name.tag !== 0x30) return undefined;
    const nameEnd = name.end;
    let out = "";
    let first = true;
    for (let p = name.contentStart; p < nameEnd; ) {
      const rdn = readTlvInto(der, p, nameEnd, s);
      if (rdn.tag !== 0x31 || rdn.contentStart === rdn.end) return undefined;
      const rdnEnd = rdn.end;
      let firstInSet = true;
      for (let q = rdn.contentStart; q < rdnEnd; ) {
        const atv = readTlvInto(der, q, rdnEnd, s);
        if (atv.tag !== 0x30) return undefined;
        const atvEnd = atv.end;
        const type = readTlvInto(der, atv.contentStart, atvEnd, s);
        if (type.tag !== 0x06) return undefined;
        const oidAt = type.contentStart;
        const oidEnd = type.end;
        const value = readTlvInto(der, oidEnd, atvEnd, s);
        if (!PLAIN_TAGS.has(value.tag) || value.end !== atvEnd) return undefined;
        const v = value.contentStart;
        for (let i = v; i < atvEnd; i++) {
          const position = (i === v ? CH_FIRST_ESC : 0) | (i === atvEnd - 1 ? CH_LAST_ESC : 0);
          const b = der[i]!;
          if (b >= 0x80 || charType(b) & (CH_ESC_2253 | CH_ESC_CTRL | position)) return undefined;
        }
        const oid = decodeOid(der, oidAt, oidEnd);
        out += first ? "" : firstInSet ? ", " : " + ";
        out += `${shortName(oid) ?? truncated(oid, 80)} = ${latin1.decode(der.subarray(v, atvEnd))}`;
        first = false;
        firstInSet = false;
        q = atvEnd;
      }
      p = rdnEnd;
    }
    return out;
  } catch {
    return undefined;
  }
}

const latin1 = new TextDecoder("latin1");
