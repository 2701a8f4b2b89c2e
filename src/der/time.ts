import { DerError } from "./error.js";
import type { Tlv } from "./tlv.js";

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** What parseTimeText reads: the instant and the fractional seconds as written. */
export interface Asn1Time {
  readonly date: Date;
  /** Fractional seconds as written (".123"), or "" when absent. */
  readonly fraction: string;
}

/**
 * A decoded UTCTime or GeneralizedTime: the instant, plus the value as written, so that
 * printers show it as OpenSSL reads the text (fractional seconds included). A time read for
 * printing only (`readTimeForPrint`) may not parse: it is then an Invalid Date, which prints
 * as OpenSSL's "Bad time value" and which no check accepts.
 */
export class DerTime extends Date {
  constructor(
    ms: number,
    /** UTC_TIME or GENERALIZED_TIME. */
    readonly tag: number,
    /** The content octets as written, one character per byte. */
    readonly text: string,
  ) {
    super(ms);
  }
}

/**
 * Is `d` a DerTime? Checked by shape, not `instanceof`: the CLI's lazily loaded bundles each
 * carry their own copy of the class.
 */
export function isDerTime(d: Date): d is DerTime {
  return typeof (d as Partial<DerTime>).text === "string";
}

export function parseTime(buf: Uint8Array, t: Tlv): DerTime {
  const content = buf.subarray(t.contentStart, t.end);
  const { date } = parseTimeText(t.tag, content, t.start);
  return new DerTime(date.getTime(), t.tag, Buffer.from(content).toString("latin1"));
}

/**
 * A time as OpenSSL's decoder takes it when only printing: the tag must be a time's, the
 * contents are not judged here (see DerTime).
 */
export function readTimeForPrint(buf: Uint8Array, t: Tlv): DerTime {
  try {
    return parseTime(buf, t);
  } catch (err) {
    if (t.tag !== UTC_TIME && t.tag !== GENERALIZED_TIME) throw err;
    const text = Buffer.from(buf.subarray(t.contentStart, t.end)).toString("latin1");
    return new DerTime(Number.NaN, t.tag, text);
  }
}

/** How a decoder reads times: strictly (parseTime) or for printing (readTimeForPrint). */
export type TimeReader = (buf: Uint8Array, t: Tlv) => Date;

/** The time field `field`, read by `readTime`; an unreadable one is named, as OpenSSL names it. */
export function timeOf(buf: Uint8Array, t: Tlv, field: string, readTime: TimeReader): Date {
  try {
    return readTime(buf, t);
  } catch (err) {
    if (!(err instanceof DerError)) throw err;
    throw new DerError(`${field}: ${err.message.replace(/ at byte \d+$/, "")}`, err.offset);
  }
}

/**
 * The time `content` (of a value tagged `tag`, found at `offset`) denotes. Only the forms
 * RFC 5280 allows are read — UTC ("Z"), seconds present — and every field is range-checked:
 * a lenient reader would turn "month 13" into January of the next year, a date nobody wrote.
 * Read digit by digit: every certificate and every answer holds several times.
 */
export function parseTimeText(tag: number, content: Uint8Array, offset: number): Asn1Time {
  if (tag !== GENERALIZED_TIME && tag !== UTC_TIME) {
    throw new DerError(`expected a time, found tag 0x${tag.toString(16)}`, offset);
  }
  const text = () => Buffer.from(content).toString("latin1");
  const c = content;
  const n = c.length;
  // YYYYMMDDHHMMSS[.f+]Z or YYMMDDHHMMSSZ
  const digits = tag === GENERALIZED_TIME ? 14 : 12;
  const fractionDigits = n - digits - 2;
  const wellFormed =
    c[n - 1] === 0x5a &&
    (n === digits + 1 || (tag === GENERALIZED_TIME && fractionDigits > 0 && c[digits] === 0x2e));
  const field = (from: number, len: number) => {
    let v = 0;
    for (let i = from; i < from + len; i++) {
      const d = c[i]! - 0x30;
      if (d < 0 || d > 9) return Number.NaN;
      v = v * 10 + d;
    }
    return v;
  };
  const fracOk =
    wellFormed && (n === digits + 1 || !Number.isNaN(field(digits + 1, fractionDigits)));
  const o = digits - 10;
  const yy = field(0, o);
  const mo = field(o, 2);
  const d = field(o + 2, 2);
  const h = field(o + 4, 2);
  const mi = field(o + 6, 2);
  const sec = field(o + 8, 2);
  if (!fracOk || Number.isNaN(yy + mo + d + h + mi + sec)) {
    throw new DerError(`malformed time "${text()}"`, offset);
  }
  const y = tag === UTC_TIME ? (yy < 50 ? 2000 : 1900) + yy : yy;
  const frac = n === digits + 1 ? "" : Buffer.from(c.subarray(digits, n - 1)).toString("latin1");
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) {
    throw new DerError(`invalid time "${text()}"`, offset);
  }
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let date: Date;
  if (y >= 100) date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms));
  else {
    // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
    date = new Date(0);
    date.setUTCFullYear(y, mo - 1, d);
    date.setUTCHours(h, mi, sec, ms);
  }
  return { date, fraction: frac };
}

/** Days in month `mo` (1-12) of year `y`, proleptic Gregorian as Date counts. */
function daysIn(y: number, mo: number): number {
  if (mo !== 2) return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

export function encodeGeneralizedTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // 2026-11-27T02:47:53.000Z
  const s = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  return Uint8Array.from([GENERALIZED_TIME, s.length, ...Buffer.from(s, "latin1")]);
}
