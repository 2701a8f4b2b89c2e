/**
 * `ocspkit demo` through the real binary: no network, no openssl needed by the demo itself
 * (openssl is used here only to cross-check the certificates it makes).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runBuiltCli } from "./support/cli.ts";
import { argv, ocspkitCommand, openssl, runCommand } from "./support/pki.ts";

const [cmd, ...pre] = ocspkitCommand();
const tmp = mkdtempSync(join(tmpdir(), "ocspkit-demo-test-"));

describe("demo", () => {
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test("makes a PKI, checks its leaves, shows the openssl-syntax commands", async () => {
    const dir = join(tmp, "run");
    // A busy machine is slow, not wrong: the limit only guards against a hang.
    const r = await runCommand(cmd!, [...pre, "demo", "--dir", dir], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`PKI in ${dir}`));
    assert.match(r.stdout, /leaf-good\.pem\s+1001\s+good\s/);
    assert.match(r.stdout, /leaf-revoked\.pem\s+1002\s+revoked\s+keyCompromise/);
    assert.match(r.stdout, /leaf-unknown\.pem\s+1003\s+unknown\s/);
    assert.match(r.stdout, /\(exit code 1: /);
    assert.equal(r.stdout.match(/^\$ (?:npx )?ocspkit ocsp -issuer /gm)?.length, 3);
    assert.equal(r.stdout.match(/^Response verify OK$/gm)?.length, 3);
    assert.match(
      r.stdout,
      /leaf-revoked\.pem: revoked\n\tThis Update: .*\n\tNext Update: .*\n\tReason: keyCompromise/,
    );
    const files = readdirSync(dir).sort();
    for (const name of [
      "root.pem",
      "intermediate.pem",
      "responder.pem",
      "responder.key",
      "index.txt",
      "leaf-good.pem",
    ]) {
      assert.ok(files.includes(name), name);
    }
    // OpenSSL accepts what the demo's small issuer made.
    const v = await openssl(
      argv`verify -CAfile ${join(dir, "root.pem")} -untrusted ${join(dir, "intermediate.pem")}
           ${join(dir, "leaf-good.pem")} ${join(dir, "responder.pem")}`,
    );
    assert.match(v.stdout, /leaf-good\.pem: OK\n.*responder\.pem: OK/);
    const purpose = await openssl(
      argv`x509 -in ${join(dir, "responder.pem")} -noout -ext extendedKeyUsage,noCheck`,
    );
    assert.match(purpose.stdout, /OCSP Signing/);
  });

  test("--serve keeps the responder up until SIGINT", async () => {
    const dir = join(tmp, "serve");
    const child = spawn(cmd!, [...pre, "demo", "--dir", dir, "--serve"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 60_000);
        child.stdout.on("data", () => {
          if (out.includes("Ctrl-C")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const c = await runBuiltCli("check", [
        "--json",
        "--ca-file",
        join(dir, "root.pem"),
        join(dir, "leaf-revoked.pem"),
      ]);
      assert.equal(c.code, 1);
      assert.equal(JSON.parse(c.stdout).results[0].status, "revoked");
    } finally {
      child.kill("SIGINT");
    }
    assert.equal(await exited, 0);
  });

  test("a folder that is not empty is refused", async () => {
    const dir = join(tmp, "full");
    await runCommand("mkdir", [dir]);
    writeFileSync(join(dir, "keep.txt"), "mine");
    const r = await runCommand(cmd!, [...pre, "demo", "--dir", dir]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /is not empty/);
    assert.deepEqual(readdirSync(dir), ["keep.txt"]);
  });
});
