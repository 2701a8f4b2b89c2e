// The text printers' DER reader, lenient where OpenSSL's d2i functions are (trailing bytes
// ignored; a fault is thrown where OpenSSL falls back to a dump), and the byte helpers the
// printers share. The strict walker for everything else is src/der/der.ts.
import { DerError as StrictDerError } from "../der/error.js";
import { decodeOid } from "../der/oid.js";

/** Thrown for input that OpenSSL's decoder would reject; caught where OpenSSL falls back. */
export class DerError extends StrictDerError {
  constructor(message: string) {
    super(message, 0);
  }
}

export const UNIVERSAL = 0;
export const CONTEXT = 2;

export const TAG = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
  utf8String: 12,
  sequence: 16,
  set: 17,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  generalString: 27,
  bmpString: 30,
} as const;

export interface Tlv {
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  readonly content: Uint8Array;
  /** The whole encoding, header included. */
  readonly raw: Uint8Array;
}

export function readTlv(buf: Uint8Array, start: number): { tlv: Tlv; next: number } {
  let pos = start;
  const byte = (): number => {
    if (pos >= buf.length) throw new DerError("truncated DER");
    return buf[pos++]!;
  };
  const first = byte();
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let b = byte(); ; b = byte()) {
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  let length = byte();
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError("unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + byte();
  }
  const end = pos + length;
  if (end > buf.length) throw new DerError("DER length past end of input");
  const tlv: Tlv = {
    cls: first >> 6,
    constructed: (first & 0x20) !== 0,
    tag,
    content: buf.subarray(pos, end),
    raw: buf.subarray(start, end),
  };
  return { tlv, next: end };
}

/** The first TLV in `buf`. Trailing bytes are ignored, as OpenSSL's `d2i` functions do. */
export function parseTlv(buf: Uint8Array): Tlv {
  return readTlv(buf, 0).tlv;
}

export function childrenOf(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new DerError("expected a constructed value");
  const out: Tlv[] = [];
  for (let pos = 0; pos < tlv.content.length; ) {
    const { tlv: child, next } = readTlv(tlv.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function isTag(tlv: Tlv | undefined, cls: number, tag: number): tlv is Tlv {
  return tlv !== undefined && tlv.cls === cls && tlv.tag === tag;
}

export function expectUniversal(tlv: Tlv | undefined, tag: number): Tlv {
  if (!isTag(tlv, UNIVERSAL, tag)) throw new DerError(`expected universal tag ${tag}`);
  return tlv;
}

export function sequenceOf(tlv: Tlv | undefined): Tlv[] {
  return childrenOf(expectUniversal(tlv, TAG.sequence));
}

export function oidOf(tlv: Tlv | undefined): string {
  return decodeOid(expectUniversal(tlv, TAG.oid).content);
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function hex2(b: number, upper: boolean): string {
  const h = b.toString(16).padStart(2, "0");
  return upper ? h.toUpperCase() : h;
}

/** `text` as it fits a C buffer of `bufferSize` bytes (one is kept for the NUL). */
export function truncated(text: string, bufferSize: number): string {
  return text.length < bufferSize ? text : text.slice(0, bufferSize - 1);
}

/** An INTEGER as OpenSSL's ASN1_INTEGER holds it: sign plus minimal magnitude bytes. */
export interface AsnInteger {
  readonly value: bigint;
  readonly negative: boolean;
  /** Big-endian magnitude without leading zeros; a single 00 byte for zero. */
  readonly magnitude: Uint8Array;
}

export function bigIntToBytes(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

export function decodeInteger(content: Uint8Array): AsnInteger {
  if (content.length === 0) throw new DerError("empty INTEGER");
  let value = bytesToBigInt(content);
  if (content[0]! & 0x80) value -= 1n << BigInt(content.length * 8);
  const negative = value < 0n;
  return { value, negative, magnitude: bigIntToBytes(negative ? -value : value) };
}

/** Upper-case hex with a "\\\n" continuation every 35 bytes (`i2a_ASN1_INTEGER`/`_STRING`). */
export function wrappedHex(bytes: Uint8Array): string {
  let out = "";
  bytes.forEach((b, i) => {
    if (i !== 0 && i % 35 === 0) out += "\\\n";
    out += hex2(b, true);
  });
  return out;
}

/** `i2a_ASN1_INTEGER`. */
export function i2aInteger(n: AsnInteger): string {
  return (n.negative ? "-" : "") + wrappedHex(n.magnitude);
}
