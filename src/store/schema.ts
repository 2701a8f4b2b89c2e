// The one schema of the SQLite and PostgreSQL stores, as numbered migrations per dialect.
// Tables are the same in both; what differs is how a row gets its version:
//
//   issuers             one row per CA, found by SHA-1 or SHA-256 of its subject and of its
//                       key (both CertID hash algorithms), never by its AKI extension
//   certificate_status  one row per certificate, keyed by issuer and the serial's INTEGER
//                       contents (minimal two's complement bytes, not a decimal string)
//
// Every insert and update gives the row a version above every version committed before it,
// so that a responder asks `WHERE version > last_seen` for what changed. Triggers do it, so
// rows written by hand count too: in SQLite writers are serialized by the database lock; in
// PostgreSQL a transaction-scoped advisory lock keeps versions in commit order, and a
// statement trigger NOTIFYs the responders listening. Times are ISO 8601 UTC text, read
// strictly: a row that does not parse answers internalError, it is never guessed at.

export const SCHEMA_VERSION = 1;

export type Dialect = "sqlite" | "postgres";

/** MIGRATIONS[d][i] takes dialect d's schema from version i to i + 1. */
export const MIGRATIONS: Record<Dialect, readonly (readonly string[])[]> = {
  sqlite: [
    [
      "CREATE TABLE ocspkit_schema (version INTEGER NOT NULL)",
      `CREATE TABLE issuers (
        id INTEGER PRIMARY KEY,
        name_sha1 BLOB NOT NULL,
        key_sha1 BLOB NOT NULL,
        name_sha256 BLOB NOT NULL,
        key_sha256 BLOB NOT NULL,
        certificate BLOB NOT NULL,
        UNIQUE (name_sha256, key_sha256)
      )`,
      "CREATE INDEX issuers_sha1 ON issuers (name_sha1, key_sha1)",
      `CREATE TABLE certificate_status (
        issuer_id INTEGER NOT NULL REFERENCES issuers (id),
        serial BLOB NOT NULL,
        not_after TEXT,
        revoked_at TEXT,
        reason INTEGER,
        invalidity_date TEXT,
        hold_instruction TEXT,
        version INTEGER NOT NULL DEFAULT 0,
        certificate BLOB,
        PRIMARY KEY (issuer_id, serial)
      ) WITHOUT ROWID`,
      "CREATE INDEX certificate_status_version ON certificate_status (version)",
      // Writers that give no version (0, or the old one) get the next one.
      `CREATE TRIGGER certificate_status_insert AFTER INSERT ON certificate_status
        WHEN NEW.version = 0
        BEGIN
          UPDATE certificate_status SET version = (SELECT max(version) FROM certificate_status) + 1
            WHERE issuer_id = NEW.issuer_id AND serial = NEW.serial;
        END`,
      `CREATE TRIGGER certificate_status_update AFTER UPDATE ON certificate_status
        WHEN NEW.version = OLD.version
        BEGIN
          UPDATE certificate_status SET version = (SELECT max(version) FROM certificate_status) + 1
            WHERE issuer_id = NEW.issuer_id AND serial = NEW.serial;
        END`,
    ],
  ],
  postgres: [
    [
      "CREATE TABLE ocspkit_schema (version INTEGER NOT NULL)",
      `CREATE TABLE issuers (
        id BIGSERIAL PRIMARY KEY,
        name_sha1 BYTEA NOT NULL,
        key_sha1 BYTEA NOT NULL,
        name_sha256 BYTEA NOT NULL,
        key_sha256 BYTEA NOT NULL,
        certificate BYTEA NOT NULL,
        UNIQUE (name_sha256, key_sha256)
      )`,
      "CREATE INDEX issuers_sha1 ON issuers (name_sha1, key_sha1)",
      "CREATE SEQUENCE certificate_status_version",
      `CREATE TABLE certificate_status (
        issuer_id BIGINT NOT NULL REFERENCES issuers (id),
        serial BYTEA NOT NULL,
        not_after TEXT,
        revoked_at TEXT,
        reason INTEGER,
        invalidity_date TEXT,
        hold_instruction TEXT,
        version BIGINT NOT NULL DEFAULT 0,
        certificate BYTEA,
        PRIMARY KEY (issuer_id, serial)
      )`,
      "CREATE INDEX certificate_status_version_idx ON certificate_status (version)",
      `CREATE FUNCTION certificate_status_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- One writer at a time until commit: versions then follow commit order, and a
        -- responder asking WHERE version > last_seen cannot skip a later-committed lower one.
        PERFORM pg_advisory_xact_lock(hashtext(TG_TABLE_SCHEMA || '.certificate_status'));
        NEW.version := nextval(quote_ident(TG_TABLE_SCHEMA) || '.certificate_status_version');
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER certificate_status_stamp BEFORE INSERT OR UPDATE ON certificate_status
        FOR EACH ROW EXECUTE FUNCTION certificate_status_stamp()`,
      `CREATE FUNCTION certificate_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ocspkit_status', TG_TABLE_SCHEMA);
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER certificate_status_notify AFTER INSERT OR UPDATE ON certificate_status
        FOR EACH STATEMENT EXECUTE FUNCTION certificate_status_notify()`,
    ],
  ],
};

/** The channel responders LISTEN on; the payload is the schema whose rows changed. */
export const NOTIFY_CHANNEL = "ocspkit_status";

/** Why a database at `found` cannot be served by this ocspkit; undefined when it can. */
export function schemaProblem(found: number | undefined, db: string): string | undefined {
  if (found === SCHEMA_VERSION) return undefined;
  if (found === undefined) return `no ocspkit schema (run: ocspkit db init --db ${db})`;
  if (found < SCHEMA_VERSION) {
    return `schema version ${found}, this ocspkit needs ${SCHEMA_VERSION} (run: ocspkit db init --db ${db})`;
  }
  return `schema version ${found} is newer than this ocspkit knows (${SCHEMA_VERSION}): upgrade ocspkit`;
}
