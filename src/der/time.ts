import { DerError } from "./error.js";
import type { Tlv } from "./tlv.js";

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** A GeneralizedTime or UTCTime, kept with its text so fractions print as OpenSSL prints them. */
export interface Asn1Time {
  readonly date: Date;
  /** Fractional seconds as written (".123"), or "" when absent. */
  readonly fraction: string;
}

export function parseTime(buf: Uint8Array, t: Tlv): Date {
  return parseAsn1Time(buf, t).date;
}

export function parseAsn1Time(buf: Uint8Array, t: Tlv): Asn1Time {
  return parseTimeText(t.tag, buf.subarray(t.contentStart, t.end), t.start);
}

/**
 * The time `content` (of a value tagged `tag`, found at `offset`) denotes. Only the forms
 * RFC 5280 allows are read — UTC ("Z"), seconds present — and every field is range-checked:
 * a lenient reader would turn "month 13" into January of the next year, a date nobody wrote.
 */
export function parseTimeText(tag: number, content: Uint8Array, offset: number): Asn1Time {
  const s = Buffer.from(content).toString("latin1");
  let m: RegExpExecArray | null;
  if (tag === GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
  } else if (tag === UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})()Z$/.exec(s);
    if (m) m[1] = String((Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]));
  } else {
    throw new DerError(`expected a time, found tag 0x${tag.toString(16)}`, offset);
  }
  if (!m) throw new DerError(`malformed time "${s}"`, offset);
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const frac = m[7] ?? "";
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, frac ? Math.floor(Number(`0${frac}`) * 1000) : 0);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    throw new DerError(`invalid time "${s}"`, offset);
  }
  return { date, fraction: frac };
}

export function encodeGeneralizedTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // 2026-11-27T02:47:53.000Z
  const s = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  return Uint8Array.from([GENERALIZED_TIME, s.length, ...Buffer.from(s, "latin1")]);
}
