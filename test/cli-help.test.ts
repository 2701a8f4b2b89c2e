/**
 * What a new user types first, through the built CLI: --version, help, help <cmd>, no command,
 * `ocsp -h`/`-help` (OpenSSL's descriptions), durations, shell completion, the man page.
 * Most cases run the built dispatcher in this process (support/cli.ts); the process itself
 * (exit status, stdout/stderr as a shell sees them) is checked by a few spawned runs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseDuration } from "../src/cli/duration.ts";
import { runBuiltMain } from "./support/cli.ts";
import { ocspkitCommand, REPO_ROOT, type RunResult, runCommand } from "./support/pki.ts";

const [cmd, ...pre] = ocspkitCommand();
/** `ocspkit ARGS…` as a process. */
const spawned = (...args: string[]) => runCommand(cmd!, [...pre, ...args]);
/** The same, in this process; spawned when OCSPKIT_CMD names another program. */
const run = (...args: string[]): Promise<RunResult> =>
  process.env["OCSPKIT_CMD"]?.trim()
    ? spawned(...args)
    : runBuiltMain(args).then(({ out: _, ...r }) => r);
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));

let names: Promise<string[]> | undefined;
/** The command names `ocspkit help` lists (asked once). */
function commandNames(): Promise<string[]> {
  names ??= run("help").then((r) =>
    [...r.stdout.split("\nCommands:\n")[1]!.matchAll(/^ {2}(\S+) /gm)].map((m) => m[1]!),
  );
  return names;
}

describe("help and version", () => {
  test("--version, -V, -v and version print the package version", async () => {
    const proc = await spawned("--version");
    assert.deepEqual([proc.code, proc.stdout, proc.stderr], [0, `${version}\n`, ""]);
    for (const v of ["--version", "-V", "-v", "version"]) {
      const r = await run(v);
      assert.equal(r.code, 0, v);
      assert.equal(r.stdout, `${version}\n`, v);
      assert.equal(r.stderr, "");
    }
  });

  test("no command: the usage on stderr, exit 64; help: on stdout, exit 0", async () => {
    const bare = await spawned();
    assert.equal(bare.code, 64);
    assert.equal(bare.stdout, "");
    assert.match(bare.stderr, /^Usage: ocspkit <command>/);
    assert.deepEqual(await run(), bare);
    const help = await spawned("help");
    assert.equal(help.code, 0);
    assert.equal(help.stdout, bare.stderr);
    assert.equal(help.stderr, "");
    for (const h of [["help"], ["--help"], ["-h"], ["help", "help"]]) {
      const r = await run(...h);
      assert.equal(r.code, 0, h.join(" "));
      assert.equal(r.stdout, bare.stderr, h.join(" "));
    }
    const unknown = await spawned("nosuch");
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /unknown command "nosuch"/);
  });

  test("help <cmd> is that command's --help, for every command listed", async () => {
    const names = await commandNames();
    assert.ok(names.includes("check") && names.includes("completion"), names.join(" "));
    for (const name of names) {
      const viaHelp = await run("help", name);
      const direct = await run(name, "--help");
      assert.equal(viaHelp.code, 0, name);
      // On stdout, even for ocsp (whose -help writes to stderr, as OpenSSL's does).
      assert.equal(viaHelp.stdout, direct.stdout + direct.stderr, name);
      assert.equal(viaHelp.stderr, "", name);
      assert.ok(viaHelp.stdout.length > 100, name);
    }
    const bad = await run("help", "nosuch");
    assert.equal(bad.code, 64);
  });

  test("ocsp -help and -h: OpenSSL's summary, one description per option", async () => {
    const ours = await run("ocsp", "-help");
    const h = await run("ocsp", "-h");
    assert.equal(ours.code, 0);
    assert.deepEqual(h, ours);
    const openssl = spawnSync("openssl", ["ocsp", "-help"], { encoding: "utf8" });
    assert.equal(openssl.status, 0);
    // Line for line; the options ocspkit refuses say so at the end of theirs.
    const theirs = openssl.stderr.split("\n");
    const mine = ours.stderr.split("\n");
    assert.equal(mine.length, theirs.length);
    mine.forEach((line, i) => {
      assert.equal(line.replace(/ \[not in ocspkit yet\]$/, ""), theirs[i], `line ${i + 1}`);
    });
    assert.match(ours.stderr, /^ -url val {16}Responder URL$/m);
  });

  test("serve --help shows no empty defaults", async () => {
    const r = await run("serve", "--help");
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stdout, /default: (\[\]|false)/);
    assert.match(r.stdout, /--next-update <duration>/);
  });
});

describe("durations", () => {
  test("90s, 15m, 8h, 3d, 1h30m and bare seconds", () => {
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration("15m"), 900);
    assert.equal(parseDuration("8h"), 28_800);
    assert.equal(parseDuration("3d"), 259_200);
    assert.equal(parseDuration("1h30m"), 5400);
    assert.equal(parseDuration("45"), 45);
    assert.equal(parseDuration("1.5"), 1.5);
    for (const bad of ["", "3 days", "h", "-5", "3x", "1e3", "1.5h"]) {
      assert.equal(parseDuration(bad), undefined, bad);
    }
  });

  test("check --timeout and serve --next-update take them, and say which forms", async () => {
    const tooLong = await run("check", "x.pem", "--timeout", "2h");
    assert.equal(tooLong.code, 64);
    assert.match(tooLong.stderr, /90s, 15m, 8h, 3d/);
    const bad = await run("serve", "--next-update", "3 days");
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /90s, 15m, 8h, 3d/);
    // Parsed: what is left to complain about is the missing --ca.
    const ok = await run("serve", "--next-update", "72h");
    assert.equal(ok.code, 64);
    assert.match(ok.stderr, /--ca is required/);
  });
});

describe("shell completion and the man page", () => {
  const complete = (script: string, words: string[]) =>
    spawnSync(
      "bash",
      [
        "-c",
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _ocspkit; echo "\${COMPREPLY[*]}"`,
      ],
      { encoding: "utf8" },
    );

  test("bash completes commands and each command's options", async () => {
    const r = await run("completion", "bash");
    assert.equal(r.code, 0);
    const at = (...words: string[]) => complete(r.stdout, words).stdout.trim();
    assert.equal(at("ocspkit", "ch"), "check");
    assert.equal(at("ocspkit", "check", "--ca"), "--ca-file");
    assert.equal(at("ocspkit", "serve", "--next"), "--next-update");
    assert.equal(at("ocspkit", "ocsp", "-iss"), "-issuer -issuer_checks");
    assert.equal(at("ocspkit", "help", "sta"), "staple");
    assert.equal(at("ocspkit", "completion", "z"), "zsh");
  });

  test("zsh and fish scripts name every command and option", async () => {
    const names = await commandNames();
    const zsh = await run("completion", "zsh");
    const fish = await run("completion", "fish");
    assert.match(zsh.stdout, /^#compdef ocspkit\n/);
    assert.match(zsh.stdout, /compdef _ocspkit ocspkit/);
    for (const name of names) {
      assert.match(zsh.stdout, new RegExp(`^ {4}${name}\\) opts=`, "m"), name);
      assert.match(fish.stdout, new RegExp(`-a ${name} -d `), name);
    }
    assert.match(fish.stdout, /__fish_seen_subcommand_from check' -l ca-file$/m);
    assert.match(fish.stdout, /__fish_seen_subcommand_from ocsp' -o issuer$/m);
    assert.match(fish.stdout, /__fish_seen_subcommand_from check' -s h$/m);
    const bad = await run("completion", "tcsh");
    assert.equal(bad.code, 64);
  });

  test("man/ocspkit.1 is made from the help: up to date, every command's options in it", async () => {
    const stale = spawnSync(process.execPath, ["scripts/man.mjs", "--check"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(stale.status, 0, stale.stderr);
    const page = readFileSync(join(REPO_ROOT, "man", "ocspkit.1"), "utf8");
    assert.match(
      page,
      new RegExp(`^\\.TH OCSPKIT 1 "" "ocspkit ${version.replace(/\./g, "\\.")}"`),
    );
    for (const name of await commandNames()) {
      assert.match(page, new RegExp(`^\\.SH "ocspkit ${name.toUpperCase()}"$`, "m"), name);
      const help = await run(name, "--help");
      for (const line of (help.stdout + help.stderr).trimEnd().split("\n")) {
        const roff = line
          .replace(/\\/g, "\\e")
          .replace(/-/g, "\\-")
          .replace(/^([.'])/, "\\&$1");
        assert.ok(page.includes(`${roff}\n`), `${name}: ${line}`);
      }
    }
  });
});
