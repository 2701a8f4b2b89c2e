// `ocspkit revoke`: record a revocation in a status database, seen by every responder on that
// database within a second. Option parsing and printing only; what a change may do is
// src/store/revocation.ts.

import { OcspError } from "../errors.js";
import { reasonCode, reasonNames, revokeWrite } from "../store/revocation.js";
import { REASON_NAMES, type StatusRow } from "../store/rows.js";
import { loadCertificate } from "../x509/load.js";
import { newCommand, runParsed } from "./command.js";
import {
  DB_HELP,
  DB_OPTION,
  databaseUrl,
  isoOption,
  openChecked,
  target,
  withDatabase,
} from "./db-args.js";
import type { Io } from "./io.js";

export function revokeCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("revoke", io)
    .description(
      "Record a certificate's revocation in a status database. Revoking again for the same " +
        "reason changes nothing; a certificate on hold (certificateHold) may be revoked for " +
        "another reason; any other revocation is final.",
    )
    .option(DB_OPTION, DB_HELP)
    .requiredOption("--issuer <file>", "the CA certificate")
    .option("--cert <file>", "the certificate to revoke")
    .option("--serial <hex>", "or its serial number, in hex")
    .option("--reason <name>", `CRL reason: ${reasonNames().join(", ")}`)
    .option("--time <iso8601>", "revocation time (default: now)")
    .option("--invalidity-date <iso8601>", "when the key is known or suspected to be compromised");
  return runParsed(cmd, argv, io, async (_, o) => {
    const url = databaseUrl(o.db as string | undefined);
    const ca = loadCertificate(o.issuer as string, "CA certificate");
    const t = target(o as { cert?: string; serial?: string }, ca);
    const reasonName = o.reason as string | undefined;
    const reason = reasonName === undefined ? undefined : reasonCode(reasonName);
    if (reasonName !== undefined && reason === undefined) {
      throw new OcspError(
        "ERR_USAGE",
        `--reason ${JSON.stringify(reasonName)} is not one of ${reasonNames().join(", ")}`,
      );
    }
    const time = isoOption("--time", o.time as string | undefined) ?? new Date();
    const invalidityDate = isoOption("--invalidity-date", o.invalidityDate as string | undefined);
    return withDatabase("ocspkit revoke", io, async () => {
      const db = await openChecked(url);
      try {
        const issuer = (await db.issuer(ca, true))!;
        let changed = true;
        const after = await db.change(issuer, t.serial, (row) => {
          const w = revokeWrite(row, t.hex, {
            time,
            reason,
            invalidityDate,
            certificate: t.certificate,
          });
          changed = w !== undefined;
          return w;
        });
        io.out(
          changed
            ? `revoked serial ${t.hex}: ${summary(after!)}\n`
            : `serial ${t.hex} was already revoked: ${summary(after!)}\n`,
        );
        return 0;
      } finally {
        await db.close();
      }
    });
  });
}

function summary(row: StatusRow): string {
  const reason = row.reason === null ? "no reason" : (REASON_NAMES[row.reason] ?? row.reason);
  return `${reason} at ${row.revokedAt} (version ${row.version})`;
}
