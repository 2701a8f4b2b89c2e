// How a URL becomes a database. Each dialect's driver is loaded only when a URL names it, so
// that commands without `--db` never load a native addon or `pg`. (The dialect modules are
// small and imported statically: a lazily loaded bundle would carry its own copy of OcspError,
// which `instanceof` in the command's bundle would not know.)

import type { StatusDatabase } from "./database.js";
import { openPostgres } from "./postgres.js";
import { openSqlite } from "./sqlite.js";
import type { DatabaseUrl } from "./url.js";

/** Opens the database a URL names (connecting, for PostgreSQL). */
export function openDatabase(
  url: DatabaseUrl,
  o: { readonly create?: boolean } = {},
): Promise<StatusDatabase> {
  return url.kind === "sqlite" ? openSqlite(url, o) : openPostgres(url);
}
