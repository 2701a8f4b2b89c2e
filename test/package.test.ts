/**
 * The npm package as a user gets it: `npm pack`, then `npm install ./ocspkit-*.tgz` in an empty
 * folder. The CLI runs, the library imports, and only bin, dist, man, LICENSE and the README
 * are shipped. Offline from npm's cache when it can be; else from the registry; when neither
 * works the test says so loudly and skips (under CI=true it fails).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { REPO_ROOT, runCommand } from "./support/pki.ts";

const tmp = mkdtempSync(join(tmpdir(), "ocspkit-pack-"));
const npm = (args: string[], cwd: string) =>
  runCommand("npm", [...args, "--no-audit", "--no-fund"], { cwd, timeoutMs: 60_000 });

describe("the npm package", () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test("packs, installs into an empty folder, runs; no source or test files", async (t) => {
    // The suite has built dist already; building again here would pull it from under the
    // tests running alongside.
    const pack = await npm(
      ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp],
      REPO_ROOT,
    );
    assert.equal(pack.code, 0, pack.stderr);
    const [{ filename, files }] = JSON.parse(pack.stdout) as [
      { filename: string; files: { path: string }[] },
    ];
    const paths = files.map((x) => x.path);
    for (const p of ["LICENSE", "README.md", "package.json", "bin/ocspkit.cjs", "man/ocspkit.1"]) {
      assert.ok(paths.includes(p), `${p} shipped`);
    }
    assert.ok(paths.includes("dist/index.js") && paths.includes("dist/bin/main.cjs"));
    const stray = paths.filter(
      (p) => !/^(bin|dist|man)\/|^(LICENSE|README\.md|package\.json)$/.test(p),
    );
    assert.deepEqual(stray, []);
    assert.deepEqual(
      paths.filter((p) => /(^|\/)(src|test)\/|\.test\.|\.ts$/.test(p) && !p.endsWith(".d.ts")),
      [],
    );

    const app = join(tmp, "app");
    const tgz = join(tmp, filename);
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true }\n');
    // --ignore-scripts: better-sqlite3 would compile its addon for minutes; nothing here uses it.
    let install = await npm(["install", "--ignore-scripts", "--offline", tgz], app);
    if (install.code !== 0) {
      install = await npm(["install", "--ignore-scripts", "--prefer-offline", tgz], app);
    }
    if (install.code !== 0) {
      const why = `npm cannot install the package here (no cache, no registry):\n${install.stderr}`;
      if (process.env.CI === "true") assert.fail(why);
      console.warn(`SKIPPED: ${why}`);
      t.skip(why);
      return;
    }
    // Only what the library imports at run time is installed: the CLI's libraries are bundled.
    const installed = readdirSync(join(app, "node_modules"));
    for (const bundled of ["commander", "picocolors", "cli-progress", "esbuild", "typescript"]) {
      assert.ok(!installed.includes(bundled), `${bundled} installed`);
    }
    // The command npm linked, run as a shell runs it (by its #! line); npx would find the same
    // file at the cost of another npm start.
    const bin = join(app, "node_modules", ".bin", "ocspkit");
    const version = await runCommand(bin, ["--version"], { cwd: app });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = await runCommand(bin, ["check", "--help"], { cwd: app });
    assert.equal(help.code, 0, help.stderr);
    const lib = await runCommand(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("ocspkit"); if (typeof m.checkCertificates !== "function") process.exit(1)',
      ],
      { cwd: app },
    );
    assert.equal(lib.code, 0, lib.stderr);
  });
});
