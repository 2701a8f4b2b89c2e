// What the `db`, `revoke` and `serve --db` commands need of a database, whichever it is
// (SQLite or PostgreSQL): the contract src/store/sqlite.ts and postgres.ts implement.

import type { StatusSource } from "../responder/status.js";
import type { Certificate } from "../x509/cert.js";
import type { StatusFields, StatusRow } from "./rows.js";
import type { Dialect } from "./schema.js";

export interface ImportRow extends StatusFields {
  readonly serial: Uint8Array;
}

/** An issued certificate, recorded as good unless the store says otherwise. */
export interface CertificateRow {
  readonly serial: Uint8Array;
  readonly notAfter: string;
  readonly der: Uint8Array;
}

/** A row write decided from the row as it is. */
export interface RowWrite {
  readonly fields: StatusFields;
  readonly certificate?: Uint8Array;
}

export interface SourceOptions {
  /** Problems worth a line in the log (bad rows, lost connections), each said once. */
  readonly log: (message: string) => void;
}

export interface StatusDatabase {
  /** The URL as shown to people (no password). */
  readonly name: string;
  readonly dialect: Dialect;
  /** The schema version found; undefined when the database holds no ocspkit schema. */
  schemaVersion(): Promise<number | undefined>;
  /** Creates the schema or brings it up to date; idempotent. */
  migrate(): Promise<{ readonly from: number; readonly to: number }>;
  /** The id of the CA's row; with `create`, the row is made when missing. */
  issuer(ca: Certificate, create: boolean): Promise<string | undefined>;
  /**
   * Writes index rows in one transaction, leaving identical rows untouched (no new version) and
   * never making a revoked row good again. Returns how many rows were written.
   */
  importStatuses(issuer: string, rows: readonly ImportRow[]): Promise<number>;
  /** Adds certificates (good when new; the status of a known serial is kept). */
  importCertificates(issuer: string, rows: readonly CertificateRow[]): Promise<number>;
  row(issuer: string, serial: Uint8Array): Promise<StatusRow | undefined>;
  /**
   * Reads the row and writes what `decide` makes of it in one transaction; `decide` throws to
   * refuse, returns undefined to leave the row as it is. Resolves with the row afterwards.
   */
  change(
    issuer: string,
    serial: Uint8Array,
    decide: (row: StatusRow | undefined) => RowWrite | undefined,
  ): Promise<StatusRow | undefined>;
  /** The responder's view: lookups, and changes seen within a second. */
  source(o: SourceOptions): Promise<StatusSource>;
  close(): Promise<void>;
}
