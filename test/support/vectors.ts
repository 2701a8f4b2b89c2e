/**
 * Where OpenSSL's own OCSP vectors are (test/ocsp-tests of the OpenSSL sources, with the
 * MANIFEST.tsv of its recipe 80-test_ocsp.t): beside the repository, never copied into it. One
 * place for every test that reads them, and one rule when they are missing: under `CI=true` the
 * run FAILS (CI always has them); elsewhere the test is skipped under a name that says why, and
 * the skip is repeated at the end of the run (test/support/skip-report.mjs, and on stderr when a
 * file runs on its own).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { type TestContext, test } from "node:test";
import { REPO_ROOT } from "./pki.js";

export const OPENSSL_VECTORS = resolve(REPO_ROOT, "..", "shared", "vectors", "openssl-ocsp");
export const VECTORS_MANIFEST = join(OPENSSL_VECTORS, "MANIFEST.tsv");

export const vectorsPresent = (): boolean => existsSync(VECTORS_MANIFEST);

/** Stands in for `what` when the vectors are missing: a failure under CI, else a loud skip. */
export function vectorsMissing(what: string): void {
  const why = `OpenSSL vectors not found at ${OPENSSL_VECTORS}: ${what} NOT RUN`;
  if (process.env["CI"] === "true") {
    test(`FAILED: ${why}`, () => {
      assert.fail(`${why}; under CI=true the vectors must be there (../shared/vectors)`);
    });
    return;
  }
  test(`SKIPPED: ${why}`, { skip: why }, () => {});
  process.on("exit", () => process.stderr.write(`WARNING: ${why}\n`));
}

/** `test(name, fn)` when the vectors are there, {@link vectorsMissing} when not. */
export function testWithVectors(name: string, fn: (t: TestContext) => void | Promise<void>): void {
  if (vectorsPresent()) test(name, fn);
  else vectorsMissing(name);
}
