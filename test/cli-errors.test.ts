/**
 * Messages that say what went wrong and what to do, through the built CLI: --crl-fallback with
 * a dead responder, certificates without a responder, concatenated PEM on stdin, the access log
 * through jq, encrypted and mismatched keys, a missing index, bad -url schemes, proxies, PEM
 * given to the responder's -reqin, a bad `demo --dir`, and the commands the demo shows.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startProcess } from "./responder-process.ts";
import {
  argv,
  getFreePort,
  ocspkitCommand,
  openssl,
  REPO_ROOT,
  type RunOptions,
  runCommand,
} from "./support/pki.ts";

const ocspkit = ocspkitCommand();
const tmp = mkdtempSync(join(tmpdir(), "ocspkit-errors-"));
const f = (name: string) => join(tmp, "pki", name);
const run = (args: string[], opts?: RunOptions) =>
  runCommand(ocspkit[0]!, [...ocspkit.slice(1), ...args], opts);

interface Result {
  status: string;
  subject: string;
  error?: string;
  errorCode?: string;
  ocspError?: string;
  thisUpdate: string;
  nextUpdate: string;
}
const results = (stdout: string): Result[] => JSON.parse(stdout).results;

describe("errors that say what to do", () => {
  let responder: ServerProcess;
  let url: string;
  let deadUrl: string;

  before(async () => {
    const demo = await run(["demo", "--dir", join(tmp, "pki")]);
    assert.equal(demo.code, 0, demo.stderr);
    // A small CA of our own, and a leaf that names no OCSP responder and no CRL.
    await openssl(
      argv`req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=Plain-CA
           -keyout ${f("plain-ca.key")} -out ${f("plain-ca.pem")} -days 30
           -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign`,
    );
    await openssl(
      argv`req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=no-aia
           -keyout ${f("no-aia.key")} -out ${f("no-aia.csr")}`,
    );
    await openssl(
      argv`x509 -req -in ${f("no-aia.csr")} -CA ${f("plain-ca.pem")} -CAkey ${f("plain-ca.key")}
           -set_serial 7 -days 30 -out ${f("no-aia.pem")}`,
    );
    // And one whose AIA names an OCSP responder ocspkit cannot ask.
    writeFileSync(f("ftp-aia.cnf"), "authorityInfoAccess = OCSP;URI:ftp://ocsp.example/\n");
    await openssl(
      argv`x509 -req -in ${f("no-aia.csr")} -CA ${f("plain-ca.pem")} -CAkey ${f("plain-ca.key")}
           -set_serial 8 -days 30 -extfile ${f("ftp-aia.cnf")} -out ${f("ftp-aia.pem")}`,
    );
    responder = await startProcess(
      [
        ...ocspkit,
        ...argv`serve --ca ${f("intermediate.pem")} --index ${f("index.txt")}
                --signer ${f("responder.pem")} --key ${f("responder.key")} --port 0
                --access-log --next-update 3d`,
      ],
      [/listening on (http:\/\/127\.0\.0\.1:\d+\/)/],
    );
    url = responder.match[1]!;
    deadUrl = `http://127.0.0.1:${await getFreePort()}/`;
  });
  after(async () => {
    await responder?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("--crl-fallback with a dead responder says both failures; the code is OCSP's", async () => {
    const args = argv`check ${f("leaf-good.pem")} --ca-file ${f("root.pem")} --url ${deadUrl}
                      --crl-fallback`;
    const json = await run([...args, "--json"]);
    assert.equal(json.code, 3);
    const [r] = results(json.stdout);
    assert.equal(r!.errorCode, "ERR_TRANSPORT");
    assert.match(r!.error!, /cannot reach 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    assert.match(r!.error!, /CRL fallback: the certificate names no CRL distribution point/);
    assert.match(r!.ocspError!, /ECONNREFUSED/);
    const text = await run(args);
    assert.equal(text.code, 3);
    assert.match(text.stdout, /error: cannot reach .*ECONNREFUSED.*; CRL fallback: .*no CRL/);
  });

  test("no responder: ERR_NO_RESPONDER, exit 3 (not a usage error)", async () => {
    const base = argv`check ${f("no-aia.pem")} --ca-file ${f("plain-ca.pem")} --json`;
    for (const extra of [[], ["--crl-fallback"]]) {
      const r = await run([...base, ...extra]);
      assert.equal(r.code, 3, extra.join(" "));
      const [res] = results(r.stdout);
      assert.equal(res!.errorCode, "ERR_NO_RESPONDER", extra.join(" "));
      assert.match(res!.error!, /names no OCSP responder/);
    }
  });

  test("an OCSP URL that is not http(s): ERR_NO_RESPONDER, exit 3", async () => {
    const r = await run(argv`check ${f("ftp-aia.pem")} --ca-file ${f("plain-ca.pem")} --json`);
    assert.equal(r.code, 3);
    const [res] = results(r.stdout);
    assert.equal(res!.errorCode, "ERR_NO_RESPONDER");
    assert.match(res!.error!, /the OCSP URL ftp:\/\/ocsp\.example\/ is not a valid http\(s\) URL/);
  });

  test("output that cannot be written: one line naming it, exit 74, no stack trace", async () => {
    // /dev/full takes nothing (ENOSPC): the results are lost, so neither 0 nor their status.
    const quoted = [...ocspkit, ...argv`check ${f("leaf-good.pem")} --ca-file ${f("root.pem")}`]
      .concat("--url", url)
      .map((a) => `'${a}'`)
      .join(" ");
    for (const json of ["", " --json"]) {
      const r = await runCommand("sh", ["-c", `${quoted}${json} > /dev/full`]);
      assert.equal(r.code, 74, r.stderr);
      assert.equal(
        r.stderr,
        "ocspkit: cannot write to standard output: ENOSPC: no space left on device, write\n",
      );
    }
  });

  test("cat a.pem b.pem | check -: both certificates are checked, not the chain", async () => {
    // leaf-good.pem holds the leaf and its issuer; leaf-revoked.pem the same.
    const input = readFileSync(f("leaf-good.pem"), "utf8") + readFileSync(f("leaf-revoked.pem"));
    const r = await run(argv`check - --ca-file ${f("root.pem")} --url ${url} --json`, { input });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(
      results(r.stdout).map((x) => [x.subject, x.status]),
      [
        ["O = ocspkit demo, CN = leaf-good", "good"],
        ["O = ocspkit demo, CN = leaf-revoked", "revoked"],
      ],
    );
  });

  test("serve --next-update 3d: answers live three days; the access log is JSON only", async () => {
    const r = await run(argv`check ${f("leaf-good.pem")} --ca-file ${f("root.pem")} --url ${url}
                             --json`);
    assert.equal(r.code, 0, r.stderr);
    const [res] = results(r.stdout);
    const life = Date.parse(res!.nextUpdate) - Date.parse(res!.thisUpdate);
    assert.equal(life, 3 * 86_400_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = responder.stdout();
    assert.ok(log.length > 0);
    const jq = spawnSync("jq", ["-c", ".status"], { input: log, encoding: "utf8" });
    if (jq.error) console.warn("jq not installed: the access log checked with JSON.parse only");
    else assert.equal(jq.status, 0, jq.stderr);
    for (const line of log.trimEnd().split("\n")) assert.doesNotThrow(() => JSON.parse(line), line);
    assert.match(responder.stderr(), /^ocspkit serve: listening on http/m);
  });

  test("without --ca-file, a private root: the message says to give --ca-file ROOT", async () => {
    const r = await run(argv`check ${f("leaf-good.pem")} --url ${url}`);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /unable to get local issuer certificate.*give --ca-file ROOT/);
  });

  test("serve: a key that does not match names both files; a missing index is one sentence", async () => {
    const serve = (key: string, index: string) =>
      run(argv`serve --ca ${f("intermediate.pem")} --index ${index} --signer ${f("responder.pem")}
               --key ${key} --port 0`);
    const mismatch = await serve(f("leaf-good.key"), f("index.txt"));
    assert.equal(mismatch.code, 1);
    assert.equal(
      mismatch.stderr,
      `ocspkit serve: the key in ${f("leaf-good.key")} does not match the certificate in ${f("responder.pem")}\n`,
    );
    const missing = await serve(f("responder.key"), f("nosuch.txt"));
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.split("\n").length, 2, missing.stderr);
    assert.match(missing.stderr, /nosuch\.txt.*no such file or directory/);
    assert.doesNotMatch(missing.stderr, /ENOENT|stat '/);
  });

  test("ocsp -url with another scheme: OpenSSL's line, then which scheme", async () => {
    const args = argv`ocsp -url htp://127.0.0.1/ -issuer ${f("intermediate.pem")}
                      -cert ${f("leaf-good.pem")}`;
    const theirs = await runCommand("openssl", args);
    const ours = await run(args);
    assert.equal(ours.code, theirs.code);
    assert.equal(ours.stderr.split("\n")[0], theirs.stderr.split("\n")[0]);
    assert.match(ours.stderr, /the URL scheme "htp" is not http or https/);
  });

  test("a connection error through http_proxy says the proxy was used", async () => {
    const proxy = `http://127.0.0.1:${await getFreePort()}`;
    const env = { ...process.env, http_proxy: proxy, no_proxy: "" };
    const check = await run(
      argv`check ${f("leaf-good.pem")} --ca-file ${f("root.pem")} --url ${url} --json`,
      { env },
    );
    assert.equal(check.code, 3);
    assert.match(results(check.stdout)[0]!.error!, new RegExp(`through the proxy ${proxy}`));
    const ocsp = await run(
      argv`ocsp -issuer ${f("intermediate.pem")} -cert ${f("leaf-good.pem")} -url ${url}`,
      { env },
    );
    assert.equal(ocsp.code, 1);
    assert.match(ocsp.stderr, /Error querying OCSP responder\n.*through the proxy/);
  });

  test("responder -reqin: PEM named as such; exit codes as OpenSSL's, -req_text too", async () => {
    await openssl(
      argv`ocsp -issuer ${f("intermediate.pem")} -cert ${f("leaf-good.pem")} -no_nonce
           -reqout ${f("req.der")}`,
    );
    const b64 = readFileSync(f("req.der")).toString("base64");
    writeFileSync(
      f("req.pem"),
      `-----BEGIN OCSP REQUEST-----\n${b64}\n-----END OCSP REQUEST-----\n`,
    );
    const responderArgs = argv`ocsp -index ${f("index.txt")} -CA ${f("intermediate.pem")}
                               -rsigner ${f("responder.pem")} -rkey ${f("responder.key")}`;
    for (const [reqin, extra] of [
      ["req.pem", []],
      ["req.pem", ["-req_text"]],
      ["req.der", ["-req_text"]],
    ] as const) {
      const args = [...responderArgs, "-reqin", f(reqin), ...extra];
      const theirs = await runCommand("openssl", args);
      const ours = await run(args);
      assert.equal(ours.code, theirs.code, `${reqin} ${extra.join(" ")}`);
      if (reqin === "req.pem") {
        assert.equal(
          ours.stderr,
          `Error reading OCSP request\n${f("req.pem")}: this is PEM; openssl ocsp reads DER here\n`,
        );
      }
    }
  });

  test("demo --dir on a file or where nothing can be made: one sentence, exit 1", async () => {
    writeFileSync(join(tmp, "a-file"), "x");
    for (const dir of [join(tmp, "a-file"), join(tmp, "a-file", "sub"), "/proc/x", "/proc/x/y"]) {
      const r = await run(["demo", "--dir", dir]);
      assert.equal(r.code, 1, dir);
      assert.match(r.stderr, new RegExp(`^ocspkit demo: cannot make the PKI in ${dir}: .+\n$`));
      assert.equal(r.stdout, "");
    }
  });

  test("the demo's commands work from where the user is", async () => {
    const shown = async (cwd: string, path: string) => {
      const dir = mkdtempSync(join(tmp, "demo-"));
      rmSync(dir, { recursive: true });
      const r = await run(["demo", "--dir", dir], { cwd, env: { ...process.env, PATH: path } });
      assert.equal(r.code, 0, r.stderr);
      return /^\$ (.*) check /m.exec(r.stdout)![1];
    };
    const nodeDir = join(process.execPath, "..");
    const bin = join(REPO_ROOT, "bin", "ocspkit.cjs");
    assert.equal(await shown(tmp, nodeDir), `node ${bin}`);
    assert.equal(await shown(REPO_ROOT, nodeDir), "npx ocspkit");
    const onPath = join(tmp, "path-bin");
    mkdirSync(onPath);
    writeFileSync(join(onPath, "ocspkit"), "#!/bin/sh\n");
    chmodSync(join(onPath, "ocspkit"), 0o755);
    assert.equal(await shown(tmp, `${onPath}:${nodeDir}`), "ocspkit");
  });
});
