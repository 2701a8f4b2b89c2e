import { contentOf, DerError, TAG, type Tlv } from "./der.js";

const UTC_TIME = 0x17;

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
  const s = Buffer.from(contentOf(buf, t)).toString("latin1");
  let m: RegExpExecArray | null;
  if (t.tag === TAG.GENERALIZED_TIME) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
  } else if (t.tag === UTC_TIME) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})()Z$/.exec(s);
    if (m) m[1] = String((Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]));
  } else {
    throw new DerError(`expected a time, found tag 0x${t.tag.toString(16)}`, t.start);
  }
  if (!m) throw new DerError(`malformed time "${s}"`, t.start);
  const [, y, mo, d, h, mi, sec, frac = ""] = m;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +sec!, ms));
  if (
    Number.isNaN(date.getTime()) ||
    date.getUTCMonth() !== +mo! - 1 ||
    date.getUTCDate() !== +d! ||
    +h! > 23 ||
    +mi! > 59 ||
    +sec! > 59
  ) {
    throw new DerError(`invalid time "${s}"`, t.start);
  }
  return { date, fraction: frac };
}

export function encodeGeneralizedTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // 2026-11-27T02:47:53.000Z
  const s = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  return Uint8Array.from([TAG.GENERALIZED_TIME, s.length, ...Buffer.from(s, "latin1")]);
}
