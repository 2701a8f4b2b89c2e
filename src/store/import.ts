// `db import`: OpenSSL's CA database (index.txt, read by OpenSSL's rules: the responder's own
// parser) and issued certificates into a status database. Rows go in batches, one transaction
// each; rows already there as the file says are left alone, so a second run writes nothing.
// The file is streamed twice, never held: once for the checks that make OpenSSL refuse a whole
// file (so a refused file writes nothing), once to write.

import { createReadStream, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, OcspError } from "../errors.js";
import { encodeInteger } from "../ocsp/certid.js";
import {
  type IndexEntry,
  type IndexRow,
  IndexUniqueness,
  parseIndexLine,
  parseOpensslTime,
} from "../responder/index-file.js";
import { indexProblem, uniqueSubjectOf } from "../responder/store.js";
import { verifySignedBy } from "../verify/signature.js";
import type { Certificate } from "../x509/cert.js";
import { loadCertificates } from "../x509/load.js";
import type { CertificateRow, ImportRow, StatusDatabase } from "./database.js";
import { isoTime } from "./rows.js";

const BATCH = 10_000;

export interface ImportReport {
  /** Rows (or certificates) read. */
  readonly read: number;
  /** Rows written: new or changed. */
  readonly written: number;
  /** Notes about rows left out or kept as they were. */
  readonly notes: readonly string[];
}

/** Imports index.txt rows for the CA whose id is `issuer`. */
export async function importIndex(
  db: StatusDatabase,
  issuer: string,
  path: string,
): Promise<ImportReport> {
  await checkIndex(path);
  const problems: string[] = [];
  let read = 0;
  let skipped = 0;
  let written = 0;
  let batch: ImportRow[] = [];
  for await (const { key, entry } of indexRows(path, problems)) {
    read++;
    const row = importRow(key, entry);
    if (!row) {
      skipped++;
      continue;
    }
    batch.push(row);
    if (batch.length === BATCH) {
      written += await db.importStatuses(issuer, batch);
      batch = [];
    }
  }
  if (batch.length) written += await db.importStatuses(issuer, batch);
  const notes = problems.map((p) => `${path}: ${p}`);
  if (skipped) {
    notes.push(
      `${path}: ${skipped} rows left out (neither V, R nor E, or a serial OpenSSL never matches)`,
    );
  }
  return { read, written, notes };
}

/**
 * index_index's uniqueness checks over the whole file, in its order (serials over every row,
 * then subjects). What a row leaves behind is an 8-byte hash of its serial and, for a 'V' row,
 * of its subject; only hashes met twice (a duplicate, or rarely a collision) are then looked at
 * again, in their own words, in a second read.
 */
async function checkIndex(path: string): Promise<void> {
  const uniqueSubject = await uniqueSubjectOf(path);
  const serials = new HashList();
  const subjects = new HashList();
  for await (const { key, entry, subject } of indexRows(path, [])) {
    serials.push(hash53(key));
    if (uniqueSubject && entry.type === "V") subjects.push(hash53(subject));
  }
  const twiceSerials = serials.twice();
  const twiceSubjects = subjects.twice();
  if (!twiceSerials.size && !twiceSubjects.size) return;
  const unique = new IndexUniqueness(uniqueSubject);
  try {
    for (const pass of ["serial", "subject"] as const) {
      let row = 0;
      for await (const { key, entry, subject } of indexRows(path, [])) {
        if (pass === "serial" && twiceSerials.has(hash53(key))) unique.serial(key, row);
        if (pass === "subject" && twiceSubjects.has(hash53(subject))) {
          unique.subject(entry.type, subject, row);
        }
        row++;
      }
    }
  } catch (err) {
    // The re-read's own faults (a file changed since the first read) come named already.
    throw err instanceof OcspError ? err : indexProblem(path, err);
  }
}

/** A growing list of hashes that tells which ones it holds more than once. */
class HashList {
  #items = new Float64Array(1 << 16);
  #length = 0;

  push(h: number): void {
    if (this.#length === this.#items.length) {
      const bigger = new Float64Array(this.#items.length * 2);
      bigger.set(this.#items);
      this.#items = bigger;
    }
    this.#items[this.#length++] = h;
  }

  twice(): Set<number> {
    const sorted = this.#items.subarray(0, this.#length).sort();
    const found = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) found.add(sorted[i]!);
    return found;
  }
}

/** A 53-bit hash of a string's char codes (cyrb53): fast, and exact enough for a first sieve. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The rows of index.txt, read a chunk at a time by TXT_DB_read's line rules. */
async function* indexRows(path: string, problems: string[]): AsyncGenerator<IndexRow> {
  let line = 0;
  let rest = "";
  try {
    for await (const chunk of createReadStream(path, {
      encoding: "latin1",
      highWaterMark: 1 << 20,
    })) {
      const text = rest + (chunk as string);
      let start = 0;
      for (
        let end = text.indexOf("\n");
        end >= 0;
        start = end + 1, end = text.indexOf("\n", start)
      ) {
        line++;
        if (text.charCodeAt(start) === 0x23 /* # */) continue;
        const n = line;
        yield parseIndexLine(text.slice(start, end), problems, true, () => n);
      }
      rest = text.slice(start);
    }
  } catch (err) {
    throw indexProblem(path, err);
  }
  // A last line without a newline is ignored, as TXT_DB_read does.
}

/**
 * A row of the file as the database keeps it; undefined for rows `serve --index` never answers
 * from (types other than V, R, E, and serials OpenSSL's lookup cannot match).
 */
function importRow(key: string, e: IndexEntry): ImportRow | undefined {
  const serial = serialFromKey(key);
  if (!serial || (e.type !== "V" && e.type !== "R" && e.type !== "E")) return undefined;
  const expires = e.expires === undefined ? undefined : parseOpensslTime(e.expires, false);
  const base = {
    serial,
    notAfter: expires ? isoTime(expires) : null,
    revokedAt: null,
    reason: null,
    invalidityDate: null,
    holdInstruction: null,
  };
  const r = e.revocation;
  if (e.type !== "R" || !r) return base;
  const invalidity =
    r.invalidityDate && Buffer.from(r.invalidityDate.subarray(2)).toString("latin1");
  const invalidityDate = invalidity ? parseOpensslTime(invalidity, true) : undefined;
  return {
    ...base,
    // A date OpenSSL cannot read is kept as written: the row then answers internalError, as
    // `openssl ocsp -index` does, rather than a revocation time made up here.
    revokedAt: r.time ? isoTime(r.time) : e.raw.split("\t")[1]!.split(",")[0]!,
    reason: r.reason ?? null,
    invalidityDate: invalidityDate ? isoTime(invalidityDate) : null,
    holdInstruction: r.holdInstruction ?? null,
  };
}

/**
 * The serial of an index key (BN_bn2hex: upper-case hex of the magnitude, "-" for negatives),
 * or undefined for a key OpenSSL's lookup never matches (lower-case or not hex at all).
 */
function serialFromKey(key: string): Uint8Array | undefined {
  if (!/^-?[0-9A-F]*$/.test(key)) return undefined;
  if (key.startsWith("-")) return encodeInteger(-BigInt(`0x${key.slice(1) || "0"}`));
  const bytes = Buffer.from(key.length % 2 ? `0${key}` : key || "00", "hex");
  return bytes[0]! >= 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

/**
 * Adds the certificates in `paths` (files, or folders whose every file is read) that `ca`
 * issued; a certificate another CA issued is an error, not a silent skip.
 */
export async function importCertificates(
  db: StatusDatabase,
  issuer: string,
  ca: Certificate,
  paths: readonly string[],
): Promise<ImportReport> {
  let rows: CertificateRow[] = [];
  let read = 0;
  let written = 0;
  for (const file of paths.flatMap(filesOf)) {
    for (const cert of loadCertificates(file, "certificate")) {
      if (!issuedBy(cert, ca)) {
        throw new OcspError("ERR_INPUT", `${file}: not a certificate issued by the --issuer CA`);
      }
      read++;
      rows.push({ serial: cert.serial, notAfter: isoTime(cert.notAfter), der: cert.der });
      if (rows.length === BATCH) {
        written += await db.importCertificates(issuer, rows);
        rows = [];
      }
    }
  }
  if (rows.length) written += await db.importCertificates(issuer, rows);
  return { read, written, notes: [] };
}

function filesOf(path: string): string[] {
  let dir: boolean;
  try {
    dir = statSync(path).isDirectory();
  } catch (err) {
    throw new OcspError("ERR_INPUT", `cannot read certificates from ${path}: ${describe(err)}`);
  }
  if (!dir) return [path];
  return readdirSync(path)
    .sort()
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
}

/** Named by `ca` as its issuer and signed by its key. */
export function issuedBy(cert: Certificate, ca: Certificate): boolean {
  return Buffer.from(cert.issuer).equals(ca.subject) && verifySignedBy(cert, ca).ok;
}
