// The text of ASN.1 character strings, read as OpenSSL's ASN1_STRING_to_UTF8 reads them.
import { DerError } from "./error.js";

export const UTF8_STRING = 0x0c;

/** Bytes per character of the types read as text; the rest are read one byte per character. */
const WIDTH = new Map<number, number>([
  [0x1e, 2], // BMPString: UCS-2
  [0x1c, 4], // UniversalString: UCS-4
]);

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The text of a character string of universal type `tag`. UTF8String must be valid UTF-8,
 * BMPString and UniversalString valid code points (no surrogates): OpenSSL refuses a Name
 * holding anything else. The one-byte types (PrintableString, IA5String, T61String, …) are
 * read as Latin-1, as OpenSSL reads them.
 */
export function stringText(tag: number, c: Uint8Array, offset = 0): string {
  if (tag === UTF8_STRING) {
    try {
      return utf8.decode(c);
    } catch {
      throw new DerError("UTF8String: invalid UTF-8", offset);
    }
  }
  const width = WIDTH.get(tag) ?? 1;
  if (width === 1) return Buffer.from(c).toString("latin1");
  if (c.length % width) throw new DerError("string: partial character", offset);
  let s = "";
  for (let i = 0; i < c.length; i += width) {
    let cp = 0;
    for (let k = 0; k < width; k++) cp = cp * 256 + c[i + k]!;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      throw new DerError(`string: invalid character U+${cp.toString(16)}`, offset + i);
    s += String.fromCodePoint(cp);
  }
  return s;
}
