// `ocspkit db init|import|status`: create or migrate a status database, fill it from OpenSSL's
// CA database and issued certificates, and say what it holds about one certificate. Option
// parsing and printing only; the work is src/store.

import { OcspError } from "../errors.js";
import { importCertificates, importIndex } from "../store/import.js";
import { openDatabase } from "../store/open.js";
import { REASON_NAMES, recordOf, type StatusRow } from "../store/rows.js";
import { loadCertificate } from "../x509/load.js";
import { newCommand, runParsed } from "./command.js";
import { DB_HELP, DB_OPTION, databaseUrl, openChecked, target, withDatabase } from "./db-args.js";
import type { Io } from "./io.js";

const USAGE = `Usage: ocspkit db <init|import|status> --db URL [options]

  init     create the schema, or bring it up to date (idempotent)
  import   add OpenSSL's index.txt and issued certificates for one CA
  status   what the database says about one certificate
`;

const collect = (v: string, prev: string[]) => [...prev, v];

export async function dbCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "init":
      return init(rest, io);
    case "import":
      return importCommand(rest, io);
    case "status":
      return status(rest, io);
    case "-h":
    case "--help":
    case "help":
      io.out(USAGE);
      return 0;
    default:
      io.err(
        sub === undefined
          ? `ocspkit db: a subcommand is required\n${USAGE}`
          : `ocspkit db: unknown subcommand "${sub}"\n${USAGE}`,
      );
      return 64;
  }
}

function init(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("db init", io)
    .description("Create the ocspkit schema in a database, or migrate it; safe to run again.")
    .option(DB_OPTION, DB_HELP);
  return runParsed(cmd, argv, io, async (_, o) => {
    const url = databaseUrl(o.db as string | undefined);
    return withDatabase("ocspkit db init", io, async () => {
      const db = await openDatabase(url, { create: true });
      try {
        const { from, to } = await db.migrate();
        const what =
          from === to
            ? `schema already at version ${to}`
            : from === 0
              ? `schema created (version ${to})`
              : `schema migrated from version ${from} to ${to}`;
        io.out(`${url.name}: ${what}\n`);
        return 0;
      } finally {
        await db.close();
      }
    });
  });
}

function importCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("db import", io)
    .description(
      "Add one CA's certificate statuses: OpenSSL's index.txt (V, R, E rows with their " +
        "reasons, hold instructions and invalidity dates) and/or issued certificates (good " +
        "unless recorded otherwise). Running it again writes only what changed; a revoked " +
        "certificate is never made good again by an import.",
    )
    .option(DB_OPTION, DB_HELP)
    .requiredOption("--issuer <file>", "the CA certificate")
    .option("--index <file>", "OpenSSL's index.txt for this CA")
    .option(
      "--cert <file|dir>",
      "issued certificates: a file, or a folder of them (repeatable)",
      collect,
      [],
    );
  return runParsed(cmd, argv, io, async (_, o) => {
    const url = databaseUrl(o.db as string | undefined);
    const index = o.index as string | undefined;
    const certs = o.cert as string[];
    if (index === undefined && !certs.length) {
      throw new OcspError("ERR_USAGE", "give --index FILE, --cert FILE|DIR, or both");
    }
    const ca = loadCertificate(o.issuer as string, "CA certificate");
    return withDatabase("ocspkit db import", io, async () => {
      const db = await openChecked(url);
      try {
        const issuer = (await db.issuer(ca, true))!;
        if (index !== undefined) {
          const r = await importIndex(db, issuer, index);
          for (const note of r.notes) io.err(`ocspkit db import: ${note}\n`);
          io.out(`${index}: ${r.read} rows read, ${r.written} written\n`);
        }
        if (certs.length) {
          const r = await importCertificates(db, issuer, ca, certs);
          io.out(`certificates: ${r.read} read, ${r.written} written\n`);
        }
        return 0;
      } finally {
        await db.close();
      }
    });
  });
}

/** Exit codes of `db status`, as `ocspkit check` has them. */
const STATUS_EXIT = { good: 0, expired: 0, revoked: 1, "not-found": 2, unusable: 3 } as const;

function status(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("db status", io)
    .description(
      "Say what the database holds about one certificate, signing nothing.\n" +
        "Exit: 0 good (or expired), 1 revoked, 2 not in the database, 3 a row that cannot be " +
        "read, 64 usage.",
    )
    .option(DB_OPTION, DB_HELP)
    .requiredOption("--issuer <file>", "the CA certificate")
    .option("--cert <file>", "the certificate")
    .option("--serial <hex>", "its serial number, in hex")
    .option("--json", "print one JSON object");
  return runParsed(cmd, argv, io, async (_, o) => {
    const url = databaseUrl(o.db as string | undefined);
    const ca = loadCertificate(o.issuer as string, "CA certificate");
    const t = target(o as { cert?: string; serial?: string }, ca);
    return withDatabase("ocspkit db status", io, async () => {
      const db = await openChecked(url);
      try {
        const issuer = await db.issuer(ca, false);
        const row = issuer === undefined ? undefined : await db.row(issuer, t.serial);
        const report = describeRow(t.hex, row);
        if (o.json) io.out(`${JSON.stringify({ database: url.name, ...report }, null, 2)}\n`);
        else {
          io.out(`serial ${t.hex}: ${report.state}\n`);
          for (const [k, v] of Object.entries(report)) {
            if (k !== "serial" && k !== "state" && v !== undefined) io.out(`  ${k}: ${v}\n`);
          }
        }
        return STATUS_EXIT[report.state];
      } finally {
        await db.close();
      }
    });
  });
}

function describeRow(serial: string, row: StatusRow | undefined) {
  const record = recordOf(row, Date.now());
  const reason = row?.reason;
  return {
    serial,
    state: record.state as keyof typeof STATUS_EXIT,
    problem: record.state === "unusable" ? record.problem : undefined,
    revocationTime: row?.revokedAt ?? undefined,
    reason:
      reason === null || reason === undefined
        ? undefined
        : (REASON_NAMES[reason] ?? String(reason)),
    invalidityDate: row?.invalidityDate ?? undefined,
    holdInstruction: row?.holdInstruction ?? undefined,
    notAfter: row?.notAfter ?? undefined,
    version: row?.version,
  };
}
