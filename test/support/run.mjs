// `npm test`: runs the test files named on the command line (package.json passes the glob
// test/*.test.ts, so new files are picked up) with node's test runner, three files at a time,
// TAP on stdout and the list of skipped tests at the end (skip-report.mjs). It gives the run
// a scratch folder, OCSPKIT_TEST_RUN_DIR, where the test PKI is made once and copied by every
// file that needs one (test/support/pki.ts), and removes it afterwards.
//
// The files run as JavaScript that esbuild bundles here first, one file per test file, rather
// than through tsx: tsx's module hooks start a loader thread in every test process, ~0.4 s of
// CPU each, 14 s of a 2-core run's ~190. The bundles sit two folders below the repo
// (.tmp/tests-*/), where test/support/pki.ts sits, so that the repo it finds from its own URL
// is the same. A single file still runs as its header says, with `node --import tsx --test`.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Seconds each file took run alone on a 2-core machine (2026-12), to start the long ones first:
 * node's runner starts files in the order of their names, so the bundles are named in this
 * order, and a long file started last would run on alone at the end while the other lanes
 * idle. A file not listed is guessed from its size; a wrong guess costs only time.
 */
const SECONDS_ALONE = {
  "responder-attack.test.ts": 16.8,
  "x509-text.test.ts": 13.4,
  "ocsp-client.diff.test.ts": 11.1,
  "probe.test.ts": 10.3,
  "store-sqlite.test.ts": 10.2,
  "store-pg.test.ts": 9.1,
  "responder.diff.test.ts": 6.5,
  "cli-terminal.test.ts": 6.0,
  "check-batch.test.ts": 4.8,
  "package.test.ts": 4.6,
  "check.test.ts": 4.6,
  "cli-errors.test.ts": 4.5,
  "realworld.diff.test.ts": 4.1,
  "store.diff.test.ts": 4.0,
  "serve.test.ts": 3.6,
};
const seconds = (f) => SECONDS_ALONE[basename(f)] ?? statSync(f).size / 8000;
const files = process.argv.slice(2).sort((a, b) => seconds(b) - seconds(a));
if (files.length === 0) {
  process.stderr.write("usage: node test/support/run.mjs FILE.test.ts...\n");
  process.exit(64);
}
const runDir = mkdtempSync(join(tmpdir(), "ocspkit-test-run-"));
const repo = fileURLToPath(new URL("../..", import.meta.url));
mkdirSync(join(repo, ".tmp"), { recursive: true });
const bundles = mkdtempSync(join(repo, ".tmp", "tests-"));
const cleanUp = () => {
  rmSync(runDir, { recursive: true, force: true });
  rmSync(bundles, { recursive: true, force: true });
};
/** `07-probe.test.mjs`: the place in the order first. */
const bundleName = (f) =>
  `${String(files.indexOf(f)).padStart(2, "0")}-${basename(f).replace(/\.ts$/, ".mjs")}`;
try {
  await build({
    entryPoints: Object.fromEntries(files.map((f) => [bundleName(f).replace(/\.mjs$/, ""), f])),
    outdir: bundles,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
  });
} catch (err) {
  cleanUp();
  throw err;
}
// NODE_EXTRA_CA_CERTS makes every Node process read that CA bundle as it starts (~40 ms of CPU
// each for a system bundle), and the suite starts hundreds of them; no test needs it: their
// PKIs are made at test time and their servers are on loopback.
const { NODE_EXTRA_CA_CERTS: _, ...inherited } = process.env;
// The suite's ~1,600 programs and growing test processes spend a third of its CPU in the
// kernel, most of it taking first touches of fresh memory, at ~10 µs a page on some virtual
// machines. glibc's malloc in huge pages where the system allows them on request (THP
// "madvise"), and in one arena rather than one a thread: 151 -> 140 s of CPU, 81 -> 75 s here.
// No test depends on the allocator; other C libraries and older glibc ignore the variable.
const TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1";
const testEnv = {
  ...inherited,
  GLIBC_TUNABLES: [inherited.GLIBC_TUNABLES, TUNABLES].filter(Boolean).join(":"),
  OCSPKIT_TEST_RUN_DIR: runDir,
};
const child = spawn(
  process.execPath,
  [
    "--test",
    "--test-concurrency=3",
    "--test-reporter=tap",
    "--test-reporter-destination=stdout",
    `--test-reporter=${fileURLToPath(new URL("skip-report.mjs", import.meta.url))}`,
    "--test-reporter-destination=stderr",
    ...files.map((f) => join(bundles, bundleName(f))),
  ],
  { stdio: "inherit", env: testEnv },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  cleanUp();
  process.exitCode = code ?? (signal ? 1 : 0);
});
