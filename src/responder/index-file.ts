// OpenSSL's CA database (index.txt), read as `openssl ca` and `openssl ocsp -index` read it:
// TXT_DB_read's line and field rules, load_index's `.attr` file, index_index's uniqueness
// checks, and ca.c's unpack_revinfo for the revocation column. Where OpenSSL refuses the whole
// file, so does this; where it shrugs a row off at lookup time, the row keeps a note saying why.

import { encodeTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { hex as hexOf } from "../hex.js";

/** What a row says about one serial number. */
export interface IndexEntry {
  /** The status column: 'V' valid, 'R' revoked, 'E' expired; anything else is kept as is. */
  readonly type: string;
  /** Parsed revocation column of an 'R' row. */
  readonly revocation?: Revocation;
  /** The status and revocation columns as written, to tell changed rows apart. */
  readonly raw: string;
  /** The expiry column as written, when asked for (`db import` keeps it, the responder not). */
  readonly expires?: string;
}

export interface Revocation {
  /** Absent when the date does not parse: OpenSSL then answers internalError. */
  readonly time?: Date;
  /** CRLReason code; absent when the row names none or names one OpenSSL does not know. */
  readonly reason?: number;
  /** Hold instruction OID (`holdInstruction,<name or OID>` rows). */
  readonly holdInstruction?: string;
  /** The invalidity date, a DER GeneralizedTime of the text as written (`keyTime,<time>`). */
  readonly invalidityDate?: Uint8Array;
}

export interface IndexData {
  /** Keyed by {@link serialKey}. */
  readonly entries: ReadonlyMap<string, IndexEntry>;
  /** Rows OpenSSL accepts but cannot use fully, as the messages it prints for them. */
  readonly problems: readonly string[];
}

export class IndexFileError extends Error {}

const FIELDS = 6;
const TYPE = 0;
const EXPIRES = 1;
const REV = 2;
const SERIAL = 3;
const NAME = 5;

/**
 * Parses index.txt. Like TXT_DB_read: lines starting with '#' are skipped, a last line without
 * a newline is ignored, a backslash keeps a tab inside a field, and any other line must have
 * exactly six tab-separated fields (an empty line fails the whole file). Like index_index:
 * serial numbers must be unique (leading zeros ignored) and, with `uniqueSubject`, so must the
 * subjects of 'V' rows.
 */
export function parseIndex(text: string, uniqueSubject: boolean): IndexData {
  const entries = new Map<string, IndexEntry>();
  const unique = new IndexUniqueness(uniqueSubject);
  const problems: string[] = [];
  let start = 0;
  for (let end = text.indexOf("\n"); end >= 0; start = end + 1, end = text.indexOf("\n", start)) {
    if (text.charCodeAt(start) === 0x23 /* # */) continue;
    const row = parseIndexLine(text.slice(start, end), problems, false, () =>
      lineNumber(text, start),
    );
    unique.serial(row.key, entries.size);
    unique.subject(row.entry.type, row.subject, entries.size);
    entries.set(row.key, row.entry);
  }
  return { entries, problems };
}

/** One row of index.txt (not a comment line), as {@link parseIndexLine} reads it. */
export interface IndexRow {
  /** See {@link serialKey}. */
  readonly key: string;
  readonly entry: IndexEntry;
  /** The subject column, for index_index's uniqueness check. */
  readonly subject: string;
}

/**
 * One line of index.txt (without its newline; the caller skips '#' lines), by TXT_DB_read's
 * field rules; `where` names the line in the error a wrong field count raises. Problems
 * OpenSSL only notes go to `problems`.
 */
export function parseIndexLine(
  line: string,
  problems: string[],
  keepExpiry: boolean,
  where: () => number,
): IndexRow {
  const f = line.includes("\\") ? splitEscaped(line) : line.split("\t");
  if (f.length !== FIELDS) {
    throw new IndexFileError(`line ${where()}: ${f.length} fields where ${FIELDS} are needed`);
  }
  const type = f[TYPE]!.charAt(0);
  const raw = `${f[TYPE]}\t${f[REV]}`;
  const revocation = type === "R" ? unpackRevinfo(f[REV]!, problems) : undefined;
  const entry: IndexEntry = revocation ? { type, revocation, raw } : { type, raw };
  return {
    key: stripZeros(f[SERIAL]!),
    entry: keepExpiry ? { ...entry, expires: f[EXPIRES] } : entry,
    subject: f[NAME]!,
  };
}

/**
 * index_index's checks, row by row (rows counted from 0, comment lines left out): serials
 * unique, and with `uniqueSubject` the subjects of 'V' rows too.
 */
export class IndexUniqueness {
  readonly #rowOf = new Map<string, number>();
  readonly #subjects = new Map<string, number>();

  constructor(readonly uniqueSubject: boolean) {}

  serial(key: string, row: number): void {
    const first = this.#rowOf.get(key);
    if (first !== undefined) {
      throw new IndexFileError(`Error creating serial number index:(2,${first},${row})`);
    }
    this.#rowOf.set(key, row);
  }

  subject(type: string, subject: string, row: number): void {
    if (!this.uniqueSubject || type !== "V") return;
    const other = this.#subjects.get(subject);
    if (other !== undefined) {
      throw new IndexFileError(`Error creating name index:(2,${other},${row})`);
    }
    this.#subjects.set(subject, row);
  }
}

function lineNumber(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** TXT_DB_read's field split: a tab right after a backslash is data, the backslash dropped. */
function splitEscaped(line: string): string[] {
  const fields: string[] = [];
  let cur = "";
  let esc = false;
  for (const ch of line) {
    if (ch === "\t" && !esc) {
      fields.push(cur);
      cur = "";
      continue;
    }
    if (ch === "\t") cur = cur.slice(0, -1);
    esc = ch === "\\";
    cur += ch;
  }
  fields.push(cur);
  return fields;
}

const stripZeros = (s: string) => s.replace(/^0+/, "");

/**
 * The index key of a serial number (INTEGER contents): lookup_serial's BN_bn2hex, upper-case
 * hex of the magnitude in whole bytes with a "-" for negatives, and index_serial_cmp's
 * disregard of leading zeros. Lower-case serials in the file therefore match nothing, as in
 * OpenSSL.
 */
export function serialKey(serial: Uint8Array): string {
  if (serial.length === 0) return "";
  const hex = hexOf(serial);
  if (serial[0]! < 0x80) return stripZeros(hex.toUpperCase());
  let mag = ((1n << BigInt(serial.length * 8)) - BigInt(`0x${hex}`)).toString(16).toUpperCase();
  if (mag.length % 2) mag = `0${mag}`;
  return `-${mag}`;
}

/** load_index reads `unique_subject` from `<index>.attr`; it defaults to yes. */
export function parseAttr(text: string): boolean {
  let section = "";
  for (const line of text.split("\n")) {
    const l = line.replace(/#.*/, "").trim();
    const sec = /^\[\s*([^\]]*?)\s*\]$/.exec(l);
    if (sec) section = sec[1]!;
    const m = /^unique_subject\s*=\s*"?(.)/.exec(l);
    if (m && (section === "" || section === "default")) return !"0nNfF".includes(m[1]!);
  }
  return true;
}

/** crl_reasons in apps/ca.c, in order; the last three are pseudo reasons with an argument. */
const CRL_REASONS = [
  "unspecified",
  "keyCompromise",
  "CACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "removeFromCRL",
  "holdInstruction",
  "keyTime",
  "CAkeyTime",
].map((r) => r.toLowerCase());

const HOLD_INSTRUCTIONS: Record<string, string> = {
  holdinstructionnone: "1.2.840.10040.2.1",
  "hold instruction none": "1.2.840.10040.2.1",
  holdinstructioncallissuer: "1.2.840.10040.2.2",
  "hold instruction call issuer": "1.2.840.10040.2.2",
  holdinstructionreject: "1.2.840.10040.2.3",
  "hold instruction reject": "1.2.840.10040.2.3",
};

/**
 * unpack_revinfo: `date[,reason[,argument]]`. OpenSSL stops at the first fault and keeps what
 * it had parsed by then, so a bad reason leaves a revocation without a reason, and a bad
 * argument to holdInstruction/keyTime/CAkeyTime leaves no reason and no extension either.
 */
function unpackRevinfo(field: string, problems: string[]): Revocation {
  const [dateText = "", reasonText, ...rest] = field.split(",");
  const arg = rest.length ? rest.join(",") : undefined;
  const time = parseOpensslTime(dateText, false);
  if (!time) {
    problems.push(`invalid revocation date ${dateText}`);
    return {};
  }
  if (reasonText === undefined) return { time };
  const code = CRL_REASONS.indexOf(reasonText.toLowerCase());
  if (code < 0) {
    problems.push(`invalid reason code ${reasonText}`);
    return { time };
  }
  if (code < 7) return { time, reason: code };
  if (code === 7) return { time, reason: 8 };
  if (code === 8) {
    if (arg === undefined) {
      problems.push("missing hold instruction");
      return { time };
    }
    const oid = HOLD_INSTRUCTIONS[arg.toLowerCase()] ?? (isDottedOid(arg) ? arg : undefined);
    if (!oid) {
      problems.push(`invalid object identifier ${arg}`);
      return { time };
    }
    return { time, reason: 6, holdInstruction: oid };
  }
  if (arg === undefined) {
    problems.push("missing compromised time");
    return { time };
  }
  if (!parseOpensslTime(arg, true)) {
    problems.push(`invalid compromised time ${arg}`);
    return { time };
  }
  return {
    time,
    reason: code === 9 ? 1 : 2,
    invalidityDate: encodeTlv(TAG.GENERALIZED_TIME, Buffer.from(arg, "latin1")),
  };
}

/** OBJ_txt2obj's numeric form: two or more arcs, the first 0-2, the second < 40 below 2. */
function isDottedOid(s: string): boolean {
  const m = /^([0-2])\.(\d+)(\.\d+)*$/.exec(s);
  if (!m || (m[1] !== "2" && Number(m[2]) >= 40)) return false;
  try {
    encodeOid(s);
    return true;
  } catch {
    return false;
  }
}

const MIN = [0, 0, 1, 1, 0, 0, 0, 0, 0];
const MAX = [99, 99, 12, 31, 23, 59, 59, 12, 59];
const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * What ASN1_UTCTIME_set_string / ASN1_GENERALIZEDTIME_set_string accept (OpenSSL's
 * ossl_asn1_time_to_tm, not in X.509-strict mode): seconds may be left out, a GeneralizedTime
 * may have a fraction, and the zone is `Z` or `+hhmm`/`-hhmm`. UTCTime years below 50 are 20xx.
 */
export function parseOpensslTime(s: string, generalized: boolean): Date | undefined {
  const end = generalized ? 7 : 6;
  const btz = generalized ? 6 : 5;
  const l = s.length;
  if (l < (generalized ? 13 : 11)) return undefined;
  const digit = (i: number) => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : -1;
  };
  let year = 0;
  let month = 0;
  const t = [0, 0, 0, 0]; // day, hour, minute, second
  let o = 0;
  for (let i = 0; i < end; i++) {
    if (i === btz && "Z+-".includes(s[o]!)) break;
    const hi = digit(o);
    if (hi < 0 || ++o === l) return undefined;
    const lo = digit(o);
    if (lo < 0 || ++o === l) return undefined;
    const n = hi * 10 + lo;
    const i2 = generalized ? i : i + 1;
    if (n < MIN[i2]! || n > MAX[i2]!) return undefined;
    if (i2 === 0) year = n * 100;
    else if (i2 === 1) year = generalized ? year + n : n < 50 ? 2000 + n : 1900 + n;
    else if (i2 === 2) month = n;
    else {
      if (i2 === 3 && n > daysIn(year, month)) return undefined;
      t[i2 - 3] = n;
    }
  }
  if (generalized && s[o] === ".") {
    const first = ++o;
    while (o < l && digit(o) >= 0) o++;
    if (o === first || o === l) return undefined;
  }
  let offset = 0;
  if (s[o] === "Z") {
    o++;
  } else if (s[o] === "+" || s[o] === "-") {
    const sign = s[o] === "-" ? 1 : -1;
    if (++o + 4 !== l) return undefined;
    const hh = digit(o) * 10 + digit(o + 1);
    const mm = digit(o + 2) * 10 + digit(o + 3);
    if (Math.min(digit(o), digit(o + 1), digit(o + 2), digit(o + 3)) < 0) return undefined;
    if (hh > MAX[7]! || mm > MAX[8]!) return undefined;
    offset = sign * (hh * 3600 + mm * 60);
    o += 4;
  } else {
    return undefined;
  }
  if (o !== l) return undefined;
  // setUTCFullYear, unlike Date.UTC, takes years below 100 literally.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, t[0]);
  d.setUTCHours(t[1]!, t[2]!, t[3]! + offset);
  return d;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : MDAYS[month - 1]!;
}
