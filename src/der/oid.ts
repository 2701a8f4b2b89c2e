import { DerError } from "./error.js";

/**
 * Longest arc accepted, in bytes. The longest arcs in use (2.25 UUIDs, 128 bits) take 19;
 * longer ones serve only to make arc arithmetic quadratic on hostile input.
 */
export const MAX_OID_ARC_BYTES = 20;

/**
 * Throws unless `c[start..end)` (all of `c` by default) is the content of a DER OBJECT
 * IDENTIFIER (minimal, complete arcs); `offset` is added to the positions errors give.
 */
export function checkOidContent(c: Uint8Array, offset = 0, start = 0, end = c.length): void {
  if (end === start) throw new DerError("OBJECT IDENTIFIER: empty", offset + start);
  let arcStart = start;
  for (let i = start; i < end; i++) {
    const b = c[i]!;
    if (i === arcStart && b === 0x80)
      throw new DerError("OBJECT IDENTIFIER: non-minimal arc", offset + i);
    if (b & 0x80) {
      if (i - arcStart + 1 >= MAX_OID_ARC_BYTES)
        throw new DerError("OBJECT IDENTIFIER: arc too long", offset + i);
    } else arcStart = i + 1;
  }
  if (arcStart !== end) throw new DerError("OBJECT IDENTIFIER: truncated arc", offset + end - 1);
}

/**
 * OIDs decoded before, by a hash of their content: certificates and OCSP messages carry the same
 * few dozen over and over (a batch of a thousand certificates reads ten thousand), and an
 * encoding seen before is known to be valid and needs neither the check nor the decoding.
 * Bounded: once full, the first ones seen stay.
 */
const seen = new Map<number, { readonly content: Uint8Array; readonly text: string }[]>();
let seenCount = 0;
const SEEN_MAX = 1024;
/** Longer contents are rare (UUID arcs) and not remembered. */
const SEEN_MAX_LENGTH = 32;

/** The dotted form of the OBJECT IDENTIFIER content `c[start..end)` (all of `c` by default). */
export function decodeOid(c: Uint8Array, start = 0, end = c.length): string {
  const length = end - start;
  if (length > SEEN_MAX_LENGTH) return decodeNew(c, start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (hash * 31 + c[i]!) | 0;
  const bucket = seen.get(hash);
  if (bucket) {
    for (const e of bucket) {
      if (e.content.length !== length) continue;
      let i = 0;
      while (i < length && e.content[i] === c[start + i]) i++;
      if (i === length) return e.text;
    }
  }
  const text = decodeNew(c, start, end);
  if (seenCount < SEEN_MAX) {
    const entry = { content: c.slice(start, end), text };
    if (bucket) bucket.push(entry);
    else seen.set(hash, [entry]);
    seenCount++;
  }
  return text;
}

function decodeNew(c: Uint8Array, start: number, end: number): string {
  checkOidContent(c, 0, start, end);
  // Arcs below 2^46 (all but UUID-like ones) in plain numbers: every certificate holds a
  // dozen OIDs, and BigInt arithmetic is the slow part of reading them.
  let out = "";
  let v = 0;
  for (let i = start; i < end; i++) {
    if (v >= 2 ** 46) return decodeArcs(c.subarray(start, end));
    const b = c[i]!;
    v = v * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    out += out ? `.${v}` : v < 40 ? `0.${v}` : v < 80 ? `1.${v - 40}` : `2.${v - 80}`;
    v = 0;
  }
  return out;
}

function decodeArcs(c: Uint8Array): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of c) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}

// Requests and answers name the same few algorithms and extensions again and again.
const MEMO_SIZE = 512;
const encoded = new Map<string, Uint8Array>();

/** The content octets of `oid` (shared: callers copy them into what they encode). */
export function encodeOid(oid: string): Uint8Array {
  let c = encoded.get(oid);
  if (!c) {
    c = encodeArcs(oid);
    if (encoded.size >= MEMO_SIZE) encoded.delete(encoded.keys().next().value!);
    encoded.set(oid, c);
  }
  return c;
}

function encodeArcs(oid: string): Uint8Array {
  const arcs = oid.split(".").map((a) => BigInt(a));
  const [a0 = 0n, a1 = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const bytes = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) bytes.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}
