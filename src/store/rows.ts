// A certificate_status row as both databases hand it over, and what it means: the record the
// answer builder gets (good, expired, revoked, or unusable with the reason why). Rows are read
// strictly; nothing in a row that does not parse is guessed at.

import { encodeOid } from "../der/oid.js";
import { encodeGeneralizedTime } from "../der/time.js";
import { digestByName, hash, SHA1 } from "../ocsp/digests.js";
import type { RevocationRecord, StatusRecord } from "../responder/status.js";
import type { Certificate } from "../x509/cert.js";

export interface StatusRow {
  /** INTEGER contents, minimal. */
  readonly serial: Uint8Array;
  readonly notAfter: string | null;
  readonly revokedAt: string | null;
  readonly reason: number | null;
  readonly invalidityDate: string | null;
  readonly holdInstruction: string | null;
  /** Decimal text: PostgreSQL's BIGINT does not fit a number. */
  readonly version: string;
}

/** The status columns a writer sets (the version comes from the database). */
export type StatusFields = Omit<StatusRow, "serial" | "version">;

const SHA256 = digestByName("sha256")!;

export interface IssuerHashes {
  readonly nameSha1: Uint8Array;
  readonly keySha1: Uint8Array;
  readonly nameSha256: Uint8Array;
  readonly keySha256: Uint8Array;
}

/** The CertID hashes of a CA: of its subject Name and of its subjectPublicKey bits. */
export function issuerHashes(ca: Certificate): IssuerHashes {
  return {
    nameSha1: hash(SHA1, ca.subject),
    keySha1: hash(SHA1, ca.publicKeyBits),
    nameSha256: hash(SHA256, ca.subject),
    keySha256: hash(SHA256, ca.publicKeyBits),
  };
}

/**
 * The key a serial is stored under: its INTEGER contents without redundant leading 0x00 or
 * 0xFF octets, so that a request encoding a serial loosely still finds it (OpenSSL's index
 * disregards leading zeros too).
 */
export function serialBytes(serial: Uint8Array): Uint8Array {
  let i = 0;
  while (
    i + 1 < serial.length &&
    ((serial[i] === 0 && serial[i + 1]! < 0x80) || (serial[i] === 0xff && serial[i + 1]! >= 0x80))
  ) {
    i++;
  }
  return serial.subarray(i);
}

/** RFC 5280 CRLReason codes (7 is unused); names as OpenSSL spells them. */
export const REASON_NAMES: Readonly<Record<number, string>> = {
  0: "unspecified",
  1: "keyCompromise",
  2: "CACompromise",
  3: "affiliationChanged",
  4: "superseded",
  5: "cessationOfOperation",
  6: "certificateHold",
  8: "removeFromCRL",
  9: "privilegeWithdrawn",
  10: "AACompromise",
};

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * ISO 8601 with its zone (Z or ±hh:mm; a space for the T, as SQL prints it); undefined for
 * anything else, a time without a zone included: the stores never guess one.
 */
export function parseIsoTime(text: string): Date | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec, zh, zm] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) =>
    Number(m[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms));
  // Date.UTC rolls "February 30" over into March: a date nobody wrote is refused instead.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) {
    return undefined;
  }
  // Date.UTC also reads years 0-99 as 19xx; no stored time is that old.
  if (zh > 23 || zm > 59 || y < 100) return undefined;
  const sign = m[8] === "-" ? 1 : -1;
  return new Date(date.getTime() + sign * (zh * 60 + zm) * 60_000);
}

/** The form times are stored in: seconds, UTC. */
export function isoTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** What a row says at `now`; `undefined` rows are serials the store does not hold. */
export function recordOf(row: StatusRow | undefined, now: number): StatusRecord {
  if (!row) return { state: "not-found" };
  const notAfter = row.notAfter === null ? undefined : parseIsoTime(row.notAfter);
  if (row.notAfter !== null && !notAfter) {
    return {
      state: "unusable",
      problem: `not_after ${JSON.stringify(row.notAfter)} does not parse`,
    };
  }
  if (row.revokedAt === null) {
    if (row.reason !== null || row.invalidityDate !== null || row.holdInstruction !== null) {
      return { state: "unusable", problem: "revocation details without a revocation time" };
    }
    return notAfter && notAfter.getTime() < now ? { state: "expired" } : { state: "good" };
  }
  const revocation = revocationOf(row);
  return typeof revocation === "string"
    ? { state: "unusable", problem: revocation }
    : { state: "revoked", revocation };
}

/** The revocation a revoked row records, or why it cannot be read. */
function revocationOf(row: StatusRow): RevocationRecord | string {
  const time = parseIsoTime(row.revokedAt!);
  if (!time) return `revocation time ${JSON.stringify(row.revokedAt)} does not parse`;
  if (row.reason !== null && REASON_NAMES[row.reason] === undefined) {
    return `unknown revocation reason ${row.reason}`;
  }
  let invalidityDate: Uint8Array | undefined;
  if (row.invalidityDate !== null) {
    const d = parseIsoTime(row.invalidityDate);
    if (!d) return `invalidity date ${JSON.stringify(row.invalidityDate)} does not parse`;
    invalidityDate = encodeGeneralizedTime(d);
  }
  if (row.holdInstruction !== null) {
    try {
      encodeOid(row.holdInstruction);
    } catch {
      return `hold instruction ${JSON.stringify(row.holdInstruction)} is not an OID`;
    }
  }
  return {
    time,
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.holdInstruction === null ? {} : { holdInstruction: row.holdInstruction }),
    ...(invalidityDate ? { invalidityDate } : {}),
  };
}
