// Section 5: status stores. One CA database of BENCH_STORE_ROWS synthetic rows (plus the test
// PKI's own) served from index.txt, from SQLite and from PostgreSQL (when one answers at
// OCSPKIT_PG_URL or postgres://postgres@127.0.0.1:5432/test; its schema is dropped after):
// import time, start-up and memory, `ocspkit revoke` to the first revoked answer on each of two
// responders, cached throughput, and the miss path (a nonce in every request: a lookup and a
// signature each time). Then start-up and memory of `serve --db` over BENCH_STORE_BIG_ROWS
// (10 M) rows made directly in SQL, next to `serve --index` over the BENCH_STORE_ROWS file.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";
import { loadCertificate } from "../src/x509/load.js";
import type { Pki } from "../test/support/pki.js";
import { PG_URL, pgProblem, signerArgs } from "../test/support/store.js";
import { capture } from "./proc.js";
import { fmt, fmtRatio, median, ratioOfRounds, type SectionResult, type Target } from "./report.js";
import { benchQuestion } from "./responder.js";
import { cli, startOcspkit } from "./servers.js";
import { runWrk } from "./wrk.js";

export interface StoreConfig {
  readonly dir: string;
  readonly pki: Pki;
  readonly rows: number;
  /** Rows of the start-up-only databases made in SQL; 0 leaves them out. */
  readonly bigRows: number;
  readonly seconds: number;
  readonly rounds: number;
  readonly connections: number;
  readonly serverCpu?: number;
  readonly clientCpu?: number;
}

const NODE = process.execPath;
/** Synthetic serials: 8 bytes from this base up, clear of the test PKI's. */
const SERIAL_BASE = 0x5000_0000_0000_0000n;
const serialHex = (i: number) => (SERIAL_BASE + BigInt(i)).toString(16).toUpperCase();
const REVOKES = 5;

/** index.txt with `rows` synthetic rows (one in a hundred revoked) and the PKI's own rows. */
async function writeIndex(path: string, rows: number, own: string): Promise<void> {
  const out = createWriteStream(path);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const rev = i % 100 === 7 ? "240123100808Z,keyCompromise" : "";
    chunk += `${rev ? "R" : "V"}\t271201004556Z\t${rev}\t${serialHex(i)}\tunknown\t/CN=bench ${i}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk + own);
  await once(out, "finish");
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

const ocspkit = (args: readonly string[]) =>
  capture([NODE, cli.bin, ...args], { timeoutMs: 900_000 });

/** Resident memory of a process, MB. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb ?? 0) / 1024;
}

/** Wall time from spawn to "listening", and RSS then and after one answer. */
async function startup(
  pki: Pki,
  store: readonly string[],
): Promise<{ ms: number; rss: number; rssAnswered: number }> {
  const t0 = performance.now();
  const child = spawn(NODE, [cli.bin, "serve", ...serveArgs(pki, store)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      // `listening on` is a status line, on stderr (stdout is the access log's).
      const read = (b: Buffer) => {
        out += b;
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      child.once("exit", () => reject(new Error(`serve ${store.join(" ")} exited:\n${out}`)));
    });
    const ms = performance.now() - t0;
    const rss = rssMb(child.pid!);
    await ask(pki, url, loadCertificate(pki.leaves.good.cert, "leaf").serial);
    return { ms, rss, rssAnswered: rssMb(child.pid!) };
  } finally {
    child.kill();
  }
}

const serveArgs = (pki: Pki, store: readonly string[]) => [
  ...store,
  ...signerArgs(pki),
  "--port",
  "0",
];

/** The status one responder gives `serial` (POST, no nonce). */
async function ask(pki: Pki, url: string, serial: Uint8Array): Promise<string> {
  const issuer = loadCertificate(pki.intermediate.cert, "CA");
  const body = encodeRequest({
    requests: [{ certId: certIdFor(issuer, serial, SHA1), extensions: [] }],
    extensions: [],
  });
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/ocsp-request" },
    body,
  });
  const r = parseResponse(Buffer.from(await res.arrayBuffer()));
  return r.status === 0 ? r.basic!.responses[0]!.status : `error ${r.status}`;
}

/** ms from `ocspkit revoke` exiting to the first revoked answer, on each responder. */
async function revokeLatency(
  pki: Pki,
  db: string,
  urls: readonly string[],
  i: number,
): Promise<{ exit: number; seen: number[] }> {
  const hex = serialHex(i);
  const serial = Buffer.from(hex, "hex");
  for (const u of urls)
    if ((await ask(pki, u, serial)) !== "good") throw new Error(`${hex} not good first`);
  const t0 = performance.now();
  await ocspkit(["revoke", "--db", db, "--issuer", pki.intermediate.cert, "--serial", hex]);
  const exited = performance.now();
  const seen = await Promise.all(
    urls.map(async (u) => {
      while ((await ask(pki, u, serial)) !== "revoked") {
        if (performance.now() - exited > 10_000) throw new Error(`${hex} not revoked within 10 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - exited;
    }),
  );
  return { exit: exited - t0, seen };
}

/**
 * Adds `rows` synthetic rows (serials SERIAL_BASE + i, one in a hundred revoked) to a database
 * that already holds the bench CA, in SQL: far faster than an index.txt of that size. Rows
 * carry their versions, so the per-row version triggers are bypassed (SQLite's fire only for
 * version 0; PostgreSQL's are disabled for the insert and the sequence moved past them).
 */
async function generateRows(db: string, rows: number): Promise<void> {
  const revoked = (i: string) => `CASE WHEN ${i} % 100 = 7`;
  if (db.startsWith("sqlite:")) {
    const d = new Database(db.slice("sqlite:".length));
    try {
      d.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
        INSERT INTO certificate_status (issuer_id, serial, not_after, revoked_at, reason, version)
        SELECT (SELECT min(id) FROM issuers), unhex(printf('%016X', ? + i)), '2027-12-01T00:45:56Z',
          ${revoked("i")} THEN '2024-01-23T10:08:08Z' END, ${revoked("i")} THEN 1 END,
          (SELECT max(version) FROM certificate_status) + 1 + i
        FROM n`,
      ).run(rows, SERIAL_BASE + 10_000_000_000n);
    } finally {
      d.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const schema = new URL(db).searchParams.get("schema")!;
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query("BEGIN");
    await client.query("ALTER TABLE certificate_status DISABLE TRIGGER certificate_status_stamp");
    await client.query(
      `INSERT INTO certificate_status (issuer_id, serial, not_after, revoked_at, reason, version)
      SELECT (SELECT min(id) FROM issuers),
        decode(lpad(to_hex($2::bigint + i), 16, '0'), 'hex'), '2027-12-01T00:45:56Z',
        ${revoked("i")} THEN '2024-01-23T10:08:08Z' END, ${revoked("i")} THEN 1 END,
        nextval('certificate_status_version')
      FROM generate_series(0, $1::bigint - 1) AS i`,
      [rows, (SERIAL_BASE + 10_000_000_000n).toString()],
    );
    await client.query("ALTER TABLE certificate_status ENABLE TRIGGER certificate_status_stamp");
    await client.query("COMMIT");
    await client.query("ANALYZE certificate_status");
  } finally {
    await client.end();
  }
}

/** Start-up and RSS of `serve --db` over `rows` rows made in SQL, for each database. */
async function bigStartups(
  c: StoreConfig,
  dbs: readonly { name: string; db: string }[],
): Promise<{ name: string; fill: number; start: Awaited<ReturnType<typeof startup>> }[]> {
  const out = [];
  for (const { name, db } of dbs) {
    await ocspkit(["db", "init", "--db", db]);
    await ocspkit([
      "db",
      "import",
      "--db",
      db,
      "--issuer",
      c.pki.intermediate.cert,
      "--index",
      c.pki.index,
    ]);
    const [, fill] = await timed(() => generateRows(db, c.bigRows));
    out.push({ name, fill, start: await startup(c.pki, ["--db", db]) });
  }
  return out;
}

export async function storeSection(c: StoreConfig): Promise<SectionResult> {
  const notes: string[] = [];
  const index = join(c.dir, "store-index.txt");
  await writeIndex(index, c.rows, readFileSync(c.pki.index, "latin1"));
  const stores: { name: string; args: string[]; db?: string }[] = [
    { name: "index", args: ["--index", index] },
  ];
  const imports: Record<string, number> = {};
  // `db init`, then a timed `db import` of the index into the database at `url`.
  const fill = async (url: string): Promise<number> => {
    await ocspkit(["db", "init", "--db", url]);
    const [, ms] = await timed(() =>
      ocspkit(["db", "import", "--db", url, "--issuer", c.pki.intermediate.cert, "--index", index]),
    );
    return ms;
  };
  const sqlite = `sqlite:${join(c.dir, "store.db")}`;
  imports.sqlite = await fill(sqlite);
  stores.push({ name: "sqlite", args: ["--db", sqlite], db: sqlite });
  const pgWhy = await pgProblem();
  const schema = `ocspkit_bench_${randomBytes(4).toString("hex")}`;
  const pgUrl = `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  if (pgWhy) notes.push(`PostgreSQL not measured: ${pgWhy}`);
  else {
    imports.postgres = await fill(pgUrl);
    stores.push({ name: "postgres", args: ["--db", pgUrl], db: pgUrl });
  }
  try {
    const starts: Record<string, Awaited<ReturnType<typeof startup>>> = {};
    for (const s of stores) starts[s.name] = await startup(c.pki, s.args);

    // Throughput, in interleaved rounds: cached (one question) and the miss path (nonces).
    const q = benchQuestion(c.pki);
    const running = await Promise.all(
      stores.map((s) => startOcspkit(c.pki, 1, c.serverCpu, s.args)),
    );
    const cached: Record<string, number[]> = Object.fromEntries(stores.map((s) => [s.name, []]));
    const miss: Record<string, number[]> = Object.fromEntries(stores.map((s) => [s.name, []]));
    const secs = Math.max(1, Math.round(c.seconds / c.rounds));
    const wrk = { seconds: secs, connections: c.connections, cpu: c.clientCpu, dir: c.dir };
    const nonced = { method: "POST", path: "/", body: q.nonced, nonceAt: q.nonceAt } as const;
    try {
      for (let r = 0; r < c.rounds; r++) {
        for (const [k, s] of stores.entries()) {
          const url = running[k]!.url;
          const plain = await runWrk(url, { method: "POST", path: "/", body: q.der }, wrk);
          cached[s.name]!.push(plain.rps);
          miss[s.name]!.push((await runWrk(url, nonced, wrk)).rps);
        }
      }
    } finally {
      await Promise.all(running.map((r) => r.stop()));
    }

    // Revocation fan-out: two responders per database, `ocspkit revoke` through a third process.
    const latency: Record<string, { exit: number; seen: number[] }[]> = {};
    for (const s of stores.filter((x) => x.db)) {
      const pair = await Promise.all([0, 1].map(() => startOcspkit(c.pki, 1, undefined, s.args)));
      try {
        latency[s.name] = [];
        for (let i = 0; i < REVOKES; i++) {
          latency[s.name]!.push(
            await revokeLatency(
              c.pki,
              s.db!,
              pair.map((p) => p.url),
              1000 + i * 100 + 1,
            ),
          );
        }
      } finally {
        await Promise.all(pair.map((p) => p.stop()));
      }
    }

    // Start-up over a much larger table, made in SQL: what grows with the store, if anything.
    const big = c.bigRows
      ? await bigStartups(c, [
          { name: "sqlite", db: `sqlite:${join(c.dir, "store-big.db")}` },
          ...(pgWhy
            ? []
            : [
                {
                  name: "postgres",
                  db: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${schema}_big`,
                },
              ]),
        ])
      : [];

    const targets: Target[] = big.map((b) => ({
      text: `${c.bigRows} rows: serve --db ${b.name} listens in`,
      measured: b.start.ms,
      bound: 1000,
      kind: "max",
      unit: "ms",
    }));
    const rows = stores.map((s) => {
      const st = starts[s.name]!;
      const seen = latency[s.name]?.flatMap((l) => l.seen) ?? [];
      const worst = seen.length ? Math.max(...seen) : undefined;
      if (s.db) {
        targets.push(
          {
            text: `${c.rows} rows: serve --db ${s.name} listens in`,
            measured: st.ms,
            bound: 1000,
            kind: "max",
            unit: "ms",
          },
          {
            text: `${c.rows} rows: serve --db ${s.name} RSS`,
            measured: st.rssAnswered,
            bound: 200,
            kind: "max",
            unit: "MB",
          },
          {
            text: `revoke → revoked on 2 responders (${s.name}, worst of ${seen.length})`,
            measured: worst,
            bound: 1000,
            kind: "max",
            unit: "ms",
          },
          {
            text: `cached throughput --db ${s.name} / --index`,
            measured: ratioOfRounds(cached[s.name]!, cached.index!),
            bound: 0.9,
            kind: "min",
          },
        );
      }
      return [
        s.name,
        imports[s.name] === undefined ? "–" : fmt(imports[s.name]! / 1000),
        fmt(st.ms),
        fmt(st.rss),
        fmt(st.rssAnswered),
        fmt(median(cached[s.name]!)),
        fmt(median(miss[s.name]!)),
        worst === undefined ? "–" : `${fmt(median(seen))} / ${fmt(worst)}`,
      ];
    });
    if (miss.postgres) {
      targets.push({
        text: "miss path --db postgres / --index",
        measured: ratioOfRounds(miss.postgres, miss.index!),
        bound: 0.5,
        kind: "min",
      });
    }
    notes.push(
      `${c.rows} synthetic rows (1 % revoked) + the test PKI's; ${c.rounds} rounds of ${secs} s per wrk row, ${c.connections} connections.`,
      "Start-up is spawn to 'listening'; RSS at that moment and after one answer. Revoke latency is from `ocspkit revoke` exiting (its commit) to the first revoked answer.",
    );
    return {
      title: "Status stores: index.txt vs SQLite vs PostgreSQL",
      notes,
      tables: [
        {
          head: [
            "store",
            "import s",
            "listen ms",
            "RSS MB",
            "RSS after 1 answer",
            "cached req/s",
            "miss req/s",
            "revoke→revoked ms (median / worst)",
          ],
          rows,
        },
        {
          head: ["ratio", "value"],
          rows: stores
            .filter((s) => s.db)
            .flatMap((s) => [
              [`cached ${s.name} / index`, fmtRatio(ratioOfRounds(cached[s.name]!, cached.index!))],
              [`miss ${s.name} / index`, fmtRatio(ratioOfRounds(miss[s.name]!, miss.index!))],
            ]),
        },
        ...(big.length
          ? [
              {
                head: [
                  "start-up",
                  "rows",
                  "filled in s",
                  "listen ms",
                  "RSS MB",
                  "RSS after 1 answer",
                ],
                rows: [
                  [
                    "index",
                    String(c.rows),
                    "–",
                    fmt(starts.index!.ms),
                    fmt(starts.index!.rss),
                    fmt(starts.index!.rssAnswered),
                  ],
                  ...big.map((b) => [
                    b.name,
                    String(c.bigRows),
                    fmt(b.fill / 1000),
                    fmt(b.start.ms),
                    fmt(b.start.rss),
                    fmt(b.start.rssAnswered),
                  ]),
                ],
              },
            ]
          : []),
      ],
      targets,
      data: { rows: c.rows, imports, starts, cached, miss, latency, bigRows: c.bigRows, big },
    };
  } finally {
    if (!pgWhy) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin
        .query(
          `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_big CASCADE`,
        )
        .finally(() => admin.end());
    }
  }
}
