/**
 * Byte-exact re-implementations of OpenSSL 3.0's text printers: `X509_print` (what
 * `openssl ocsp -resp_text` prints for each certificate in a response), the name
 * printers, `X509_signature_print`, `X509V3_extensions_print` and `ASN1_TIME_print`.
 *
 * Each printer mirrors the OpenSSL 3.0.19 function named in its comment, including its
 * quirks (trailing spaces, blank lines, fall-back dumps). The input is walked with the
 * small DER reader below rather than a schema library, because the output depends on
 * details a schema library normalises away: exact string tags, magnitude bytes of
 * integers, unused bits, and "first element wins" decoding of extension values.
 *
 * Internally text is built as a *byte string*: each UTF-16 code unit holds one output
 * byte (0-255), because OpenSSL copies some fields (DNS names, comments, policy text)
 * to its output as raw bytes. The public functions convert at the boundary.
 */

import { Buffer } from "node:buffer";
import { DerError as StrictDerError } from "../der/error.js";
import { decodeOid } from "../der/oid.js";
import { asn1TimeValueText, BAD_TIME } from "./gmt.js";
import { decodeName, type NameEntry, nameEntry, onelineForm } from "./name-oneline.js";
import { objectNames, objectShortName, oidName, oidShortName } from "./oids.js";
import {
  type AsnInteger,
  bigIntToBytes,
  bytesToBigInt,
  CONTEXT,
  childrenOf,
  DerError,
  decodeInteger,
  expectUniversal,
  hex2,
  i2aInteger,
  isTag,
  oidOf,
  parseTlv,
  sequenceOf,
  TAG,
  type Tlv,
  truncated,
  UNIVERSAL,
  wrappedHex,
} from "./print-der.js";

export { gmtTime } from "./gmt.js";
export { oidName } from "./oids.js";

/** An INTEGER, or an ENUMERATED or IMPLICIT-tagged one when `cls`/`tag` say so. */
function integerOf(tlv: Tlv | undefined, tag: number = TAG.integer, cls = UNIVERSAL): AsnInteger {
  if (!isTag(tlv, cls, tag) || tlv.constructed) throw new DerError("expected an INTEGER");
  return decodeInteger(tlv.content);
}

/** BIT STRING data bytes with the unused trailing bits cleared, as `c2i_ASN1_BIT_STRING` leaves them. */
function bitStringBytes(tlv: Tlv): Uint8Array {
  if (tlv.constructed || tlv.content.length === 0) throw new DerError("bad BIT STRING");
  const unused = tlv.content[0]!;
  if (unused > 7) throw new DerError("bad BIT STRING");
  const data = Uint8Array.from(tlv.content.subarray(1));
  if (data.length > 0) data[data.length - 1]! &= 0xff << unused;
  else if (unused !== 0) throw new DerError("bad BIT STRING");
  return data;
}

/** `ASN1_BIT_STRING_get_bit`. */
function bitIsSet(bits: Uint8Array, n: number): boolean {
  const byte = bits[n >> 3];
  return byte !== undefined && (byte & (0x80 >> (n & 7))) !== 0;
}

// ---------------------------------------------------------------------------
// Small formatting helpers
// ---------------------------------------------------------------------------

function spaces(n: number): string {
  return " ".repeat(Math.max(0, n));
}

/** Bytes as a byte string (one char per byte). */
function byteString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
}

/** What `printf("%.*s")` copies: the bytes up to the first NUL. */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return byteString(nul === -1 ? bytes : bytes.subarray(0, nul));
}

/** `OPENSSL_buf2hexstr`: "AB:CD:EF". */
function hexUpperColon(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => hex2(b, true)).join(":");
}

/** `ASN1_STRING_print`: printable ASCII, CR and LF pass; every other byte becomes '.'. */
function asn1StringPrint(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    const printable = (b >= 0x20 && b <= 0x7e) || b === 0x0a || b === 0x0d;
    out += printable ? String.fromCharCode(b) : ".";
  }
  return out;
}

/** `i2s_ASN1_INTEGER`: decimal below 128 bits, "0x" + upper-case hex from there on. */
function i2sInteger(n: AsnInteger): string {
  const sign = n.negative ? "-" : "";
  const abs = n.negative ? -n.value : n.value;
  if (abs.toString(2).length < 128) return sign + abs.toString();
  return sign + "0x" + Array.from(n.magnitude, (b) => hex2(b, true)).join("");
}

/** `i2t_ASN1_OBJECT(buf, 80, ...)`: like `oidName` but cut to the 79 chars that fit. */
function oidNameIn80(oid: string): string {
  return truncated(oidName(oid), 80);
}

/** `X509_signature_dump`: colon hex, 18 bytes a line. */
function signatureDump(bytes: Uint8Array, indent: number): string {
  let out = "";
  bytes.forEach((b, i) => {
    if (i % 18 === 0) out += (i > 0 ? "\n" : "") + spaces(indent);
    out += hex2(b, false) + (i + 1 === bytes.length ? "" : ":");
  });
  return out + "\n";
}

/** Colon hex, 15 bytes a line, each line at `indent` (`ASN1_buf_print`, `print_labeled_buf`). */
function keyHexLines(bytes: Uint8Array, indent: number): string {
  let out = "";
  bytes.forEach((b, i) => {
    if (i % 15 === 0) out += (i > 0 ? "\n" : "") + spaces(indent);
    out += hex2(b, false) + (i === bytes.length - 1 ? "" : ":");
  });
  return out + "\n";
}

/**
 * `ASN1_bn_print` and the provider's `print_labeled_bignum` (identical output): values
 * of up to 8 bytes as "label 65537 (0x10001)", larger ones as hex lines under the label
 * with a leading 00 when the top bit is set.
 */
function bignumText(label: string, n: AsnInteger, indent: number): string {
  const sign = n.negative ? "-" : "";
  const abs = n.negative ? -n.value : n.value;
  if (abs === 0n) return `${spaces(indent)}${label} 0\n`;
  if (n.magnitude.length <= 8) {
    return `${spaces(indent)}${label} ${sign}${abs} (${sign}0x${abs.toString(16)})\n`;
  }
  const head = `${spaces(indent)}${label}${n.negative ? " (Negative)" : ""}\n`;
  const bytes = n.magnitude[0]! & 0x80 ? Uint8Array.of(0, ...n.magnitude) : n.magnitude;
  return head + keyHexLines(bytes, indent + 4);
}

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

/** `ossl_asn1_time_print_ex(..., ASN1_DTFLGS_RFC822)` for a UTCTime or GeneralizedTime. */
function timeText(tlv: Tlv): string {
  return tlv.cls === UNIVERSAL ? asn1TimeValueText(tlv.tag, byteString(tlv.content)) : BAD_TIME;
}

/**
 * `written` followed by `ASN1_GENERALIZEDTIME_print` inside an extension printer: a time it
 * cannot read fails the printer after "Bad time value", and OpenSSL then dumps the raw value.
 */
function generalizedTimeText(tlv: Tlv, written: string): string {
  if (!isTag(tlv, UNIVERSAL, TAG.generalizedTime)) throw new DerError("expected GeneralizedTime");
  const text = timeText(tlv);
  if (text === BAD_TIME) throw new PrintFailure(written + text);
  return written + text;
}

/** `ASN1_TIME_print` of a DER-encoded UTCTime or GeneralizedTime, e.g. for OCSP "Produced At". */
export function asn1TimeText(der: Uint8Array): string {
  return timeText(parseTlv(der));
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/**
 * `X509_NAME_oneline`: "/C=US/O=Test/CN=x", '+' joining multi-valued RDNs. With a fixed
 * buffer (`limit` = its size minus one) whole entries that do not fit are dropped.
 */
function nameSlashForm(entries: readonly NameEntry[], limit = Number.POSITIVE_INFINITY): string {
  let out = "";
  let prevSet = -1;
  for (const entry of entries) {
    const field = objectNames(entry.oid)?.shortName ?? truncated(entry.oid, 80);
    let value = "";
    for (const b of generalStringBytes(entry)) {
      if (b < 0x20 || b > 0x7e) value += "\\x" + hex2(b, true);
      else value += (b === 0x2f || b === 0x2b ? "\\" : "") + String.fromCharCode(b);
    }
    const piece = (prevSet === entry.set ? "+" : "/") + field + "=" + value;
    if (out.length + piece.length > limit) break;
    out += piece;
    prevSet = entry.set;
  }
  return out;
}

/**
 * The bytes `X509_NAME_oneline` shows. A GeneralString whose length is a multiple of
 * four and whose only non-zero bytes sit at every fourth position is shown as those
 * bytes alone (an old heuristic for UCS-4 text).
 */
function generalStringBytes(entry: NameEntry): Uint8Array {
  const v = entry.value;
  if (entry.type !== TAG.generalString || v.length % 4 !== 0) return v;
  const lowLanesUsed = v.some((b, i) => b !== 0 && i % 4 !== 3);
  return lowLanesUsed ? v : v.filter((_, i) => i % 4 === 3);
}

/**
 * `X509_NAME_print` (XN_FLAG_COMPAT, what `X509_print` uses): the slash form with each
 * "/" that starts a one- or two-capital-letter field turned into ", ". Other fields
 * stay glued on ("CN=x/emailAddress=y"), and so does an escaped "\/" in a value that
 * happens to precede such a field.
 */
function nameCompatForm(entries: readonly NameEntry[]): string {
  const b = nameSlashForm(entries);
  if (b === "") return "";
  const isUpper = (c: string | undefined) => c !== undefined && c >= "A" && c <= "Z";
  let out = "";
  let chunkStart = 1;
  for (let s = 1; ; s++) {
    const atEnd = s >= b.length;
    const fieldStart =
      b[s] === "/" &&
      isUpper(b[s + 1]) &&
      (b[s + 2] === "=" || (isUpper(b[s + 2]) && b[s + 3] === "="));
    if (atEnd || fieldStart) {
      out += b.slice(chunkStart, s);
      chunkStart = s + 1;
      if (!atEnd) out += ", ";
    }
    if (atEnd) return out;
  }
}

/**
 * `X509_NAME_print` (XN_FLAG_COMPAT) of a DER Name: the "Issuer:"/"Subject:" form of
 * `X509_print` ("C=US, O=Test, CN=ICA/emailAddress=a@b").
 */
export function nameCompat(nameDer: Uint8Array): string {
  return nameCompatForm(decodeName(parseTlv(nameDer)));
}

/**
 * `X509_NAME_oneline` of a DER Name ("/C=US/O=Test/CN=ICA"), which is what
 * `openssl x509 -subject -nameopt compat` prints.
 */
export function nameSlashed(nameDer: Uint8Array): string {
  return nameSlashForm(decodeName(parseTlv(nameDer)));
}

// ---------------------------------------------------------------------------
// GeneralName
// ---------------------------------------------------------------------------

type GeneralName =
  | { kind: "other"; typeOid: string; valueType: number; value: Uint8Array }
  | { kind: "email" | "dns" | "uri" | "ip"; bytes: Uint8Array }
  | { kind: "x400" | "edi" }
  | { kind: "dir"; entries: NameEntry[] }
  | { kind: "rid"; oid: string };

function decodeGeneralName(tlv: Tlv): GeneralName {
  if (tlv.cls !== CONTEXT) throw new DerError("GeneralName must be context-tagged");
  const primitive = (): Uint8Array => {
    if (tlv.constructed) throw new DerError("GeneralName must be primitive");
    return tlv.content;
  };
  switch (tlv.tag) {
    case 0: {
      const [type, wrapped] = childrenOf(tlv);
      if (!isTag(wrapped, CONTEXT, 0)) throw new DerError("otherName without value");
      const [value] = childrenOf(wrapped);
      if (value === undefined) throw new DerError("otherName without value");
      const valueType = value.cls === UNIVERSAL ? value.tag : -1;
      return { kind: "other", typeOid: oidOf(type), valueType, value: value.content };
    }
    case 1:
      return { kind: "email", bytes: primitive() };
    case 2:
      return { kind: "dns", bytes: primitive() };
    case 3:
      childrenOf(tlv);
      return { kind: "x400" };
    case 4:
      return { kind: "dir", entries: decodeName(childrenOf(tlv)[0]) };
    case 5:
      childrenOf(tlv);
      return { kind: "edi" };
    case 6:
      return { kind: "uri", bytes: primitive() };
    case 7:
      return { kind: "ip", bytes: primitive() };
    case 8:
      return { kind: "rid", oid: decodeOid(primitive()) };
    default:
      throw new DerError("unknown GeneralName tag");
  }
}

function decodeGeneralNames(tlv: Tlv): GeneralName[] {
  return childrenOf(tlv).map(decodeGeneralName);
}

/** `ossl_ipaddr_to_asc`. */
function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(":").toUpperCase();
  }
  return `<invalid length=${bytes.length}>`;
}

/** One name/value pair of an extension's `i2v` output (OpenSSL's CONF_VALUE). */
interface ConfValue {
  readonly name: string | null;
  readonly value: string | null;
}

/** `x509v3_add_len_value`: refuses values with a NUL byte, which fails the whole print. */
function confValue(name: string | null, bytes: Uint8Array): ConfValue | null {
  return bytes.includes(0) ? null : { name, value: byteString(bytes) };
}

const OTHERNAME_LABELS: ReadonlyMap<string, readonly [label: string, valueType: number]> = new Map([
  ["1.3.6.1.5.5.7.8.9", ["SmtpUTF8Mailbox", TAG.utf8String]],
  ["1.3.6.1.5.5.7.8.5", ["XmppAddr", TAG.utf8String]],
  ["1.3.6.1.5.5.7.8.7", ["SRVName", TAG.ia5String]],
  ["1.3.6.1.4.1.311.20.2.3", ["UPN", TAG.utf8String]],
  ["1.3.6.1.5.5.7.8.8", ["NAIRealm", TAG.utf8String]],
]);

/** `i2v_GENERAL_NAME`; null where OpenSSL's conversion fails. */
function generalNameValue(gn: GeneralName): ConfValue | null {
  switch (gn.kind) {
    case "other": {
      const known = OTHERNAME_LABELS.get(gn.typeOid);
      if (known !== undefined) {
        const [label, valueType] = known;
        if (gn.valueType !== valueType) return null;
        return confValue(`othername: ${label}:`, gn.value);
      }
      const name = `othername: ${truncated(oidName(gn.typeOid), 256)}:`;
      const printable = gn.valueType === TAG.ia5String || gn.valueType === TAG.utf8String;
      return (printable ? confValue(name, gn.value) : null) ?? { name, value: "<unsupported>" };
    }
    case "x400":
      return { name: "X400Name", value: "<unsupported>" };
    case "edi":
      return { name: "EdiPartyName", value: "<unsupported>" };
    case "email":
      return confValue("email", gn.bytes);
    case "dns":
      return confValue("DNS", gn.bytes);
    case "uri":
      return confValue("URI", gn.bytes);
    case "dir":
      return { name: "DirName", value: nameSlashForm(gn.entries, 255) };
    case "ip":
      return { name: "IP Address", value: ipText(gn.bytes) };
    case "rid":
      return { name: "Registered ID", value: truncated(oidName(gn.oid), 256) };
  }
}

function generalNamesValues(names: readonly GeneralName[]): ConfValue[] | null {
  const values: ConfValue[] = [];
  for (const gn of names) {
    const value = generalNameValue(gn);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}

/** `GENERAL_NAME_print`, used where OpenSSL prints names directly (CRL DPs, constraints). */
function generalNamePrint(gn: GeneralName): string {
  switch (gn.kind) {
    case "other": {
      const known = OTHERNAME_LABELS.get(gn.typeOid);
      const expectedType = gn.typeOid === "1.3.6.1.5.5.7.8.7" ? TAG.ia5String : TAG.utf8String;
      if (known === undefined || gn.valueType !== expectedType) return "othername:<unsupported>";
      return `othername:${known[0]}:${cString(gn.value)}`;
    }
    case "x400":
      return "X400Name:<unsupported>";
    case "edi":
      return "EdiPartyName:<unsupported>";
    case "email":
      return "email:" + asn1StringPrint(gn.bytes);
    case "dns":
      return "DNS:" + asn1StringPrint(gn.bytes);
    case "uri":
      return "URI:" + asn1StringPrint(gn.bytes);
    case "dir":
      return "DirName:" + onelineForm(gn.entries, objectShortName);
    case "ip":
      return "IP Address:" + ipText(gn.bytes);
    case "rid":
      return "Registered ID:" + oidName(gn.oid);
  }
}

/** `GENERAL_NAME_print` of a DER GeneralName, as a byte string (one character per byte). */
export function generalNameByteText(der: Uint8Array): string {
  return generalNamePrint(decodeGeneralName(parseTlv(der)));
}

/** The `print_gens` helper of v3_crld.c: one name a line at indent + 2. */
function generalNamesLines(names: readonly GeneralName[], indent: number): string {
  return names.map((gn) => spaces(indent + 2) + generalNamePrint(gn)).join("\n");
}

// ---------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------

interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** Content of the extnValue OCTET STRING. */
  readonly value: Uint8Array;
}

function decodeExtensions(tlv: Tlv): Extension[] {
  return sequenceOf(tlv).map((ext) => {
    const parts = sequenceOf(ext);
    const oid = oidOf(parts[0]);
    // criticalBOOLEAN DEFAULT FALSE; any non-zero content byte counts as TRUE.
    const hasCritical = isTag(parts[1], UNIVERSAL, TAG.boolean);
    const critical = hasCritical && parts[1]!.content.some((b) => b !== 0);
    const value = expectUniversal(parts[hasCritical ? 2 : 1], TAG.octetString).content;
    return { oid, critical, value };
  });
}

/** An `i2r` method failing after it has already written `written`. */
class PrintFailure extends Error {
  constructor(readonly written: string) {
    super("extension printer failed");
  }
}

/** Prints an extension value at `indent`; null makes OpenSSL fall back to the raw dump. */
type ExtensionPrinter = (value: Uint8Array, indent: number) => string | null;

/** `X509V3_EXT_val_prn`. */
function valuesText(values: readonly ConfValue[], indent: number, multiline: boolean): string {
  let out = "";
  if (!multiline || values.length === 0) {
    out += spaces(indent) + (values.length === 0 ? "<EMPTY>\n" : "");
  }
  values.forEach((v, i) => {
    if (multiline) out += (i > 0 ? "\n" : "") + spaces(indent);
    else if (i > 0) out += ", ";
    if (v.name === null) out += v.value ?? "";
    else if (v.value === null) out += v.name;
    else out += `${v.name}:${v.value}`;
  });
  return out;
}

/** An `i2v` method: its list printed comma-separated, or one a line when multiline. */
function i2v(toValues: (tlv: Tlv) => ConfValue[] | null, multiline = false): ExtensionPrinter {
  return (value, indent) => {
    const values = toValues(parseTlv(value));
    return values === null ? null : valuesText(values, indent, multiline);
  };
}

/** An `i2s` method: a single string at the indent. */
function i2s(toText: (tlv: Tlv) => string | null): ExtensionPrinter {
  return (value, indent) => {
    const text = toText(parseTlv(value));
    return text === null ? null : spaces(indent) + text;
  };
}

/** A BIT STRING extension printed as the names of its set bits (`i2v_ASN1_BIT_STRING`). */
function bitNames(names: readonly string[]): ExtensionPrinter {
  return i2v((tlv) => {
    const bits = bitStringBytes(expectUniversal(tlv, TAG.bitString));
    const values = names.flatMap((name, bit) =>
      bitIsSet(bits, bit) ? [{ name, value: null }] : [],
    );
    return values.length === 0 ? null : values;
  });
}

const KEY_USAGE_BITS = [
  "Digital Signature",
  "Non Repudiation",
  "Key Encipherment",
  "Data Encipherment",
  "Key Agreement",
  "Certificate Sign",
  "CRL Sign",
  "Encipher Only",
  "Decipher Only",
];

const NS_CERT_TYPE_BITS = [
  "SSL Client",
  "SSL Server",
  "S/MIME",
  "Object Signing",
  "Unused",
  "SSL CA",
  "S/MIME CA",
  "Object Signing CA",
];

const REASON_FLAG_BITS = [
  "Unused",
  "Key Compromise",
  "CA Compromise",
  "Affiliation Changed",
  "Superseded",
  "Cessation Of Operation",
  "Certificate Hold",
  "Privilege Withdrawn",
  "AA Compromise",
];

const CRL_REASONS: ReadonlyMap<bigint, string> = new Map([
  [0n, "Unspecified"],
  [1n, "Key Compromise"],
  [2n, "CA Compromise"],
  [3n, "Affiliation Changed"],
  [4n, "Superseded"],
  [5n, "Cessation Of Operation"],
  [6n, "Certificate Hold"],
  [8n, "Remove From CRL"],
  [9n, "Privilege Withdrawn"],
  [10n, "AA Compromise"],
]);

/** `i2s_ASN1_IA5STRING` (Netscape string extensions): up to the first NUL; empty fails. */
const ia5Extension = i2s((tlv) => {
  const bytes = expectUniversal(tlv, TAG.ia5String).content;
  return bytes.length === 0 ? null : cString(bytes);
});

const integerExtension = i2s((tlv) => i2sInteger(integerOf(tlv)));

/** `i2s_ASN1_UTF8STRING` (subjectSignTool): up to the first NUL; empty fails. */
const utf8Extension = i2s((tlv) => {
  const bytes = expectUniversal(tlv, TAG.utf8String).content;
  return bytes.length === 0 ? null : cString(bytes);
});

/** `i2v_GENERAL_NAMES` (subject/issuer alternative names, certificate issuer). */
const generalNamesExtension = i2v((tlv) =>
  generalNamesValues(decodeGeneralNames(expectUniversal(tlv, TAG.sequence))),
);

function basicConstraintsValues(tlv: Tlv): ConfValue[] {
  const parts = sequenceOf(tlv);
  let i = 0;
  let ca = false;
  if (isTag(parts[i], UNIVERSAL, TAG.boolean)) ca = parts[i++]!.content.some((b) => b !== 0);
  const values: ConfValue[] = [{ name: "CA", value: ca ? "TRUE" : "FALSE" }];
  if (parts[i] !== undefined)
    values.push({ name: "pathlen", value: i2sInteger(integerOf(parts[i])) });
  return values;
}

function authorityKeyIdValues(tlv: Tlv): ConfValue[] | null {
  let keyId: Uint8Array | undefined;
  let issuer: GeneralName[] | undefined;
  let serial: AsnInteger | undefined;
  for (const part of sequenceOf(tlv)) {
    if (isTag(part, CONTEXT, 0) && !part.constructed) keyId = part.content;
    else if (isTag(part, CONTEXT, 1)) issuer = decodeGeneralNames(part);
    else if (isTag(part, CONTEXT, 2)) serial = integerOf(part, 2, CONTEXT);
    else throw new DerError("unexpected AuthorityKeyIdentifier field");
  }
  const values: ConfValue[] = [];
  if (keyId !== undefined) {
    // OpenSSL 3.0 labels the key id only when an issuer or serial follows it.
    const label = issuer !== undefined || serial !== undefined ? "keyid" : null;
    values.push({ name: label, value: hexUpperColon(keyId) });
  }
  if (issuer !== undefined) {
    const names = generalNamesValues(issuer);
    if (names === null) return null;
    values.push(...names);
  }
  if (serial !== undefined) values.push({ name: "serial", value: hexUpperColon(serial.magnitude) });
  return values.length === 0 ? null : values;
}

/** `i2v_AUTHORITY_INFO_ACCESS` (AIA and SIA): "OCSP - URI:http://...". */
function accessDescriptionValues(tlv: Tlv): ConfValue[] | null {
  const values: ConfValue[] = [];
  for (const desc of sequenceOf(tlv)) {
    const [method, location] = sequenceOf(desc);
    const methodOid = oidOf(method);
    if (location === undefined) throw new DerError("access description without location");
    const value = generalNameValue(decodeGeneralName(location));
    if (value === null) return null;
    values.push({ name: `${oidNameIn80(methodOid)} - ${value.name}`, value: value.value });
  }
  return values;
}

function extendedKeyUsageValues(tlv: Tlv): ConfValue[] | null {
  const values = sequenceOf(tlv).map((oid) => ({ name: null, value: oidNameIn80(oidOf(oid)) }));
  return values.length === 0 ? null : values;
}

function policyConstraintsValues(tlv: Tlv): ConfValue[] | null {
  const values: ConfValue[] = [];
  for (const part of sequenceOf(tlv)) {
    if (isTag(part, CONTEXT, 0)) {
      values.push({
        name: "Require Explicit Policy",
        value: i2sInteger(integerOf(part, 0, CONTEXT)),
      });
    } else if (isTag(part, CONTEXT, 1)) {
      values.push({
        name: "Inhibit Policy Mapping",
        value: i2sInteger(integerOf(part, 1, CONTEXT)),
      });
    } else throw new DerError("unexpected PolicyConstraints field");
  }
  return values.length === 0 ? null : values;
}

function policyMappingsValues(tlv: Tlv): ConfValue[] | null {
  const values = sequenceOf(tlv).map((mapping) => {
    const [issuerPolicy, subjectPolicy] = sequenceOf(mapping);
    return { name: oidNameIn80(oidOf(issuerPolicy)), value: oidNameIn80(oidOf(subjectPolicy)) };
  });
  return values.length === 0 ? null : values;
}

const TLS_FEATURES: ReadonlyMap<bigint, string> = new Map([
  [5n, "status_request"],
  [17n, "status_request_v2"],
]);

function tlsFeatureValues(tlv: Tlv): ConfValue[] | null {
  const values = sequenceOf(tlv).map((part) => {
    const n = integerOf(part);
    return { name: null, value: TLS_FEATURES.get(n.value) ?? i2sInteger(n) };
  });
  return values.length === 0 ? null : values;
}

/** `i2r_PKEY_USAGE_PERIOD`. */
function privateKeyUsagePeriodText(value: Uint8Array, indent: number): string {
  let notBefore: string | undefined;
  let notAfter: string | undefined;
  for (const part of sequenceOf(parseTlv(value))) {
    // Both fields are IMPLICIT GeneralizedTime; re-tag them to read them as such.
    const time: Tlv = { ...part, cls: UNIVERSAL, tag: TAG.generalizedTime };
    if (isTag(part, CONTEXT, 0)) notBefore = timeText(time);
    else if (isTag(part, CONTEXT, 1)) notAfter = timeText(time);
    else throw new DerError("unexpected PrivateKeyUsagePeriod field");
  }
  let out = spaces(indent);
  if (notBefore !== undefined)
    out += "Not Before: " + notBefore + (notAfter !== undefined ? ", " : "");
  if (notAfter !== undefined) out += "Not After: " + notAfter;
  return out;
}

/** DISPLAYTEXT: IA5String, VisibleString, BMPString or UTF8String. */
function displayText(tlv: Tlv | undefined): Uint8Array {
  const allowed: number[] = [TAG.ia5String, TAG.visibleString, TAG.bmpString, TAG.utf8String];
  if (tlv === undefined || tlv.cls !== UNIVERSAL || !allowed.includes(tlv.tag)) {
    throw new DerError("expected DisplayText");
  }
  return tlv.content;
}

/** `print_notice` of v3_cpols.c. Text fields are printed with `%.*s` (stop at NUL). */
function userNoticeText(tlv: Tlv, indent: number): string {
  let noticeRef: { organization: Uint8Array; numbers: AsnInteger[] } | undefined;
  let explicitText: Uint8Array | undefined;
  for (const part of sequenceOf(tlv)) {
    if (
      isTag(part, UNIVERSAL, TAG.sequence) &&
      noticeRef === undefined &&
      explicitText === undefined
    ) {
      const [organization, numbers] = sequenceOf(part);
      noticeRef = {
        organization: displayText(organization),
        numbers: sequenceOf(numbers).map((n) => integerOf(n)),
      };
    } else if (explicitText === undefined) explicitText = displayText(part);
    else throw new DerError("unexpected UserNotice field");
  }
  let out = "";
  if (noticeRef !== undefined) {
    out += `${spaces(indent)}Organization: ${cString(noticeRef.organization)}\n`;
    out += `${spaces(indent)}Number${noticeRef.numbers.length > 1 ? "s" : ""}: `;
    out += noticeRef.numbers.map(i2sInteger).join(", ");
    if (explicitText !== undefined) out += "\n";
  }
  if (explicitText !== undefined) out += `${spaces(indent)}Explicit Text: ${cString(explicitText)}`;
  return out;
}

const QUALIFIER_CPS = "1.3.6.1.5.5.7.2.1";
const QUALIFIER_USER_NOTICE = "1.3.6.1.5.5.7.2.2";

/** `print_qualifiers` of v3_cpols.c. */
function policyQualifiersText(qualifiers: Tlv, indent: number): string {
  return sequenceOf(qualifiers)
    .map((qualifier) => {
      const [id, body] = sequenceOf(qualifier);
      const qualifierOid = oidOf(id);
      if (qualifierOid === QUALIFIER_CPS) {
        return `${spaces(indent)}CPS: ${cString(expectUniversal(body, TAG.ia5String).content)}`;
      }
      if (qualifierOid === QUALIFIER_USER_NOTICE) {
        if (body === undefined) throw new DerError("user notice without body");
        return `${spaces(indent)}User Notice:\n${userNoticeText(body, indent + 2)}`;
      }
      return `${spaces(indent + 2)}Unknown Qualifier: ${oidName(qualifierOid)}`;
    })
    .join("\n");
}

/** `i2r_certpol`. */
function certificatePoliciesText(value: Uint8Array, indent: number): string {
  return sequenceOf(parseTlv(value))
    .map((policy) => {
      const [id, qualifiers] = sequenceOf(policy);
      let out = `${spaces(indent)}Policy: ${oidName(oidOf(id))}`;
      if (qualifiers !== undefined) out += "\n" + policyQualifiersText(qualifiers, indent + 2);
      return out;
    })
    .join("\n");
}

/** `print_reasons` of v3_crld.c. */
function reasonsText(label: string, bits: Uint8Array, indent: number): string {
  const names = REASON_FLAG_BITS.filter((_, bit) => bitIsSet(bits, bit));
  return `${spaces(indent)}${label}:\n${spaces(indent + 2)}${names.length ? names.join(", ") : "<EMPTY>"}\n`;
}

/** `print_distpoint` of v3_crld.c (3.0: a full name list is not newline-terminated). */
function distributionPointNameText(tlv: Tlv, indent: number): string {
  const [choice] = childrenOf(tlv);
  if (isTag(choice, CONTEXT, 0)) {
    return `${spaces(indent)}Full Name:\n${generalNamesLines(decodeGeneralNames(choice), indent)}`;
  }
  if (isTag(choice, CONTEXT, 1)) {
    // A RelativeDistinguishedName: one RDN, so all entries print joined by " + ".
    const entries = childrenOf(choice).map((entry) => nameEntry(entry, 0));
    return `${spaces(indent)}Relative Name:\n${spaces(indent + 2)}${onelineForm(entries, objectShortName)}\n`;
  }
  throw new DerError("unknown DistributionPointName");
}

/** `i2r_crldp` (CRL Distribution Points and Freshest CRL). */
function crlDistributionPointsText(value: Uint8Array, indent: number): string {
  return sequenceOf(parseTlv(value))
    .map((point) => {
      let out = "";
      for (const part of sequenceOf(point)) {
        if (isTag(part, CONTEXT, 0)) out += distributionPointNameText(part, indent);
        else if (isTag(part, CONTEXT, 1)) {
          out += reasonsText("Reasons", bitStringBytes(part), indent);
        } else if (isTag(part, CONTEXT, 2)) {
          out += `${spaces(indent)}CRL Issuer:\n${generalNamesLines(decodeGeneralNames(part), indent)}`;
        } else throw new DerError("unexpected DistributionPoint field");
      }
      return out;
    })
    .join("\n");
}

/** `print_nc_ipadd`: address and mask halves of a name-constraint IP entry. */
function constraintIpText(bytes: Uint8Array): string {
  const half = bytes.length >= 16 ? 16 : Math.min(bytes.length, 4);
  return `IP:${ipText(bytes.subarray(0, half))}/${ipText(bytes.subarray(half))}`;
}

/** `i2r_NAME_CONSTRAINTS`: "Permitted:" and "Excluded:" lists, one subtree a line. */
function nameConstraintsText(value: Uint8Array, indent: number): string {
  const subtrees: Partial<Record<"Permitted" | "Excluded", GeneralName[]>> = {};
  for (const part of sequenceOf(parseTlv(value))) {
    const label = isTag(part, CONTEXT, 0)
      ? "Permitted"
      : isTag(part, CONTEXT, 1)
        ? "Excluded"
        : null;
    if (label === null) throw new DerError("unexpected NameConstraints field");
    subtrees[label] = childrenOf(part).map((subtree) => decodeGeneralName(sequenceOf(subtree)[0]!));
  }
  const block = (label: string, names: GeneralName[] | undefined): string => {
    if (names === undefined || names.length === 0) return "";
    const lines = names.map((gn) => {
      const text = gn.kind === "ip" ? constraintIpText(gn.bytes) : generalNamePrint(gn);
      return spaces(indent + 2) + text;
    });
    return `${spaces(indent)}${label}:\n${lines.join("\n")}`;
  };
  const { Permitted: permitted, Excluded: excluded } = subtrees;
  const separator = permitted !== undefined && excluded !== undefined ? "\n" : "";
  return block("Permitted", permitted) + separator + block("Excluded", excluded);
}

/** `i2r_ocsp_crlid`. */
function ocspCrlIdText(value: Uint8Array, indent: number): string {
  let out = "";
  for (const part of sequenceOf(parseTlv(value))) {
    const [inner] = childrenOf(part);
    if (isTag(part, CONTEXT, 0)) {
      out += `${spaces(indent)}crlUrl: ${asn1StringPrint(expectUniversal(inner, TAG.ia5String).content)}\n`;
    } else if (isTag(part, CONTEXT, 1)) {
      out += `${spaces(indent)}crlNum: ${i2aInteger(integerOf(inner))}\n`;
    } else if (isTag(part, CONTEXT, 2)) {
      if (inner === undefined) throw new DerError("crlTime without value");
      out = `${generalizedTimeText(inner, `${out}${spaces(indent)}crlTime: `)}\n`;
    } else throw new DerError("unexpected CrlID field");
  }
  return out;
}

/** `i2r_ocsp_serviceloc`. */
function ocspServiceLocatorText(value: Uint8Array, indent: number): string {
  const [issuer, locator] = sequenceOf(parseTlv(value));
  const issuerText = onelineForm(decodeName(issuer), objectShortName);
  let out = `${spaces(indent)}Issuer: `;
  // X509_NAME_print_ex returning 0 (an empty issuer) aborts the printer mid-line.
  if (issuerText === "") throw new PrintFailure(out);
  out += issuerText;
  for (const desc of locator === undefined ? [] : sequenceOf(locator)) {
    const [method, location] = sequenceOf(desc);
    if (location === undefined) throw new DerError("access description without location");
    out += `\n${spaces(2 * indent)}${oidName(oidOf(method))} - ${generalNamePrint(decodeGeneralName(location))}`;
  }
  return out;
}

const NS = "2.16.840.1.113730.1";
const OCSP_EXT = "1.3.6.1.5.5.7.48.1";

/** The extension methods of OpenSSL 3.0's `standard_exts` that this module reproduces. */
const EXTENSION_PRINTERS: ReadonlyMap<string, ExtensionPrinter> = new Map<string, ExtensionPrinter>(
  [
    [`${NS}.1`, bitNames(NS_CERT_TYPE_BITS)],
    [`${NS}.2`, ia5Extension],
    [`${NS}.3`, ia5Extension],
    [`${NS}.4`, ia5Extension],
    [`${NS}.7`, ia5Extension],
    [`${NS}.8`, ia5Extension],
    [`${NS}.12`, ia5Extension],
    [`${NS}.13`, ia5Extension],
    ["2.5.29.14", i2s((tlv) => hexUpperColon(expectUniversal(tlv, TAG.octetString).content))],
    ["2.5.29.15", bitNames(KEY_USAGE_BITS)],
    ["2.5.29.16", privateKeyUsagePeriodText],
    ["2.5.29.17", generalNamesExtension],
    ["2.5.29.18", generalNamesExtension],
    ["2.5.29.19", i2v(basicConstraintsValues)],
    ["2.5.29.20", integerExtension],
    [
      "2.5.29.21",
      i2s((tlv) => {
        const reason = integerOf(tlv, TAG.enumerated);
        return CRL_REASONS.get(reason.value) ?? i2sInteger(reason);
      }),
    ],
    ["2.5.29.23", (value, indent) => spaces(indent) + oidName(oidOf(parseTlv(value)))],
    ["2.5.29.24", (value, indent) => generalizedTimeText(parseTlv(value), spaces(indent))],
    ["2.5.29.27", integerExtension],
    ["2.5.29.29", generalNamesExtension],
    ["2.5.29.30", nameConstraintsText],
    ["2.5.29.31", crlDistributionPointsText],
    ["2.5.29.32", certificatePoliciesText],
    ["2.5.29.33", i2v(policyMappingsValues)],
    ["2.5.29.35", i2v(authorityKeyIdValues, true)],
    ["2.5.29.36", i2v(policyConstraintsValues)],
    ["2.5.29.37", i2v(extendedKeyUsageValues)],
    ["2.5.29.46", crlDistributionPointsText],
    ["2.5.29.54", integerExtension],
    ["1.3.6.1.5.5.7.1.1", i2v(accessDescriptionValues, true)],
    ["1.3.6.1.5.5.7.1.11", i2v(accessDescriptionValues, true)],
    ["1.3.6.1.5.5.7.1.24", i2v(tlsFeatureValues)],
    [
      "1.3.6.1.4.1.11129.2.4.3",
      i2s((tlv) => {
        expectUniversal(tlv, TAG.null);
        return "NULL";
      }),
    ],
    ["1.2.643.100.111", utf8Extension],
    // The nonce has no ASN.1 type in OpenSSL: the whole extnValue is shown as hex.
    [`${OCSP_EXT}.2`, (value, indent) => spaces(indent) + (value.length ? wrappedHex(value) : "0")],
    [`${OCSP_EXT}.3`, ocspCrlIdText],
    // ossl_v3_ocsp_accresp: OpenSSL prints acceptable responses as it prints extKeyUsage.
    [`${OCSP_EXT}.4`, i2v(extendedKeyUsageValues)],
    [
      `${OCSP_EXT}.5`,
      (value) => {
        expectUniversal(parseTlv(value), TAG.null);
        return "";
      },
    ],
    [`${OCSP_EXT}.6`, (value, indent) => generalizedTimeText(parseTlv(value), spaces(indent))],
    [`${OCSP_EXT}.7`, ocspServiceLocatorText],
  ],
);

/**
 * `X509V3_EXT_print` with the default flags: the method's text, or, when there is no
 * method or it fails, whatever it wrote followed by the raw extension bytes.
 */
function extensionValueText(ext: Extension, indent: number): string {
  const printer = EXTENSION_PRINTERS.get(ext.oid);
  let written = "";
  if (printer !== undefined) {
    try {
      const text = printer(ext.value, indent);
      if (text !== null) return text;
    } catch (err) {
      if (err instanceof PrintFailure) written = err.written;
      else if (!(err instanceof StrictDerError)) throw err;
    }
  }
  return written + spaces(indent) + asn1StringPrint(ext.value);
}

/** `X509V3_extensions_print`. */
function extensionListText(
  extensions: readonly Extension[],
  indent: number,
  title: string | undefined,
): string {
  if (extensions.length === 0) return "";
  let out = "";
  let inner = indent;
  if (title !== undefined) {
    out += `${spaces(indent)}${title}:\n`;
    inner += 4;
  }
  for (const ext of extensions) {
    out += `${spaces(inner)}${oidName(ext.oid)}: ${ext.critical ? "critical" : ""}\n`;
    out += extensionValueText(ext, inner + 4) + "\n";
  }
  return out;
}

/**
 * `X509V3_extensions_print(bio, title, exts, 0, indent)` for a DER `Extensions`
 * (SEQUENCE OF Extension), e.g. OCSP "Response Extensions:" at indent 4.
 */
export function extensionsText(extensionsDer: Uint8Array, indent: number, title?: string): string {
  return fromByteText(extensionsByteText(extensionsDer, indent, title));
}

/** `extensionsText` as a byte string (one character per byte), for printers that write bytes. */
export function extensionsByteText(extensionsDer: Uint8Array, indent: number, title?: string) {
  return extensionListText(decodeExtensions(parseTlv(extensionsDer)), indent, title);
}

/** The string a byte string stands for, read as UTF-8 (as a terminal shows OpenSSL's bytes). */
export function fromByteText(text: string): string {
  return Buffer.from(text, "latin1").toString("utf8");
}

// ---------------------------------------------------------------------------
// Public keys
// ---------------------------------------------------------------------------

interface AlgorithmIdentifier {
  readonly oid: string;
  readonly params: Tlv | undefined;
}

function decodeAlgorithm(tlv: Tlv | undefined): AlgorithmIdentifier {
  const [oid, params] = sequenceOf(tlv);
  return { oid: oidOf(oid), params };
}

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const SHA1 = "1.3.14.3.2.26";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const DSA = "1.2.840.10040.4.1";

/** Curve OID -> [order bits, NIST name]: what `ec_to_text` prints besides the OID name. */
const EC_CURVES: ReadonlyMap<string, readonly [bits: number, nist?: string]> = new Map<
  string,
  readonly [number, string?]
>([
  ["1.2.840.10045.3.1.1", [192, "P-192"]],
  ["1.2.840.10045.3.1.2", [192]],
  ["1.2.840.10045.3.1.3", [192]],
  ["1.2.840.10045.3.1.4", [239]],
  ["1.2.840.10045.3.1.5", [239]],
  ["1.2.840.10045.3.1.6", [239]],
  ["1.3.132.0.33", [224, "P-224"]],
  ["1.2.840.10045.3.1.7", [256, "P-256"]],
  ["1.3.132.0.34", [384, "P-384"]],
  ["1.3.132.0.35", [521, "P-521"]],
  ["1.3.132.0.10", [256]],
  ["1.3.132.0.31", [192]],
  ["1.3.132.0.32", [225]],
  ["1.3.132.0.9", [161]],
  ["1.3.132.0.8", [161]],
  ["1.3.132.0.30", [161]],
  ["1.3.36.3.3.2.8.1.1.1", [160]],
  ["1.3.36.3.3.2.8.1.1.2", [160]],
  ["1.3.36.3.3.2.8.1.1.3", [192]],
  ["1.3.36.3.3.2.8.1.1.4", [192]],
  ["1.3.36.3.3.2.8.1.1.5", [224]],
  ["1.3.36.3.3.2.8.1.1.6", [224]],
  ["1.3.36.3.3.2.8.1.1.7", [256]],
  ["1.3.36.3.3.2.8.1.1.8", [256]],
  ["1.3.36.3.3.2.8.1.1.9", [320]],
  ["1.3.36.3.3.2.8.1.1.10", [320]],
  ["1.3.36.3.3.2.8.1.1.11", [384]],
  ["1.3.36.3.3.2.8.1.1.12", [384]],
  ["1.3.36.3.3.2.8.1.1.13", [512]],
  ["1.3.36.3.3.2.8.1.1.14", [512]],
  ["1.3.132.0.1", [163, "K-163"]],
  ["1.3.132.0.15", [163, "B-163"]],
  ["1.3.132.0.26", [232, "K-233"]],
  ["1.3.132.0.27", [233, "B-233"]],
  ["1.3.132.0.16", [281, "K-283"]],
  ["1.3.132.0.17", [282, "B-283"]],
  ["1.3.132.0.36", [407, "K-409"]],
  ["1.3.132.0.37", [409, "B-409"]],
  ["1.3.132.0.38", [570, "K-571"]],
  ["1.3.132.0.39", [570, "B-571"]],
  ["1.2.156.10197.1.301", [256]],
]);

const ECX_LABELS: ReadonlyMap<string, string> = new Map([
  ["1.3.101.110", "X25519"],
  ["1.3.101.111", "X448"],
  ["1.3.101.112", "ED25519"],
  ["1.3.101.113", "ED448"],
]);

/** `ossl_rsa_oaeppss_nid2name`; unknown digests print as glibc prints a NULL "%s". */
const PSS_DIGEST_NAMES: ReadonlyMap<string, string> = new Map([
  [SHA1, "SHA1"],
  ["2.16.840.1.101.3.4.2.4", "SHA2-224"],
  ["2.16.840.1.101.3.4.2.1", "SHA2-256"],
  ["2.16.840.1.101.3.4.2.2", "SHA2-384"],
  ["2.16.840.1.101.3.4.2.3", "SHA2-512"],
  ["2.16.840.1.101.3.4.2.5", "SHA2-512/224"],
  ["2.16.840.1.101.3.4.2.6", "SHA2-512/256"],
]);

interface PssParams {
  readonly hash: AlgorithmIdentifier | undefined;
  readonly maskGen: AlgorithmIdentifier | undefined;
  /** The MGF1 digest; undefined when the mask generator is not a valid MGF1. */
  readonly maskHash: AlgorithmIdentifier | undefined;
  readonly saltLength: AsnInteger | undefined;
  readonly trailerField: AsnInteger | undefined;
}

/** `ossl_rsa_pss_decode`; undefined where OpenSSL gets no parameters. */
function decodePssParams(params: Tlv | undefined): PssParams | undefined {
  if (!isTag(params, UNIVERSAL, TAG.sequence)) return undefined;
  try {
    const fields: Partial<Record<number, Tlv>> = {};
    for (const part of childrenOf(params)) {
      if (part.cls !== CONTEXT || part.tag > 3) throw new DerError("unexpected PSS field");
      fields[part.tag] = childrenOf(part)[0];
    }
    const maskGen = fields[1] === undefined ? undefined : decodeAlgorithm(fields[1]);
    let maskHash: AlgorithmIdentifier | undefined;
    if (maskGen !== undefined) {
      if (maskGen.oid !== MGF1) return undefined;
      maskHash = decodeAlgorithm(maskGen.params);
    }
    return {
      hash: fields[0] === undefined ? undefined : decodeAlgorithm(fields[0]),
      maskGen,
      maskHash,
      saltLength: fields[2] === undefined ? undefined : integerOf(fields[2]),
      trailerField: fields[3] === undefined ? undefined : integerOf(fields[3]),
    };
  } catch (err) {
    if (err instanceof StrictDerError) return undefined;
    throw err;
  }
}

/** The provider's "PSS parameter restrictions" block of an RSASSA-PSS public key. */
function pssRestrictionsText(params: Tlv | undefined): string {
  const pss = decodePssParams(params);
  if (pss === undefined) return "No PSS parameter restrictions\n";
  const hash = pss.hash?.oid ?? SHA1;
  const maskHash = pss.maskHash?.oid ?? SHA1;
  const salt = pss.saltLength?.value ?? 20n;
  const trailer = pss.trailerField?.value ?? 1n;
  const digest = (oid: string) => PSS_DIGEST_NAMES.get(oid) ?? "(null)";
  return (
    "PSS parameter restrictions:\n" +
    `  Hash Algorithm: ${digest(hash)}${hash === SHA1 ? " (default)" : ""}\n` +
    `  Mask Algorithm: MGF1 with ${digest(maskHash)}${maskHash === SHA1 ? " (default)" : ""}\n` +
    `  Minimum Salt Length: ${salt}${salt === 20n ? " (default)" : ""}\n` +
    `  Trailer Field: 0x${trailer.toString(16)}${trailer === 1n ? " (default)" : ""}\n`
  );
}

function bitLength(n: AsnInteger): number {
  return n.value === 0n ? 0 : (n.negative ? -n.value : n.value).toString(2).length;
}

/** `print_labeled_buf`: "pub:" and 15 colon-hex bytes a line. */
function labeledBuffer(label: string, bytes: Uint8Array): string {
  return `${label}\n${bytes.length ? keyHexLines(bytes, 4) : "\n"}`;
}

const PRIME_FIELD = "1.2.840.10045.1.1";
const GENERATOR_FORMS: ReadonlyMap<number, string> = new Map([
  [2, "compressed"],
  [4, "uncompressed"],
  [6, "hybrid"],
]);

/** An unsigned big-endian octet string as the BIGNUM `BN_bin2bn` makes of it. */
function unsignedInteger(bytes: Uint8Array): AsnInteger {
  const value = bytesToBigInt(bytes);
  return { value, negative: false, magnitude: bigIntToBytes(value) };
}

/**
 * `ec_to_text` for a key with explicit prime-field parameters (`ec_param_explicit_to_text`);
 * undefined for the characteristic-two fields, which this module does not print.
 */
function explicitEcKeyText(params: Tlv, key: Uint8Array): string | undefined {
  const [, fieldId, curve, base, order, cofactor] = sequenceOf(params);
  const [fieldType, prime] = sequenceOf(fieldId);
  const [a, b, seed] = sequenceOf(curve);
  if (oidOf(fieldType) !== PRIME_FIELD || cofactor === undefined) return undefined;
  const generator = expectUniversal(base, TAG.octetString).content;
  const form = GENERATOR_FORMS.get((generator[0] ?? 0) & ~1);
  if (form === undefined) return undefined;
  const n = integerOf(order);
  let out = `Public-Key: (${bitLength(n)} bit)\n${labeledBuffer("pub:", key)}`;
  out += `Field Type: ${oidShortName(PRIME_FIELD)}\n${bignumText("Prime:", integerOf(prime), 0)}`;
  out += bignumText("A:   ", unsignedInteger(expectUniversal(a, TAG.octetString).content), 0);
  out += bignumText("B:   ", unsignedInteger(expectUniversal(b, TAG.octetString).content), 0);
  out += labeledBuffer(`Generator (${form}):`, generator);
  out += bignumText("Order: ", n, 0) + bignumText("Cofactor: ", integerOf(cofactor), 0);
  return seed === undefined ? out : out + labeledBuffer("Seed:", bitStringBytes(seed));
}

/**
 * What `EVP_PKEY_print_public` writes through OpenSSL 3.0's text encoders, without the
 * indent; undefined for keys those encoders cannot load.
 */
function publicKeyBody(alg: AlgorithmIdentifier, key: Uint8Array): string | undefined {
  if (alg.oid === RSA_ENCRYPTION || alg.oid === RSASSA_PSS) {
    const [modulus, exponent] = sequenceOf(parseTlv(key));
    const n = integerOf(modulus);
    let out = `Public-Key: (${bitLength(n)} bit)\n`;
    out += bignumText("Modulus:", n, 0) + bignumText("Exponent:", integerOf(exponent), 0);
    return alg.oid === RSASSA_PSS ? out + pssRestrictionsText(alg.params) : out;
  }
  if (alg.oid === EC_PUBLIC_KEY) {
    if (isTag(alg.params, UNIVERSAL, TAG.sequence)) return explicitEcKeyText(alg.params, key);
    if (!isTag(alg.params, UNIVERSAL, TAG.oid)) return undefined;
    const curve = oidOf(alg.params);
    const info = EC_CURVES.get(curve);
    if (info === undefined) return undefined;
    const [bits, nist] = info;
    let out = `Public-Key: (${bits} bit)\n${labeledBuffer("pub:", key)}`;
    out += `ASN1 OID: ${oidShortName(curve)}\n`;
    return nist === undefined ? out : out + `NIST CURVE: ${nist}\n`;
  }
  const ecx = ECX_LABELS.get(alg.oid);
  if (ecx !== undefined) return `${ecx} Public-Key:\n${labeledBuffer("pub:", key)}`;
  if (alg.oid === DSA) {
    const [p, q, g] = sequenceOf(alg.params).map((part) => integerOf(part));
    if (p === undefined || q === undefined || g === undefined) return undefined;
    return (
      `Public-Key: (${bitLength(p)} bit)\n` +
      bignumText("pub: ", integerOf(parseTlv(key)), 0) +
      bignumText("P:   ", p, 0) +
      bignumText("Q:   ", q, 0) +
      bignumText("G:   ", g, 0)
    );
  }
  return undefined;
}

/** The "Subject Public Key Info:" block of `X509_print`. */
function subjectPublicKeyInfoText(spki: Tlv | undefined): string {
  const [algorithm, bitString] = sequenceOf(spki);
  const alg = decodeAlgorithm(algorithm);
  let body: string | undefined;
  try {
    body = publicKeyBody(alg, bitStringBytes(expectUniversal(bitString, TAG.bitString)));
  } catch (err) {
    if (!(err instanceof StrictDerError)) throw err;
  }
  const head = `        Subject Public Key Info:\n            Public Key Algorithm: ${oidName(alg.oid)}\n`;
  // OpenSSL follows this line with its error queue, which cannot be reproduced.
  if (body === undefined) return head + "            Unable to load Public Key\n";
  // The encoder writes through an indenting BIO: every line, blank ones too, gets 16 spaces.
  const lines = body.slice(0, -1).split("\n");
  return head + lines.map((line) => spaces(16) + line + "\n").join("");
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

/** Signature algorithms whose key type is DSA: OpenSSL prints their r and s. */
const DSA_SIGNATURES = new Set([
  "1.2.840.10040.4.3",
  "1.3.14.3.2.13",
  "1.3.14.3.2.27",
  "2.16.840.1.101.3.4.3.1",
  "2.16.840.1.101.3.4.3.2",
  "2.16.840.1.101.3.4.3.3",
  "2.16.840.1.101.3.4.3.4",
  "2.16.840.1.101.3.4.3.5",
  "2.16.840.1.101.3.4.3.6",
  "2.16.840.1.101.3.4.3.7",
  "2.16.840.1.101.3.4.3.8",
]);

/** `rsa_pss_param_print(bio, 0, pss, indent)`, as signature algorithms show it. */
function pssSignatureParamsText(params: Tlv | undefined, indent: number): string {
  const pss = decodePssParams(params);
  const pad = spaces(indent);
  if (pss === undefined) return pad + "(INVALID PSS PARAMETERS)\n";
  const hash = pss.hash === undefined ? "sha1 (default)" : oidName(pss.hash.oid);
  let mask = "mgf1 with sha1 (default)";
  if (pss.maskGen !== undefined) {
    mask = `${oidName(pss.maskGen.oid)} with ${pss.maskHash ? oidName(pss.maskHash.oid) : "INVALID"}`;
  }
  const salt = pss.saltLength === undefined ? "14 (default)" : i2aInteger(pss.saltLength);
  const trailer = pss.trailerField === undefined ? "01 (default)" : i2aInteger(pss.trailerField);
  return (
    `${pad}\n${pad}Hash Algorithm: ${hash}\n${pad}Mask Algorithm: ${mask}\n` +
    `${pad} Salt Length: 0x${salt}\n${pad}Trailer Field: 0x${trailer}\n`
  );
}

/** `dsa_sig_print`: r and s of a DSA-Sig-Value, or the plain dump if it does not decode. */
function dsaSignatureText(signature: Uint8Array, indent: number): string {
  try {
    const [r, s] = sequenceOf(parseTlv(signature)).map((part) => integerOf(part));
    if (r !== undefined && s !== undefined) {
      return "\n" + bignumText("r:   ", r, indent) + bignumText("s:   ", s, indent);
    }
  } catch (err) {
    if (!(err instanceof StrictDerError)) throw err;
  }
  return "\n" + signatureDump(signature, indent);
}

/** `X509_signature_print`; `signature` undefined prints just the algorithm (TBS form). */
function signatureAlgorithmText(
  alg: AlgorithmIdentifier,
  signature: Uint8Array | undefined,
  indent = 4,
): string {
  let out = `${spaces(indent)}Signature Algorithm: ${oidName(alg.oid)}`;
  if (signature !== undefined) out += `\n${spaces(indent)}Signature Value:`;
  if (alg.oid === RSASSA_PSS) {
    out += pssSignatureParamsText(alg.params, indent + 4);
    return signature === undefined ? out : out + signatureDump(signature, indent + 4);
  }
  if (DSA_SIGNATURES.has(alg.oid)) {
    return out + (signature === undefined ? "\n" : dsaSignatureText(signature, indent + 4));
  }
  return out + "\n" + (signature === undefined ? "" : signatureDump(signature, indent + 4));
}

/**
 * `X509_signature_print` as `openssl ocsp -resp_text` ends a response with it:
 * "    Signature Algorithm: sha256WithRSAEncryption\n    Signature Value:\n        xx:...".
 * `algorithm` is a dotted OID or a DER AlgorithmIdentifier (needed to show RSA-PSS
 * parameters; with a bare OID, RSA-PSS shows as OpenSSL shows absent parameters).
 */
export function signatureText(
  algorithm: string | Uint8Array,
  signature: Uint8Array,
  indent = 4,
): string {
  const alg =
    typeof algorithm === "string"
      ? { oid: algorithm, params: undefined }
      : decodeAlgorithm(parseTlv(algorithm));
  return signatureAlgorithmText(alg, signature, indent);
}

// ---------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------

/** `X509_print`'s serial line: decimal when it fits a C long, else colon hex of the magnitude. */
function serialNumberText(serial: AsnInteger): string {
  const fitsLong =
    serial.magnitude.length <= 8 && serial.value >= -(1n << 63n) && serial.value < 1n << 63n;
  // ASN1_INTEGER_get reports failure as -1, so a serial of -1 takes the hex path too.
  if (fitsLong && serial.value !== -1n) {
    const sign = serial.negative ? "-" : "";
    const abs = serial.negative ? -serial.value : serial.value;
    return `        Serial Number: ${sign}${abs} (${sign}0x${abs.toString(16)})\n`;
  }
  const bytes = Array.from(serial.magnitude, (b) => hex2(b, false)).join(":");
  return `        Serial Number:\n${spaces(12)}${serial.negative ? " (Negative)" : ""}${bytes}\n`;
}

function versionText(versionField: Tlv | undefined): string {
  const version = versionField === undefined ? 0n : integerOf(childrenOf(versionField)[0]).value;
  if (version >= 0n && version <= 2n) {
    return `        Version: ${version + 1n} (0x${version.toString(16)})\n`;
  }
  return `        Version: Unknown (${version})\n`;
}

/** `X509_print` (XN_FLAG_COMPAT names, X509_FLAG_COMPAT) as a byte string. */
export function certificateByteText(der: Uint8Array): string {
  const [tbs, signatureAlgorithm, signatureValue] = sequenceOf(parseTlv(der));
  const fields = sequenceOf(tbs);
  let i = 0;
  const versionField = isTag(fields[0], CONTEXT, 0) ? fields[i++] : undefined;
  const serial = integerOf(fields[i++]);
  const tbsAlgorithm = decodeAlgorithm(fields[i++]);
  const issuer = decodeName(fields[i++]);
  const [notBefore, notAfter] = sequenceOf(fields[i++]);
  const subject = decodeName(fields[i++]);
  const spki = fields[i++];
  if (notBefore === undefined || notAfter === undefined) throw new DerError("bad validity");

  let out = "Certificate:\n    Data:\n" + versionText(versionField) + serialNumberText(serial);
  out += "    " + signatureAlgorithmText(tbsAlgorithm, undefined);
  out += `        Issuer: ${nameCompatForm(issuer)}\n`;
  out += `        Validity\n            Not Before: ${timeText(notBefore)}\n`;
  out += `            Not After : ${timeText(notAfter)}\n`;
  out += `        Subject: ${nameCompatForm(subject)}\n`;
  out += subjectPublicKeyInfoText(spki);
  let extensions: Extension[] = [];
  for (const field of fields.slice(i)) {
    if (isTag(field, CONTEXT, 1))
      out += `        Issuer Unique ID: ${signatureDump(bitStringBytes(field), 12)}`;
    else if (isTag(field, CONTEXT, 2))
      out += `        Subject Unique ID: ${signatureDump(bitStringBytes(field), 12)}`;
    else if (isTag(field, CONTEXT, 3)) extensions = decodeExtensions(childrenOf(field)[0]!);
  }
  out += extensionListText(extensions, 8, "X509v3 extensions");
  const signature = bitStringBytes(expectUniversal(signatureValue, TAG.bitString));
  return out + signatureAlgorithmText(decodeAlgorithm(signatureAlgorithm), signature);
}

/**
 * Exactly the bytes OpenSSL 3.0's `X509_print` writes for a DER certificate, which is
 * also `openssl x509 -text -noout -nameopt compat`. Throws for DER it cannot walk.
 */
export function certificateTextBytes(der: Uint8Array): Uint8Array {
  return Uint8Array.from(Buffer.from(certificateByteText(der), "latin1"));
}

/**
 * `X509_print` output as a string (the bytes decoded as UTF-8). OpenSSL copies a few
 * fields raw, so for certificates holding invalid UTF-8 there, use
 * `certificateTextBytes` to keep the exact bytes.
 */
export function certificateText(der: Uint8Array): string {
  return fromByteText(certificateByteText(der));
}

/** `PEM_write_bio_X509`: the certificate as a PEM block with 64-character lines. */
export function pemCertificate(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}${lines.length ? "\n" : ""}-----END CERTIFICATE-----\n`;
}
