// OpenSSL's time printing (ASN1_TIME_print), shared by the full text printers and the everyday
// summary lines; kept apart from text.ts so those lines do not load the full printers.
import { isDerTime } from "../der/time.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** What OpenSSL prints in place of a time it cannot read. */
export const BAD_TIME = "Bad time value";

/**
 * `ASN1_TIME_print` layout: "Nov 27 02:47:53 2026 GMT" (day as `%2d`). `fraction` is the
 * fractional-seconds text of a GeneralizedTime including its dot (e.g. ".5"), which
 * OpenSSL prints right after the seconds. OpenSSL 3.0 says "GMT" even for times written
 * with a +hhmm offset, since it has converted them to GMT by then. A time decoded from DER
 * (a DerTime) is printed from its text as written, as OpenSSL prints it: fraction included,
 * "Bad time value" when it does not read.
 */
export function gmtTime(d: Date, fraction = ""): string {
  if (isDerTime(d)) return asn1TimeValueText(d.tag, d.text);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, " ");
  const clock = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${clock}${fraction} ${d.getUTCFullYear()} GMT`;
}

/**
 * `ossl_asn1_time_print_ex(..., ASN1_DTFLGS_RFC822)` of a UTCTime or GeneralizedTime whose
 * contents are `text` (one character per byte).
 */
export function asn1TimeValueText(tag: number, text: string): string {
  const date = tag === UTC_TIME || tag === GENERALIZED_TIME ? readTime(tag, text) : undefined;
  if (date === undefined) return BAD_TIME;
  let fraction = "";
  if (tag === GENERALIZED_TIME && text.length > 15 && text[14] === ".") {
    fraction = `.${/^[0-9]*/.exec(text.slice(15))![0]}`;
  }
  return gmtTime(date, fraction);
}

const TIME_MIN = [0, 0, 1, 1, 0, 0, 0, 0, 0];
const TIME_MAX = [99, 99, 12, 31, 23, 59, 59, 12, 59];

/**
 * `ossl_asn1_time_to_tm` in its lenient (non-X.509) mode: seconds may be omitted, a
 * GeneralizedTime may carry fractional seconds, and a +hhmm/-hhmm offset is folded
 * into the result. Returns undefined where OpenSSL reports a bad time value.
 */
function readTime(tag: number, text: string): Date | undefined {
  const utc = tag === UTC_TIME;
  const end = utc ? 6 : 7;
  const beforeZone = utc ? 5 : 6;
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  if (text.length < (utc ? 11 : 13)) return undefined;
  const f = { year: 0, month: 0, day: 1, hour: 0, minute: 0, second: 0 };
  let o = 0;
  for (let i = 0; i < end; i++) {
    if (i === beforeZone && "Z+-".includes(text[o] ?? "")) break;
    if (!isDigit(text[o]) || !isDigit(text[o + 1])) return undefined;
    const n = Number(text.slice(o, o + 2));
    o += 2;
    if (o >= text.length) return undefined;
    const field = utc ? i + 1 : i;
    if (n < TIME_MIN[field]! || n > TIME_MAX[field]!) return undefined;
    if (field === 0) f.year = n * 100;
    else if (field === 1) f.year = utc ? (n < 50 ? 2000 + n : 1900 + n) : f.year + n;
    else if (field === 2) f.month = n - 1;
    else if (field === 3) {
      const daysInMonth = new Date(Date.UTC(f.year, f.month + 1, 0)).getUTCDate();
      if (n > daysInMonth) return undefined;
      f.day = n;
    } else if (field === 4) f.hour = n;
    else if (field === 5) f.minute = n;
    else f.second = n;
  }
  if (!utc && text[o] === ".") {
    const digitsStart = ++o;
    while (isDigit(text[o])) o++;
    if (o === digitsStart || o >= text.length) return undefined;
  }
  let offsetSeconds = 0;
  if (text[o] === "Z") o++;
  else if (text[o] === "+" || text[o] === "-") {
    const sign = text[o] === "-" ? 1 : -1;
    o++;
    if (o + 4 !== text.length || ![0, 1, 2, 3].every((k) => isDigit(text[o + k]))) {
      return undefined;
    }
    const hh = Number(text.slice(o, o + 2));
    const mm = Number(text.slice(o + 2, o + 4));
    if (hh > 12 || mm > 59) return undefined;
    offsetSeconds = sign * (hh * 3600 + mm * 60);
    o += 4;
  } else return undefined;
  if (o !== text.length) return undefined;
  const ms = Date.UTC(f.year, f.month, f.day, f.hour, f.minute, f.second);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps the real year.
  const date = new Date(ms);
  date.setUTCFullYear(f.year, f.month, f.day);
  return new Date(date.getTime() + offsetSeconds * 1000);
}
