// Section 2: checking many certificates against a local responder, as a script would: one
// `ocspkit check` run, a shell loop of `openssl ocsp` processes, and `openssl ocsp` calls with
// many -cert each. The certificates are issued by `openssl ca` (bench/pki.ts). One responder
// answers every client, its cache warmed by one untimed run of check and of the many -cert
// calls, so that the clients are what is measured; wall time includes every process start.
import { performance } from "node:perf_hooks";
import type { BenchPki } from "./pki.js";
import { capture, reapedChildrenCpuSeconds } from "./proc.js";
import {
  fmt,
  fmtRatio,
  median,
  ratioOfRounds,
  reason,
  type SectionResult,
  type Target,
} from "./report.js";
import { cli, startOcspkit, startOpenssl } from "./servers.js";
import type { Tool } from "./tools.js";

export interface BatchConfig {
  readonly bench: BenchPki;
  /** Runs of the check and of the multi-cert calls (the loop runs once: it is long). */
  readonly runs: number;
  /** -cert per openssl call: openssl 3.0 refuses answers over 100 KiB (about 960 statuses). */
  readonly perCall: number;
  readonly concurrency: number;
  readonly missing: ReadonlyMap<Tool, string>;
}

interface Counts {
  good: number;
  revoked: number;
}

function expectCounts(what: string, got: Counts, want: Counts): void {
  if (got.good !== want.good || got.revoked !== want.revoked) {
    throw new Error(
      `${what}: ${got.good} good, ${got.revoked} revoked; expected ${want.good} and ${want.revoked}`,
    );
  }
}

/** Statuses from `openssl ocsp` summaries (`FILE: good`). */
function opensslCounts(out: string): Counts {
  return {
    good: out.match(/^\S.*: good$/gm)?.length ?? 0,
    revoked: out.match(/^\S.*: revoked$/gm)?.length ?? 0,
  };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export async function batchSection(c: BatchConfig): Promise<SectionResult> {
  const { pki, leaves } = c.bench;
  const files = leaves.map((l) => l.path);
  const want: Counts = {
    good: leaves.filter((l) => l.status === "good").length,
    revoked: leaves.filter((l) => l.status === "revoked").length,
  };
  const serveMissing = c.missing.get("serve");
  const responderName = serveMissing ? "openssl ocsp -multi 2" : "ocspkit serve --workers 1";
  const responder = await (serveMissing ? startOpenssl(pki) : startOcspkit(pki, 1));
  const url = responder.url;
  try {
    return await measureAll(c, url, responderName, want, files);
  } finally {
    await responder.stop();
  }
}

async function measureAll(
  c: BatchConfig,
  url: string,
  responderName: string,
  want: Counts,
  files: readonly string[],
): Promise<SectionResult> {
  const { pki } = c.bench;
  /** Wall seconds of `fn`, and the CPU seconds of the client processes it ran. */
  const withCpu = async (fn: () => Promise<void>) => {
    const cpu0 = reapedChildrenCpuSeconds();
    const seconds = await timed(fn);
    return { seconds, cpu: reapedChildrenCpuSeconds() - cpu0 };
  };
  const osslArgs = [
    "-issuer",
    pki.intermediate.cert,
    "-url",
    url,
    "-CAfile",
    pki.caFiles.root,
    "-no_nonce",
  ];

  // Node reads NODE_EXTRA_CA_CERTS (a whole CA bundle) at start-up, before any of the program
  // runs: a cost of the machine's set-up, not of ocspkit, measured in a row of its own.
  const extraCa = process.env["NODE_EXTRA_CA_CERTS"];
  const { NODE_EXTRA_CA_CERTS: _, ...cleanEnv } = process.env;
  const checkIn = (env: NodeJS.ProcessEnv) => async () => {
    const out = await capture(
      [
        process.execPath,
        cli.bin,
        "check",
        "--issuer",
        pki.intermediate.cert,
        "--ca-file",
        pki.caFiles.root,
        "--url",
        url,
        "--concurrency",
        String(c.concurrency),
        "--json",
        ...files,
      ],
      // Exit 1 says some certificate is revoked, as one in ten is meant to be.
      { timeoutMs: 120_000, ok: [0, 1], env },
    );
    const results = (JSON.parse(out) as { results: { status: string }[] }).results;
    expectCounts(
      "ocspkit check",
      {
        good: results.filter((r) => r.status === "good").length,
        revoked: results.filter((r) => r.status === "revoked").length,
      },
      want,
    );
  };
  const multiRun = async () => {
    let out = "";
    for (let i = 0; i < files.length; i += c.perCall) {
      const certs = files.slice(i, i + c.perCall).flatMap((f) => ["-cert", f]);
      out += await capture(["openssl", "ocsp", ...osslArgs, ...certs], { timeoutMs: 120_000 });
    }
    expectCounts("openssl ocsp with many -cert", opensslCounts(out), want);
  };
  const loopRun = async () => {
    // What a script does: one process per certificate, one after the other.
    const loop = `for c in "$@"; do openssl ocsp ${osslArgs.join(" ")} -cert "$c" || exit 1; done`;
    const out = await capture(["sh", "-c", loop, "sh", ...files], { timeoutMs: 600_000 });
    expectCounts("openssl ocsp loop", opensslCounts(out), want);
  };

  type Key = "check" | "checkExtraCa" | "multi" | "loop";
  const runs: Record<Key, () => Promise<void>> = {
    check: checkIn(cleanEnv),
    checkExtraCa: checkIn(process.env),
    multi: multiRun,
    loop: loopRun,
  };
  const rates: Record<Key, number[]> = { check: [], checkExtraCa: [], multi: [], loop: [] };
  const cpu: Record<Key, number[]> = { check: [], checkExtraCa: [], multi: [], loop: [] };
  const failed = new Map<Key, string>();
  const checkMissing = c.missing.get("check");
  if (checkMissing) failed.set("check", checkMissing);
  if (!extraCa) failed.set("checkExtraCa", "NODE_EXTRA_CA_CERTS is not set");
  const measure = async (key: Key, timedRun = true) => {
    if (failed.has(key)) return;
    try {
      const { seconds, cpu: used } = await withCpu(runs[key]);
      if (!timedRun) return;
      rates[key].push(files.length / seconds);
      cpu[key].push(used);
      process.stderr.write(
        `  ${key}: ${fmt(files.length / seconds)} certificates/s, ${fmt(used)} CPU s\n`,
      );
    } catch (err) {
      failed.set(key, reason(err));
    }
  };
  // Untimed: fills the responder's cache with the answers to both clients' requests.
  await measure("check", false);
  await measure("multi", false);
  for (let i = 0; i < c.runs; i++) {
    const round: Key[] = ["check", "multi", "checkExtraCa"];
    for (const key of i % 2 ? round.reverse() : round) await measure(key);
  }
  await measure("loop");

  const rate = (k: Key) => (failed.has(k) || !rates[k].length ? undefined : median(rates[k]));
  const both = (a: Key, b: Key) => rate(a) !== undefined && rate(b) !== undefined;
  const vsLoop = both("check", "loop") ? rate("check")! / rate("loop")! : undefined;
  // Per-round ratios: a round's two runs saw the same outside load.
  const vsMulti = both("check", "multi") ? ratioOfRounds(rates.check, rates.multi) : undefined;
  const cpuVsMulti = both("check", "multi") ? ratioOfRounds(cpu.multi, cpu.check) : undefined;
  const cpuVsLoop = both("check", "loop") ? median(cpu.loop) / median(cpu.check) : undefined;
  const vsExtraCa = both("check", "checkExtraCa")
    ? ratioOfRounds(rates.check, rates.checkExtraCa)
    : undefined;
  const cpuVsExtraCa = both("check", "checkExtraCa")
    ? ratioOfRounds(cpu.checkExtraCa, cpu.check)
    : undefined;
  const calls = Math.ceil(files.length / c.perCall);
  const labels: Record<Key, string> = {
    check: `ocspkit check --concurrency ${c.concurrency} (one process)`,
    checkExtraCa: "the same, NODE_EXTRA_CA_CERTS as this machine sets it",
    multi: `openssl ocsp, ${Math.min(c.perCall, files.length)} -cert per call (${calls} call${calls > 1 ? "s" : ""})`,
    loop: "openssl ocsp loop, one process per certificate",
  };
  const row = (k: Key, ratio?: number, cpuRatio?: number) =>
    k === "checkExtraCa" && !extraCa
      ? []
      : failed.has(k)
        ? [labels[k], "unavailable", "", "", "", failed.get(k)!]
        : [
            labels[k],
            fmt(rate(k)),
            fmt(median(rates[k].map((r) => (files.length / r) * 1000))),
            fmt(median(cpu[k])),
            k === "check" ? "" : fmtRatio(ratio),
            k === "check" ? "" : fmtRatio(cpuRatio),
          ];
  const targets: Target[] = [
    { text: "check vs openssl loop", measured: vsLoop, bound: 25, kind: "min" },
    { text: "check vs openssl with many -cert", measured: vsMulti, bound: 1, kind: "min" },
  ];
  return {
    title: `2. Client batch: ${files.length} certificates from openssl ca against a local ${responderName}`,
    notes: [
      `leaves: ${c.bench.leafKey.toUpperCase()} keys, signed by the RSA-2048 intermediate, one PEM file each (bench/pki.ts)`,
      "no nonce anywhere (check's default; -no_nonce for openssl), so all ask the same questions;",
      "check runs without NODE_EXTRA_CA_CERTS (Node reads that bundle at start-up, whatever the",
      "program); when the environment sets it, a row shows check with it, and what it costs",
      "one responder for every client, its cache warmed by one untimed run of check and of the",
      "many -cert calls; wall time includes process start-up; unpinned",
      `check and the many -cert calls: median of ${c.runs} alternating runs; the loop runs once`,
      "openssl 3.0's client refuses answers over 100 KiB, hence a bounded number of -cert per call",
      "client CPU s: user + system time of the client's processes for the whole batch (median);",
      "check is: check's rate over the row's (wall), and the row's CPU time over check's (CPU)",
    ],
    tables: [
      {
        head: ["client", "certificates/s", "wall ms", "client CPU s", "check is", "CPU: check is"],
        rows: [
          row("check"),
          row("checkExtraCa", vsExtraCa, cpuVsExtraCa),
          row("multi", vsMulti, cpuVsMulti),
          row("loop", vsLoop, cpuVsLoop),
        ].filter((r) => r.length),
      },
    ],
    targets,
    data: { responder: responderName, labels, rates, cpu, failed: Object.fromEntries(failed) },
  };
}
