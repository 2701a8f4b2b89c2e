// The distributed store: one PostgreSQL database shared by any number of responders (`pg`).
// Lookups go through a connection pool, batched per issuer within one turn of the event loop.
// Each responder keeps one more connection that LISTENs for the NOTIFY a committed change
// sends, then asks for the rows whose version passed the last one it saw; the same question,
// asked every PROBE_MS, is the health probe. When that connection is lost, the store is down
// (lookups fail fast, so the responder answers tryLater), reconnects with backoff, and on
// return catches up with `WHERE version > last_seen` before it says it is up again.

import type * as Pg from "pg";
import { OcspError } from "../errors.js";
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
import { MIGRATIONS, NOTIFY_CHANNEL, SCHEMA_VERSION } from "./schema.js";
import { type DatabaseUrl, storeError } from "./url.js";

type Url = Extract<DatabaseUrl, { kind: "postgres" }>;
type PgModule = typeof Pg;

const PROBE_MS = 1000;
/** Connecting, and each of a responder's queries (an import's may take as long as it takes). */
const TIMEOUT_MS = 3000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
const POOL_SIZE = 8;

// BIGINT comes back as decimal text, which is how versions are kept.
const COLUMNS = "serial, not_after, revoked_at, reason, invalidity_date, hold_instruction, version";

const STATUS_SET = `not_after = excluded.not_after, revoked_at = excluded.revoked_at,
    reason = excluded.reason, invalidity_date = excluded.invalidity_date,
    hold_instruction = excluded.hold_instruction`;

const IMPORT_STATUSES = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, revoked_at, reason, invalidity_date, hold_instruction)
  SELECT $1, * FROM unnest($2::bytea[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[])
  ON CONFLICT (issuer_id, serial) DO UPDATE SET ${STATUS_SET}
  WHERE (certificate_status.revoked_at IS NULL OR excluded.revoked_at IS NOT NULL)
    AND (certificate_status.not_after, certificate_status.revoked_at, certificate_status.reason,
         certificate_status.invalidity_date, certificate_status.hold_instruction)
      IS DISTINCT FROM (excluded.not_after, excluded.revoked_at, excluded.reason,
         excluded.invalidity_date, excluded.hold_instruction)`;

const IMPORT_CERTIFICATES = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, certificate)
  SELECT $1, * FROM unnest($2::bytea[], $3::text[], $4::bytea[])
  ON CONFLICT (issuer_id, serial) DO UPDATE SET
    not_after = excluded.not_after, certificate = excluded.certificate
  WHERE (certificate_status.not_after, certificate_status.certificate)
    IS DISTINCT FROM (excluded.not_after, excluded.certificate)`;

const WRITE_ROW = `INSERT INTO certificate_status
    (issuer_id, serial, not_after, revoked_at, reason, invalidity_date, hold_instruction,
     certificate)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (issuer_id, serial) DO UPDATE SET ${STATUS_SET},
    certificate = coalesce(excluded.certificate, certificate_status.certificate)`;

/** A query that gives up after TIMEOUT_MS (pg reads query_timeout per query; its types lack it). */
const bounded = (text: string, values: unknown[]): Pg.QueryConfig =>
  ({ text, values, query_timeout: TIMEOUT_MS }) as Pg.QueryConfig;

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function config(url: Url): Pg.ClientConfig {
  return {
    connectionString: url.connectionString,
    // The schema is created by `db init`; until then names resolve to nothing, as they should.
    options: url.schema ? `-c search_path=${url.schema}` : undefined,
    application_name: "ocspkit",
    connectionTimeoutMillis: TIMEOUT_MS,
    keepAlive: true,
  };
}

async function loadPg(url: Url): Promise<PgModule> {
  try {
    const m = (await import("pg")) as PgModule & { default?: PgModule };
    return m.default ?? m;
  } catch (err) {
    throw storeError(url.name, err, "cannot load the pg module");
  }
}

export async function openPostgres(url: Url): Promise<StatusDatabase> {
  const pg = await loadPg(url);
  const pool = new pg.Pool({ ...config(url), max: POOL_SIZE });
  // An idle connection the server ends (a restart, pg_terminate_backend) is dropped by the
  // pool; the error it raises is not a fault of any request.
  pool.on("error", () => {});
  try {
    (await pool.connect()).release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw storeError(url.name, reason(err), "cannot connect");
  }
  return new PgDatabase(url, pg, pool);
}

/** pg's errors: the server's message, or the socket's (ECONNREFUSED has an empty message). */
function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return reason(err.errors[0]);
  const e = err as { message?: string; code?: string };
  return e.message || e.code || String(err);
}

class PgDatabase implements StatusDatabase {
  readonly dialect = "postgres";
  readonly name: string;

  constructor(
    readonly url: Url,
    readonly pg: PgModule,
    readonly pool: Pg.Pool,
  ) {
    this.name = url.name;
  }

  async #run<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof OcspError) throw err;
      throw storeError(this.name, reason(err), what);
    }
  }

  /** Runs `f` in one transaction on one connection. */
  async #transaction<T>(what: string, f: (c: Pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#run(what, async () => {
      const c = await this.pool.connect();
      try {
        await c.query("BEGIN");
        const r = await f(c);
        await c.query("COMMIT");
        return r;
      } catch (err) {
        await c.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    });
  }

  schemaVersion(): Promise<number | undefined> {
    return this.#run("reading the schema version", () => currentVersion(this.pool));
  }

  async migrate(): Promise<{ from: number; to: number }> {
    if (this.url.schema) {
      await this.#run("creating the schema", () =>
        this.pool.query(`CREATE SCHEMA IF NOT EXISTS "${this.url.schema}"`),
      );
    }
    return this.#transaction("migrating", async (c) => {
      await c.query(
        "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.ocspkit_schema'))",
      );
      const from = (await currentVersion(c)) ?? 0;
      if (from > SCHEMA_VERSION) {
        throw new Error(`schema version ${from} is newer than this ocspkit (${SCHEMA_VERSION})`);
      }
      for (const step of MIGRATIONS.postgres.slice(from))
        for (const sql of step) await c.query(sql);
      await c.query("DELETE FROM ocspkit_schema");
      await c.query("INSERT INTO ocspkit_schema (version) VALUES ($1)", [SCHEMA_VERSION]);
      return { from, to: SCHEMA_VERSION };
    });
  }

  issuer(ca: Certificate, create: boolean): Promise<string | undefined> {
    return this.#run("looking up the issuer", async () => {
      const found = await findIssuer(this.pool, ca);
      if (found !== undefined || !create) return found;
      const h = issuerHashes(ca);
      await this.pool.query(
        `INSERT INTO issuers (name_sha1, key_sha1, name_sha256, key_sha256, certificate)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [buf(h.nameSha1), buf(h.keySha1), buf(h.nameSha256), buf(h.keySha256), buf(ca.der)],
      );
      return findIssuer(this.pool, ca);
    });
  }

  importStatuses(issuer: string, rows: readonly ImportRow[]): Promise<number> {
    return this.#run("importing", async () => {
      const r = await this.pool.query(IMPORT_STATUSES, [
        issuer,
        rows.map((x) => buf(x.serial)),
        rows.map((x) => x.notAfter),
        rows.map((x) => x.revokedAt),
        rows.map((x) => x.reason),
        rows.map((x) => x.invalidityDate),
        rows.map((x) => x.holdInstruction),
      ]);
      return r.rowCount ?? 0;
    });
  }

  importCertificates(issuer: string, rows: readonly CertificateRow[]): Promise<number> {
    return this.#run("importing certificates", async () => {
      const r = await this.pool.query(IMPORT_CERTIFICATES, [
        issuer,
        rows.map((x) => buf(x.serial)),
        rows.map((x) => x.notAfter),
        rows.map((x) => buf(x.der)),
      ]);
      return r.rowCount ?? 0;
    });
  }

  row(issuer: string, serial: Uint8Array): Promise<StatusRow | undefined> {
    return this.#run("reading", () => readRow(this.pool, issuer, serial, false));
  }

  change(
    issuer: string,
    serial: Uint8Array,
    decide: (row: StatusRow | undefined) => RowWrite | undefined,
  ): Promise<StatusRow | undefined> {
    return this.#transaction("writing", async (c) => {
      const before = await readRow(c, issuer, serial, true);
      const w = decide(before);
      if (!w) return before;
      const f = w.fields;
      await c.query(WRITE_ROW, [
        issuer,
        buf(serialBytes(serial)),
        f.notAfter,
        f.revokedAt,
        f.reason,
        f.invalidityDate,
        f.holdInstruction,
        w.certificate ? buf(w.certificate) : null,
      ]);
      return readRow(c, issuer, serial, false);
    });
  }

  source(o: SourceOptions): Promise<StatusSource> {
    return this.#run("starting to listen", () => PgSource.start(this, o));
  }

  close(): Promise<void> {
    return this.pool.end().catch(() => {});
  }
}

type Queryable = Pick<Pg.Pool, "query"> | Pick<Pg.ClientBase, "query">;

async function currentVersion(q: Queryable): Promise<number | undefined> {
  const t = await q.query("SELECT to_regclass('ocspkit_schema') IS NOT NULL AS present");
  if (!t.rows[0].present) return undefined;
  const r = await q.query("SELECT max(version) AS v FROM ocspkit_schema");
  return r.rows[0].v ?? undefined;
}

async function findIssuer(q: Queryable, ca: Certificate): Promise<string | undefined> {
  const h = issuerHashes(ca);
  const r = await q.query(
    "SELECT id::text AS id FROM issuers WHERE name_sha256 = $1 AND key_sha256 = $2",
    [buf(h.nameSha256), buf(h.keySha256)],
  );
  return r.rows[0]?.id;
}

interface RawRow {
  serial: Buffer;
  not_after: string | null;
  revoked_at: string | null;
  reason: number | null;
  invalidity_date: string | null;
  hold_instruction: string | null;
  version: string;
}

function toRow(r: RawRow): StatusRow {
  return {
    serial: new Uint8Array(r.serial),
    notAfter: r.not_after,
    revokedAt: r.revoked_at,
    reason: r.reason,
    invalidityDate: r.invalidity_date,
    holdInstruction: r.hold_instruction,
    version: r.version,
  };
}

async function readRow(
  q: Queryable,
  issuer: string,
  serial: Uint8Array,
  lock: boolean,
): Promise<StatusRow | undefined> {
  const r = await q.query(
    `SELECT ${COLUMNS} FROM certificate_status
     WHERE issuer_id = $1 AND serial = $2${lock ? " FOR UPDATE" : ""}`,
    [issuer, buf(serialBytes(serial))],
  );
  return r.rows[0] && toRow(r.rows[0]);
}

interface Pending {
  readonly serials: Buffer[];
  readonly done: ((rows: Map<string, RawRow>) => void)[];
  readonly failed: ((err: unknown) => void)[];
}

class PgSource implements StatusSource {
  readonly name: string;
  readonly #db: PgDatabase;
  readonly #log: (m: string) => void;
  readonly #bad: BadRows;
  readonly #issuers = new Map<Certificate, string>();
  readonly #listeners: ChangeListener[] = [];
  readonly #pending = new Map<string, Pending>();
  #schema = "";
  #listener?: Pg.Client;
  #lastVersion = "0";
  #errors = 0;
  #down?: string;
  #closed = false;
  #probe?: NodeJS.Timeout;
  #catchingUp?: Promise<void>;
  #again = false;
  #reconnecting = false;
  #polling = false;

  private constructor(db: PgDatabase, o: SourceOptions) {
    this.#db = db;
    this.name = db.name;
    this.#log = o.log;
    this.#bad = new BadRows(db.name, o.log);
  }

  static async start(db: PgDatabase, o: SourceOptions): Promise<PgSource> {
    const s = new PgSource(db, o);
    const r = await db.pool.query(
      "SELECT current_schema() AS schema, coalesce(max(version), 0)::text AS v FROM certificate_status",
    );
    s.#schema = r.rows[0].schema;
    s.#lastVersion = r.rows[0].v;
    await s.#listen();
    return s;
  }

  /** Connects the listening connection; throws when it cannot. */
  async #listen(): Promise<void> {
    const c = new this.#db.pg.Client(config(this.#db.url));
    c.on("error", (err) => this.#lost(c, reason(err)));
    c.on("end", () => this.#lost(c, "connection closed"));
    c.on("notification", (n) => {
      if (n.channel === NOTIFY_CHANNEL && n.payload === this.#schema) void this.#catchUp();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`).catch((err: { code?: string }) => {
        // A hot standby refuses LISTEN (read_only_sql_transaction): a responder reading from a
        // replica learns of changes from the once-a-second version query alone.
        if (err.code !== "25006") throw err;
        if (!this.#polling) this.#log(`${this.name}: a replica (no LISTEN): polling each second`);
        this.#polling = true;
      });
    } catch (err) {
      c.removeAllListeners("end");
      await c.end().catch(() => {});
      throw err;
    }
    this.#listener = c;
    this.#probe ??= setInterval(() => void this.#catchUp(), PROBE_MS).unref();
  }

  /** The listening connection failed: down until a new one is up and caught up. */
  #lost(c: Pg.Client, why: string): void {
    if (this.#listener !== c || this.#closed) return;
    this.#listener = undefined;
    c.removeAllListeners("end");
    c.end().catch(() => {});
    this.#goDown(why);
    void this.#reconnect();
  }

  #goDown(why: string): void {
    this.#errors++;
    if (this.#down === undefined) this.#log(`${this.name}: lost (${why}); answering tryLater`);
    this.#down ??= why;
  }

  /** Until a listening connection is back and has caught up; one loop at a time. */
  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      for (
        let pause = 0;
        !this.#closed;
        pause = Math.min(pause * 2 || BACKOFF_FIRST_MS, BACKOFF_MAX_MS)
      ) {
        if (pause) await new Promise((resolve) => setTimeout(resolve, pause).unref());
        if (this.#closed) return;
        try {
          await this.#listen();
        } catch (err) {
          this.#down = reason(err);
          continue;
        }
        await this.#catchUp();
        if (this.#listener) {
          this.#down = undefined;
          this.#log(`${this.name}: reconnected; caught up to version ${this.#lastVersion}`);
          return;
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  /** Asks for rows changed since the last version seen; one question at a time. */
  #catchUp(): Promise<void> {
    if (this.#catchingUp) {
      this.#again = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      do {
        this.#again = false;
        const c = this.#listener;
        if (!c) return;
        let rows: { serial: Buffer; version: string }[];
        try {
          const r = await c.query(
            bounded(
              "SELECT serial, version FROM certificate_status WHERE version > $1 ORDER BY version",
              [this.#lastVersion],
            ),
          );
          rows = r.rows;
        } catch (err) {
          this.#lost(c, reason(err));
          return;
        }
        if (!rows.length) continue;
        this.#lastVersion = rows.at(-1)!.version;
        const keys = new Set(rows.map((r) => serialKey(r.serial)));
        for (const l of this.#listeners) l(keys);
      } while (this.#again);
    })().finally(() => {
      this.#catchingUp = undefined;
    });
    return this.#catchingUp;
  }

  async lookup(ca: Certificate, serials: readonly Uint8Array[]): Promise<StatusRecord[]> {
    if (this.#down !== undefined) throw new StoreUnavailable(this.name, this.#down);
    let rows: Map<string, RawRow>;
    let issuer: string | undefined;
    try {
      issuer = await this.#issuerId(ca);
      const keys = serials.map((s) => buf(serialBytes(s)));
      rows = issuer === undefined ? new Map() : await this.#batched(issuer, keys);
    } catch (err) {
      this.#errors++;
      throw new StoreUnavailable(this.name, reason(err));
    }
    const now = Date.now();
    return serials.map((s) => {
      const raw = rows.get(buf(serialBytes(s)).toString("hex"));
      const row = raw && toRow(raw);
      return this.#bad.check(issuer, row, recordOf(row, now));
    });
  }

  async #issuerId(ca: Certificate): Promise<string | undefined> {
    let id = this.#issuers.get(ca);
    if (id === undefined) {
      id = await findIssuer(this.#db.pool, ca);
      if (id !== undefined) this.#issuers.set(ca, id);
    }
    return id;
  }

  /** The rows of `serials`, asked together with every other lookup of this turn. */
  #batched(issuer: string, serials: Buffer[]): Promise<Map<string, RawRow>> {
    return new Promise((resolve, reject) => {
      let p = this.#pending.get(issuer);
      if (!p) {
        p = { serials: [], done: [], failed: [] };
        this.#pending.set(issuer, p);
        setImmediate(() => void this.#flush(issuer));
      }
      p.serials.push(...serials);
      p.done.push(resolve);
      p.failed.push(reject);
    });
  }

  async #flush(issuer: string): Promise<void> {
    const p = this.#pending.get(issuer)!;
    this.#pending.delete(issuer);
    try {
      const r = await this.#db.pool.query(
        bounded(
          `SELECT ${COLUMNS} FROM certificate_status WHERE issuer_id = $1 AND serial = ANY($2::bytea[])`,
          [issuer, p.serials],
        ),
      );
      const rows = new Map<string, RawRow>();
      for (const row of r.rows as RawRow[]) rows.set(row.serial.toString("hex"), row);
      for (const f of p.done) f(rows);
    } catch (err) {
      for (const f of p.failed) f(err);
    }
  }

  subscribe(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  stats(): SourceStats {
    return { kind: "database", errors: this.#errors, down: this.#down };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#probe);
    const c = this.#listener;
    this.#listener = undefined;
    c?.removeAllListeners("end");
    await c?.end().catch(() => {});
    await this.#db.close();
  }
}
