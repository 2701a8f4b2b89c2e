// `ocspkit unrevoke`: release a certificate on hold in a status database. Option parsing and
// printing only; what a change may do is src/store/revocation.ts.

import { unrevokeWrite } from "../store/revocation.js";
import { loadCertificate } from "../x509/load.js";
import { newCommand, runParsed } from "./command.js";
import { DB_HELP, DB_OPTION, databaseUrl, openChecked, target, withDatabase } from "./db-args.js";
import type { Io } from "./io.js";

export function unrevokeCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("unrevoke", io)
    .description(
      "Release a certificate on hold (revoked for certificateHold, or marked removeFromCRL): " +
        "it is good again. Any other revocation is final and refused.",
    )
    .option(DB_OPTION, DB_HELP)
    .requiredOption("--issuer <file>", "the CA certificate")
    .option("--cert <file>", "the certificate")
    .option("--serial <hex>", "or its serial number, in hex");
  return runParsed(cmd, argv, io, async (_, o) => {
    const url = databaseUrl(o.db as string | undefined);
    const ca = loadCertificate(o.issuer as string, "CA certificate");
    const t = target(o as { cert?: string; serial?: string }, ca);
    return withDatabase("ocspkit unrevoke", io, async () => {
      const db = await openChecked(url);
      try {
        const issuer = await db.issuer(ca, false);
        if (issuer === undefined) {
          io.err(`ocspkit unrevoke: ${url.name} holds nothing for this CA\n`);
          return 1;
        }
        const after = await db.change(issuer, t.serial, (row) => unrevokeWrite(row, t.hex));
        io.out(`serial ${t.hex} is good again (version ${after!.version})\n`);
        return 0;
      } finally {
        await db.close();
      }
    });
  });
}
