// The embedded store: one SQLite file in WAL mode (better-sqlite3, synchronous and in-process).
// A responder sees another process's commit (an `ocspkit revoke`) within POLL_MS: it watches
// PRAGMA data_version, which moves only when another connection commits, and then asks for
// the rows whose version passed the last one it saw, never re-reading the table.

import type BetterSqlite3 from "better-sqlite3";
import { describe, OcspError } from "../errors.js";
import { serialKey } from "../responder/index-file.js";
import {
  type ChangeListener,
  type SourceStats,
  type StatusRecord,
  type StatusSource,
  StoreUnavailable,
} from "../responder/status.js";
import type { Certificate } from "../x509/cert.js";
import { BadRows } from "./bad-rows.js";
import type {
  CertificateRow,
  ImportRow,
  RowWrite,
  SourceOptions,
  StatusDatabase,
} from "./database.js";
import { issuerHashes, recordOf, type StatusRow, serialBytes } from "./rows.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";
import { type DatabaseUrl, storeError } from "./url.js";

type Db = BetterSqlite3.Database;
type Url = Extract<DatabaseUrl, { kind: "sqlite" }>;

const POLL_MS = 200;

const COLUMNS = "serial, not_after, revoked_at, reason, invalidity_date, hold_instruction, version";

const UPSERT_STATUS = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, revoked_at, reason, invalidity_date, hold_instruction, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (issuer_id, serial) DO UPDATE SET
    not_after = excluded.not_after, revoked_at = excluded.revoked_at, reason = excluded.reason,
    invalidity_date = excluded.invalidity_date, hold_instruction = excluded.hold_instruction,
    version = excluded.version
  WHERE (certificate_status.revoked_at IS NULL OR excluded.revoked_at IS NOT NULL)
    AND (certificate_status.not_after IS NOT excluded.not_after
      OR certificate_status.revoked_at IS NOT excluded.revoked_at
      OR certificate_status.reason IS NOT excluded.reason
      OR certificate_status.invalidity_date IS NOT excluded.invalidity_date
      OR certificate_status.hold_instruction IS NOT excluded.hold_instruction)`;

const UPSERT_CERTIFICATE = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, certificate, version) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (issuer_id, serial) DO UPDATE SET
    not_after = excluded.not_after, certificate = excluded.certificate, version = excluded.version
  WHERE certificate_status.certificate IS NOT excluded.certificate
    OR certificate_status.not_after IS NOT excluded.not_after`;

const WRITE_ROW = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, revoked_at, reason, invalidity_date, hold_instruction,
     certificate, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(version), 0) + 1 FROM certificate_status))
  ON CONFLICT (issuer_id, serial) DO UPDATE SET
    not_after = excluded.not_after, revoked_at = excluded.revoked_at, reason = excluded.reason,
    invalidity_date = excluded.invalidity_date, hold_instruction = excluded.hold_instruction,
    certificate = coalesce(excluded.certificate, certificate_status.certificate),
    version = excluded.version`;

export async function openSqlite(
  url: Url,
  o: { readonly create?: boolean },
): Promise<StatusDatabase> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import("better-sqlite3")).default;
  } catch (err) {
    throw storeError(url.name, err, "cannot load better-sqlite3 (see the README's build notes)");
  }
  let db: Db;
  try {
    db = new Database(url.path, { fileMustExist: !o.create });
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
  } catch (err) {
    const missing = (err as { code?: string }).code === "SQLITE_CANTOPEN";
    throw storeError(
      url.name,
      missing && !o.create ? "no such database (create it with: ocspkit db init)" : err,
      "cannot open",
    );
  }
  return new SqliteDatabase(url.name, db);
}

class SqliteDatabase implements StatusDatabase {
  readonly dialect = "sqlite";
  readonly #db: Db;

  constructor(
    readonly name: string,
    db: Db,
  ) {
    this.#db = db;
  }

  /** Runs `f`, turning a driver error into one that names the database. */
  #run<T>(what: string, f: () => T): Promise<T> {
    try {
      return Promise.resolve(f());
    } catch (err) {
      if (err instanceof OcspError) return Promise.reject(err);
      return Promise.reject(storeError(this.name, err, what));
    }
  }

  schemaVersion(): Promise<number | undefined> {
    return this.#run("reading the schema version", () => currentVersion(this.#db));
  }

  migrate(): Promise<{ from: number; to: number }> {
    return this.#run("migrating", () =>
      this.#db
        .transaction(() => {
          const from = currentVersion(this.#db) ?? 0;
          if (from > SCHEMA_VERSION) {
            throw new Error(
              `schema version ${from} is newer than this ocspkit (${SCHEMA_VERSION})`,
            );
          }
          for (const step of MIGRATIONS.sqlite.slice(from))
            for (const sql of step) this.#db.exec(sql);
          this.#db.prepare("DELETE FROM ocspkit_schema").run();
          this.#db.prepare("INSERT INTO ocspkit_schema (version) VALUES (?)").run(SCHEMA_VERSION);
          return { from, to: SCHEMA_VERSION };
        })
        .immediate(),
    );
  }

  issuer(ca: Certificate, create: boolean): Promise<string | undefined> {
    return this.#run("looking up the issuer", () => {
      const id = findIssuer(this.#db, ca);
      if (id !== undefined || !create) return id === undefined ? undefined : String(id);
      const h = issuerHashes(ca);
      // Another writer may register the same CA at the same moment: its row is as good.
      this.#db
        .prepare(
          `INSERT OR IGNORE INTO issuers (name_sha1, key_sha1, name_sha256, key_sha256, certificate)
           VALUES (?, ?, ?, ?, ?)`,
        )
        .run(h.nameSha1, h.keySha1, h.nameSha256, h.keySha256, ca.der);
      return String(findIssuer(this.#db, ca));
    });
  }

  importStatuses(issuer: string, rows: readonly ImportRow[]): Promise<number> {
    return this.#run("importing", () => {
      const stmt = this.#db.prepare(UPSERT_STATUS);
      return this.#db
        .transaction(() => {
          let version = maxVersion(this.#db);
          let written = 0;
          for (const r of rows) {
            written += stmt.run(
              issuer,
              r.serial,
              r.notAfter,
              r.revokedAt,
              r.reason,
              r.invalidityDate,
              r.holdInstruction,
              ++version,
            ).changes;
          }
          return written;
        })
        .immediate();
    });
  }

  importCertificates(issuer: string, rows: readonly CertificateRow[]): Promise<number> {
    return this.#run("importing certificates", () => {
      const stmt = this.#db.prepare(UPSERT_CERTIFICATE);
      return this.#db
        .transaction(() => {
          let version = maxVersion(this.#db);
          let written = 0;
          for (const r of rows) {
            written += stmt.run(issuer, r.serial, r.notAfter, r.der, ++version).changes;
          }
          return written;
        })
        .immediate();
    });
  }

  row(issuer: string, serial: Uint8Array): Promise<StatusRow | undefined> {
    return this.#run("reading", () => readRow(this.#db, issuer, serial));
  }

  change(
    issuer: string,
    serial: Uint8Array,
    decide: (row: StatusRow | undefined) => RowWrite | undefined,
  ): Promise<StatusRow | undefined> {
    return this.#run("writing", () =>
      this.#db
        .transaction(() => {
          const before = readRow(this.#db, issuer, serial);
          const w = decide(before);
          if (!w) return before;
          const f = w.fields;
          this.#db
            .prepare(WRITE_ROW)
            .run(
              issuer,
              serialBytes(serial),
              f.notAfter,
              f.revokedAt,
              f.reason,
              f.invalidityDate,
              f.holdInstruction,
              w.certificate ?? null,
            );
          return readRow(this.#db, issuer, serial);
        })
        .immediate(),
    );
  }

  source(o: SourceOptions): Promise<StatusSource> {
    return this.#run("starting to watch", () => new SqliteSource(this.name, this.#db, o));
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

function currentVersion(db: Db): number | undefined {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ocspkit_schema'")
    .get();
  if (!table) return undefined;
  const r = db.prepare("SELECT max(version) AS v FROM ocspkit_schema").get() as {
    v: number | null;
  };
  return r.v ?? undefined;
}

function maxVersion(db: Db): number {
  const r = db.prepare("SELECT coalesce(max(version), 0) AS v FROM certificate_status").get() as {
    v: number;
  };
  return r.v;
}

function findIssuer(db: Db, ca: Certificate): number | undefined {
  const h = issuerHashes(ca);
  const r = db
    .prepare("SELECT id FROM issuers WHERE name_sha256 = ? AND key_sha256 = ?")
    .get(h.nameSha256, h.keySha256) as { id: number } | undefined;
  return r?.id;
}

interface RawRow {
  serial: Uint8Array;
  not_after: unknown;
  revoked_at: unknown;
  reason: unknown;
  invalidity_date: unknown;
  hold_instruction: unknown;
  version: number;
}

/** SQLite keeps whatever type was written: text columns are read as text, whatever came. */
function toRow(r: RawRow): StatusRow {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    serial: new Uint8Array(r.serial),
    notAfter: text(r.not_after),
    revokedAt: text(r.revoked_at),
    reason: r.reason === null || r.reason === undefined ? null : Number(r.reason),
    invalidityDate: text(r.invalidity_date),
    holdInstruction: text(r.hold_instruction),
    version: String(r.version),
  };
}

function readRow(db: Db, issuer: string, serial: Uint8Array): StatusRow | undefined {
  const r = db
    .prepare(`SELECT ${COLUMNS} FROM certificate_status WHERE issuer_id = ? AND serial = ?`)
    .get(issuer, serialBytes(serial)) as RawRow | undefined;
  return r && toRow(r);
}

class SqliteSource implements StatusSource {
  readonly #db: Db;
  readonly #log: (m: string) => void;
  readonly #get: BetterSqlite3.Statement;
  readonly #changed: BetterSqlite3.Statement;
  readonly #issuers = new Map<Certificate, number>();
  readonly #listeners: ChangeListener[] = [];
  readonly #bad: BadRows;
  #timer?: NodeJS.Timeout;
  #dataVersion: number;
  #lastVersion: number;
  #errors = 0;
  #down?: string;

  constructor(
    readonly name: string,
    db: Db,
    o: SourceOptions,
  ) {
    this.#db = db;
    this.#log = o.log;
    this.#bad = new BadRows(name, o.log);
    this.#get = db.prepare(
      `SELECT ${COLUMNS} FROM certificate_status WHERE issuer_id = ? AND serial = ?`,
    );
    this.#changed = db.prepare(
      "SELECT issuer_id, serial, version FROM certificate_status WHERE version > ? ORDER BY version",
    );
    this.#dataVersion = db.pragma("data_version", { simple: true }) as number;
    this.#lastVersion = maxVersion(db);
  }

  lookup(ca: Certificate, serials: readonly Uint8Array[]): StatusRecord[] {
    try {
      const id = this.#issuerId(ca);
      const now = Date.now();
      return serials.map((s) => {
        const raw = id === undefined ? undefined : (this.#get.get(id, serialBytes(s)) as RawRow);
        return this.#bad.check(id, raw && toRow(raw), recordOf(raw && toRow(raw), now));
      });
    } catch (err) {
      this.#errors++;
      throw new StoreUnavailable(this.name, describe(err));
    }
  }

  /** Issuers found are kept; one not found is asked for again (an import may add it). */
  #issuerId(ca: Certificate): number | undefined {
    let id = this.#issuers.get(ca);
    if (id === undefined) {
      id = findIssuer(this.#db, ca);
      if (id !== undefined) this.#issuers.set(ca, id);
    }
    return id;
  }

  subscribe(listener: ChangeListener): void {
    this.#listeners.push(listener);
    this.#timer ??= setInterval(() => this.poll(), POLL_MS).unref();
  }

  /** One check for other connections' commits; exposed so that tests need not wait. */
  poll(): void {
    try {
      const dv = this.#db.pragma("data_version", { simple: true }) as number;
      if (dv !== this.#dataVersion) {
        this.#dataVersion = dv;
        const keys = new Set<string>();
        for (const r of this.#changed.iterate(this.#lastVersion) as Iterable<RawRow>) {
          keys.add(serialKey(r.serial));
          this.#lastVersion = r.version;
        }
        if (keys.size) for (const l of this.#listeners) l(keys);
      }
      if (this.#down !== undefined) this.#log(`${this.name}: readable again`);
      this.#down = undefined;
    } catch (err) {
      this.#errors++;
      const why = describe(err);
      if (why !== this.#down) this.#log(`${this.name}: cannot check for changes: ${why}`);
      this.#down = why;
    }
  }

  stats(): SourceStats {
    return { kind: "database", errors: this.#errors, down: this.#down };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#db.open) this.#db.close();
  }
}
