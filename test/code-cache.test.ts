/**
 * The V8 code caches the build makes for the CLI's bundles (scripts/code-cache.mjs, loaded by
 * bin/code-cache.cjs): this Node accepts them, and a cache is never used for a bundle whose
 * source changed, even by a same-length edit, which V8's own check lets through.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Script } from "node:vm";
import { REPO_ROOT, runCommand } from "./support/pki.ts";

const BUNDLES = join(REPO_ROOT, "dist", "bin");
const HASH_BYTES = 32;

describe("code caches of the CLI bundles", () => {
  const tmp = mkdtempSync(join(tmpdir(), "ocspkit-code-cache-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test("the trained bundles have caches made from their source, which V8 accepts", () => {
    const caches = readdirSync(BUNDLES).filter((f) => f.endsWith(".cjs.cache"));
    for (const trained of ["main", "check", "ocsp"]) {
      assert.ok(caches.includes(`${trained}.cjs.cache`), `${trained}.cjs has a cache`);
    }
    for (const name of caches) {
      const filename = join(BUNDLES, name.replace(/\.cache$/, ""));
      const source = readFileSync(filename, "utf8");
      const cache = readFileSync(`${filename}.cache`);
      const hash = createHash("sha256").update(source).digest();
      assert.ok(cache.subarray(0, HASH_BYTES).equals(hash), `${name} matches its bundle`);
      const script = new Script(Module.wrap(source), {
        filename,
        cachedData: cache.subarray(HASH_BYTES),
      });
      assert.equal(script.cachedDataRejected, false, `V8 takes ${name}`);
    }
  });

  test("a bundle edited after the cache was made runs as edited", async () => {
    // A copy of the CLI whose check bundle prints its table head differently, at the same
    // length, beside the cache made for the original.
    cpSync(join(REPO_ROOT, "bin"), join(tmp, "bin"), { recursive: true });
    cpSync(BUNDLES, join(tmp, "dist", "bin"), { recursive: true });
    const check = join(tmp, "dist", "bin", "check.cjs");
    const source = readFileSync(check, "utf8");
    assert.ok(source.includes('["CERTIFICATE",'), "the table head is in the bundle");
    writeFileSync(check, source.replace('["CERTIFICATE",', '["CERTIFICATF",'));

    const r = await runCommand(process.execPath, [
      join(tmp, "bin", "ocspkit.cjs"),
      "check",
      join(tmp, "no-such.pem"),
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^CERTIFICATF /);
  });
});
