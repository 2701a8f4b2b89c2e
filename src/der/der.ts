// A strict DER walker. asn1js (under @peculiar/asn1-schema) accepts BER: indefinite lengths,
// non-minimal lengths and trailing bytes. We check well-formedness here first so that nothing
// looser than DER reaches the typed parser, and we slice exact byte ranges (names, keys, signed
// data) that re-encoding would not reproduce.

export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = "DerError";
  }
}

export interface Tlv {
  /** The identifier octet (tag class, constructed bit and tag number; tags < 31 only). */
  readonly tag: number;
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  readonly end: number;
}

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
  GENERALIZED_TIME: 0x18,
} as const;

/** Deepest nesting accepted; real OCSP and X.509 structures stay under 15. */
export const MAX_DEPTH = 32;

export function isConstructed(tag: number): boolean {
  return (tag & 0x20) !== 0;
}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
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
  return { tag, start: offset, contentStart: p, end: p + len };
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
 * down through constructed values, bounded depth, no trailing bytes.
 */
export function checkDer(buf: Uint8Array): Tlv {
  const top = readTlv(buf, 0);
  if (top.end !== buf.length) {
    throw new DerError(`${buf.length - top.end} trailing bytes after the value`, top.end);
  }
  walk(buf, top, 1);
  return top;
}

function walk(buf: Uint8Array, t: Tlv, depth: number): void {
  if (!isConstructed(t.tag)) return;
  if (depth > MAX_DEPTH) throw new DerError(`nesting deeper than ${MAX_DEPTH}`, t.start);
  for (const c of children(buf, t)) walk(buf, c, depth + 1);
}

export function expectTag(t: Tlv, tag: number, what: string): void {
  if (t.tag !== tag) {
    throw new DerError(
      `${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`,
      t.start,
    );
  }
}

export function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  const len = encodeLength(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}
