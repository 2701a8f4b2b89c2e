// Section 1: responder throughput. wrk drives keep-alive HTTP/1.1 at one responder at a time,
// always about the same certificate. Rows are measured in interleaved rounds (the order
// rotating each round) so that every ratio compares figures taken seconds apart.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CertId, certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest, nonceExtension } from "../src/ocsp/request.js";
import { getUrl, sendOcspRequest } from "../src/transport/http.js";
import { loadCertificate } from "../src/x509/load.js";
import { makeResponseFile, type Pki } from "../test/support/pki.js";
import { capture } from "./proc.js";
import {
  fmt,
  fmtRatio,
  median,
  ratioOfRounds,
  reason,
  type SectionResult,
  type Table,
  type Target,
} from "./report.js";
import {
  expectAnswer,
  NEXT_UPDATE_SECONDS,
  type Running,
  startCfssl,
  startFixed,
  startOcspkit,
  startOpenssl,
} from "./servers.js";
import type { Tool } from "./tools.js";
import { type Load, runWrk, type WrkResult } from "./wrk.js";

export interface ResponderConfig {
  readonly dir: string;
  readonly pki: Pki;
  /** Measured seconds per row, split over the rounds. */
  readonly seconds: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly connections: number;
  readonly serverCpu?: number;
  readonly clientCpu?: number;
  readonly ocspkitWorkers: number;
  /** Why a tool cannot be used, by name; absent when it can. */
  readonly missing: ReadonlyMap<Tool, string>;
}

/** The question every row asks: the status of the test PKI's `good` leaf, by SHA-1 CertID. */
export interface Question {
  readonly id: CertId;
  readonly der: Uint8Array;
  /** The same request with a nonce, and where its 16 nonce bytes are. */
  readonly nonced: Uint8Array;
  readonly nonceAt: number;
}

export function benchQuestion(pki: Pki): Question {
  const issuer = loadCertificate(pki.intermediate.cert, "intermediate");
  const id = certIdFor(issuer, loadCertificate(pki.leaves.good.cert, "leaf"), SHA1);
  const requests = [{ certId: id, extensions: [] }];
  const marker = Buffer.alloc(16, 0xa5);
  const nonced = Buffer.from(encodeRequest({ requests, extensions: [nonceExtension(marker)] }));
  return {
    id,
    der: encodeRequest({ requests, extensions: [] }),
    nonced,
    nonceAt: nonced.indexOf(marker),
  };
}

type ServerKey = "ocspkit" | "openssl" | "cfssl" | "node";

/** One wrk run, and what it cost the responder. */
interface Run extends WrkResult {
  readonly perCpuSecond: number;
}

interface Contender {
  readonly id: string;
  readonly label: string;
  /** Column heading in the ratio table. */
  readonly short: string;
  readonly server: ServerKey;
  readonly load: Load;
}

const OURS = ["ocspkit-post", "ocspkit-nonce", "ocspkit-get"] as const;
const PEERS = ["node-http", "openssl-post", "openssl-nonce", "cfssl-post", "cfssl-get"] as const;

function contenders(q: Question): Contender[] {
  const post: Load = { method: "POST", path: "/", body: q.der };
  const nonce: Load = { method: "POST", path: "/", body: q.nonced, nonceAt: q.nonceAt };
  const get: Load = { method: "GET", path: new URL(getUrl("http://h/", q.der)).pathname };
  const row = (id: string, label: string, short: string, server: ServerKey, load: Load) => ({
    id,
    label,
    short,
    server,
    load,
  });
  return [
    row("ocspkit-post", "ocspkit serve, POST (cached answer)", "", "ocspkit", post),
    row("ocspkit-nonce", "ocspkit serve, POST + nonce (signed each)", "", "ocspkit", nonce),
    row("ocspkit-get", "ocspkit serve, GET (cached answer)", "", "ocspkit", get),
    row("node-http", "bare node:http, fixed body", "node:http", "node", post),
    row("openssl-post", "openssl ocsp -multi 2, POST", "openssl", "openssl", post),
    row("openssl-nonce", "openssl ocsp -multi 2, POST + nonce", "openssl+nonce", "openssl", nonce),
    row("cfssl-post", "cfssl ocspserve, POST (pre-signed)", "cfssl POST", "cfssl", post),
    row("cfssl-get", "cfssl ocspserve, GET (pre-signed)", "cfssl GET", "cfssl", get),
  ];
}

/** `cfssl ocspsign`'s answer for the good leaf, as the base64 line `ocspserve -responses` reads. */
async function cfsslResponses(pki: Pki, dir: string): Promise<string> {
  const out = await capture([
    "cfssl",
    "ocspsign",
    "-ca",
    pki.intermediate.cert,
    "-responder",
    pki.ocspSigner.cert,
    "-responder-key",
    pki.ocspSigner.key,
    "-cert",
    pki.leaves.good.cert,
    "-status",
    "good",
    "-interval",
    `${NEXT_UPDATE_SECONDS}s`,
  ]);
  const file = join(dir, "cfssl-responses.txt");
  writeFileSync(file, `${(JSON.parse(out) as { ocspResponse: string }).ocspResponse}\n`);
  return file;
}

export async function responderSection(c: ResponderConfig): Promise<SectionResult> {
  const q = benchQuestion(c.pki);
  const rows = contenders(q);
  const unavailable = new Map<ServerKey, string>();
  const wrkMissing = c.missing.get("wrk");
  if (wrkMissing) for (const r of rows) unavailable.set(r.server, wrkMissing);
  const serveMissing = c.missing.get("serve");
  if (serveMissing) unavailable.set("ocspkit", serveMissing);
  const cfsslMissing = c.missing.get("cfssl");
  if (cfsslMissing) unavailable.set("cfssl", cfsslMissing);

  // Long-lived servers; openssl is started afresh for every run (see `runOnce`).
  const running = new Map<ServerKey, Running>();
  const start = async (key: ServerKey, how: () => Promise<Running>) => {
    if (unavailable.has(key)) return;
    try {
      running.set(key, await how());
    } catch (err) {
      unavailable.set(key, `did not start: ${reason(err)}`);
    }
  };
  await start("ocspkit", () => startOcspkit(c.pki, c.ocspkitWorkers, c.serverCpu));
  await start("cfssl", async () => startCfssl(await cfsslResponses(c.pki, c.dir), c.serverCpu));
  // The fixed body is the very answer ocspkit sends (openssl's when ocspkit cannot run).
  const body = join(c.dir, "good.resp.der");
  const ocspkit = running.get("ocspkit");
  const answer =
    ocspkit &&
    (await sendOcspRequest(ocspkit.url, q.der, { timeoutMs: 10_000 }).catch((err: unknown) => {
      unavailable.set("ocspkit", `no answer: ${reason(err)}`);
      return undefined;
    }));
  if (answer) {
    writeFileSync(body, answer);
  } else {
    const reqFile = join(c.dir, "good.req.der");
    writeFileSync(reqFile, q.der);
    await makeResponseFile(c.pki, reqFile, body, { nmin: null, ndays: 1 });
  }
  await start("node", () => startFixed(body, c.serverCpu));

  const results = new Map<string, Run[]>();
  const failed = new Map<string, string>();
  const runOnce = async (r: Contender, seconds: number): Promise<Run> => {
    const fresh = r.server === "openssl" ? await startOpenssl(c.pki, c.serverCpu) : undefined;
    // openssl 3.0's -multi workers spin forever on a connection closed before a request
    // arrives, which wrk does to its idle connections at the end of a run: a fresh
    // responder per run keeps a spinning worker from eating the next row's CPU.
    const server = fresh ?? running.get(r.server)!;
    try {
      await expectAnswer(server.url, r.load.body ?? q.der, q.id, r.load.method);
      const cpu0 = server.cpuSeconds();
      const res = await runWrk(server.url, r.load, {
        seconds,
        connections: c.connections,
        cpu: c.clientCpu,
        dir: c.dir,
      });
      return { ...res, perCpuSecond: res.requests / (server.cpuSeconds() - cpu0) };
    } finally {
      await fresh?.stop();
    }
  };

  const live = rows.filter((r) => !unavailable.has(r.server));
  for (const r of live) {
    try {
      if (c.warmup > 0) await runOnce(r, c.warmup);
    } catch (err) {
      failed.set(r.id, reason(err));
    }
  }
  const slice = Math.max(1, Math.round(c.seconds / c.rounds));
  for (let round = 0; round < c.rounds; round++) {
    const order = live.slice(round % live.length).concat(live.slice(0, round % live.length));
    for (const r of order) {
      if (failed.has(r.id)) continue;
      try {
        const res = await runOnce(r, slice);
        results.set(r.id, [...(results.get(r.id) ?? []), res]);
        process.stderr.write(
          `  round ${round + 1}/${c.rounds} ${r.label}: ${fmt(res.rps)} req/s, ` +
            `${fmt(res.perCpuSecond)} req/CPU-s, p99 ${fmt(res.p99Ms)} ms\n`,
        );
      } catch (err) {
        failed.set(r.id, reason(err));
      }
    }
  }
  for (const s of running.values()) await s.stop();

  const why = (r: Contender) => unavailable.get(r.server) ?? failed.get(r.id);
  const series = (id: string, pick: (w: Run) => number) =>
    failed.has(id) ? undefined : results.get(id)?.map(pick);
  const ratioBy = (pick: (w: Run) => number) => (a: string, b: string) => {
    const x = series(a, pick);
    const y = series(b, pick);
    return x && y ? ratioOfRounds(x, y) : undefined;
  };
  const ratio = ratioBy((w) => w.rps);
  const cpuRatio = ratioBy((w) => w.perCpuSecond);
  const med = (id: string, pick: (w: Run) => number) => {
    const rs = failed.has(id) ? undefined : results.get(id);
    return rs?.length ? median(rs.map(pick)) : undefined;
  };
  const byId = new Map(rows.map((r) => [r.id, r]));
  const figures: Table = {
    head: ["responder", "req/s", "p50 ms", "p99 ms", "req/CPU-s", "errors"],
    rows: rows.map((r) => {
      const missing = why(r);
      if (missing) return [r.label, "unavailable", "", "", "", missing];
      const rs = results.get(r.id) ?? [];
      return [
        r.label,
        fmt(med(r.id, (w) => w.rps)),
        fmt(med(r.id, (w) => w.p50Ms)),
        fmt(med(r.id, (w) => w.p99Ms)),
        fmt(med(r.id, (w) => w.perCpuSecond)),
        String(rs.reduce((n, w) => n + w.errors, 0)),
      ];
    }),
  };
  const ratioTable = (title: string, by: typeof ratio): Table => ({
    head: [title, ...PEERS.map((p) => byId.get(p)!.short)],
    rows: OURS.map((a) => [byId.get(a)!.label, ...PEERS.map((b) => fmtRatio(by(a, b)))]),
  });
  const targets: Target[] = [
    {
      text: "cached POST vs bare node:http",
      measured: ratio("ocspkit-post", "node-http"),
      bound: 0.85,
      kind: "min",
    },
    {
      text: "cached POST vs openssl -multi 2",
      measured: ratio("ocspkit-post", "openssl-post"),
      bound: 2,
      kind: "min",
    },
    {
      text: "cached POST vs cfssl ocspserve",
      measured: ratio("ocspkit-post", "cfssl-post"),
      bound: 3,
      kind: "min",
    },
    {
      text: "POST + nonce vs openssl -multi 2 + nonce",
      measured: ratio("ocspkit-nonce", "openssl-nonce"),
      bound: 1,
      kind: "min",
    },
    {
      text: `cached POST p99 at ${c.connections} connections`,
      measured: med("ocspkit-post", (w) => w.p99Ms),
      bound: 10,
      kind: "max",
      unit: "ms",
    },
    {
      text: `POST + nonce p99 at ${c.connections} connections`,
      measured: med("ocspkit-nonce", (w) => w.p99Ms),
      bound: 10,
      kind: "max",
      unit: "ms",
    },
  ];
  const pin =
    c.serverCpu === undefined
      ? "unpinned"
      : `server pinned to CPU ${c.serverCpu}, wrk to CPU ${c.clientCpu}`;
  return {
    title: "1. Responder throughput (keep-alive HTTP/1.1, the same question every time)",
    notes: [
      `wrk -t1 -c${c.connections}; ${pin}; ${c.warmup} s warm-up, then ${c.rounds} interleaved rounds of ${slice} s per row`,
      `medians over rounds; ratios are medians of the per-round ratios. ocspkit serve --workers ${c.ocspkitWorkers}`,
      "req/CPU-s: requests per CPU-second of the responder's processes, which load from elsewhere barely moves",
      "openssl answers HTTP/1.0 and closes every connection (wrk reconnects); it is restarted for every run",
      `the fixed body is ${answer ? "ocspkit's" : "openssl's"} answer to the same question (${readFileSync(body).length} bytes)`,
    ],
    tables: [
      figures,
      ratioTable("req/s ratio to", ratio),
      ratioTable("req/CPU-s ratio to", cpuRatio),
    ],
    targets,
    data: Object.fromEntries(
      rows.map((r) => [
        r.id,
        why(r)
          ? { label: r.label, unavailable: why(r) }
          : { label: r.label, rounds: results.get(r.id) },
      ]),
    ),
  };
}
