/**
 * The PostgreSQL status store through the built CLI, each test in a schema of its own (dropped
 * after): the db commands, the fan-out of a revocation to two responders, reconnection and
 * catch-up after pg_terminate_backend, a database lost while serving (through a TCP proxy the
 * test cuts), an unreachable database at start-up, and bad rows.
 *
 * Needs PostgreSQL (OCSPKIT_PG_URL, else postgres://postgres@127.0.0.1:5432/test); skipped
 * with a loud message without one, except under CI=true, where that fails.
 *
 *   npm run build && node --import tsx --test test/store-pg.test.ts
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { startProcess } from "./responder-process.js";
import { makePki, ocspkitCommand, type Pki } from "./support/pki.js";
import {
  cli,
  cliProcess,
  initAndImport,
  PG_URL,
  type PgSchema,
  pgSchema,
  pgSkip,
  serve,
  signerArgs,
  statusVia,
  within,
} from "./support/store.js";

const skip = await pgSkip();
let pki: Pki;
const schemas: PgSchema[] = [];

before(async () => {
  if (!skip) pki = await makePki();
});
after(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
  pki?.cleanup();
});

const issuer = () => ["--issuer", pki.intermediate.cert];
const signer = () => signerArgs(pki);

/** A schema of its own with the test PKI's index imported. */
async function filled(): Promise<PgSchema> {
  const s = await pgSchema();
  schemas.push(s);
  await initAndImport(pki, s.url, pki.index);
  return s;
}

/** A TCP proxy to PostgreSQL that the test can cut (every connection reset, new ones refused). */
async function proxy() {
  const target = new URL(PG_URL);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) s.on("error", done).on("close", done);
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    /** `url` with its host and port replaced by the proxy's. */
    via(url: string): string {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("PostgreSQL store", { skip }, () => {
  test("db init, import and status, idempotent", async () => {
    const s = await pgSchema();
    schemas.push(s);
    const init = await cliProcess(["db", "init", "--db", s.url]);
    assert.match(init.stdout, /schema created \(version 1\)/);
    assert.match((await cli(["db", "init", "--db", s.url])).stdout, /schema already at version 1/);
    const args = ["db", "import", "--db", s.url, ...issuer(), "--index", pki.index];
    assert.match((await cli(args)).stdout, /16 rows read, 16 written/);
    assert.match((await cli(args)).stdout, /16 rows read, 0 written/);
    const r = await cli([
      "db",
      "status",
      "--db",
      s.url,
      ...issuer(),
      "--cert",
      pki.leaves.revokedKeyTime.cert,
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      [j.state, j.reason, j.invalidityDate],
      ["revoked", "keyCompromise", "2020-01-02T03:04:05Z"],
    );
    assert.doesNotMatch(j.database, /:[^/@]*@/, "no password in the name");
    // Issuers are found by either CertID hash.
    const issuers = await s.sql(
      "SELECT length(name_sha1) AS a, length(key_sha256) AS b FROM issuers",
    );
    assert.deepEqual(issuers.rows, [{ a: 20, b: 32 }]);
  });

  test("fan-out: a revocation through a third process is served by two responders within 1 s", async () => {
    const s = await filled();
    const [a, b] = await Promise.all([
      serve(["--db", s.url, ...signer()]),
      serve(["--db", s.url, ...signer()]),
    ]);
    try {
      const leaf = pki.leaves.good2.cert;
      for (const r of [a, b]) assert.equal((await statusVia(pki, r!.url, [leaf])).statuses, "good");
      const t0 = Date.now();
      const rv = await cliProcess([
        "revoke",
        "--db",
        s.url,
        ...issuer(),
        "--cert",
        leaf,
        "--reason",
        "superseded",
      ]);
      assert.equal(rv.code, 0, rv.stderr);
      const exited = Date.now() - t0;
      const ms = await Promise.all(
        [a, b].map((r) =>
          within(1000, async () => (await statusVia(pki, r!.url, [leaf])).statuses === "revoked"),
        ),
      );
      process.stderr.write(
        `# postgres fan-out: revoke took ${exited} ms; revoked served after ${ms.join(", ")} ms\n`,
      );

      // The responders' connections are terminated: they reconnect, and catch up on a change
      // committed in the same moment.
      await s.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
        [s.schema],
      );
      const other = pki.leaves.good.cert;
      const rv2 = await cliProcess([
        "revoke",
        "--db",
        s.url,
        ...issuer(),
        "--cert",
        other,
        "--reason",
        "keyCompromise",
      ]);
      assert.equal(rv2.code, 0, rv2.stderr);
      await Promise.all(
        [a, b].map((r) =>
          within(5000, async () => (await statusVia(pki, r!.url, [other])).statuses === "revoked"),
        ),
      );
      for (const r of [a, b]) {
        await within(3000, async () => /reconnected; caught up to version \d+/.test(r!.stderr()));
        assert.equal((await statusVia(pki, r!.url, [leaf])).statuses, "revoked");
        assert.equal((await fetch(`${r!.url}healthz`)).status, 200);
      }
    } finally {
      await Promise.all([a, b].map((r) => r!.stop()));
    }
  });

  test("lost while serving: cached answers, tryLater, /healthz 503, catch-up on return", async () => {
    const s = await filled();
    const p = await proxy();
    const r = await serve(["--db", p.via(s.url), ...signer()]);
    try {
      const cachedLeaf = pki.leaves.good.cert;
      assert.equal((await statusVia(pki, r.url, [cachedLeaf])).statuses, "good");
      p.cut();
      await within(3000, async () => (await fetch(`${r.url}healthz`)).status === 503);
      const health = await fetch(`${r.url}healthz`);
      assert.match(await health.text(), /^unavailable: postgres:\/\/.*: /);
      const asked = await statusVia(pki, r.url, [cachedLeaf]);
      assert.equal(asked.statuses, "good", "the cached answer is still served");
      const fresh = await statusVia(pki, r.url, [pki.leaves.good2.cert]);
      assert.deepEqual([fresh.http, fresh.statuses], [200, "error 3"], "tryLater, never a guess");
      const metrics = await (await fetch(`${r.url}metrics`)).text();
      assert.match(metrics, /ocsp_store_up\{store="postgres:.*"\} 0/);
      assert.match(metrics, /ocsp_store_errors_total\{store="postgres:.*"\} [1-9]/);
      // Revoked while the responder cannot see it (straight to the database, not the proxy).
      const rv = await cli(["revoke", "--db", s.url, ...issuer(), "--cert", cachedLeaf]);
      assert.equal(rv.code, 0, rv.stderr);
      p.restore();
      await within(
        8000,
        async () => (await statusVia(pki, r.url, [cachedLeaf])).statuses === "revoked",
      );
      assert.equal((await fetch(`${r.url}healthz`)).status, 200);
      assert.equal((await statusVia(pki, r.url, [pki.leaves.good2.cert])).statuses, "good");
    } finally {
      await r.stop();
      await p.close();
    }
  });

  test("unreachable at start-up: one clear error and exit 1, or --wait-for-db until it answers", async () => {
    const s = await filled();
    const p = await proxy();
    try {
      const r = await cli(["serve", "--db", "postgres://postgres@127.0.0.1:1/test", ...signer()]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^ocspkit serve: database postgres:\/\/postgres@127\.0\.0\.1:1\/test: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      );
      p.cut();
      const waiting = startProcess(
        [
          ...ocspkitCommand(),
          "serve",
          "--port",
          "0",
          "--wait-for-db",
          "--db",
          p.via(s.url),
          ...signer(),
        ],
        [/listening on (http:\/\/\S+)/],
        { timeoutMs: 30_000 },
      );
      await new Promise((res) => setTimeout(res, 1500));
      p.restore();
      const w = await waiting;
      try {
        assert.match(w.stderr(), /waiting for the database: database postgres:.*cannot connect/);
        assert.equal((await statusVia(pki, w.match[1]!, [pki.leaves.good.cert])).statuses, "good");
      } finally {
        await w.stop();
      }
    } finally {
      await p.close();
    }
  });

  test("a bad row answers internalError for its serial only, logged once", async () => {
    const s = await filled();
    const r = await serve(["--db", s.url, ...signer()]);
    try {
      await s.sql("UPDATE certificate_status SET revoked_at = 'garbage' WHERE serial = '\\x3001'");
      await s.sql("UPDATE certificate_status SET reason = 99 WHERE serial = '\\x3002'");
      const ask = (c: string) => statusVia(pki, r.url, [c]);
      await within(
        1000,
        async () => (await ask(pki.leaves.revoked.unspecified.cert)).statuses === "error 2",
      );
      assert.equal((await ask(pki.leaves.revoked.unspecified.cert)).statuses, "error 2");
      assert.equal((await ask(pki.leaves.revoked.keyCompromise.cert)).statuses, "error 2");
      assert.equal((await ask(pki.leaves.good.cert)).statuses, "good");
      const lines = r
        .stderr()
        .split("\n")
        .filter((l) => l.includes("bad row"));
      assert.equal(lines.length, 2, r.stderr());
      assert.match(lines.join("\n"), /revocation time "garbage" does not parse/);
      assert.match(lines.join("\n"), /unknown revocation reason 99/);
    } finally {
      await r.stop();
    }
  });
});
