// Section 2: checking many certificates against a local responder, as a script would: one
// `ocspkit check` run, a shell loop of `openssl ocsp` processes, and `openssl ocsp` calls with
// many -cert each. Each measurement gets a freshly started responder (no answer cached from a
// previous client), and wall time includes every process start.
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
import { cli, type Running, startOcspkit, startOpenssl } from "./servers.js";
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
  const startResponder = (): Promise<Running> =>
    serveMissing ? startOpenssl(pki) : startOcspkit(pki, 1);
  /** Wall seconds of `fn`, and the CPU seconds of the client processes it ran. */
  const withResponder = async (fn: (url: string) => Promise<void>) => {
    const r = await startResponder();
    try {
      const cpu0 = reapedChildrenCpuSeconds();
      const seconds = await timed(() => fn(r.url));
      return { seconds, cpu: reapedChildrenCpuSeconds() - cpu0 };
    } finally {
      await r.stop();
    }
  };
  const osslArgs = (url: string) => [
    "-issuer",
    pki.intermediate.cert,
    "-url",
    url,
    "-CAfile",
    pki.caFiles.root,
    "-no_nonce",
  ];

  const checkRun = (url: string) => async () => {
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
      { timeoutMs: 120_000, ok: [0, 1] },
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
  const multiRun = (url: string) => async () => {
    let out = "";
    for (let i = 0; i < files.length; i += c.perCall) {
      const certs = files.slice(i, i + c.perCall).flatMap((f) => ["-cert", f]);
      out += await capture(["openssl", "ocsp", ...osslArgs(url), ...certs], { timeoutMs: 120_000 });
    }
    expectCounts("openssl ocsp with many -cert", opensslCounts(out), want);
  };
  const loopRun = (url: string) => async () => {
    // What a script does: one process per certificate, one after the other.
    const loop = `for c in "$@"; do openssl ocsp ${osslArgs(url).join(" ")} -cert "$c" || exit 1; done`;
    const out = await capture(["sh", "-c", loop, "sh", ...files], { timeoutMs: 600_000 });
    expectCounts("openssl ocsp loop", opensslCounts(out), want);
  };

  const rates = { check: [] as number[], multi: [] as number[], loop: [] as number[] };
  const cpu = { check: [] as number[], multi: [] as number[], loop: [] as number[] };
  const failed = new Map<keyof typeof rates, string>();
  const checkMissing = c.missing.get("check");
  if (checkMissing) failed.set("check", checkMissing);
  const measure = async (key: keyof typeof rates, run: (url: string) => () => Promise<void>) => {
    if (failed.has(key)) return;
    try {
      const { seconds, cpu: used } = await withResponder((url) => run(url)());
      rates[key].push(files.length / seconds);
      cpu[key].push(used);
      process.stderr.write(`  ${key}: ${fmt(files.length / seconds)} certificates/s\n`);
    } catch (err) {
      failed.set(key, reason(err));
    }
  };
  for (let i = 0; i < c.runs; i++) {
    const pair = [
      ["check", checkRun],
      ["multi", multiRun],
    ] as const;
    for (const [key, run] of i % 2 ? [...pair].reverse() : pair) await measure(key, run);
  }
  await measure("loop", loopRun);

  const rate = (k: keyof typeof rates) =>
    failed.has(k) || !rates[k].length ? undefined : median(rates[k]);
  const checkRate = rate("check");
  const loopRate = rate("loop");
  const vsLoop =
    checkRate !== undefined && loopRate !== undefined ? checkRate / loopRate : undefined;
  const vsMulti =
    rate("check") !== undefined && rate("multi") !== undefined
      ? ratioOfRounds(rates.check, rates.multi)
      : undefined;
  const calls = Math.ceil(files.length / c.perCall);
  const labels = {
    check: `ocspkit check --concurrency ${c.concurrency} (one process)`,
    multi: `openssl ocsp, ${Math.min(c.perCall, files.length)} -cert per call (${calls} call${calls > 1 ? "s" : ""})`,
    loop: "openssl ocsp loop, one process per certificate",
  };
  const row = (k: keyof typeof rates, ratio?: number) =>
    failed.has(k)
      ? [labels[k], "unavailable", "", failed.get(k)!]
      : [labels[k], fmt(rate(k)), fmt(median(cpu[k])), k === "check" ? "" : fmtRatio(ratio)];
  const targets: Target[] = [
    { text: "check vs openssl loop", measured: vsLoop, bound: 20, kind: "min" },
    { text: "check vs openssl with many -cert", measured: vsMulti, bound: 1, kind: "min" },
  ];
  return {
    title: `2. Client batch: ${files.length} certificates against a local ${responderName}`,
    notes: [
      "no nonce anywhere (check's default; -no_nonce for openssl), so all ask the same questions;",
      "a fresh responder per measurement; wall time includes process start-up; unpinned",
      `check and the many -cert calls: median of ${c.runs} alternating runs; the loop runs once`,
      "openssl 3.0's client refuses answers over 100 KiB, hence a bounded number of -cert per call",
      "client CPU s: user + system time of the client's processes for the whole batch (median)",
    ],
    tables: [
      {
        head: ["client", "certificates/s", "client CPU s", "check is"],
        rows: [row("check"), row("multi", vsMulti), row("loop", vsLoop)],
      },
    ],
    targets,
    data: { responder: responderName, labels, rates, cpu, failed: Object.fromEntries(failed) },
  };
}
