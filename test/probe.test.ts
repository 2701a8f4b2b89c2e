/**
 * `ocspkit probe`: against `ocspkit serve` and OpenSSL's responder through the built CLI, and,
 * through the library, against a responder with one planted fault at a time, where each fault
 * must fail exactly the checks it breaks. The HTML report is parsed for balance and, when
 * Chromium is installed, rendered headless.
 *
 *   npm run build && node --import tsx --test test/probe.test.ts
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { captureIo } from "../src/cli/command.js";
import { probeCommand } from "../src/cli/probe.js";
import { CHECK_IDS, type Profile } from "../src/probe/checks.js";
import { probeHtml } from "../src/probe/html.js";
import { probeExitCode, probeResponder } from "../src/probe/probe.js";
import type { Certificate } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { type ServerProcess, startProcess } from "./responder-process.js";
import { runOcspkit } from "./support/cli.js";
import { FAULTS, type Fault, startFaultResponder } from "./support/fault-responder.js";
import { argv, makePki, ocspkitCommand, openssl, type Pki, runCommand } from "./support/pki.js";

/** Every id ../shared/PROBE.md lists. */
const PROBE_MD_IDS = [
  "http-post",
  "http-get",
  "get-encoding",
  "get-size",
  "latency",
  "cache-headers",
  "conditional-get",
  "error-no-cache",
  "malformed-request",
  "oversize-request",
  "unknown-issuer",
  "sha1-certid",
  "sha256-certid",
  "certid-echo",
  "multi-certid",
  "nonce-echo",
  "nonce-oversize",
  "signature",
  "signer-authorized",
  "delegate-profile",
  "responder-id",
  "signature-algorithm",
  "time-fields",
  "validity-period",
  "freshness",
  "known-good",
  "known-revoked",
  "unassigned-serial",
  "consistency",
  "crl-agreement",
];

let pki: Pki;
let dir: string;
let issuer: Certificate;
let good: Certificate;
let revoked: Certificate;
let crlFile: string;

before(async () => {
  pki = await makePki();
  dir = mkdtempSync(join(tmpdir(), "ocspkit-probe-"));
  issuer = loadCertificate(pki.intermediate.cert, "issuer");
  good = loadCertificate(pki.leaves.good.cert, "good");
  revoked = loadCertificate(pki.leaves.revoked.keyCompromise.cert, "revoked");
  // OpenSSL's `ca -gencrl` over the index the responders read.
  writeFileSync(join(dir, "crlnumber"), "01\n");
  const cnf = join(dir, "ca.cnf");
  writeFileSync(
    cnf,
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${pki.index}\ncrlnumber = ${join(dir, "crlnumber")}\n` +
      "default_md = sha256\ndefault_crl_days = 1\n",
  );
  crlFile = join(dir, "inter.crl");
  const { cert, key } = pki.intermediate;
  await openssl(argv`ca -gencrl -config ${cnf} -keyfile ${key} -cert ${cert} -out ${crlFile}`);
});
after(() => {
  pki?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface JsonReport {
  url: string;
  issuer: string;
  profile: string;
  checks: { id: string; status: string; detail: string; spec: string; ms?: number }[];
  summary: { pass: number; fail: number; warn: number; skip: number };
}

async function probeCli(
  args: string[],
): Promise<{ code: number | null; json?: JsonReport; stderr: string; stdout: string }> {
  const r = await runOcspkit("probe", args, { timeoutMs: 60_000 });
  let json: JsonReport | undefined;
  if (args.includes("--json") && r.stdout.trim().startsWith("{"))
    json = JSON.parse(r.stdout) as JsonReport;
  return { code: r.code, json, stderr: r.stderr, stdout: r.stdout };
}

const ids = (j: JsonReport, status: string) =>
  j.checks
    .filter((c) => c.status === status)
    .map((c) => c.id)
    .sort();

/** The JSON contract of issue 10, exactly. */
function assertContract(j: JsonReport): void {
  assert.deepEqual(Object.keys(j), ["url", "issuer", "profile", "checks", "summary"]);
  assert.deepEqual(Object.keys(j.summary), ["pass", "fail", "warn", "skip"]);
  for (const c of j.checks) {
    const keys = Object.keys(c);
    assert.deepEqual(keys.slice(0, 4), ["id", "status", "detail", "spec"]);
    assert.ok(keys.length === 4 || (keys.length === 5 && typeof c.ms === "number"), keys.join());
    assert.ok(["pass", "fail", "warn", "skip"].includes(c.status));
    assert.ok(c.detail.length > 0 && c.spec.length > 0);
  }
  for (const s of ["pass", "fail", "warn", "skip"] as const) {
    assert.equal(j.summary[s], j.checks.filter((c) => c.status === s).length);
  }
}

test("every id PROBE.md lists exists", () => {
  for (const id of PROBE_MD_IDS) assert.ok(CHECK_IDS.includes(id), id);
});

describe("against ocspkit serve", () => {
  let serve: ServerProcess;
  let url: string;
  before(async () => {
    serve = await startProcess(
      [
        ...ocspkitCommand(),
        ...argv`serve --ca ${pki.intermediate.cert} --index ${pki.index} --signer ${pki.ocspSigner.cert}`,
        ...argv`--key ${pki.ocspSigner.key} --port 0 --next-update 86400`,
      ],
      [/listening on (http:\S+)/],
    );
    url = serve.match[1]!;
  });
  after(() => serve?.stop());

  for (const profile of ["rfc", "rfc5019", "cabf"] as const) {
    test(`every check passes under ${profile}`, async () => {
      const r = await probeCli([
        url,
        ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert}`,
        ...argv`--revoked ${pki.leaves.revoked.keyCompromise.cert} --crl ${crlFile} --profile ${profile} --json`,
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = r.json!;
      assertContract(j);
      assert.equal(j.profile, profile);
      assert.equal(j.url, url);
      assert.equal(j.issuer, "O = ocspkit tests, CN = ocspkit Test Intermediate");
      assert.deepEqual(j.checks.map((c) => c.id).sort(), [...PROBE_MD_IDS].sort());
      const notPassed = j.checks.filter((c) => c.status !== "pass");
      assert.deepEqual(notPassed, [], JSON.stringify(notPassed, null, 1));
    });
  }

  test("text report: grouped, a summary line, no colour off a terminal", async () => {
    const r = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b\[/);
    assert.match(r.stdout, /^ocspkit probe http:/);
    assert.match(r.stdout, /\nSignature\n {2}PASS {2}signature /);
    assert.match(r.stdout, /SKIP {2}known-revoked +no --revoked certificate given/);
    assert.match(r.stdout, /\n\d+ pass, 0 fail, 0 warn, 2 skip\n$/);
  });

  test("colour on a terminal only (through script(1), when it is installed)", async (t) => {
    if ((await runCommand("sh", ["-c", "command -v script"])).code !== 0) {
      t.skip("SKIPPED LOUDLY: script(1) is not installed, no pseudo-terminal to test colour on");
      return;
    }
    const cli = [...ocspkitCommand(), "probe", url, ...argv`--issuer ${pki.intermediate.cert}`];
    const quoted = [...cli, "--only", "http-post"].map((a) => `'${a.replace(/'/g, "'\\''")}'`);
    const r = await runCommand("script", ["-qc", quoted.join(" "), "/dev/null"], {
      env: Object.fromEntries(
        Object.entries({ ...process.env, TERM: "xterm" }).filter(([k]) => !/_COLOR$/.test(k)),
      ),
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\x1b\[32mPASS\x1b\[39m {2}http-post/);
  });

  test("--only, --skip, and usage errors", async () => {
    const only = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --only signature,http-post --json`,
    ]);
    assert.equal(only.code, 0, only.stderr);
    assert.deepEqual(
      only.json!.checks.map((c) => c.id),
      ["http-post", "signature"],
    );
    const skipped = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --skip latency --json`,
    ]);
    assert.ok(!skipped.json!.checks.some((c) => c.id === "latency"));
    const unknown = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --only nonsense`,
    ]);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /unknown check id "nonsense"/);
    // Exchanges that no chosen check reads are not made.
    const one = await probeResponder({ url, issuer, only: ["signature", "http-post"] });
    assert.deepEqual(
      one.exchanges.map((x) => x.name),
      ["post"],
    );
    const gentle = await probeResponder({
      url,
      issuer,
      good,
      skip: ["malformed-request", "oversize-request"],
    });
    const sent = gentle.exchanges.map((x) => x.name);
    assert.ok(!sent.includes("garbage") && !sent.includes("oversize"), sent.join());
    assert.ok(sent.includes("get-slash") && sent.length < 20, sent.join());
    // The other usage errors are refused before anything is sent: asked in-process.
    const usage = async (args: string[], why: RegExp) => {
      const cap = captureIo();
      assert.equal(await probeCommand(args, cap.io), 64, args.join(" "));
      assert.match(cap.err(), why);
    };
    const issuerArgs = argv`--issuer ${pki.intermediate.cert}`;
    await usage([url, ...issuerArgs, ...argv`--skip x,signature`], /unknown check id "x"/);
    await usage([url], /--issuer/);
    await usage([url, ...issuerArgs, ...argv`--profile x`], /--profile/);
    await usage(["ftp://x", ...issuerArgs], /http:\/\/ or https:\/\//);
    await usage([...issuerArgs], /no responder URL/);
    await usage([url, ...argv`--issuer ${pki.missing}`], /no such file/);
    await usage(
      [url, ...issuerArgs, ...argv`--crl ${pki.notACert}`],
      /the CRL from .* is malformed/,
    );
    await usage(
      [url, ...issuerArgs, ...argv`--ca-file ${pki.caFiles.foreign}`],
      /issuer is not trusted/,
    );
    await usage(
      [url, ...issuerArgs, ...argv`--good ${pki.foreignLeaf.cert}`],
      /not issued by the issuer/,
    );
  });

  test("--html: one well-formed, self-contained page with every check and exchange", async () => {
    const html = join(dir, "report.html");
    const r = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert} --json --html ${html}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.json, "JSON still on stdout");
    const page = readFileSync(html, "utf8");
    assertWellFormed(page);
    for (const id of PROBE_MD_IDS) assert.ok(page.includes(`id="check-${id}"`), id);
    assert.doesNotMatch(page, /<(script|link|img)\b|\bsrc=|url\(/i);
    assert.match(page, /<svg [^>]*>.*<rect /s);
    assert.match(page, /<details><summary><code>post<\/code>/);
    assert.match(page, /OCSP Request Data:/);
    assert.match(page, /OCSP Response Status: successful \(0x0\)/);
    await screenshot(html);
  });
});

/** Balanced tags, void elements aside; attributes quoted; no stray `<` in text. */
function assertWellFormed(page: string): void {
  const VOID = new Set(["meta", "br", "hr", "img", "link", "input"]);
  const stack: string[] = [];
  const body = page.replace(/^<!DOCTYPE html>\n/, "");
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>|</g;
  for (const m of body.matchAll(re)) {
    assert.ok(m[2], `stray "<" at ${m.index}: ${body.slice(m.index, m.index! + 40)}`);
    const name = m[2]!.toLowerCase();
    if (m[1]) assert.equal(stack.pop(), name, `</${name}> at ${m.index} closes the wrong element`);
    else if (!VOID.has(name) && !m[4]) stack.push(name);
  }
  assert.deepEqual(stack, [], "unclosed elements");
}

async function screenshot(html: string): Promise<void> {
  const chromium = "/usr/bin/chromium";
  if (!existsSync(chromium)) {
    console.warn(
      "SKIPPED LOUDLY: /usr/bin/chromium is not installed; the HTML report was not rendered",
    );
    return;
  }
  const png = join(dir, "report.png");
  const r = await runCommand(
    chromium,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      `--screenshot=${png}`,
      "--window-size=1200,2000",
      `file://${html}`,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const bytes = readFileSync(png);
  assert.ok(bytes.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")), "a PNG");
  assert.ok(bytes.length > 10_000, `a PNG with something drawn (${bytes.length} bytes)`);
}

describe("against OpenSSL's responder", () => {
  let server: ServerProcess;
  let url: string;
  before(async () => {
    // OpenSSL 3.0 takes -port 0 and says which port it got; -ignore_err keeps it up after a
    // malformed request (without it, it exits, which the probe reports as such).
    server = await startProcess(
      [
        "openssl",
        ...argv`ocsp -index ${pki.index} -rsigner ${pki.ocspSigner.cert} -rkey ${pki.ocspSigner.key}`,
        ...argv`-CA ${pki.intermediate.cert} -nmin 600 -ignore_err -port 0`,
      ],
      [/ACCEPT \[::\]:(\d+)/, /waiting for OCSP client connections/],
    );
    url = `http://127.0.0.1:${server.match[1]}/`;
  });
  after(() => server?.stop("SIGKILL"));

  const known = () =>
    argv`--good ${pki.leaves.good.cert} --revoked ${pki.leaves.revoked.keyCompromise.cert}`;

  test("rfc5019: caching headers fail, conditional GET warns, signature and statuses pass", async () => {
    const r = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert}`,
      ...known(),
      "--json",
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const j = r.json!;
    assertContract(j);
    assert.deepEqual(ids(j, "fail"), ["cache-headers"]);
    assert.ok(ids(j, "warn").includes("conditional-get"));
    for (const id of [
      "signature",
      "signer-authorized",
      "known-good",
      "known-revoked",
      "http-post",
      "http-get",
    ]) {
      assert.equal(j.checks.find((c) => c.id === id)!.status, "pass", id);
    }
  });

  test("rfc: nothing RFC 6960 requires fails, exit 0", async () => {
    const r = await probeCli([
      url,
      ...argv`--issuer ${pki.intermediate.cert} --profile rfc`,
      ...known(),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(ids(r.json!, "fail"), []);
  });
});

test("OpenSSL's responder without -ignore_err exits on the first malformed request: warnings, exit 0 under rfc", async () => {
  const server = await startProcess(
    [
      "openssl",
      ...argv`ocsp -index ${pki.index} -rsigner ${pki.ocspSigner.cert} -rkey ${pki.ocspSigner.key}`,
      ...argv`-CA ${pki.intermediate.cert} -port 0`,
    ],
    [/ACCEPT \[::\]:(\d+)/, /waiting for OCSP client connections/],
  );
  try {
    const r = await probeCli([
      `http://127.0.0.1:${server.match[1]}/`,
      ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert} --profile rfc --json`,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const mr = r.json!.checks.find((c) => c.id === "malformed-request")!;
    assert.equal(mr.status, "warn");
    assert.match(mr.detail, /stopped listening after "garbage"/);
    assert.equal(r.json!.checks.find((c) => c.id === "known-good")!.status, "pass");
  } finally {
    await server.stop("SIGKILL");
  }
});

test("against cfssl ocspserve, where installed", async (t) => {
  const found = await runCommand("sh", ["-c", "command -v cfssl"]);
  if (found.code !== 0) {
    t.skip("SKIPPED LOUDLY: cfssl is not installed");
    return;
  }
  const signed = await runCommand("cfssl", [
    ...argv`ocspsign -ca ${pki.intermediate.cert} -responder ${pki.ocspSigner.cert}`,
    ...argv`-responder-key ${pki.ocspSigner.key} -cert ${pki.leaves.good.cert} -status good -interval 24h`,
  ]);
  assert.equal(signed.code, 0, signed.stderr);
  const responses = join(dir, "cfssl-responses.txt");
  writeFileSync(
    responses,
    `${(JSON.parse(signed.stdout) as { ocspResponse: string }).ocspResponse}\n`,
  );
  const { getFreePort } = await import("./support/pki.js");
  const port = await getFreePort();
  const server = await startProcess(
    ["cfssl", ...argv`ocspserve -address 127.0.0.1 -port ${port} -responses ${responses}`],
    [/Now listening on 127\.0\.0\.1:(\d+)/],
  );
  try {
    const r = await probeCli([
      `http://127.0.0.1:${port}/`,
      ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert} --json`,
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
    const j = r.json!;
    assertContract(j);
    for (const id of [
      "http-post",
      "signature",
      "signer-authorized",
      "known-good",
      "responder-id",
    ]) {
      assert.equal(
        j.checks.find((c) => c.id === id)!.status,
        "pass",
        `${id}: ${JSON.stringify(j.checks)}`,
      );
    }
  } finally {
    await server.stop();
  }
});

test("no responder listening at the certificate's AIA URL: exit 3", async () => {
  // The test PKI's leaves name http://127.0.0.1:9/ocsp, where nothing listens.
  const r = await probeCli([
    ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert} --timeout 2`,
  ]);
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /no OCSP response came back from http:\/\/127\.0\.0\.1:9\/ocsp/);
  assert.match(r.stdout, /FAIL {2}http-post/);
});

test("a responder that accepts and never answers: three timeouts, nothing more sent, exit 3", async () => {
  const { createServer } = await import("node:net");
  const sockets: import("node:net").Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  try {
    const t0 = Date.now();
    const r = await probeCli([
      `http://127.0.0.1:${port}/`,
      ...argv`--issuer ${pki.intermediate.cert} --good ${pki.leaves.good.cert} --timeout 1 --json`,
    ]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.ok(Date.now() - t0 < 15_000, "the probe gave up after the first silences");
    assert.equal(sockets.length, 3);
    const latency = r.json!.checks.find((c) => c.id === "latency")!;
    assert.equal(latency.status, "fail");
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

/** Which checks each planted fault must fail, and under which profile. */
const EXPECTED: Record<Fault, { profile: Profile; fails: string[] }> = {
  "good-unassigned": { profile: "cabf", fails: ["unassigned-serial"] },
  "other-certid": { profile: "cabf", fails: ["certid-echo"] },
  "other-nonce": { profile: "cabf", fails: ["nonce-echo"] },
  "no-next-update": { profile: "rfc5019", fails: ["time-fields"] },
  "validity-30d": { profile: "cabf", fails: ["validity-period"] },
  "signer-no-ocsp-eku": { profile: "cabf", fails: ["signer-authorized"] },
  "responder-id-other": { profile: "cabf", fails: ["responder-id"] },
  "http-500-on-garbage": { profile: "cabf", fails: ["malformed-request"] },
  "get-refused": { profile: "cabf", fails: ["http-get"] },
  "no-cache-headers": { profile: "cabf", fails: ["cache-headers"] },
  "revoked-as-good": { profile: "cabf", fails: ["crl-agreement", "known-revoked"] },
  "reason-6": { profile: "cabf", fails: ["known-revoked"] },
  "sha1-signature": { profile: "cabf", fails: ["signature-algorithm"] },
  "slow-nonce": { profile: "cabf", fails: ["latency", "nonce-echo"] },
  "foreign-good": { profile: "rfc5019", fails: ["unknown-issuer"] },
  "foreign-unknown-other-key": { profile: "rfc5019", fails: ["unknown-issuer"] },
};

describe("a responder with one planted fault", () => {
  const crl = () => readFileSync(crlFile);
  const run = async (fault: Fault | undefined, profile: Profile) => {
    const server = await startFaultResponder(pki, fault, { slowMs: 1500 });
    try {
      const { parseCrl } = await import("../src/crl/crl.js");
      return await probeResponder({
        url: server.url,
        issuer,
        good,
        revoked,
        crl: !fault || fault === "revoked-as-good" ? parseCrl(crl(), crlFile) : undefined,
        profile,
        timeoutMs: fault === "slow-nonce" ? 1000 : 5000,
        repeat: 2,
      });
    } finally {
      await server.close();
    }
  };

  for (const profile of ["rfc", "rfc5019", "cabf"] as const) {
    test(`clean: every check passes under ${profile}`, async () => {
      const r = await run(undefined, profile);
      const notPassed = r.checks.filter((c) => c.status !== "pass");
      assert.deepEqual(notPassed, []);
      assert.equal(probeExitCode(r), 0);
    });
  }

  for (const fault of FAULTS) {
    const { profile, fails } = EXPECTED[fault];
    test(`${fault} fails exactly ${fails.join(", ")} (${profile})`, async () => {
      const r = await run(fault, profile);
      const failed = r.checks.filter((c) => c.status === "fail");
      assert.deepEqual(failed.map((c) => c.id).sort(), fails, JSON.stringify(failed, null, 1));
      assert.equal(probeExitCode(r), 1);
      // The page for an auditor holds the failures too, escaped and well formed.
      const page = probeHtml(r);
      assertWellFormed(page);
      for (const id of fails)
        assert.match(
          page,
          new RegExp(`id="check-${id}"><td><code>${id}</code></td><td class="st fail">`),
        );
    });
  }

  test("a delegated signer without id-pkix-ocsp-nocheck fails delegate-profile, except under rfc", async () => {
    const cnf = join(dir, "signer.cnf");
    writeFileSync(
      cnf,
      "[s]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\n" +
        "extendedKeyUsage = OCSPSigning\n",
    );
    const [key, csr, cert] = ["nn.key", "nn.csr", "nn.pem"].map((n) => join(dir, n)) as [
      string,
      string,
      string,
    ];
    const { cert: ca, key: caKey } = pki.intermediate;
    await openssl(argv`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${key}`);
    await openssl(argv`req -new -key ${key} -subj /CN=no-nocheck -out ${csr}`);
    await openssl(
      argv`x509 -req -in ${csr} -CA ${ca} -CAkey ${caKey} -set_serial 0x5f01 -days 365
           -extfile ${cnf} -extensions s -out ${cert}`,
    );
    for (const [profile, fails] of [
      ["rfc5019", ["delegate-profile"]],
      ["rfc", []],
    ] as const) {
      const server = await startFaultResponder(pki, undefined, { signer: { cert, key } });
      try {
        const r = await probeResponder({ url: server.url, issuer, good, revoked, profile });
        const failed = r.checks.filter((c) => c.status === "fail").map((c) => c.id);
        assert.deepEqual(failed, fails, profile);
        const dp = r.checks.find((c) => c.id === "delegate-profile")!;
        assert.match(dp.detail, /lacks id-pkix-ocsp-nocheck/);
      } finally {
        await server.close();
      }
    }
  });

  test("reason 6 only warns outside cabf; no nextUpdate fails three BR rules under cabf", async () => {
    const r6 = await run("reason-6", "rfc5019");
    assert.equal(r6.checks.find((c) => c.id === "known-revoked")!.status, "warn");
    const nn = await run("no-next-update", "cabf");
    assert.deepEqual(
      nn.checks
        .filter((c) => c.status === "fail")
        .map((c) => c.id)
        .sort(),
      ["freshness", "time-fields", "validity-period"],
    );
  });
});
