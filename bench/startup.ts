// Section 4: start-up. The wall time of one whole `ocspkit ocsp` query (process start, one
// answer from a local fixed responder, verification, output), against the same query by
// `openssl ocsp` and against `node -e 0`, the floor for any Node program.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { makeResponseFile } from "../test/support/pki.js";
import type { BenchPki } from "./pki.js";
import { capture, reapedChildrenCpuSeconds } from "./proc.js";
import { fmt, fmtRatio, median, type SectionResult } from "./report.js";
import { benchQuestion } from "./responder.js";
import { cli, startFixed } from "./servers.js";

export interface StartupConfig {
  readonly dir: string;
  readonly bench: BenchPki;
  readonly runs: number;
}

export async function startupSection(c: StartupConfig): Promise<SectionResult> {
  const { pki } = c.bench;
  // A fixed responder takes the responder's own time out of the figure.
  const req = join(c.dir, "startup.req");
  const resp = join(c.dir, "startup.resp");
  writeFileSync(req, benchQuestion(pki).der);
  await makeResponseFile(pki, req, resp, { nmin: null, ndays: 1 });
  const server = await startFixed(resp);
  const query = [
    "-issuer",
    pki.intermediate.cert,
    "-cert",
    pki.leaves.good.cert,
    "-url",
    server.url,
    "-CAfile",
    pki.caFiles.root,
    "-no_nonce",
  ];
  const commands = [
    {
      id: "ocspkit",
      label: "ocspkit ocsp (one query)",
      argv: [process.execPath, cli.bin, "ocsp", ...query],
    },
    { id: "openssl", label: "openssl ocsp (one query)", argv: ["openssl", "ocsp", ...query] },
    { id: "node", label: "node -e 0", argv: [process.execPath, "-e", "0"] },
  ];
  const times = new Map<string, number[]>(commands.map((x) => [x.id, []]));
  const cpu = new Map<string, number>(commands.map((x) => [x.id, 0]));
  try {
    for (let i = -3; i < c.runs; i++) {
      // Interleaved, so that a busy second elsewhere on the machine hits all three alike;
      // the first three rounds warm the page cache and are not counted.
      for (const cmd of commands) {
        const cpu0 = reapedChildrenCpuSeconds();
        const t0 = performance.now();
        const out = await capture(cmd.argv, { timeoutMs: 20_000 });
        const ms = performance.now() - t0;
        if (cmd.id !== "node" && !/: good$/m.test(out)) throw new Error(`${cmd.label}: ${out}`);
        if (i < 0) continue;
        times.get(cmd.id)!.push(ms);
        cpu.set(cmd.id, cpu.get(cmd.id)! + reapedChildrenCpuSeconds() - cpu0);
      }
    }
  } finally {
    await server.stop();
  }
  const med = (id: string) => median(times.get(id)!);
  const min = (id: string) => Math.min(...times.get(id)!);
  // CPU is summed over the runs (the kernel counts it in 10 ms ticks), then averaged.
  const cpuMs = (id: string) => (cpu.get(id)! * 1000) / c.runs;
  return {
    title: "4. Start-up: one query, whole process",
    notes: [
      `median of ${c.runs} interleaved runs each, spawned from Node; a fixed local responder; unpinned`,
      "CPU ms: user + system time of the process, the mean over the runs (load elsewhere barely moves it)",
    ],
    tables: [
      {
        head: ["command", "median ms", "min ms", "vs node -e 0", "CPU ms", "CPU vs node"],
        rows: commands.map((x) => [
          x.label,
          fmt(med(x.id)),
          fmt(min(x.id)),
          fmtRatio(med(x.id) / med("node")),
          fmt(cpuMs(x.id)),
          fmtRatio(cpuMs(x.id) / cpuMs("node")),
        ]),
      },
    ],
    targets: [
      {
        text: "ocspkit ocsp vs node -e 0 (wall time)",
        measured: med("ocspkit") / med("node"),
        bound: 1.5,
        kind: "max",
      },
    ],
    data: {
      wallMs: Object.fromEntries(times),
      cpuMs: Object.fromEntries(commands.map((x) => [x.id, cpuMs(x.id)])),
    },
  };
}
