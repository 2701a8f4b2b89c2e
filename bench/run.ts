// `npm run bench`: ocspkit against OpenSSL, cfssl and Node's own limits, on this machine, in
// one run. Prints a table per section and the targets, and writes bench/results.json.
// Everything listens on 127.0.0.1 only (openssl's responder binds every interface but is
// only ever sent loopback traffic), and every process started is stopped at the end, on
// Ctrl-C, or by the watchdog (BENCH_TIMEOUT).
//
// Settings (environment):
//   BENCH_SECONDS=10      measured seconds per responder row (split over BENCH_ROUNDS)
//   BENCH_ROUNDS=5        interleaved rounds per responder row and verify side
//   BENCH_WARMUP=2        seconds of warm-up per responder row
//   BENCH_CONNECTIONS=32  wrk connections
//   BENCH_CERTS=1000      certificates in the client batch
//   BENCH_PER_CALL=500    -cert per `openssl ocsp` call in the batch
//   BENCH_RUNS=5          batch runs; BENCH_STARTUP_RUNS=30 start-up runs
//   BENCH_LEAF_KEY=rsa    the batch leaves' key: rsa (RSA-2048) or ec (P-256)
//   BENCH_PIN=1           pin responders to CPU 0 and wrk to CPU 1 (0: let the kernel place them)
//   BENCH_STORE_ROWS=1000000  synthetic rows in the status-store section
//   BENCH_STORE_BIG_ROWS=10000000  rows made in SQL for its start-up-only part (0: none)
//   BENCH_ONLY=responder,batch,verify,startup,store   run only these sections
//   BENCH_TIMEOUT=900     seconds before everything is stopped
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "../src/errors.js";
import { REPO_ROOT } from "../test/support/pki.js";
import { batchSection } from "./batch.js";
import { makeBenchPki } from "./pki.js";
import { capture, installGuards, isPinned } from "./proc.js";
import {
  renderSection,
  renderTable,
  type SectionResult,
  type Target,
  targetMet,
  targetsTable,
} from "./report.js";
import { responderSection } from "./responder.js";
import { cli } from "./servers.js";
import { startupSection } from "./startup.js";
import { storeSection } from "./store.js";
import { findTools } from "./tools.js";
import { verifySection } from "./verify.js";

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw}: not a number`);
  return n;
}

const SECTIONS = ["responder", "batch", "verify", "startup", "store"] as const;

async function firstLine(argv: string[]): Promise<string> {
  try {
    return (await capture(argv, { timeoutMs: 10_000, ok: [0, 1] })).split("\n")[0]!.trim();
  } catch {
    return "not available";
  }
}

const BUILT = join(REPO_ROOT, "dist", "bin", "main.cjs");

/** The build the CLI runs from must not be older than the sources it is measured for. */
function staleBuild(): string | undefined {
  try {
    const age = statSync(BUILT).mtimeMs;
    const src = join(REPO_ROOT, "src");
    const newer = readdirSync(src, { recursive: true, encoding: "utf8" }).find(
      (f) => statSync(join(src, f)).mtimeMs > age,
    );
    return newer ? `src/${newer} is newer than dist/: run \`npm run build\` first` : undefined;
  } catch {
    return "dist/ is missing: run `npm run build` first";
  }
}

/**
 * A private copy of the CLI build, so that a rebuild in the tree during the run (`npm test`
 * starts with `rm -rf dist`) cannot pull the program away mid-measurement.
 */
async function snapshotBuild(dir: string): Promise<string> {
  // A build in progress: wait until dist/ has been quiet for a couple of seconds.
  for (let waited = 0; ; waited++) {
    const quiet = existsSync(BUILT) && Date.now() - statSync(BUILT).mtimeMs > 2000;
    if (quiet) break;
    if (waited === 60) throw new Error("no finished build in dist/: run `npm run build` first");
    await new Promise((r) => setTimeout(r, 1000));
  }
  const root = join(dir, "build");
  cpSync(join(REPO_ROOT, "bin"), join(root, "bin"), { recursive: true });
  cpSync(join(REPO_ROOT, "dist"), join(root, "dist"), { recursive: true });
  copyFileSync(join(REPO_ROOT, "package.json"), join(root, "package.json"));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
  return join(root, "bin", "ocspkit.cjs");
}

async function main(): Promise<void> {
  const only = (process.env["BENCH_ONLY"] ?? SECTIONS.join(",")).split(",").map((s) => s.trim());
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(", ")}`);
  const cfg = {
    seconds: setting("BENCH_SECONDS", 10),
    rounds: Math.max(1, setting("BENCH_ROUNDS", 5)),
    warmup: setting("BENCH_WARMUP", 2),
    connections: Math.max(1, setting("BENCH_CONNECTIONS", 32)),
    certs: Math.max(1, setting("BENCH_CERTS", 1000)),
    perCall: Math.max(1, setting("BENCH_PER_CALL", 500)),
    runs: Math.max(1, setting("BENCH_RUNS", 5)),
    startupRuns: Math.max(1, setting("BENCH_STARTUP_RUNS", 30)),
    storeRows: Math.max(1, setting("BENCH_STORE_ROWS", 1_000_000)),
    storeBigRows: Math.max(0, setting("BENCH_STORE_BIG_ROWS", 10_000_000)),
    pin: setting("BENCH_PIN", 1) !== 0,
    timeout: setting("BENCH_TIMEOUT", 900),
  };
  installGuards(cfg.timeout, cfg.pin && availableParallelism() >= 2);
  const stale = staleBuild();
  if (stale) process.stderr.write(`bench: warning: ${stale}\n`);
  const dir = mkdtempSync(join(tmpdir(), "ocspkit-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  cli.bin = await snapshotBuild(dir);
  const missing = await findTools();
  for (const why of missing.values()) process.stderr.write(`bench: ${why}\n`);

  // The tree measured: others may be editing it, so say how far it is from its commit.
  const commit = await firstLine(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"]);
  const status = ["git", "-C", REPO_ROOT, "status", "--porcelain", "--", "src", "bin"];
  const changed = (await capture(status).catch(() => "")).split("\n").filter(Boolean).length;
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    kernel: release(),
    node: process.version,
    openssl: await firstLine(["openssl", "version"]),
    wrk: await firstLine(["wrk", "-v"]),
    cfssl: (await firstLine(["cfssl", "version"])).replace(/^Version:\s*/, "cfssl "),
    source: `${commit} + ${changed} changed files under src/ and bin/`,
    loadBefore: loadavg()[0]!.toFixed(2),
    loadAfter: "",
  };
  process.stdout.write(
    `ocspkit bench — ${machine.cpu}, ${machine.cores} cores, Linux ${machine.kernel}, node ${machine.node}\n` +
      `${machine.openssl}; ${machine.wrk}; ${machine.cfssl}; load average ${machine.loadBefore}\n` +
      `source: ${machine.source}\n\n`,
  );

  const t0 = Date.now();
  const leafKey = process.env["BENCH_LEAF_KEY"] || "rsa";
  if (leafKey !== "rsa" && leafKey !== "ec")
    throw new Error(`BENCH_LEAF_KEY=${leafKey}: rsa or ec`);
  const bench = await makeBenchPki(dir, cfg.certs, leafKey);
  process.stderr.write(`bench: PKI with ${cfg.certs} leaves in ${Date.now() - t0} ms\n`);

  const pinned = isPinned();
  const runners: Record<(typeof SECTIONS)[number], () => Promise<SectionResult>> = {
    responder: () =>
      responderSection({
        dir,
        pki: bench.pki,
        seconds: cfg.seconds,
        rounds: cfg.rounds,
        warmup: cfg.warmup,
        connections: cfg.connections,
        serverCpu: pinned ? 0 : undefined,
        clientCpu: pinned ? 1 : undefined,
        // Pinned to one CPU, a second worker could only take turns with the first.
        ocspkitWorkers: pinned ? 1 : availableParallelism(),
        missing,
      }),
    batch: () =>
      batchSection({
        bench,
        runs: cfg.runs,
        perCall: cfg.perCall,
        concurrency: 8, // check's own default
        missing,
      }),
    verify: () =>
      verifySection({ dir, bench, responses: 32, seconds: cfg.seconds / 2, rounds: cfg.rounds }),
    startup: () => startupSection({ dir, bench, runs: cfg.startupRuns }),
    store: () =>
      storeSection({
        dir,
        pki: bench.pki,
        rows: cfg.storeRows,
        bigRows: cfg.storeBigRows,
        seconds: cfg.seconds,
        rounds: cfg.rounds,
        connections: cfg.connections,
        serverCpu: pinned ? 0 : undefined,
        clientCpu: pinned ? 1 : undefined,
      }),
  };
  const results: Record<string, SectionResult> = {};
  const targets: Target[] = [];
  for (const name of SECTIONS.filter((s) => only.includes(s))) {
    process.stderr.write(`bench: ${name}…\n`);
    const started = Date.now();
    const r = await runners[name]();
    process.stderr.write(`bench: ${name} took ${Math.round((Date.now() - started) / 1000)} s\n`);
    results[name] = r;
    targets.push(...r.targets);
    process.stdout.write(`${renderSection(r)}\n`);
  }
  machine.loadAfter = loadavg()[0]!.toFixed(2);
  process.stdout.write(
    `== Targets (load average ${machine.loadBefore} before, ${machine.loadAfter} after)\n`,
  );
  process.stdout.write(`${renderTable(targetsTable(targets))}\n`);

  const file = join(REPO_ROOT, "bench", "results.json");
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        settings: { ...cfg, pinned, sections: only },
        unavailable: Object.fromEntries(missing),
        sections: results,
        targets: targets.map((t) => ({ ...t, met: targetMet(t) ?? null })),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nwrote ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack : describe(err)}\n`);
    process.exit(1);
  },
);
