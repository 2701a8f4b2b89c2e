import type { StatusDatabase } from "./database.js";
import { type DatabaseUrl, storeError } from "./url.js";

export async function openPostgres(
  url: Extract<DatabaseUrl, { kind: "postgres" }>,
): Promise<StatusDatabase> {
  throw storeError(url.name, "PostgreSQL support is not built yet");
}
