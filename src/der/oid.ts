import { DerError } from "./der.js";

export function decodeOid(c: Uint8Array): string {
  if (c.length === 0) throw new DerError("OBJECT IDENTIFIER: empty", 0);
  const arcs: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (v === 0n && b === 0x80) throw new DerError("OBJECT IDENTIFIER: non-minimal arc", i);
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    } else if (i === c.length - 1) {
      throw new DerError("OBJECT IDENTIFIER: truncated arc", i);
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}

export function encodeOid(oid: string): Uint8Array {
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
