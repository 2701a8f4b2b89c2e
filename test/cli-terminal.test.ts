/**
 * The built CLI at a terminal, under a pseudo-terminal made by util-linux `script`: colours
 * and the progress bar (each command bundle has its own copy of the Io module, so only the
 * bundles show whether they work), NO_COLOR, and the pass phrase prompt for encrypted keys.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startProcess } from "./responder-process.ts";
import { argv, ocspkitCommand, openssl, runCommand } from "./support/pki.ts";

const hasScript = spawnSync("script", ["--version"]).status === 0;
if (!hasScript) console.warn("SKIPPED: util-linux `script` is not installed: no pseudo-terminal");

const ocspkit = ocspkitCommand();
const tmp = mkdtempSync(join(tmpdir(), "ocspkit-tty-"));
const f = (name: string) => join(tmp, name);
const sh = (words: readonly string[]) =>
  words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");

interface PtyRun {
  out: string;
  code: number | null;
}

/**
 * Runs `words` on a pseudo-terminal; when the output matches `answer.after`, types
 * `answer.text` (as a person would, once the prompt is there: typed earlier, the terminal
 * would echo it before the program could turn echo off).
 */
function underPty(
  words: readonly string[],
  env: NodeJS.ProcessEnv = {},
  answer?: { after: RegExp; text: string },
): Promise<PtyRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", sh(words), "/dev/null"], {
      cwd: tmp,
      env: { ...process.env, TERM: "xterm", NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
    });
    let out = "";
    let typed = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (answer && !typed && answer.after.test(out)) {
        typed = true;
        child.stdin.write(answer.text);
      }
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}

const COLOUR = /\x1b\[3[1-3]m/;

describe("the built CLI at a terminal", { skip: !hasScript }, () => {
  let responder: ServerProcess;
  let url: string;

  before(async () => {
    const demo = await runCommand(ocspkit[0]!, [...ocspkit.slice(1), "demo", "--dir", tmp]);
    assert.equal(demo.code, 0, demo.stderr);
    await openssl(
      argv`pkey -in ${f("responder.key")} -aes256 -passout pass:s3cret -out ${f("enc.key")}`,
    );
    await openssl(
      argv`ocsp -issuer ${f("intermediate.pem")} -cert ${f("leaf-good.pem")} -no_nonce
           -reqout ${f("req.der")}`,
    );
    responder = await startProcess(
      [
        ...ocspkit,
        ...argv`serve --ca ${f("intermediate.pem")} --index ${f("index.txt")}
                --signer ${f("responder.pem")} --key ${f("responder.key")} --port 0`,
      ],
      [/listening on (http:\/\/127\.0\.0\.1:\d+\/)/],
    );
    url = responder.match[1]!;
  });
  after(async () => {
    await responder?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const check = () => [
    ...ocspkit,
    ...argv`check leaf-good.pem leaf-revoked.pem --ca-file root.pem --url ${url}`,
  ];

  test("check shows colours and the progress bar", async () => {
    const r = await underPty(check());
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /\x1b\[32mgood/);
    assert.match(r.out, /\x1b\[31mrevoked/);
    assert.match(r.out, /checking .* 2\/2/);
  });

  test("NO_COLOR=1: no colour, no progress bar, no escape sequence at all", async () => {
    const r = await underPty(check(), { NO_COLOR: "1" });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /leaf-revoked\.pem +1002 +revoked/);
    assert.doesNotMatch(r.out, /\x1b/);
  });

  test("piped, even at a terminal: no escape sequences in the output", async () => {
    const r = await underPty(["sh", "-c", `${sh(check())} | cat`]);
    assert.match(r.out, /revoked/);
    assert.doesNotMatch(r.out, COLOUR);
  });

  test("ocsp -rkey with an encrypted key asks for the pass phrase, without echo", async () => {
    const args = [
      ...ocspkit,
      ...argv`ocsp -index index.txt -CA intermediate.pem -rsigner responder.pem -rkey enc.key
              -reqin req.der -respout resp.der -resp_text`,
    ];
    const r = await underPty(
      args,
      {},
      { after: /Enter pass phrase for enc\.key:/, text: "s3cret\r" },
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Cert Status: good/);
    assert.doesNotMatch(r.out, /s3cret/);
    const wrong = await underPty(args, {}, { after: /pass phrase/, text: "nope\r" });
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.out, /enc\.key: wrong pass phrase/);
  });

  test("serve --key with an encrypted key asks too, and then serves", async () => {
    const args = [
      ...ocspkit,
      ...argv`serve --ca intermediate.pem --index index.txt --signer responder.pem
              --key enc.key --port 0`,
    ];
    // In the foreground (a background job gets no terminal), stopped after a few seconds.
    const child = underPty(
      ["timeout", "--foreground", "4", ...args],
      {},
      { after: /Enter pass phrase for enc\.key:/, text: "s3cret\n" },
    );
    const r = await child;
    assert.match(r.out, /listening on http:\/\/127\.0\.0\.1:\d+\//);
    assert.doesNotMatch(r.out, /s3cret/);
  });

  test("without a terminal: which option gives the pass phrase, and its forms", async () => {
    const serve = await runCommand(ocspkit[0]!, [
      ...ocspkit.slice(1),
      ...argv`serve --ca ${f("intermediate.pem")} --index ${f("index.txt")}
              --signer ${f("responder.pem")} --key ${f("enc.key")} --port 0`,
    ]);
    assert.equal(serve.code, 1);
    assert.equal(
      serve.stderr,
      `ocspkit serve: the key in ${f("enc.key")} is encrypted: give --key-pass (pass:…, env:…, file:…)\n`,
    );
    const ocsp = await runCommand(ocspkit[0]!, [
      ...ocspkit.slice(1),
      ...argv`ocsp -index ${f("index.txt")} -CA ${f("intermediate.pem")}
              -rsigner ${f("responder.pem")} -rkey ${f("enc.key")} -reqin ${f("req.der")}`,
    ]);
    assert.equal(ocsp.code, 1);
    assert.match(ocsp.stderr, /the key in .*enc\.key is encrypted: give -passin \(pass:…/);
    const bare = await runCommand(ocspkit[0]!, [
      ...ocspkit.slice(1),
      ...argv`serve --ca ${f("intermediate.pem")} --index ${f("index.txt")}
              --signer ${f("responder.pem")} --key ${f("enc.key")} --key-pass s3cret --port 0`,
    ]);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /invalid password argument "s3cret": expected OpenSSL's forms pass:/);
    const given = await runCommand(
      ocspkit[0]!,
      [
        ...ocspkit.slice(1),
        ...argv`ocsp -index ${f("index.txt")} -CA ${f("intermediate.pem")} -rsigner ${f("responder.pem")}
              -rkey ${f("enc.key")} -passin env:PASS -reqin ${f("req.der")} -resp_text`,
      ],
      { env: { ...process.env, PASS: "s3cret" } },
    );
    assert.equal(given.code, 0, given.stderr);
    assert.match(given.stdout, /Cert Status: good/);
  });
});
