/**
 * `npm run fuzz [-- --count N --seed S]`: feeds mutated OCSP responses, requests and
 * certificates to every parser and verifier (test/support/forge.ts `exercise`) and fails on
 * any exception that escapes, any input that takes too long, and any response that verifies
 * although its signed bytes changed. Inputs are 1 to 3 mutations of valid originals (byte damage,
 * and structural damage that keeps the DER readable so it reaches the verifier) or plain
 * random bytes. Deterministic for a given seed; failing inputs are written out in hex.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCertificate } from "../src/x509/load.js";
import {
  buildCorpus,
  exercise,
  makeExtraSigners,
  mutate,
  prng,
  randomMutation,
} from "../test/support/forge.js";
import { makePki } from "../test/support/pki.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
/** Slowest acceptable input: the largest valid one takes about a millisecond. */
const SLOW_MS = 1_000;

const pki = await makePki();
try {
  const corpus = buildCorpus(pki, await makeExtraSigners(pki));
  for (const r of corpus.responses.slice(0, -1)) {
    const o = exercise(r, corpus.target);
    if (!o.verified || o.problem) throw new Error(`an original does not verify: ${o.problem}`);
  }
  const certs = [pki.ocspSigner.cert, pki.intermediate.cert].map(
    (p) => loadCertificate(p, "certificate").der,
  );
  const originals = [...corpus.responses, ...corpus.requests, ...certs];
  const rand = prng(seed);
  const findings = new Map<string, Uint8Array>();
  let parsed = 0;
  let verified = 0;
  let slowest = 0;
  const started = performance.now();
  for (let n = 1; n <= count; n++) {
    let input: Uint8Array;
    if (rand() < 0.02) {
      input = Uint8Array.from({ length: Math.floor(rand() * 2048) }, () =>
        Math.floor(rand() * 256),
      );
    } else {
      input = originals[Math.floor(rand() * originals.length)]!;
      const steps = rand() < 0.6 ? 1 : 2 + Math.floor(rand() * 2);
      for (let k = 0; k < steps; k++) input = mutate(input, randomMutation(rand), originals);
    }
    const t0 = performance.now();
    const o = exercise(input, corpus.target);
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (o.parsed) parsed++;
    if (o.verified) verified++;
    const problem = o.problem ?? (ms > SLOW_MS ? `took ${ms.toFixed(0)} ms` : undefined);
    if (problem) {
      const key = problem.split("\n").slice(0, 2).join(" ");
      if (!findings.has(key)) findings.set(key, input);
    }
    if (n % 10_000 === 0) {
      const s = (performance.now() - started) / 1000;
      console.log(`fuzz: ${n} inputs, ${(n / s).toFixed(0)}/s, ${findings.size} problem(s)`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(
    `fuzz: ${count} inputs in ${secs.toFixed(1)} s (${(count / secs).toFixed(0)} inputs/s, seed ${seed}): ` +
      `${parsed} parsed as responses, ${verified} verified (unchanged signed bytes), ` +
      `slowest ${slowest.toFixed(1)} ms, ${findings.size} problem(s)`,
  );
  if (findings.size) {
    const dir = mkdtempSync(join(tmpdir(), "ocspkit-fuzz-"));
    let i = 0;
    for (const [problem, input] of findings) {
      const file = join(dir, `finding-${++i}.hex`);
      writeFileSync(file, `${Buffer.from(input).toString("hex")}\n`);
      console.log(`\n[${i}] ${problem}\n    input: ${file}`);
    }
    process.exitCode = 1;
  }
} finally {
  pki.cleanup();
}
