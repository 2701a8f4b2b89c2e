// A strict DER walker. asn1js (under @peculiar/asn1-schema) accepts BER: indefinite lengths,
// non-minimal lengths and trailing bytes. We check well-formedness here first so that nothing
// looser than DER reaches the typed parser, and we slice exact byte ranges (names, keys, signed
// data) that re-encoding would not reproduce.

import { DerError } from "./error.js";
import { checkOidContent } from "./oid.js";
import { timeValue } from "./time.js";
import type { Tlv } from "./tlv.js";

export type { Tlv };
export { DerError };

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  SET: 0x31,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

// The tags as plain bindings, for the hot readers here and in x509/cert.ts: each TAG.X is an
// inline-cache lookup in V8's interpreter and baseline code, where a cold run reads its DER.
export const {
  BOOLEAN,
  INTEGER,
  BIT_STRING,
  OCTET_STRING,
  NULL,
  OID,
  ENUMERATED,
  SEQUENCE,
  SET,
  UTC_TIME,
  GENERALIZED_TIME,
  UNIVERSAL_STRING,
  BMP_STRING,
} = TAG;

/** Deepest nesting accepted; real OCSP and X.509 structures stay under 15. */
export const MAX_DEPTH = 32;

export function isConstructed(tag: number): boolean {
  return (tag & 0x20) !== 0;
}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  return readTlvInto(buf, offset, limit, newSlot());
}

/** A Tlv that readTlvInto overwrites: a walk through one allocates nothing per value. */
export interface TlvSlot {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export function newSlot(): TlvSlot {
  return { tag: 0, start: 0, contentStart: 0, end: 0 };
}

/** readTlv, written into `into` (returned) instead of a new object. */
export function readTlvInto(
  buf: Uint8Array,
  offset: number,
  limit: number,
  into: TlvSlot,
): TlvSlot {
  if (offset >= limit) throw new DerError("unexpected end of data", offset);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not used in OCSP", offset);
  let p = offset + 1;
  if (p >= limit) throw new DerError("missing length", p);
  const first = buf[p++]!;
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError("indefinite length is not DER", p - 1);
    if (n > 4) throw new DerError("length too large", p - 1);
    if (p + n > limit) throw new DerError("truncated length", p);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
    if (len < 0x80 || buf[p - n] === 0)
      throw new DerError("non-minimal length is not DER", p - n - 1);
  }
  if (p + len > limit) throw new DerError(`truncated: ${len} bytes declared, ${limit - p} left`, p);
  into.tag = tag;
  into.start = offset;
  into.contentStart = p;
  into.end = p + len;
  return into;
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function bytesOf(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

export function contentOf(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

/**
 * Checks that `buf` is exactly one well-formed DER value: definite minimal lengths all the way
 * down through constructed values, bounded depth, no trailing bytes, and universal primitives
 * whose contents follow their type's rules (see checkPrimitive).
 */
export function checkDer(buf: Uint8Array, opts?: DerCheckOptions): Tlv {
  const top = readTlv(buf, 0);
  if (top.end !== buf.length) {
    throw new DerError(`${buf.length - top.end} trailing bytes after the value`, top.end);
  }
  walk(buf, 0, top.end, 1, opts?.timesForPrint === true, newSlot());
  return top;
}

export interface DerCheckOptions {
  /**
   * Leave the contents of UTCTime and GeneralizedTime values unjudged, as OpenSSL's decoder
   * does: for printing only, where a bad time prints as "Bad time value".
   */
  readonly timesForPrint?: boolean;
}

/**
 * Checks the values in `buf[from..to)`, at nesting `depth`, and everything inside them. This
 * runs over every value of every certificate read, mostly in V8's interpreter, where calls and
 * objects are what cost: a value's header is read in place (only long lengths and faults go
 * through readTlvInto, into `slot`), and only values with a rule to check cost a call.
 */
function walk(
  buf: Uint8Array,
  from: number,
  to: number,
  depth: number,
  timesForPrint: boolean,
  slot: TlvSlot,
): void {
  for (let p = from; p < to; ) {
    let tag = buf[p]!;
    let contentStart = p + 2;
    let len = buf[p + 1]!;
    if (len >= 0x80 || (tag & 0x1f) === 0x1f || contentStart > to || contentStart + len > to) {
      readTlvInto(buf, p, to, slot);
      tag = slot.tag;
      contentStart = slot.contentStart;
      len = slot.end - contentStart;
    }
    const end = contentStart + len;
    if (tag & 0x20) {
      if ((tag & 0xc0) === 0 && tag !== SEQUENCE && tag !== SET) {
        throw new DerError(`constructed encoding of universal type ${tag & 0x1f} is not DER`, p);
      }
      if (depth > MAX_DEPTH) throw new DerError(`nesting deeper than ${MAX_DEPTH}`, p);
      walk(buf, contentStart, end, depth + 1, timesForPrint, slot);
    } else if (tag === OID) {
      // A third of the values in a certificate.
      checkOidContent(buf, 0, contentStart, end);
    } else if (
      tag < 0x20 &&
      (CHECKED_PRIMITIVES >> tag) & 1 &&
      !(timesForPrint && (tag === UTC_TIME || tag === GENERALIZED_TIME))
    ) {
      checkPrimitive(buf, tag, p, contentStart, end);
    }
    p = end;
  }
}

/** The universal primitive tags checkPrimitive has a rule for, one bit per tag number. */
const CHECKED_PRIMITIVES = [
  0,
  BOOLEAN,
  INTEGER,
  BIT_STRING,
  NULL,
  ENUMERATED,
  SEQUENCE & 0x1f,
  SET & 0x1f,
  UTC_TIME,
  GENERALIZED_TIME,
  UNIVERSAL_STRING,
  BMP_STRING,
].reduce((mask, tag) => mask | (1 << tag), 0);

/**
 * The content rules of the universal types OCSP and X.509 use. Each one a decoder would
 * otherwise accept and then read differently from OpenSSL: a padded INTEGER matches no serial,
 * a lax time rolls "month 13" into the next year, an overlong OID arc costs quadratic time.
 * OpenSSL refuses the same when it reads the structure; time formats it checks only when the
 * time is used, so there ocspkit is stricter. (The walk checks OIDs itself, with checkOidContent.)
 */
function checkPrimitive(
  buf: Uint8Array,
  tag: number,
  start: number,
  at: number,
  end: number,
): void {
  // Read in place: a view per value is most of the walk's cost (a certificate has ~50).
  const length = end - at;
  switch (tag) {
    case 0:
      throw new DerError("end-of-contents marker outside an indefinite length", start);
    case SEQUENCE & 0x1f:
    case SET & 0x1f:
      throw new DerError("SEQUENCE or SET without the constructed bit", start);
    case BOOLEAN:
      if (length !== 1) throw new DerError("BOOLEAN must be one byte", start);
      return;
    case NULL:
      if (length !== 0) throw new DerError("NULL with content", start);
      return;
    case INTEGER:
    case ENUMERATED:
      if (length === 0) throw new DerError("INTEGER without content", start);
      if (
        length > 1 &&
        ((buf[at] === 0 && buf[at + 1]! < 0x80) || (buf[at] === 0xff && buf[at + 1]! >= 0x80))
      )
        throw new DerError("non-minimal INTEGER", start);
      return;
    case BIT_STRING:
      checkBitStringContent(buf, start, at, end);
      return;
    case UTC_TIME:
    case GENERALIZED_TIME:
      timeValue(tag, buf, at, end, start);
      return;
    case BMP_STRING:
      if (length % 2) throw new DerError("BMPString of odd length", start);
      return;
    case UNIVERSAL_STRING:
      if (length % 4) throw new DerError("UniversalString not a multiple of 4 bytes", start);
  }
}

/** A BIT STRING's content rules, for universal and implicitly tagged ones alike. */
export function checkBitString(buf: Uint8Array, t: Tlv): void {
  checkBitStringContent(buf, t.start, t.contentStart, t.end);
}

function checkBitStringContent(buf: Uint8Array, start: number, at: number, end: number): void {
  const length = end - at;
  const unused = buf[at]!;
  if (length === 0) throw new DerError("BIT STRING without the unused-bits octet", start);
  if (unused > 7 || (length === 1 && unused !== 0))
    throw new DerError(`BIT STRING with ${unused} unused bits`, start);
}

export function expectTag(t: Tlv, tag: number, what: string): void {
  if (t.tag !== tag) throw wrongTag(t, tag, what);
}

/** The error expectTag throws, for callers that build `what` only when it is needed. */
export function wrongTag(t: Tlv, tag: number, what: string): DerError {
  return new DerError(
    `${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`,
    t.start,
  );
}

export function encodeLength(len: number): Uint8Array {
  const out = new Uint8Array(lengthOctets(len));
  writeLength(out, 0, len);
  return out;
}

export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  return encodeConstructed(tag, [content]);
}

/**
 * One TLV whose content is `parts` one after the other, written straight into one array:
 * requests and answers are built from thousands of these.
 */
export function encodeConstructed(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const head = 1 + lengthOctets(len);
  const out = new Uint8Array(head + len);
  out[0] = tag;
  writeLength(out, 1, len);
  let at = head;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Octets of a TLV with `len` content octets. */
export function tlvSize(len: number): number {
  return 1 + lengthOctets(len) + len;
}

/**
 * Writes at `at` the tag and length of a TLV with `len` content octets, for encoders that size
 * a whole structure first and write it into one array; returns where the content goes.
 */
export function writeHeader(out: Uint8Array, at: number, tag: number, len: number): number {
  out[at] = tag;
  writeLength(out, at + 1, len);
  return at + 1 + lengthOctets(len);
}

/** Writes the TLV `tag` `content` at `at`; returns where it ends. */
export function writeTlv(out: Uint8Array, at: number, tag: number, content: Uint8Array): number {
  const p = writeHeader(out, at, tag, content.length);
  out.set(content, p);
  return p + content.length;
}

function lengthOctets(len: number): number {
  if (len < 0x80) return 1;
  let n = 1;
  for (let v = len; v > 0xff; v = Math.floor(v / 256)) n++;
  return n + 1;
}

function writeLength(out: Uint8Array, at: number, len: number): void {
  if (len < 0x80) {
    out[at] = len;
    return;
  }
  const n = lengthOctets(len) - 1;
  out[at] = 0x80 | n;
  for (let i = n, v = len; i >= 1; i--, v = Math.floor(v / 256)) out[at + i] = v & 0xff;
}

/** Are the values `a` and `b` of `buf` encoded alike (tag, length and contents)? */
export function sameValue(buf: Uint8Array, a: Tlv, b: Tlv): boolean {
  const n = a.end - a.start;
  if (b.end - b.start !== n) return false;
  for (let i = 0; i < n; i++) if (buf[a.start + i] !== buf[b.start + i]) return false;
  return true;
}

const bufferEquals = Buffer.prototype.equals;

/** Byte equality of two views, without copying either (hot: names, keys, CertIDs, DER). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  // memcmp through Buffer's equals, called on the view itself: in a short-lived process this
  // beats a loop over the bytes from about a dozen of them, and no Buffer is made.
  return a.length === b.length && bufferEquals.call(a, b);
}
