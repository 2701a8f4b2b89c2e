// `npm test`: runs the test files named on the command line (package.json passes the glob
// test/*.test.ts, so new files are picked up) with node's test runner, three files at a time,
// TAP on stdout and the list of skipped tests at the end (skip-report.mjs). It gives the run
// a scratch folder, OCSPKIT_TEST_RUN_DIR, where the test PKI is made once and copied by every
// file that needs one (test/support/pki.ts), and removes it afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Largest first: size is a fair guess at run time, and a long file started last would run on
// alone at the end while the other core idles.
const files = process.argv.slice(2).sort((a, b) => statSync(b).size - statSync(a).size);
if (files.length === 0) {
  process.stderr.write("usage: node test/support/run.mjs FILE.test.ts...\n");
  process.exit(64);
}
const runDir = mkdtempSync(join(tmpdir(), "ocspkit-test-run-"));
// NODE_EXTRA_CA_CERTS makes every Node process read that CA bundle as it starts (~40 ms of CPU
// each for a system bundle), and the suite starts hundreds of them; no test needs it: their
// PKIs are made at test time and their servers are on loopback.
const { NODE_EXTRA_CA_CERTS: _, ...inherited } = process.env;
const testEnv = { ...inherited, OCSPKIT_TEST_RUN_DIR: runDir };
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-concurrency=3",
    "--test-reporter=tap",
    "--test-reporter-destination=stdout",
    `--test-reporter=${fileURLToPath(new URL("skip-report.mjs", import.meta.url))}`,
    "--test-reporter-destination=stderr",
    ...files,
  ],
  { stdio: "inherit", env: testEnv },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  rmSync(runDir, { recursive: true, force: true });
  process.exitCode = code ?? (signal ? 1 : 0);
});
