// `ocspkit serve`: the RFC 6960/5019 responder with readable options. Option parsing and file
// loading only; the responder itself is src/responder.

import type { KeyObject } from "node:crypto";
import { createServer } from "node:net";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { describe, OcspError } from "../errors.js";
import type { Unassigned } from "../responder/answer.js";
import { DEFAULT_CACHE_MB } from "../responder/cache.js";
import { defaultMaxConnections } from "../responder/connections.js";
import {
  checkResponder,
  DEFAULT_NEXT_UPDATE_SECONDS,
  listen,
  type ResponderCa,
  type ResponderConfig,
  responderWarnings,
  startResponder,
} from "../responder/server.js";
import type { OcspService } from "../responder/service.js";
import { DEFAULT_EMPTY_SETTLE_MS } from "../responder/store.js";
import {
  clusterMetrics,
  failAsWorker,
  isWorker,
  serveAsWorker,
  startWorkers,
  stopSignal,
} from "../responder/workers.js";
import type { DatabaseUrl } from "../store/url.js";
import { loadPrivateKeyAsking, matchingKey, passphrase } from "../x509/keys.js";
import { loadCertificate, loadCertificates } from "../x509/load.js";
import { DB_HELP, DB_OPTION, databaseUrl, openSource } from "./db-args.js";
import { DURATION_FORMS, parseDuration } from "./duration.js";
import type { Io } from "./io.js";
import { passphrasePrompt } from "./prompt.js";

const USAGE_EXIT = 64;

const GROUPS = `
Several CAs: give --ca once per CA. --index, --signer, --key, --key-pass and --other are each
given either once (shared by every CA) or once per CA, matched to the CAs in order:

  ocspkit serve --ca a.pem --index a/index.txt --signer a-ocsp.pem --key a-ocsp.key \\
                --ca b.pem --index b/index.txt --signer b-ocsp.pem --key b-ocsp.key

Without --signer the CA's own certificate signs (--key is then the CA's key).

Requests: POST (Content-Type application/ocsp-request) on any path, or GET with the base64
request after any path prefix (RFC 5019). GET /healthz answers "ok"; GET /metrics gives
Prometheus metrics. Answers without a nonce are signed once and served from a cache, with
Cache-Control, ETag, Last-Modified and Expires (304 on If-None-Match); a nonce gets a freshly
signed answer. The cache holds at most --cache-mb of memory, least recently used out first;
answers about serials the index does not know get an eighth of it, so they never push out
answers about real certificates. Errors are OCSP statuses: malformedRequest, unauthorized (a
CA not served), internalError. Bodies over 64 KiB are refused (413, before any 100 Continue),
request targets over 8 KiB too (414). At --max-connections, a new connection takes the place
of the oldest one not in a request; it is refused only when all are busy.

The signer must be the CA itself or a certificate it issued with id-kp-OCSPSigning, valid
now, and --ca a CA certificate: anything else is refused at start-up. /healthz answers 503
once the signer has expired.

index.txt is OpenSSL's CA database (V good, R revoked with its reason, E good: expired but
never revoked, anything else or absent unknown); it is re-read within a second of a change,
once the file has stopped changing and ends with a whole line. A file without rows replaces
one with rows only after --index-settle seconds. SIGTERM or SIGINT stops the responder once
the requests in progress are answered.

--db (or $OCSPKIT_DB) serves every CA from one status database instead (sqlite:PATH or
postgres://…, made with \`ocspkit db init\` and \`ocspkit db import\`); changes such as
\`ocspkit revoke\` are served within a second. A serial the store does not hold is answered
as --unassigned says: unknown, unauthorized, or revoked (RFC 6960 §2.2, with the extended
revoke extension). While the database is unreachable, cached answers are served until their
nextUpdate, new questions get tryLater, and /healthz answers 503.
`;

interface Flags {
  ca: string[];
  index: string[];
  db?: string;
  unassigned: Unassigned;
  waitForDb?: boolean;
  signer: string[];
  key: string[];
  keyPass: string[];
  other: string[];
  host: string;
  port: number;
  nextUpdate: number;
  workers: number;
  cacheMb: number;
  indexSettle: number;
  maxConnections?: number;
  accessLog?: boolean;
  unknownIssuer: "unknown" | "unauthorized";
}

/** A repeatable option; no default given to commander, so --help shows no "(default: [])". */
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

function integer(min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Whole seconds from a duration, at most `max` (`most` says it). */
function wholeSeconds(max: number, most: string) {
  return (v: string): number => {
    const n = parseDuration(v);
    if (n === undefined || !Number.isInteger(n) || n > max) {
      throw new InvalidArgumentError(`expected a duration up to ${most} (${DURATION_FORMS})`);
    }
    return n;
  };
}

function program(io: Io): Command {
  return new Command("ocspkit serve")
    .description(
      "Run an OCSP responder (RFC 6960, RFC 5019) from OpenSSL CA index files or a status database.",
    )
    .option(
      "--ca <file>",
      "CA certificate whose certificates are answered for (repeatable)",
      collect,
    )
    .option("--index <file>", "OpenSSL index.txt holding the CA's certificate statuses", collect)
    .option(DB_OPTION, `${DB_HELP}, instead of --index`)
    .addOption(
      new Option("--unassigned <answer>", "answer for a serial the store does not hold")
        .choices(["unknown", "unauthorized", "revoked"])
        .default("unknown"),
    )
    .option("--wait-for-db", "retry until the database can be used, instead of exiting")
    .option("--signer <file>", "responder certificate that signs the answers", collect)
    .option("--key <file>", "private key of the signer (PEM or DER)", collect)
    .option(
      "--key-pass <source>",
      "pass phrase of --key: pass:TEXT, env:VAR, file:PATH, fd:N (asked for at a terminal)",
      collect,
    )
    .option("--other <file>", "more certificates to send along with the signer's", collect)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on; 0 picks a free one", integer(0, 65535), 8080)
    .option(
      "--next-update <duration>",
      `lifetime of answers (nextUpdate - thisUpdate): ${DURATION_FORMS}; 0 for none`,
      wholeSeconds(10 * 365 * 86400, "10 years"),
      DEFAULT_NEXT_UPDATE_SECONDS,
    )
    .option("--workers <n>", "processes answering on the port", integer(1, 256), 1)
    .option(
      "--cache-mb <n>",
      "memory for cached answers, in MiB (per process)",
      integer(1, 1024 * 1024),
      DEFAULT_CACHE_MB,
    )
    .option(
      "--index-settle <duration>",
      "how long an index without rows must stay so before it replaces one with rows",
      wholeSeconds(86400, "1d"),
      DEFAULT_EMPTY_SETTLE_MS / 1000,
    )
    .option(
      "--max-connections <n>",
      `connections open at once, per process (default ${defaultMaxConnections()}: under the open-file limit)`,
      integer(1, 1_000_000),
    )
    .option("--access-log", "write one JSON line per request to standard output")
    .addOption(
      new Option("--unknown-issuer <answer>", "answer for a CA not served here")
        .choices(["unauthorized", "unknown"])
        .default("unauthorized"),
    )
    .addHelpText("after", GROUPS)
    .helpOption("-h, --help", "show this help")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
}

/** The i-th value of a per-CA option given once (shared) or once per CA. */
function perCa(values: string[], name: string, count: number, required: boolean) {
  if (values.length > 1 && values.length !== count) {
    throw new CommanderError(
      USAGE_EXIT,
      "ocspkit.usage",
      `error: ${name} is given ${values.length} times for ${count} CAs (give it once, or once per --ca)`,
    );
  }
  if (required && !values.length) {
    throw new CommanderError(USAGE_EXIT, "ocspkit.usage", `error: ${name} is required`);
  }
  return (i: number): string | undefined => values[values.length === 1 ? 0 : i];
}

async function loadConfig(f: Flags, io: Io): Promise<ResponderConfig> {
  if (!f.ca.length)
    throw new CommanderError(USAGE_EXIT, "ocspkit.usage", "error: --ca is required");
  const n = f.ca.length;
  if (f.db !== undefined && f.index.length) {
    throw new CommanderError(USAGE_EXIT, "ocspkit.usage", "error: give --index or --db, not both");
  }
  const fromDb = !f.index.length && (f.db ?? process.env.OCSPKIT_DB) !== undefined;
  if (!f.index.length && !fromDb) {
    throw new CommanderError(USAGE_EXIT, "ocspkit.usage", "error: --index or --db is required");
  }
  const index = perCa(f.index, "--index", n, !fromDb);
  const signer = perCa(f.signer, "--signer", n, false);
  const key = perCa(f.key, "--key", n, true);
  const keyPass = perCa(f.keyPass, "--key-pass", n, false);
  const other = perCa(f.other, "--other", n, false);
  const ask = passphrasePrompt("--key-pass");
  // A key shared by every CA is read (and its pass phrase asked for) once.
  const keys = new Map<string, Promise<KeyObject>>();
  const cas: ResponderCa[] = [];
  for (const [i, caFile] of f.ca.entries()) {
    const caCert = loadCertificate(caFile, "CA certificate");
    const signerFile = signer(i) ?? caFile;
    const signerCert = signer(i) ? loadCertificate(signerFile, "signer certificate") : caCert;
    const pass = keyPass(i);
    const keyFile = key(i)!;
    const loaded =
      keys.get(keyFile) ??
      loadPrivateKeyAsking(
        keyFile,
        "signer key",
        pass === undefined ? undefined : passphrase(pass),
        ask,
      );
    keys.set(keyFile, loaded);
    const otherFile = other(i);
    cas.push({
      caCert,
      caFile,
      signerFile,
      signerCert,
      signerKey: matchingKey(await loaded, keyFile, signerCert, signerFile),
      index: index(i),
      otherCerts: otherFile ? loadCertificates(otherFile, "certificates") : undefined,
    });
  }
  return {
    host: f.host,
    port: f.port,
    cas,
    nextUpdateSeconds: f.nextUpdate,
    unknownIssuer: f.unknownIssuer,
    unassigned: f.unassigned,
    cacheMb: f.cacheMb,
    indexSettleSeconds: f.indexSettle,
    maxConnections: f.maxConnections,
    accessLog: f.accessLog ? (line) => io.out(`${line}\n`) : undefined,
  };
}

export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  let config: ResponderConfig;
  let workers: number;
  let db: DatabaseUrl | undefined;
  let waitForDb = false;
  try {
    const cmd = program(io).parse([...argv], { from: "user" });
    const given = cmd.opts<Flags>();
    // The repeatable options have no default (see collect): absent, they are empty.
    const flags: Flags = {
      ...given,
      ...Object.fromEntries(
        (["ca", "index", "signer", "key", "keyPass", "other"] as const).map((k) => [
          k,
          given[k] ?? [],
        ]),
      ),
    };
    workers = flags.workers;
    config = await loadConfig(flags, io);
    if (!flags.index.length) db = databaseUrl(flags.db);
    waitForDb = flags.waitForDb === true;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code.startsWith("ocspkit.")) io.err(`${err.message}\n`);
      if (err.code === "commander.helpDisplayed" || err.code === "commander.help") return 0;
      io.err("Try 'ocspkit serve --help'.\n");
      return USAGE_EXIT;
    }
    if (err instanceof OcspError) {
      io.err(`ocspkit serve: ${err.message}\n`);
      return err.code === "ERR_USAGE" ? USAGE_EXIT : 1;
    }
    throw err;
  }
  const log = (m: string) => io.err(`ocspkit serve: ${m}\n`);
  if (isWorker) {
    let svc: OcspService | undefined;
    const source = db ? openSource(db, config.cas, { log, wait: waitForDb }) : undefined;
    const running = await (source ?? Promise.resolve(undefined))
      .then((src) => {
        for (const ca of config.cas) if (src) ca.source = src;
        return startResponder(config, {
          log,
          metrics: clusterMetrics,
          onService: (s) => {
            svc = s;
          },
        });
      })
      .catch((err: unknown) => failAsWorker(describe(err)));
    serveAsWorker(running, () => svc!.snapshot());
    return await new Promise<number>(() => {});
  }
  try {
    // The primary of --workers checks the database too, so that a bad one stops the start.
    if (db) {
      const source = await openSource(db, config.cas, { log, wait: waitForDb });
      for (const ca of config.cas) ca.source = source;
    }
    for (const w of responderWarnings(config)) log(`warning: ${w}`);
    let running: { url: string; close(): Promise<void> };
    if (workers > 1) {
      // What the workers would each fail on, found once, before any of them starts.
      await checkResponder(config);
      await freePort(config);
      running = await startWorkers(workers, log);
    } else {
      running = await startResponder(config, { log });
    }
    // On stderr with the other status lines: stdout carries only the access log (`| jq`).
    log(`listening on ${running.url}`);
    await stopSignal();
    await running.close();
    return 0;
  } catch (err) {
    io.err(`ocspkit serve: ${describe(err)}\n`);
    return 1;
  }
}

/** Fails as listening would when the port is taken; port 0 always has a free one. */
async function freePort(config: ResponderConfig): Promise<void> {
  if (!config.port) return;
  const probe = createServer();
  await listen(probe, config.port, config.host);
  await new Promise((resolve) => probe.close(resolve));
}
