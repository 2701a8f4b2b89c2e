/**
 * Helpers for the status-store tests: the built CLI, a CA database made by `openssl ca`, the
 * OpenSSL client asking a responder, and PostgreSQL in a schema of the test's own.
 *
 * PostgreSQL: OCSPKIT_PG_URL, else postgres://postgres@127.0.0.1:5432/test. When it does not
 * answer, the tests that need it are skipped with a loud message, except under CI=true, where
 * they fail.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { certIdFor } from "../../src/ocsp/certid.js";
import { SHA1 } from "../../src/ocsp/digests.js";
import { encodeRequest } from "../../src/ocsp/request.js";
import { parseResponse } from "../../src/ocsp/response.js";
import { loadCertificate } from "../../src/x509/load.js";
import { type ServerProcess, startProcess } from "../responder-process.js";
import { runBuiltMain } from "./cli.js";
import {
  argv,
  normalizeDates,
  normalizeResponseSignature,
  ocspkitCommand,
  openssl,
  type Pki,
  type RunResult,
  runCommand,
} from "./pki.js";

/**
 * Runs the built CLI: the short commands (db, revoke, unrevoke) in this process from their
 * bundles, as test/support/cli.ts runs the others; `serve` as a process (it is a server), and
 * every command as one when OCSPKIT_CMD names another program.
 */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  if (args[0] !== "serve" && !process.env["OCSPKIT_CMD"]?.trim()) {
    return runBuiltMain(args, { env, timeoutMs: 60_000 });
  }
  return cliProcess(args, env);
}

/**
 * bin/ocspkit.cjs as a process, for what only a process shows: that the command ends (its
 * database connections closed), its environment, a change made from outside the responders.
 */
export function cliProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  const [cmd, ...pre] = ocspkitCommand();
  return runCommand(cmd!, [...pre, ...args], {
    env: { ...process.env, ...env },
    timeoutMs: 60_000,
  });
}

/** The CA and the delegated signer `serve` answers for, from the test PKI. */
export const signerArgs = (pki: Pki): string[] => [
  "--ca",
  pki.intermediate.cert,
  "--signer",
  pki.ocspSigner.cert,
  "--key",
  pki.ocspSigner.key,
];

/** `db init` and `db import` of `index` for the test PKI's intermediate, both asserted to pass. */
export async function initAndImport(pki: Pki, db: string, index: string): Promise<void> {
  const init = await cli(["db", "init", "--db", db]);
  assert.equal(init.code, 0, init.stderr);
  const r = await cli([
    "db",
    "import",
    "--db",
    db,
    "--issuer",
    pki.intermediate.cert,
    "--index",
    index,
  ]);
  assert.equal(r.code, 0, r.stderr);
}

/** `ocspkit serve …`, resolved once it listens. */
export async function serve(
  args: readonly string[],
): Promise<ServerProcess & { readonly url: string }> {
  const p = await startProcess(
    [...ocspkitCommand(), "serve", "--port", "0", ...args],
    [/listening on (http:\/\/\S+)/],
    { timeoutMs: 30_000 },
  );
  return Object.assign(p, { url: p.match[1]! });
}

/** The OpenSSL client's text for one request about `certs`, dates and signature aside. */
export async function ask(pki: Pki, url: string, certs: readonly string[]): Promise<string> {
  const certArgs = certs.flatMap((c) => ["-cert", c]);
  const r = await runCommand("openssl", [
    ...argv`ocsp -issuer ${pki.intermediate.cert} -url ${url} -no_nonce -resp_text
            -CAfile ${pki.chain}`,
    ...certArgs,
  ]);
  return normalizeResponseSignature(normalizeDates(`${r.stdout}\n--\n${r.stderr}`));
}

/**
 * Asks `url` (POST, in-process: fast enough to poll) about each certificate file or hex serial
 * under the test PKI's intermediate; resolves with the statuses, or `error N` for an OCSP error
 * status, and the HTTP status code.
 */
export async function statusVia(
  pki: Pki,
  url: string,
  subjects: readonly string[],
): Promise<{ http: number; statuses: string; body: Buffer }> {
  const issuer = loadCertificate(pki.intermediate.cert, "CA");
  const requests = subjects.map((s) => ({
    certId: certIdFor(
      issuer,
      /^[0-9A-F]+$/.test(s)
        ? Buffer.from(s.length % 2 ? `0${s}` : s, "hex")
        : loadCertificate(s, "leaf"),
      SHA1,
    ),
    extensions: [],
  }));
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/ocsp-request" },
    body: encodeRequest({ requests, extensions: [] }),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return { http: res.status, statuses: `http ${res.status}`, body };
  const r = parseResponse(body);
  const statuses =
    r.status === 0 ? r.basic!.responses.map((x) => x.status).join(",") : `error ${r.status}`;
  return { http: res.status, statuses, body };
}

/** The certificate statuses (`good`, `revoked`, …) or the response status OpenSSL prints. */
export function statuses(text: string): string[] {
  const error = /Responder Error: (\w+)/.exec(text);
  if (error) return [error[1]!];
  return [...text.matchAll(/Cert Status: (\w+)/g)].map((m) => m[1]!);
}

export interface CaDatabase {
  readonly dir: string;
  readonly index: string;
  /** Issued by `openssl ca`: good, keyCompromise, hold (with instruction), keyTime, certificateHold. */
  readonly leaves: readonly string[];
}

/** A CA database written by `openssl ca` itself for the test PKI's intermediate. */
export async function opensslCa(pki: Pki): Promise<CaDatabase> {
  const dir = join(pki.dir, `openssl-ca-${randomBytes(4).toString("hex")}`);
  mkdirSync(join(dir, "certs"), { recursive: true });
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "4A01\n");
  const cnf = join(dir, "ca.cnf");
  writeFileSync(
    cnf,
    `[ca]
default_ca = CA_default
[CA_default]
database = ${join(dir, "index.txt")}
new_certs_dir = ${join(dir, "certs")}
serial = ${join(dir, "serial")}
default_md = sha256
default_days = 365
policy = policy_any
unique_subject = no
[policy_any]
commonName = supplied
`,
  );
  const ca = argv`-config ${cnf} -cert ${pki.intermediate.cert} -keyfile ${pki.intermediate.key}`;
  const leaves: string[] = [];
  for (let i = 0; i < 5; i++) {
    const key = join(dir, `leaf${i}.key`);
    const csr = join(dir, `leaf${i}.csr`);
    const pem = join(dir, `leaf${i}.pem`);
    await openssl(
      argv`req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${key}
           -out ${csr} -subj ${`/CN=openssl ca leaf ${i}`}`,
    );
    await openssl([...argv`ca -batch -notext -in ${csr} -out ${pem}`, ...ca]);
    leaves.push(pem);
  }
  const revoke = (pem: string, how: string[]) =>
    openssl([...argv`ca -revoke ${pem}`, ...how, ...ca]);
  await revoke(leaves[1]!, argv`-crl_reason keyCompromise`);
  await revoke(leaves[2]!, argv`-crl_hold holdInstructionCallIssuer`);
  await revoke(leaves[3]!, argv`-crl_compromise 20240102030405Z`);
  await revoke(leaves[4]!, argv`-crl_reason certificateHold`);
  return { dir, index: join(dir, "index.txt"), leaves };
}

export const PG_URL = process.env.OCSPKIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why PostgreSQL cannot be used; undefined when it can. */
export async function pgProblem(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return undefined;
  } catch (err) {
    return `${PG_URL}: ${(err as Error).message || (err as { code?: string }).code}`;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * The `skip` option of PostgreSQL tests: a loud reason when the database is unreachable, or
 * a failure under CI=true.
 */
export async function pgSkip(): Promise<string | false> {
  const problem = await pgProblem();
  if (!problem) return false;
  if (process.env.CI === "true") throw new Error(`PostgreSQL is required under CI: ${problem}`);
  const message = `PostgreSQL tests SKIPPED: no database at ${problem}`;
  process.stderr.write(`\n*** ${message} ***\n\n`);
  return message;
}

export interface PgSchema {
  readonly schema: string;
  /** The --db URL: the schema, and an application_name that picks out its connections. */
  readonly url: string;
  /** Runs SQL in the schema. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

/** A schema of the test's own (created by `db init`), dropped by `drop()`. */
export async function pgSchema(): Promise<PgSchema> {
  const schema = `ocspkit_test_${randomBytes(6).toString("hex")}`;
  const u = new URL(PG_URL);
  u.searchParams.set("schema", schema);
  u.searchParams.set("application_name", schema);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  return {
    schema,
    url: u.toString(),
    sql: async (text, values) => {
      await admin.query(`SET search_path = ${schema}`);
      return admin.query(text, values);
    },
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** Polls `f` every 25 ms until it is true; resolves with the ms it took, rejects past `ms`. */
export async function within(ms: number, f: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await f()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
