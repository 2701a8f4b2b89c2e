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
