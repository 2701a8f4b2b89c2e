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
  return new DerTime(timeMs(buf, t), t.tag, latin1(buf, t.contentStart, t.end));
}

/** The instant of the time `t`, checked as parseTime checks it, without building a DerTime. */
export function timeMs(buf: Uint8Array, t: Tlv): number {
  return timeValue(t.tag, buf, t.contentStart, t.end, t.start);
}

/**
 * A time as OpenSSL's decoder takes it when only printing: the tag must be a time's, the
 * contents are not judged here (see DerTime).
 */
export function readTimeForPrint(buf: Uint8Array, t: Tlv): DerTime {
  checkTimeTag(buf, t);
  try {
    return parseTime(buf, t);
  } catch {
    return new DerTime(Number.NaN, t.tag, latin1(buf, t.contentStart, t.end));
  }
}

/** All readTimeForPrint refuses: a value that is not a time. */
export function checkTimeTag(_buf: Uint8Array, t: Tlv): void {
  if (t.tag !== GENERALIZED_TIME && t.tag !== UTC_TIME) throw notATime(t.tag, t.start);
}

function notATime(tag: number, offset: number): DerError {
  return new DerError(`expected a time, found tag 0x${tag.toString(16)}`, offset);
}

/** `buf[start..end)`, one character per byte. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  // A time's text (13 to 24 octets; every OCSP answer holds three) in one call and no Buffer,
  // at half the cost; longer ones, only ever in an error message, exceed what apply takes.
  if (end - start <= 64) {
    return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1");
}

/** How a decoder reads times: strictly (parseTime) or for printing (readTimeForPrint). */
export type TimeReader = (buf: Uint8Array, t: Tlv) => Date;

/**
 * The time field `field`, read (or only checked) by `readTime`; an unreadable one is named, as
 * OpenSSL names it.
 */
export function timeOf<T>(
  buf: Uint8Array,
  t: Tlv,
  field: string,
  readTime: (buf: Uint8Array, t: Tlv) => T,
): T {
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
 */
export function parseTimeText(tag: number, content: Uint8Array, offset: number): Asn1Time {
  const date = new Date(timeValue(tag, content, 0, content.length, offset));
  const digits = tag === GENERALIZED_TIME ? 14 : 12;
  const n = content.length;
  return { date, fraction: n === digits + 1 ? "" : latin1(content, digits, n - 1) };
}

/**
 * parseTimeText's rules applied to `buf[start..end)`, giving the instant in milliseconds. Read
 * digit by digit and in place: the walker checks every time of every certificate and answer.
 */
export function timeValue(
  tag: number,
  buf: Uint8Array,
  start: number,
  end: number,
  offset: number,
): number {
  if (tag !== GENERALIZED_TIME && tag !== UTC_TIME) throw notATime(tag, offset);
  const n = end - start;
  // YYYYMMDDHHMMSS[.f+]Z or YYMMDDHHMMSSZ
  const digits = tag === GENERALIZED_TIME ? 14 : 12;
  const fractionDigits = n - digits - 2;
  const wellFormed =
    n > digits &&
    buf[end - 1] === 0x5a &&
    (n === digits + 1 ||
      (tag === GENERALIZED_TIME && fractionDigits > 0 && buf[start + digits] === 0x2e));
  const fractionEnd = n > digits + 1 ? end - 1 : end;
  if (
    !wellFormed ||
    !allDigits(buf, start, start + digits) ||
    !allDigits(buf, start + digits + 1, fractionEnd)
  ) {
    throw new DerError(`malformed time "${latin1(buf, start, end)}"`, offset);
  }
  // Each field is two digits: 10·a + b − 11·"0".
  const o = start + digits - 10;
  const yy =
    (tag === GENERALIZED_TIME ? (buf[start]! * 10 + buf[start + 1]! - 528) * 100 : 0) +
    buf[o - 2]! * 10 +
    buf[o - 1]! -
    528;
  const mo = buf[o]! * 10 + buf[o + 1]! - 528;
  const d = buf[o + 2]! * 10 + buf[o + 3]! - 528;
  const h = buf[o + 4]! * 10 + buf[o + 5]! - 528;
  const mi = buf[o + 6]! * 10 + buf[o + 7]! - 528;
  const sec = buf[o + 8]! * 10 + buf[o + 9]! - 528;
  const y = tag === UTC_TIME ? (yy < 50 ? 2000 : 1900) + yy : yy;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59) {
    throw new DerError(`invalid time "${latin1(buf, start, end)}"`, offset);
  }
  const frac = n === digits + 1 ? "" : latin1(buf, start + digits, end - 1);
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, ms);
  return date.getTime();
}

/** Are `buf[from..to)` all decimal digits? */
function allDigits(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i]! < 0x30 || buf[i]! > 0x39) return false;
  return true;
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
