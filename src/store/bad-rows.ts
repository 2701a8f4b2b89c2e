// Rows that cannot be read are answered internalError, serial by serial, and said in the log
// once per row version: a responder asked about one a thousand times writes one line.

import type { StatusRecord } from "../responder/status.js";
import type { StatusRow } from "./rows.js";

const MAX_REMEMBERED = 10_000;

export class BadRows {
  readonly #seen = new Set<string>();

  constructor(
    readonly store: string,
    readonly log: (message: string) => void,
  ) {}

  /** Passes `record` through, logging it first when it is a bad row not logged before. */
  check(
    issuer: string | number | undefined,
    row: StatusRow | undefined,
    record: StatusRecord,
  ): StatusRecord {
    if (record.state !== "unusable" || !row) return record;
    const serial = Buffer.from(row.serial).toString("hex").toUpperCase();
    const key = `${issuer}:${serial}:${row.version}`;
    if (this.#seen.has(key)) return record;
    if (this.#seen.size >= MAX_REMEMBERED) this.#seen.clear();
    this.#seen.add(key);
    this.log(`${this.store}: bad row (issuer ${issuer}, serial ${serial}): ${record.problem}`);
    return record;
  }
}
