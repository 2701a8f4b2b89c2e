// What the database commands (`db`, `revoke`, `unrevoke`, `serve --db`) share: the --db URL
// (OCSPKIT_DB by default), the certificate asked about (--cert or --serial), and the exit
// codes: 64 for usage (runParsed), 1 for a database that cannot be used or a change it refuses.

import { OcspError } from "../errors.js";
import { parseSerial } from "../ocsp/certid.js";
import { serialKey } from "../responder/index-file.js";
import type { StatusSource } from "../responder/status.js";
import type { StatusDatabase } from "../store/database.js";
import { issuedBy } from "../store/import.js";
import { openDatabase } from "../store/open.js";
import { Refused } from "../store/revocation.js";
import { parseIsoTime, serialBytes } from "../store/rows.js";
import { schemaProblem } from "../store/schema.js";
import { type DatabaseUrl, parseDatabaseUrl } from "../store/url.js";
import type { Certificate } from "../x509/cert.js";
import { loadCertificate } from "../x509/load.js";
import { nameOneline } from "../x509/name-oneline.js";
import type { Io } from "./io.js";

export const DB_OPTION = "--db <url>";
export const DB_HELP = "database: sqlite:PATH or postgres://… (default: $OCSPKIT_DB)";

/** The --db value, or OCSPKIT_DB; a usage error when neither is given. */
export function databaseUrl(given: string | undefined): DatabaseUrl {
  const text = given ?? process.env.OCSPKIT_DB;
  if (!text) throw new OcspError("ERR_USAGE", "--db is required (or set OCSPKIT_DB)");
  return parseDatabaseUrl(text);
}

/** Opens the database and checks that its schema is the one this ocspkit writes. */
export async function openChecked(url: DatabaseUrl): Promise<StatusDatabase> {
  const db = await openDatabase(url);
  try {
    const problem = schemaProblem(await db.schemaVersion(), url.name);
    if (problem) throw new OcspError("ERR_STORE", `database ${url.name}: ${problem}`);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5000;

/**
 * The status source `serve --db` answers from: the database opened and its schema checked
 * (again and again with `wait`, backing off, until it can be used), each CA looked up.
 */
export async function openSource(
  url: DatabaseUrl,
  cas: readonly { readonly caCert: Certificate }[],
  o: { readonly log: (m: string) => void; readonly wait: boolean },
): Promise<StatusSource> {
  for (let pause = RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RETRY_MAX_MS)) {
    let db: StatusDatabase | undefined;
    try {
      db = await openChecked(url);
      for (const { caCert } of cas) {
        if ((await db.issuer(caCert, false)) === undefined) {
          o.log(`${url.name} holds no certificate of ${nameOneline(caCert.subject)} yet`);
        }
      }
      return await db.source({ log: o.log });
    } catch (err) {
      await db?.close();
      if (!o.wait || !(err instanceof OcspError && err.code === "ERR_STORE")) throw err;
      o.log(`waiting for the database: ${err.message}`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

export interface Target {
  readonly serial: Uint8Array;
  /** Upper-case hex, as index.txt and `openssl x509 -serial` write it. */
  readonly hex: string;
  readonly certificate?: Certificate;
}

/**
 * The certificate given by --cert FILE or --serial HEX (exactly one of them); a certificate
 * must have been issued by `ca`.
 */
export function target(o: { cert?: string; serial?: string }, ca: Certificate): Target {
  if ((o.cert === undefined) === (o.serial === undefined)) {
    throw new OcspError("ERR_USAGE", "give either --cert FILE or --serial HEX");
  }
  if (o.cert !== undefined) {
    const certificate = loadCertificate(o.cert, "certificate");
    if (!issuedBy(certificate, ca)) {
      throw new OcspError("ERR_INPUT", `${o.cert}: not a certificate issued by the --issuer CA`);
    }
    return { serial: serialBytes(certificate.serial), hex: hexOf(certificate.serial), certificate };
  }
  const text = o.serial!.replace(/:/g, "");
  const serial = /^(0x)?[0-9a-f]+$/i.test(text)
    ? parseSerial(text.startsWith("0x") || text.startsWith("0X") ? text : `0x${text}`)
    : undefined;
  if (!serial) {
    throw new OcspError("ERR_USAGE", `--serial ${JSON.stringify(o.serial)} is not a hex number`);
  }
  return { serial, hex: hexOf(serial) };
}

/** As `openssl x509 -serial` and index.txt write a serial: whole bytes, no sign byte. */
function hexOf(serial: Uint8Array): string {
  const b = serialBytes(serial);
  if (b[0]! >= 0x80) return serialKey(b);
  return Buffer.from(b[0] === 0 && b.length > 1 ? b.subarray(1) : b)
    .toString("hex")
    .toUpperCase();
}

/** An ISO 8601 time option (a date alone is midnight; no zone is UTC), or a usage error. */
export function isoOption(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const full = /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00` : text;
  const d = parseIsoTime(/(Z|[+-]\d\d:?\d\d)$/i.test(full) ? full : `${full}Z`);
  if (!d)
    throw new OcspError("ERR_USAGE", `${name} ${JSON.stringify(text)} is not an ISO 8601 time`);
  return d;
}

/**
 * Runs a database command body: a database that cannot be used, or a change it refuses, is one
 * line and exit 1; usage and input errors go on to the caller (exit 64).
 */
export async function withDatabase(
  prefix: string,
  io: Io,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Refused || (err instanceof OcspError && err.code === "ERR_STORE")) {
      io.err(`${prefix}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
