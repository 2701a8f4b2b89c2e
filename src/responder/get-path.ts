// The OCSP request inside an RFC 6960 A.1.1 / RFC 5019 GET path. Not the HTTP side (see
// server.ts): only the search for the base64 DER, in time linear in the path, since an
// attacker chooses the path.

import { readTlv } from "../der/der.js";

/**
 * The longest request target taken as a GET: RFC 5019 GETs are a few hundred bytes, a signed
 * request naming several certificates a few KB. Anything longer is refused (414) unread.
 */
export const MAX_GET_TARGET = 8192;

const SEGMENT = /^[A-Za-z0-9+/_-]*$/;
const LAST_SEGMENT = /^[A-Za-z0-9+/_-]*={0,2}$/;
/** Base64 characters enough for a DER header: tag, and a length of up to 4 bytes. */
const HEADER_CHARS = 8;

/**
 * The DER request of a GET. The base64 may itself contain '/', and the responder may sit under
 * any path prefix, so the text after each '/' is a candidate, longest first, until one decodes
 * to exactly one DER SEQUENCE. Each segment is percent-decoded once, and a candidate is judged
 * from its first bytes and its length; only one whose header fits is decoded whole.
 */
export function requestFromPath(url: string): Buffer | undefined {
  if (url.length > MAX_GET_TARGET) return undefined;
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const raw = path.split("/");
  // The segments after the first '/', decoded, from the end back to the first that is no base64.
  const segs: string[] = [];
  for (let i = raw.length - 1; i >= 1; i--) {
    let s = raw[i]!;
    if (s.includes("%")) {
      try {
        s = decodeURIComponent(s);
      } catch {
        break;
      }
    }
    if (!(i === raw.length - 1 ? LAST_SEGMENT : SEGMENT).test(s)) break;
    segs.push(s);
  }
  segs.reverse();
  // Characters from the start of segment k to the end of the path.
  let length = segs.length - 1;
  for (const s of segs) length += s.length;
  const padding = segs.at(-1)?.match(/=*$/)?.[0].length ?? 0;
  for (let k = 0; k < segs.length; length -= segs[k]!.length + 1, k++) {
    if (length <= padding) break;
    // A SEQUENCE's 0x30 encodes as 'M': most candidates end here, at no cost.
    if (segs[k]!.charCodeAt(0) !== 0x4d) continue;
    const size = Math.floor(((length - padding) * 3) / 4);
    if (declaredSize(headOf(segs, k)) !== size) continue;
    const der = Buffer.from(segs.slice(k).join("/"), "base64");
    try {
      if (der.length === size && readTlv(der, 0).end === der.length) return der;
    } catch {
      // a header that is not DER: not this candidate
    }
  }
  return undefined;
}

/** The first HEADER_CHARS characters of segments k… joined by '/'. */
function headOf(segs: readonly string[], k: number): string {
  let head = segs[k]!.slice(0, HEADER_CHARS);
  for (let i = k + 1; head.length < HEADER_CHARS && i < segs.length; i++) {
    head += `/${segs[i]!.slice(0, HEADER_CHARS)}`;
  }
  return head.slice(0, HEADER_CHARS);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Base64 and base64url digit values by character code; -1 elsewhere ('=' included). */
const DIGIT = new Int8Array(128).fill(-1);
for (const [i, c] of [...ALPHABET].entries()) DIGIT[c.charCodeAt(0)] = i;
DIGIT[0x2d] = 62; // '-'
DIGIT[0x5f] = 63; // '_'

/** The bytes of up to HEADER_CHARS base64 characters, without a Buffer per candidate. */
function decodeHead(base64: string): number[] {
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < base64.length; i++) {
    const d = DIGIT[base64.charCodeAt(i)] ?? -1;
    if (d < 0) break;
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return out;
}

/** Total size a SEQUENCE header announces, or -1 when these bytes are no SEQUENCE header. */
function declaredSize(base64: string): number {
  const h = decodeHead(base64);
  if (h.length < 2 || h[0] !== 0x30) return -1;
  const first = h[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || h.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + h[2 + i]!;
  return 2 + n + len;
}
