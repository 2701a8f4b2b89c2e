// Database URLs as `--db` and OCSPKIT_DB take them: `sqlite:PATH` (`sqlite:///abs/path` too) or
// `postgres://…`/`postgresql://…`, where a `schema=NAME` parameter picks the PostgreSQL schema.
// The name a URL is shown by never carries its password.

import { OcspError } from "../errors.js";

export type DatabaseUrl =
  | { readonly kind: "sqlite"; readonly path: string; readonly name: string }
  | {
      readonly kind: "postgres";
      /** What `pg` connects with (the schema parameter taken out). */
      readonly connectionString: string;
      readonly schema?: string;
      readonly name: string;
    };

/** A PostgreSQL identifier ocspkit creates and quotes: no quoting games. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parseDatabaseUrl(text: string): DatabaseUrl {
  if (text.startsWith("sqlite:")) {
    let path = text.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (!path) throw usage(text, "sqlite: needs a file path (sqlite:PATH)");
    return { kind: "sqlite", path, name: `sqlite:${path}` };
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw usage(text, "not a valid URL");
    }
    const schema = url.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw usage(text, `schema "${schema}" is not a plain identifier (letters, digits, _)`);
    }
    const shown = new URL(url);
    if (shown.password) shown.password = "***";
    url.searchParams.delete("schema");
    return { kind: "postgres", connectionString: url.toString(), schema, name: shown.toString() };
  }
  throw usage(text, "expected sqlite:PATH, postgres://… or postgresql://…");
}

const usage = (text: string, why: string) =>
  new OcspError("ERR_USAGE", `--db ${JSON.stringify(redact(text))}: ${why}`);

/** The text with any password between "://user:" and "@" masked. */
function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

/** A store's error as one sentence naming the database. */
export function storeError(db: string, err: unknown, what?: string): OcspError {
  const reason = err instanceof Error ? err.message : String(err);
  return new OcspError("ERR_STORE", `database ${db}: ${what ? `${what}: ` : ""}${reason}`, {
    cause: err,
  });
}
