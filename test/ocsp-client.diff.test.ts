/**
 * Differential tests: `openssl ocsp ARGS` (OpenSSL 3.0.x, the oracle) vs `$OCSPKIT_CMD ocsp ARGS`
 * (default `node bin/ocspkit.cjs`), run against the same responders and files.
 *
 *   node --import tsx --test test/ocsp-client.diff.test.ts
 *   OCSPKIT_CMD=openssl node --import tsx --test …    harness self-check: must pass 100%
 *   OCSP_RESPONDER_TRANSPORT=port …                     use `openssl ocsp -port 0` itself as
 *       the responder (it listens on ALL interfaces) instead of the default loopback wrapper
 *       (a node server on 127.0.0.1 that runs `openssl ocsp -index … -reqin … -respout …`).
 *
 * Compared per case: exit code; stdout (OpenSSL error-stack lines removed; dates normalised;
 * for live -text/-req_text/-resp_text also the nonce hex and the response signature hex; byte
 * for byte when both tools read the same -respin/-reqin file); the ordered list of the known
 * stderr lines `Response verify OK`, `Response Verify Failure`, `WARNING: no nonce in
 * response`, `Nonce Verify error`; files written with -out/-reqout/-respout where relevant.
 * Other stderr text is not compared, but when OpenSSL explains something on stderr ocspkit
 * must print at least one line too, and ocspkit's stderr must never show a crash (stack
 * trace, `ocspkit: internal error`, `ERR_…`). Each case also asserts what OpenSSL itself does,
 * so a broken harness cannot pass by making both sides fail the same way.
 *
 * =========================================================================================
 * OpenSSL 3.0 `ocsp` client behaviours an implementer must copy (observed on 3.0.19)
 * =========================================================================================
 * Streams: the summary, -req_text/-resp_text/-text output and `Responder Error: …` go to
 * stdout (or to the -out file). Everything else goes to stderr. Exit code is 0 or 1 only.
 *
 * Summary (print_ocsp_summary), one block per -cert/-serial, in command-line order:
 *     NAME: STATUS                   NAME = the -cert/-serial argument exactly as typed
 *     \tThis Update: Mmm dd hh:mm:ss yyyy GMT   (day space-padded: `Jan  2 03:04:05 2020 GMT`)
 *     \tNext Update: …               only if the SingleResponse has nextUpdate
 *     \tReason: REASON               revoked only, only if revocationReason is present
 *     \tRevocation Time: …           revoked only
 *   STATUS is good | revoked | unknown. REASON (OCSP_crl_reason_str): unspecified,
 *   keyCompromise, cACompromise (lower-case c!), affiliationChanged, superseded,
 *   cessationOfOperation, certificateHold, removeFromCRL; 7, 9 and 10 (privilegeWithdrawn,
 *   aACompromise) print as `(UNKNOWN)`.
 *   - CertID not in the response: `NAME: ERROR: No Status found.` and exit code 1 (even with
 *     `Response verify OK`, and with -noverify). Matching includes the hash algorithm. An
 *     `openssl ocsp -rcid sha256` responder puts CertIDs with serial 0 in its responses, so
 *     nothing ever matches.
 *   - Bad times (OCSP_check_validity; leeway -validity_period N s, default 300; max age
 *     -status_age N s, default unlimited): `NAME: WARNING: Status times invalid.` on the same
 *     line, then OpenSSL prints its error stack TO STDOUT (e.g. `…:error:1380007F:OCSP
 *     routines:OCSP_check_validity:status too old:…`), then `good` on its own line and the
 *     rest of the block. Exit code stays 0. (The tests drop error-stack lines from stdout.)
 *     -status_age 0 is rejected (see below), so "too old" needs a response ≥ 2 s old with
 *     -status_age 1; "expired"/"not yet valid" can't be produced with the OpenSSL responder.
 *   - The summary is printed only when the request was built from -cert/-serial (not with
 *     -reqin) and a basic response was parsed. It IS printed after `Response Verify Failure`
 *     (exit 1) and with -noverify (no verify line at all).
 * Order of work: options are parsed left to right and -issuer/-cert files are loaded while
 *   parsing (an error there stops everything) → open -out → add nonce → -req_text → write
 *   -reqout → query / read -respin → write -respout (also for error statuses) → status check
 *   (`Responder Error`) → -resp_text → load -CAfile/-VAfile/-verify_other (AFTER the query:
 *   a missing -CAfile means exit 1, empty stdout, although the request was sent) → nonce
 *   check → verify → summary.
 * Usage errors (stderr, exit 1, stdout empty):
 *   - a digest option after the last -cert/-serial, or two digest options in a row
 *     (`-sha256 -sha1 -cert …`): `ocsp: Digest must be before -cert or -serial` then
 *     `ocsp: Use -help for summary.`. A digest applies to every following -cert/-serial up to
 *     the next digest (`-sha256 -cert a -sha1 -serial b` is fine). Default sha1.
 *   - -cert/-serial before any -issuer: `No issuer certificate specified` (each -cert uses
 *     the most recent -issuer before it).
 *   - unknown option: `ocsp: Unknown option or message digest: bogus` + `ocsp: Use -help for
 *     summary.`; value missing: `ocsp: Option -cert needs a value` + Use -help; a stray
 *     argument, or nothing to do (no -cert/-serial/-reqin/-respin): only `ocsp: Use -help for
 *     summary.`; `-status_age 0`, `-timeout 0`: `ocsp: Non-positive number "0" for option
 *     -status_age` + Use -help; `-status_age abc`, `-attime abc`: `ocsp: Can't parse "abc" as
 *     a number` + Use -help; `-header NoEquals`: `Missing = in header key=value` + Use -help;
 *     `-url ftp://…`: `ocsp Error parsing -url argument` (no colon after `ocsp`).
 *   - -serial: `0x`/`0X` prefix = hex (either case), else decimal; a leading `-` is accepted
 *     (negative INTEGER, printed `-05`); `0` → `00`. Bad value (`zz`, `0x`, `12a`):
 *     `Error converting serial number zz`.
 * File errors (exit 1, stdout empty): -issuer missing: `Could not open file or uri for
 *   loading issuer certificate from /nonexistent` … `Unable to load issuer certificate`;
 *   -cert not a cert: `Could not read certificate from notacert.txt` + `Unable to load
 *   certificate`; -respin missing: `Can't open "X" for reading, No such file or directory`;
 *   -respin/-reqin not DER: `Error reading OCSP response` / `Error reading OCSP request`;
 *   -out in a missing dir: `Can't open "X" for writing, …` (before anything is sent).
 * HTTP: `POST <path> HTTP/1.0`, then the -header lines in order, then `Host:` (unless a
 *   -header Host=… was given), `Content-Type: application/ocsp-request`, `Content-Length`.
 *   Path from -url or -path (default `/`, query kept). Host = the -url host WITHOUT the port
 *   (`127.0.0.1`), but the -host argument verbatim (`127.0.0.1:PORT`). `-host H -port P`
 *   works as a client too; -url without a scheme (`127.0.0.1:PORT`) is accepted.
 *   - unreachable (connection refused), HTTP status != 200 (404), a body that is not an
 *     OCSPResponse, https:// to a plain server, -timeout expiry (`-timeout 1` → ~1 s):
 *     stderr `Error querying OCSP responder` (+ stack), exit 1, stdout empty except the
 *     -req_text output printed before the query; -reqout is written, -respout is not.
 *   - `-header x-empty=` (empty value): `Error querying OCSP responder`, exit 1; it connects
 *     and closes without sending a byte (which hangs OpenSSL's own -port responder forever).
 * Response status != successful: stdout `Responder Error: STATUS (N)` with STATUS from
 *   OCSP_response_status_str: malformedrequest (1), internalerror (2), trylater (3),
 *   sigrequired (5), unauthorized (6), `(UNKNOWN)` for 4, 7, 99…; exit 1; no verify line;
 *   -resp_text NOT printed; stderr empty. With -ignore_err it continues: -resp_text prints
 *   `OCSP Response Data:` / `    OCSP Response Status: unauthorized (0x6)`, then stderr
 *   `Error parsing response`, exit 1. successful (0) without responseBytes: no Responder
 *   Error line, -resp_text prints the two lines, `Error parsing response`, exit 1.
 * Nonce: a nonce (extnValue = OCTET STRING of 16 random bytes, printed `0410` + 32 hex) is
 *   added by default whenever the request is built from -cert/-serial, also with -respin!
 *   -no_nonce disables it. A -reqin request is used as is, unless -nonce, which sets a new
 *   nonce (replacing any). `-respin F -nonce` without -cert/-serial: `Need an OCSP request
 *   for this operation!`, exit 1. Check (skipped by -noverify): nonces differ → stderr
 *   `Nonce Verify error`, exit 1, NO verify line, NO summary; request nonce but none in the
 *   response → stderr `WARNING: no nonce in response`, then carry on. So `-cert X -respin F`
 *   without -no_nonce always fails when F has a nonce.
 * Verification (OCSP_basic_verify with -CAfile/-verify_other/-VAfile and the flags):
 *   - failure: stderr `Response Verify Failure` (+ stack), exit 1, summary still printed.
 *   - if it fails and -issuer was given, OpenSSL retries with the -issuer certificates as
 *     extra untrusted certs AND trusted signers (flags = OCSP_TRUSTOTHER only, the user's
 *     -no_chain etc. are ignored). Hence: delegated signer + `-CAfile root` → OK (the
 *     intermediate comes from -issuer); response signed by the intermediate itself +
 *     `-CAfile <foreign root>` → OK. No retry without -issuer (plain -respin / -reqin).
 *   - -VAfile F = -verify_other F + -trust_other: a signer found in F is trusted as is (no
 *     chain, no EKU check): works without -CAfile, even for a signer without OCSPSigning.
 *   - delegated signer without EKU OCSPSigning → failure (`missing ocspsigning usage`) unless
 *     -no_cert_checks. CertID issuer ≠ signer's issuer (foreign leaf) → failure (`root ca not
 *     trusted`). The OpenSSL responder answers `unknown` for issuers it does not serve.
 *   - -partial_chain accepts `-CAfile intermediate` alone; -attime (epoch seconds) moves the
 *     chain-validation time (expired / not yet valid → failure).
 *   - -no_chain: certificates in the response are not used as intermediates; -no_intern: the
 *     signer must come from -verify_other/-VAfile; -resp_no_certs responses fail with `signer
 *     certificate not found` unless the signer is given that way; -no_cert_verify skips the
 *     chain (OK with a foreign CAfile); -no_signature_verify alone doesn't.
 * -text = -req_text + -resp_text. Request: `OCSP Request Data:` / `    Version: 1 (0x0)` /
 *   `    Requestor List:` / CertIDs (`Hash Algorithm: sha1`, upper-case hex hashes, `Serial
 *   Number: 2001` = even-length upper hex without sign byte: `0101`, `FF`, `80`,
 *   `8A5C3E91D2F40B67`) / `    Request Extensions:` / `        OCSP Nonce: ` (trailing
 *   space) / hex on the next line. Signed requests (-signer/-signkey) add `Requestor Name:
 *   DirName:…`, the signature and the certs (not with -no_certs). Response: OCSP_RESPONSE_print,
 *   incl. `Revocation Reason: keyCompromise (0x1)`, single extensions (`Invalidity Date:`,
 *   `Hold Instruction Code:` / `Hold Instruction Reject`), the signature and every
 *   certificate (text + PEM). Responder Id is the DN (`O = ocspkit tests, CN = …`) or, for
 *   -resp_key_id responders, the key hash in upper hex.
 * OpenSSL responder facts (test setup): -nmin N → nextUpdate = now+N min; -ndays D -nmin N →
 *   now+D days+N min; neither → no nextUpdate; -nmin 0 is rejected; -CA not the leaf's
 *   issuer → status unknown (successful, signed); index reasons `holdInstruction,<name>` →
 *   certificateHold + Hold Instruction Code ext; `keyTime,<GeneralizedTime>` → keyCompromise +
 *   Invalidity Date ext; `removeFromCRL` is accepted. `openssl ocsp -port 0` prints
 *   `ACCEPT [::]:PORT PID=N` on stdout, then `ocsp: waiting for OCSP client connections...`
 *   on stderr once ready; it binds the wildcard address (no way to bind 127.0.0.1 only).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { runOcspkit } from "./support/cli.js";
import {
  argv,
  CRL_REASONS,
  getFreePort,
  makePki,
  makeResponseFile,
  normalizeDates,
  normalizeNonce,
  normalizeResponseSignature,
  ocspErrorResponse,
  ocspkitCommand,
  openssl,
  type Pki,
  type Responder,
  type RunResult,
  runArgv,
  startFixedResponder,
  startOpensslResponder,
  stripErrorStack,
} from "./support/pki.js";
import { sleep } from "./support/wait.js";

type Tool = "openssl" | "ocspkit";
const TOOLS: Record<Tool, string[]> = { openssl: ["openssl"], ocspkit: ocspkitCommand() };
const BOTH = ["openssl", "ocspkit"] as const;

const VERIFY_LINES = new Set([
  "Response verify OK",
  "Response Verify Failure",
  "WARNING: no nonce in response",
  "Nonce Verify error",
]);
const OK = ["Response verify OK"];
const FAIL = ["Response Verify Failure"];

/**
 * Cases of a block run at once: each waits mostly on openssl processes (the client and the
 * responder's), so a few in flight keep two cores busy.
 */
const CASES_AT_ONCE = 4;

let pki: Pki;
let out: string; // scratch dir for per-case output files
let seq = 0;

/** Path relative to the PKI dir (the cwd of every run), so summaries show short names. */
const rel = (p: string) => relative(pki.dir, p);
/** A fresh output path per tool. */
function outFiles(ext: string): Record<Tool, string> {
  const n = ++seq;
  return { openssl: join(out, `openssl-${n}.${ext}`), ocspkit: join(out, `ocspkit-${n}.${ext}`) };
}

/**
 * One tool's run. ocspkit runs in this process (the built bundle, see support/cli.ts) unless
 * the case is about the process itself (`spawned`).
 */
function runOcsp(
  tool: Tool,
  args: string[],
  timeoutMs = 20_000,
  spawned = false,
): Promise<RunResult> {
  const opts = { cwd: pki.dir, timeoutMs };
  if (tool === "ocspkit" && !spawned) return runOcspkit("ocsp", args, opts);
  return runArgv([...TOOLS[tool], "ocsp", ...args], opts);
}

/** The known verify/nonce lines of stderr, in order. */
function verifyLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => VERIFY_LINES.has(l));
}

/** stderr lines other than the known verify lines (messages, error stacks). */
function otherStderr(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0 && !VERIFY_LINES.has(l));
}

/** An uncaught exception / Node stack trace / module error is never an acceptable message. */
const CRASH = /ocspkit: internal error|^\s+at .+:\d+:\d+\)?$|node:internal|ERR_[A-Z_]+/m;

/** Normalisation for text from two different live exchanges. */
function normLive(s: string): string {
  return normalizeResponseSignature(normalizeNonce(normalizeDates(stripErrorStack(s))));
}
/** Normalisation when both tools read the same input (only error-stack lines differ). */
function normExact(s: string): string {
  return stripErrorStack(s);
}

/** What OpenSSL itself must do (oracle sanity: a broken harness must not pass). */
interface Expect {
  code?: number;
  /** known stderr lines, in order */
  verify?: string[];
  /** substrings of stdout */
  stdout?: string[];
  /** stdout must be empty */
  emptyStdout?: boolean;
  /** substrings of stderr (documents the messages; not compared with ocspkit) */
  stderr?: string[];
}

interface Case {
  args: (tool: Tool) => string[];
  expect?: Expect;
  /** compare stdout without date/nonce/signature normalisation (both read the same input) */
  exact?: boolean;
  /** -out files to compare, normalised like stdout */
  textFiles?: Record<Tool, string>;
  timeoutMs?: number;
  /** run ocspkit as its own process: the case is about exit status and stdio */
  spawned?: boolean;
}

function describeRun(tool: string, args: string[], r: RunResult): string {
  return (
    `--- ${tool} ocsp ${args.join(" ")}\n` +
    `exit=${r.code}${r.timedOut ? " (TIMED OUT)" : ""}\n` +
    `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`
  );
}

function checkExpect(o: RunResult, e: Expect | undefined, ctx: string) {
  if (!e) return;
  if (e.code !== undefined) assert.equal(o.code, e.code, `openssl exit code (oracle)\n${ctx}`);
  if (e.verify) assert.deepEqual(verifyLines(o.stderr), e.verify, `openssl verify lines\n${ctx}`);
  for (const s of e.stdout ?? []) {
    assert.ok(o.stdout.includes(s), `openssl stdout has ${JSON.stringify(s)}\n${ctx}`);
  }
  for (const s of e.stderr ?? []) {
    assert.ok(o.stderr.includes(s), `openssl stderr has ${JSON.stringify(s)}\n${ctx}`);
  }
  if (e.emptyStdout) assert.equal(o.stdout, "", `openssl stdout empty\n${ctx}`);
}

/** Runs a case with both tools (in parallel) and compares them. */
async function diff(c: Case): Promise<{ o: RunResult; k: RunResult }> {
  const oArgs = c.args("openssl");
  const kArgs = c.args("ocspkit");
  const [o, k] = await Promise.all([
    runOcsp("openssl", oArgs, c.timeoutMs),
    runOcsp("ocspkit", kArgs, c.timeoutMs, c.spawned),
  ]);
  const ctx = `${describeRun("openssl", oArgs, o)}\n${describeRun("ocspkit", kArgs, k)}`;
  checkExpect(o, c.expect, ctx);
  assert.ok(!k.timedOut, `ocspkit timed out\n${ctx}`);
  const norm = c.exact ? normExact : normLive;
  assert.equal(norm(k.stdout), norm(o.stdout), `stdout differs\n${ctx}`);
  assert.equal(k.code, o.code, `exit code differs\n${ctx}`);
  assert.deepEqual(verifyLines(k.stderr), verifyLines(o.stderr), `verify lines differ\n${ctx}`);
  assert.doesNotMatch(k.stderr, CRASH, `ocspkit crashed instead of reporting an error\n${ctx}`);
  if (otherStderr(o.stderr).length > 0) {
    assert.ok(otherStderr(k.stderr).length > 0, `openssl explains on stderr, ocspkit not\n${ctx}`);
  }
  if (c.textFiles) {
    const { openssl: fo, ocspkit: fk } = c.textFiles;
    assert.equal(existsSync(fk), existsSync(fo), `-out file existence differs\n${ctx}`);
    if (existsSync(fo)) {
      const [a, b] = [readFileSync(fo, "utf8"), readFileSync(fk, "utf8")];
      assert.equal(norm(b), norm(a), `-out file differs\n${ctx}`);
    }
  }
  return { o, k };
}

/** Both tools wrote the same bytes (or both wrote nothing). */
function assertSameBytes(files: Record<Tool, string>, what: string) {
  const { openssl: fo, ocspkit: fk } = files;
  assert.equal(existsSync(fk), existsSync(fo), `${what}: existence differs (${fo} vs ${fk})`);
  if (existsSync(fo)) assert.deepEqual(readFileSync(fk), readFileSync(fo), `${what}: bytes differ`);
}

/** Offline artefacts made once with the OpenSSL responder code (`-reqin … -respout …`). */
let offline: {
  /** request for leaf good, no nonce */
  reqNoNonce: string;
  /** delegated-signer response to reqNoNonce (no nonce), produced at `respMainAt` */
  respMain: string;
  respMainAt: number;
  /** signed by the intermediate itself */
  respInter: string;
  /** delegated signer, also carrying the intermediate (-rother) */
  respRother: string;
  /** delegated signer, no certificates (-resp_no_certs) */
  respNoCerts: string;
};

before(async () => {
  pki = await makePki();
  out = join(pki.dir, "out");
  mkdirSync(out, { recursive: true });
  const f = (n: string) => join(out, n);
  const reqNoNonce = f("req-no-nonce.der");
  await openssl(
    argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert} -no_nonce
         -reqout ${reqNoNonce}`,
  );
  const respMain = f("resp-main.der");
  await makeResponseFile(pki, reqNoNonce, respMain);
  const respMainAt = Date.now();
  const [respInter, respRother, respNoCerts] = [f("inter.der"), f("rother.der"), f("nocerts.der")];
  await Promise.all([
    makeResponseFile(pki, reqNoNonce, respInter, {
      rsigner: pki.intermediate.cert,
      rkey: pki.intermediate.key,
    }),
    makeResponseFile(pki, reqNoNonce, respRother, {
      extraArgs: ["-rother", pki.intermediate.cert],
    }),
    makeResponseFile(pki, reqNoNonce, respNoCerts, { extraArgs: ["-resp_no_certs"] }),
  ]);
  offline = { reqNoNonce, respMain, respMainAt, respInter, respRother, respNoCerts };
});

after(() => {
  pki?.cleanup();
});

/**
 * A responder of the test's own, for a test that reads the exchanges: the other tests of its
 * block run at the same time and would mix theirs in.
 */
async function withOwnResponder(f: (r: Responder) => Promise<void>): Promise<void> {
  const r = await startOpensslResponder(pki);
  try {
    await f(r);
  } finally {
    await r.stop();
  }
}

/** Starts a responder for a describe block and stops it in `after`. */
function useResponder(start: () => Promise<Responder>): () => Responder {
  let r: Responder | undefined;
  before(async () => {
    r = await start();
  });
  after(async () => {
    await r?.stop();
  });
  return () => {
    if (!r) throw new Error("responder not started");
    return r;
  };
}

// ---------------------------------------------------------------------------
describe("delegated OCSP signer responder (-rsigner ocsp-signer -nmin 5)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() => startOpensslResponder(pki));
  const L = () => pki.leaves;
  /** -issuer intermediate */
  const iss = () => argv`-issuer ${rel(pki.intermediate.cert)}`;
  /** -url R -CAfile chain */
  const to = () => argv`-url ${responder().url} -CAfile ${rel(pki.caFiles.chain)}`;
  const good = () => argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(L().good.cert)}`;

  test("good", async () => {
    await diff({
      spawned: true,
      args: () => argv`${good()} ${to()}`,
      expect: {
        code: 0,
        verify: OK,
        stdout: [`${rel(L().good.cert)}: good\n\tThis Update: `, "\n\tNext Update: "],
      },
    });
  });

  for (const reason of CRL_REASONS) {
    test(`revoked, reason ${reason}`, async () => {
      await diff({
        args: () => argv`${iss()} -cert ${rel(L().revoked[reason].cert)} ${to()}`,
        expect: {
          code: 0,
          verify: OK,
          stdout: [": revoked\n", "\tReason: ", "\tRevocation Time: "],
        },
      });
    });
  }

  test("revoked without reason: no Reason line", async () => {
    const { o } = await diff({
      args: () => argv`${iss()} -cert ${rel(L().revokedNoReason.cert)} ${to()}`,
      expect: { code: 0, verify: OK, stdout: [": revoked\n", "\tRevocation Time: "] },
    });
    assert.ok(!o.stdout.includes("Reason:"));
  });

  test("revoked with hold instruction / invalidity date (-text shows the extensions)", async () => {
    await diff({
      args: () =>
        argv`${iss()} -cert ${rel(L().revokedHoldInstruction.cert)}
             -cert ${rel(L().revokedKeyTime.cert)} ${to()} -text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["Hold Instruction Code:", "Invalidity Date:", "\tReason: certificateHold"],
      },
    });
  });

  test("unknown: certificate not in the index", async () => {
    await diff({
      args: () => argv`${iss()} -cert ${rel(L().unknown.cert)} ${to()}`,
      expect: { code: 0, verify: OK, stdout: [": unknown\n"] },
    });
  });

  test("unknown serial: -serial 0x… and decimal", async () => {
    const u = L().unknown;
    await diff({
      args: () => argv`${iss()} -serial ${u.serialHex} -serial ${u.serialDec} ${to()}`,
      expect: {
        code: 0,
        verify: OK,
        stdout: [`${u.serialHex}: unknown\n`, `${u.serialDec}: unknown\n`],
      },
    });
  });

  test("-serial of known certs: lower-case hex, decimal, high-bit serial", async () => {
    const hi = L().highSerial;
    await diff({
      args: () =>
        argv`${iss()} -serial ${L().good.serialHex.toLowerCase()}
             -serial ${L().revoked.keyCompromise.serialDec}
             -serial ${hi.serialHex} -serial ${hi.serialDec} -cert ${rel(hi.cert)} ${to()}`,
      expect: {
        code: 0,
        verify: OK,
        stdout: [`${hi.serialDec}: good`, `${rel(hi.cert)}: good`, "\tReason: keyCompromise"],
      },
    });
  });

  test("several -cert mixed with -serial, order kept", async () => {
    await diff({
      args: () =>
        argv`${iss()} -cert ${rel(L().good.cert)} -serial ${L().revoked.superseded.serialHex}
             -cert ${rel(L().unknown.cert)} -serial ${L().good2.serialDec}
             -cert ${rel(L().revoked.removeFromCRL.cert)} -serial 0x7777 ${to()}`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["\tReason: superseded", "\tReason: removeFromCRL", "0x7777: unknown"],
      },
    });
  });

  test("-noverify: no verify line, summary printed", async () => {
    await diff({
      args: () => argv`${good()} -url ${responder().url} -noverify`,
      expect: { code: 0, verify: [], stdout: [": good\n"] },
    });
  });

  test("wrong trust anchor (-CAfile foreign root) → Verify Failure, summary printed", async () => {
    await diff({
      spawned: true,
      args: () => argv`${good()} -url ${responder().url} -CAfile ${rel(pki.caFiles.foreign)}`,
      expect: { code: 1, verify: FAIL, stdout: [": good\n"] },
    });
  });

  test("-CAfile root only: intermediate taken from -issuer (retry)", async () => {
    await diff({
      args: () => argv`${good()} -url ${responder().url} -CAfile ${rel(pki.caFiles.root)}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-VAfile delegated signer, without -CAfile and with a foreign one", async () => {
    const va = () => argv`-url ${responder().url} -VAfile ${rel(pki.ocspSigner.cert)}`;
    await diff({ args: () => argv`${good()} ${va()}`, expect: { code: 0, verify: OK } });
    await diff({
      args: () => argv`${good()} ${va()} -CAfile ${rel(pki.caFiles.foreign)}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-sha256 before -cert", async () => {
    await diff({
      args: () => argv`${iss()} -sha256 -cert ${rel(L().good.cert)} ${to()}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-sha256 -cert a -sha1 -serial b -sha512 -serial c (-text)", async () => {
    await diff({
      args: () =>
        argv`${iss()} -sha256 -cert ${rel(L().good.cert)} -sha1 -serial ${L().good2.serialHex}
             -sha512 -serial ${L().revoked.unspecified.serialHex} ${to()} -text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["Hash Algorithm: sha256", "Hash Algorithm: sha1", "Hash Algorithm: sha512"],
      },
    });
  });

  test("digest after the last -cert → usage error", async () => {
    await diff({
      spawned: true,
      args: () => argv`${good()} -sha256 ${to()}`,
      expect: {
        code: 1,
        emptyStdout: true,
        verify: [],
        stderr: ["ocsp: Digest must be before -cert or -serial\nocsp: Use -help for summary.\n"],
      },
    });
  });

  test("two digests in a row → same usage error", async () => {
    await diff({
      args: () => argv`${iss()} -sha256 -sha1 -cert ${rel(L().good.cert)} ${to()}`,
      expect: { code: 1, emptyStdout: true, stderr: ["Digest must be before -cert or -serial"] },
    });
  });

  test("-cert before -issuer → No issuer certificate specified", async () => {
    await diff({
      args: () => argv`-cert ${rel(L().good.cert)} ${iss()} ${to()}`,
      expect: { code: 1, emptyStdout: true, stderr: ["No issuer certificate specified"] },
    });
  });

  test("-no_nonce", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -no_nonce -req_text`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-nonce (explicit)", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -nonce -req_text`,
      expect: { code: 0, verify: OK, stdout: ["OCSP Nonce: \n"] },
    });
  });

  test("-no_cert_checks with a proper delegated signer", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -no_cert_checks`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-verify_other signer: with -trust_other → OK, without → failure", async () => {
    const vo = () =>
      argv`-url ${responder().url} -CAfile ${rel(pki.caFiles.foreign)}
           -verify_other ${rel(pki.ocspSigner.cert)}`;
    await diff({
      args: () => argv`${good()} ${vo()} -trust_other`,
      expect: { code: 0, verify: OK },
    });
    await diff({ args: () => argv`${good()} ${vo()}`, expect: { code: 1, verify: FAIL } });
  });

  test("-CAfile intermediate only → failure; with -partial_chain → OK", async () => {
    const ca = () => argv`-url ${responder().url} -CAfile ${rel(pki.caFiles.intermediate)}`;
    await diff({ args: () => argv`${good()} ${ca()}`, expect: { code: 1, verify: FAIL } });
    await diff({
      args: () => argv`${good()} ${ca()} -partial_chain`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-attime: far future (expired) → failure; before issuance → failure; +1 day → OK", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -attime 4102444800`,
      expect: { code: 1, verify: FAIL, stdout: [": good\n"] },
    });
    await diff({
      args: () => argv`${good()} ${to()} -attime 1000000000`,
      expect: { code: 1, verify: FAIL },
    });
    const t = Math.floor(Date.now() / 1000) + 86_400;
    await diff({
      args: () => argv`${good()} ${to()} -attime ${t}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-resp_text", async () => {
    await diff({
      args: () => argv`${iss()} -cert ${rel(L().revoked.keyCompromise.cert)} ${to()} -resp_text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: [
          "OCSP Response Data:\n    OCSP Response Status: successful (0x0)\n",
          "Responder Id: O = ocspkit tests, CN = ocspkit OCSP Signer",
          "Revocation Reason: keyCompromise (0x1)",
          "-----BEGIN CERTIFICATE-----",
        ],
      },
    });
  });

  test("-req_text", async () => {
    await diff({
      args: () => argv`${good()} -serial ${L().highSerial.serialDec} ${to()} -req_text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["OCSP Request Data:", `Serial Number: ${L().highSerial.serial}\n`],
      },
    });
  });

  test("-text", async () => {
    await diff({
      args: () => argv`${good()} -cert ${rel(L().revoked.CACompromise.cert)} ${to()} -text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["OCSP Request Data:", "OCSP Response Data:", "\tReason: cACompromise\n"],
      },
    });
  });

  test("foreign issuer: -issuer foreign root -cert foreign leaf → unknown + failure", async () => {
    await diff({
      args: () =>
        argv`-issuer ${rel(pki.foreignRoot.cert)} -cert ${rel(pki.foreignLeaf.cert)}
             -url ${responder().url} -CAfile ${rel(pki.caFiles.rootAndForeign)}`,
      expect: { code: 1, verify: FAIL, stdout: [": unknown\n"] },
    });
  });

  test("foreign leaf asked with the wrong -issuer (intermediate) → unknown + failure", async () => {
    await diff({
      args: () => argv`${iss()} -cert ${rel(pki.foreignLeaf.cert)} ${to()}`,
      expect: { code: 1, verify: FAIL, stdout: [": unknown\n"] },
    });
  });

  test("two issuers: -issuer A -cert a -issuer B -cert b", async () => {
    await diff({
      args: () =>
        argv`${good()} -issuer ${rel(pki.foreignRoot.cert)} -cert ${rel(pki.foreignLeaf.cert)}
             ${to()}`,
      expect: { code: 1, verify: FAIL },
    });
  });

  test("-host 127.0.0.1:PORT -path /", async () => {
    await withOwnResponder(async (r) => {
      await diff({
        args: () =>
          argv`${good()} -host ${`127.0.0.1:${r.port}`} -path / -CAfile ${rel(pki.caFiles.chain)}`,
        expect: { code: 0, verify: OK },
      });
      if (r.transport === "loopback") {
        assert.equal(r.exchanges.length, 2);
        for (const e of r.exchanges) {
          assert.equal(e.method, "POST");
          assert.equal(e.url, "/");
          assert.equal(e.headers["content-type"], "application/ocsp-request");
          assert.equal(e.headers.host, `127.0.0.1:${r.port}`, "-host is sent verbatim as Host");
        }
      }
    });
  });

  test("-path without a leading slash is sent as /path", async () => {
    await withOwnResponder(async (r) => {
      await diff({
        args: () =>
          argv`${good()} -host ${`127.0.0.1:${r.port}`} -path ocsp -CAfile ${rel(pki.caFiles.chain)}`,
        expect: { code: 0, verify: OK },
      });
      if (r.transport === "loopback") {
        assert.equal(r.exchanges.length, 2);
        for (const e of r.exchanges) assert.equal(e.url, "/ocsp");
      }
    });
  });

  test("-url with userinfo (ignored, as OpenSSL ignores it)", async () => {
    await diff({
      args: () =>
        argv`${good()} -url ${`http://user:pw@127.0.0.1:${responder().port}/`}
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-host 127.0.0.1 -port PORT (client use of -port)", async () => {
    await diff({
      args: () =>
        argv`${good()} -host 127.0.0.1 -port ${responder().port}
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-url with a path and query; Host header without the port", async () => {
    await withOwnResponder(async (r) => {
      await diff({
        args: () => argv`${good()} -url ${`${r.url}ocsp/x?y=1`} -CAfile ${rel(pki.caFiles.chain)}`,
        expect: { code: 0, verify: OK },
      });
      if (r.transport === "loopback") {
        assert.equal(r.exchanges.length, 2);
        for (const e of r.exchanges) {
          assert.equal(e.url, "/ocsp/x?y=1");
          assert.equal(e.headers.host, "127.0.0.1");
        }
      }
    });
  });

  test("-url without scheme (host:port)", async () => {
    await diff({
      args: () =>
        argv`${good()} -url ${`127.0.0.1:${responder().port}`} -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-url ftp://… → error parsing the URL", async () => {
    await diff({
      args: () =>
        argv`${good()} -url ${`ftp://127.0.0.1:${responder().port}/`}
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 1, emptyStdout: true, stderr: ["ocsp Error parsing -url argument"] },
    });
  });

  test("-header Name=Value (value with =) and -header Host=…", async () => {
    await withOwnResponder(async (r) => {
      await diff({
        args: () =>
          argv`${good()} -url ${r.url} -CAfile ${rel(pki.caFiles.chain)} -header X-Test=a=b
               -header Host=example.org`,
        expect: { code: 0, verify: OK },
      });
      if (r.transport === "loopback") {
        assert.equal(r.exchanges.length, 2);
        for (const e of r.exchanges) {
          assert.equal(e.headers["x-test"], "a=b");
          assert.equal(e.headers.host, "example.org");
        }
      }
    });
  });

  test("-header without = → usage error", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -header NoEquals`,
      expect: { code: 1, emptyStdout: true, stderr: ["Missing = in header key=value"] },
    });
  });

  test("-out FILE (with -text): stdout empty, file compared", async () => {
    const files = outFiles("txt");
    await diff({
      args: (t) =>
        argv`${good()} -cert ${rel(L().revoked.affiliationChanged.cert)} ${to()} -text
             -out ${files[t]}`,
      expect: { code: 0, verify: OK, emptyStdout: true },
      textFiles: files,
      spawned: true,
    });
  });

  test("-out in a missing directory → exit 1", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -out ${join(pki.missing, "x.txt")}`,
      expect: { code: 1, emptyStdout: true },
    });
  });

  test("-CAfile missing: the query is done, then exit 1 with empty stdout", async () => {
    await diff({
      args: () => argv`${good()} -url ${responder().url} -CAfile ${rel(pki.missing)}`,
      expect: { code: 1, emptyStdout: true, verify: [] },
    });
  });

  test("-status_age 300 -validity_period 0 on a fresh response: no warning", async () => {
    await diff({
      args: () => argv`${good()} ${to()} -status_age 300 -validity_period 0`,
      expect: { code: 0, verify: OK },
    });
  });

  test("-respout: the DER received, also for ocspkit", async () => {
    await withOwnResponder(async (r) => {
      const files = outFiles("der");
      await diff({
        args: (t) =>
          argv`${good()} -url ${r.url} -CAfile ${rel(pki.caFiles.chain)} -respout ${files[t]}`,
        expect: { code: 0, verify: OK },
      });
      assert.ok(existsSync(files.ocspkit), "ocspkit wrote -respout");
      if (r.transport === "loopback") {
        const sent = r.exchanges.map((e) => e.response.toString("hex"));
        for (const t of BOTH) {
          assert.ok(
            sent.includes(readFileSync(files[t]).toString("hex")),
            `${t}: -respout = bytes`,
          );
        }
      }
    });
  });

  test("-reqout -no_nonce: identical DER across tools, equal to the HTTP body", async () => {
    await withOwnResponder(async (r) => {
      const files = outFiles("der");
      await diff({
        args: (t) =>
          argv`${iss()} -sha256 -cert ${rel(L().good.cert)} -sha1 -serial ${L().highSerial.serialHex}
               -url ${r.url} -CAfile ${rel(pki.caFiles.chain)} -no_nonce -reqout ${files[t]}`,
        expect: { code: 0, verify: OK },
      });
      assertSameBytes(files, "-reqout");
      if (r.transport === "loopback") {
        const bodies = r.exchanges.map((e) => e.body.toString("hex"));
        assert.deepEqual(
          bodies,
          [0, 1].map(() => readFileSync(files.ocspkit).toString("hex")),
          "-reqout = body",
        );
      }
    });
  });

  test("-signkey that does not match -signer → Error signing OCSP request, nothing sent", async () => {
    await diff({
      args: () =>
        argv`${good()} -signer ${rel(L().good2.cert)} -signkey ${rel(L().good.key)} ${to()} -no_nonce`,
      expect: { code: 1, stdout: [] },
    });
  });

  test("signed request (-signer/-signkey, then -no_certs) with -req_text", async () => {
    for (const extra of [[], ["-no_certs"]]) {
      await diff({
        args: () =>
          argv`${good()} -signer ${rel(L().good2.cert)} -signkey ${rel(L().good2.key)} ${extra}
               ${to()} -no_nonce -req_text`,
        expect: {
          code: 0,
          verify: OK,
          stdout: ["Requestor Name: DirName:O = ocspkit tests, CN = leaf good2"],
        },
      });
    }
  });
});

// ---------------------------------------------------------------------------
describe("responder signing with the intermediate itself (-ndays 1 -nmin 5)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() =>
    startOpensslResponder(pki, {
      rsigner: pki.intermediate.cert,
      rkey: pki.intermediate.key,
      ndays: 1,
    }),
  );
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url}`;

  test("-CAfile root → OK", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.root)}`,
      expect: { code: 0, verify: OK, stdout: ["\tNext Update: "] },
    });
  });
  test("-CAfile foreign root → OK anyway (the -issuer cert is trusted on retry)", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.foreign)}`,
      expect: { code: 0, verify: OK },
    });
  });
  test("-resp_text (Responder Id = intermediate)", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.root)} -resp_text`,
      expect: {
        code: 0,
        verify: OK,
        stdout: ["Responder Id: O = ocspkit tests, CN = ocspkit Test Intermediate"],
      },
    });
  });
  test("revoked + unknown", async () => {
    await diff({
      args: () =>
        argv`${good()} -cert ${rel(pki.leaves.revoked.cessationOfOperation.cert)} -serial 0x7777
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 0, verify: OK },
    });
  });
});

// ---------------------------------------------------------------------------
describe("responder signing with a cert WITHOUT the OCSPSigning EKU", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() =>
    startOpensslResponder(pki, { rsigner: pki.badSigner.cert, rkey: pki.badSigner.key }),
  );
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url}`;

  test("→ Response Verify Failure, exit 1, summary printed", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 1, verify: FAIL, stdout: [": good\n"] },
    });
  });
  test("-no_cert_checks → OK", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.chain)} -no_cert_checks`,
      expect: { code: 0, verify: OK },
    });
  });
  test("-VAfile bad signer → OK (trusted as is)", async () => {
    await diff({
      args: () => argv`${good()} -VAfile ${rel(pki.badSigner.cert)}`,
      expect: { code: 0, verify: OK },
    });
  });
});

// ---------------------------------------------------------------------------
describe("responder whose -CA is not the leaf's issuer (-CA foreign root)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() => startOpensslResponder(pki, { ca: pki.foreignRoot.cert }));
  test("every status is unknown, the response verifies", async () => {
    await diff({
      args: () =>
        argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
             -cert ${rel(pki.leaves.revoked.keyCompromise.cert)} -url ${responder().url}
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 0, verify: OK, stdout: [`${rel(pki.leaves.good.cert)}: unknown\n`] },
    });
  });
});

// ---------------------------------------------------------------------------
describe("responder without nextUpdate (no -nmin/-ndays)", { concurrency: CASES_AT_ONCE }, () => {
  const responder = useResponder(() => startOpensslResponder(pki, { nmin: null }));
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url} -CAfile ${rel(pki.caFiles.chain)}`;
  test("no Next Update line", async () => {
    const { o } = await diff({
      args: () =>
        argv`${good()} -cert ${rel(pki.leaves.revoked.superseded.cert)} -validity_period 0`,
      expect: { code: 0, verify: OK },
    });
    assert.ok(!o.stdout.includes("Next Update"));
  });
  test("-resp_text", async () => {
    await diff({ args: () => argv`${good()} -resp_text`, expect: { code: 0, verify: OK } });
  });
});

// ---------------------------------------------------------------------------
describe("responder -rcid sha256 (its CertIDs never match a request)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() =>
    startOpensslResponder(pki, { extraArgs: ["-rcid", "sha256"] }),
  );
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url}`;
  test("ERROR: No Status found. → exit 1 although verify OK", async () => {
    await diff({
      args: () =>
        argv`${good()} -sha256 -serial ${pki.leaves.good2.serialHex}
             -CAfile ${rel(pki.caFiles.chain)}`,
      expect: {
        code: 1,
        verify: OK,
        stdout: [
          `${rel(pki.leaves.good.cert)}: ERROR: No Status found.\n`,
          `${pki.leaves.good2.serialHex}: ERROR: No Status found.\n`,
        ],
      },
    });
  });
  test("with Verify Failure too, and -resp_text", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.foreign)} -resp_text`,
      expect: { code: 1, verify: FAIL, stdout: ["ERROR: No Status found."] },
    });
  });
});

// ---------------------------------------------------------------------------
describe("responder -resp_no_certs -resp_key_id", { concurrency: CASES_AT_ONCE }, () => {
  const responder = useResponder(() =>
    startOpensslResponder(pki, { extraArgs: ["-resp_no_certs", "-resp_key_id"] }),
  );
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url}`;
  test("signer not found → failure", async () => {
    await diff({
      args: () => argv`${good()} -CAfile ${rel(pki.caFiles.chain)}`,
      expect: { code: 1, verify: FAIL },
    });
  });
  test("-verify_other signer → OK", async () => {
    await diff({
      args: () =>
        argv`${good()} -CAfile ${rel(pki.caFiles.chain)} -verify_other ${rel(pki.ocspSigner.cert)}`,
      expect: { code: 0, verify: OK },
    });
  });
  test("-VAfile signer -resp_text (Responder Id is the key hash) → OK", async () => {
    await diff({
      args: () => argv`${good()} -VAfile ${rel(pki.ocspSigner.cert)} -resp_text`,
      expect: { code: 0, verify: OK },
    });
  });
});

// ---------------------------------------------------------------------------
describe("responder -rother intermediate (chain in the response)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() =>
    startOpensslResponder(pki, { extraArgs: ["-rother", pki.intermediate.cert] }),
  );
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -url ${responder().url} -CAfile ${rel(pki.caFiles.root)}`;
  test("-CAfile root, with and without -no_chain (retry via -issuer: both OK)", async () => {
    for (const extra of [[], ["-no_chain"]]) {
      await diff({ args: () => argv`${good()} ${extra}`, expect: { code: 0, verify: OK } });
    }
  });
  test("-resp_text lists both certificates", async () => {
    await diff({ args: () => argv`${good()} -resp_text`, expect: { code: 0, verify: OK } });
  });
});

// ---------------------------------------------------------------------------
describe("responder errors and broken transports", { concurrency: CASES_AT_ONCE }, () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    await Promise.all(stops.map((s) => s()));
  });
  const fixed = async (body: Buffer, opts?: { httpStatus?: number; contentType?: string }) => {
    const r = await startFixedResponder(body, opts);
    stops.push(r.stop);
    return r;
  };
  const good = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -CAfile ${rel(pki.caFiles.chain)}`;

  const names: Record<string, string> = {
    1: "malformedrequest",
    2: "internalerror",
    3: "trylater",
    5: "sigrequired",
    6: "unauthorized",
  };
  for (const [code, name] of Object.entries(names)) {
    test(`status ${name} (${code}) → Responder Error line, exit 1, no -resp_text`, async () => {
      const r = await fixed(ocspErrorResponse(Number(code)));
      const { o } = await diff({
        args: () => argv`${good()} -url ${r.url} -resp_text`,
        expect: { code: 1, verify: [], stdout: [`Responder Error: ${name} (${code})\n`] },
      });
      assert.equal(o.stdout, `Responder Error: ${name} (${code})\n`);
    });
  }

  test("unauthorized with -ignore_err -resp_text → text, Error parsing response, exit 1", async () => {
    const r = await fixed(ocspErrorResponse(6));
    await diff({
      args: () => argv`${good()} -url ${r.url} -ignore_err -resp_text`,
      expect: {
        code: 1,
        verify: [],
        stdout: [
          "Responder Error: unauthorized (6)\nOCSP Response Data:\n" +
            "    OCSP Response Status: unauthorized (0x6)\n",
        ],
        stderr: ["Error parsing response"],
      },
    });
  });

  test("-respout is written for an error status too", async () => {
    const r = await fixed(ocspErrorResponse(3));
    const files = outFiles("der");
    await diff({
      args: (t) => argv`${good()} -url ${r.url} -respout ${files[t]}`,
      expect: { code: 1 },
    });
    assertSameBytes(files, "-respout of trylater");
    assert.ok(existsSync(files.openssl));
  });

  test("body is not an OCSPResponse → Error querying OCSP responder", async () => {
    const r = await fixed(Buffer.from("hello, world"));
    await diff({
      args: () => argv`${good()} -url ${r.url}`,
      expect: { code: 1, emptyStdout: true, stderr: ["Error querying OCSP responder"] },
    });
  });

  test("HTTP 404 → Error querying OCSP responder", async () => {
    const r = await fixed(Buffer.from("not found"), { httpStatus: 404, contentType: "text/plain" });
    await diff({
      args: () => argv`${good()} -url ${r.url}`,
      expect: { code: 1, emptyStdout: true, stderr: ["Error querying OCSP responder"] },
    });
  });

  test("-header with an empty value → Error querying OCSP responder, nothing sent", async () => {
    // (it connects and closes without a byte; OpenSSL's own -port responder then hangs for
    // good on that connection, so this case uses a node server)
    const r = await fixed(ocspErrorResponse(6));
    await diff({
      args: () => argv`${good()} -url ${r.url} -header x-empty=`,
      expect: { code: 1, emptyStdout: true, stderr: ["Error querying OCSP responder"] },
    });
    assert.equal(r.exchanges.length, 0, "no HTTP request was sent");
  });

  test("unreachable responder (closed port): exit 1, stdout empty, -reqout written", async () => {
    const port = await getFreePort();
    const req = outFiles("der");
    const resp = outFiles("der");
    await diff({
      args: (t) =>
        argv`${good()} -url ${`http://127.0.0.1:${port}/`} -no_nonce -reqout ${req[t]}
             -respout ${resp[t]}`,
      expect: { code: 1, emptyStdout: true, verify: [], stderr: ["Error querying OCSP responder"] },
    });
    assert.ok(existsSync(req.openssl), "openssl writes -reqout before connecting");
    assertSameBytes(req, "-reqout when unreachable");
    assertSameBytes(resp, "-respout when unreachable (not written)");
  });

  test("unreachable responder with -text: the request text is still printed", async () => {
    const port = await getFreePort();
    await diff({
      args: () => argv`${good()} -url ${`http://127.0.0.1:${port}/`} -text`,
      expect: { code: 1, stdout: ["OCSP Request Data:"] },
    });
  });

  test("https:// to a plain HTTP server → Error querying OCSP responder", async () => {
    const r = await fixed(ocspErrorResponse(6));
    await diff({
      args: () => argv`${good()} -url ${`https://127.0.0.1:${r.port}/`}`,
      expect: { code: 1, emptyStdout: true },
    });
  });

  test("server that accepts and never answers, -timeout 1", async () => {
    const sockets = new Set<Socket>();
    const srv = createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((res) => srv.listen(0, "127.0.0.1", res));
    const addr = srv.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    try {
      await diff({
        args: () => argv`${good()} -url ${`http://127.0.0.1:${port}/`} -timeout 1`,
        expect: { code: 1, emptyStdout: true, stderr: ["Error querying OCSP responder"] },
        timeoutMs: 15_000,
        // the process must end by itself: nothing of the abandoned exchange keeps it alive
        spawned: true,
      });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => srv.close(() => res()));
    }
  });
});

// ---------------------------------------------------------------------------
describe("offline: option and file errors (exit code + stdout)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const iss = () => argv`-issuer ${rel(pki.intermediate.cert)}`;
  const good = () => argv`${iss()} -cert ${rel(pki.leaves.good.cert)}`;
  // biome-ignore format: one case per line reads better
  const cases: Array<[string, () => string[], Expect]> = [
    ["no arguments", () => [], { stderr: ["ocsp: Use -help for summary."] }],
    ["only -issuer (nothing to do)", () => iss(), {}],
    ["unknown option", () => argv`${iss()} -bogus`, { stderr: ["Unknown option or message digest: bogus"] }],
    ["unknown digest", () => argv`${iss()} -sha999 -cert ${rel(pki.leaves.good.cert)}`, {}],
    ["option missing its value", () => argv`${iss()} -cert`, { stderr: ["ocsp: Option -cert needs a value"] }],
    ["stray argument", () => argv`${good()} extra`, {}],
    ["-status_age 0", () => argv`${good()} -status_age 0`, { stderr: ['Non-positive number "0" for option -status_age'] }],
    ["-status_age abc", () => argv`${good()} -status_age abc`, { stderr: ['Can\'t parse "abc" as a number'] }],
    ["-timeout 0", () => argv`${good()} -timeout 0`, {}],
    ["-attime abc", () => argv`${good()} -attime abc`, {}],
    ["-serial zz", () => argv`${iss()} -serial zz`, { stderr: ["Error converting serial number zz"] }],
    ["-serial 0x", () => argv`${iss()} -serial 0x`, {}],
    ["-serial 12a", () => argv`${iss()} -serial 12a`, {}],
    ["-issuer missing", () => argv`-issuer ${rel(pki.missing)} -cert ${rel(pki.leaves.good.cert)}`, {}],
    ["-issuer not a cert", () => argv`-issuer ${rel(pki.notACert)} -cert ${rel(pki.leaves.good.cert)}`, {}],
    ["-cert notacert.txt", () => argv`${iss()} -cert ${rel(pki.notACert)}`, { stderr: ["Could not read certificate from notacert.txt"] }],
    ["-cert missing", () => argv`${iss()} -cert ${rel(pki.missing)}`, {}],
    ["-respin missing", () => argv`-respin ${rel(pki.missing)}`, {}],
    ["-respin not DER", () => argv`-respin ${rel(pki.notACert)}`, { stderr: ["Error reading OCSP response"] }],
    ["-reqin not DER", () => argv`-reqin ${rel(pki.notACert)} -req_text`, { stderr: ["Error reading OCSP request"] }],
    ["-reqin missing", () => argv`-reqin ${rel(pki.missing)} -req_text`, {}],
    ["-VAfile missing", () => argv`${good()} -respin ${rel(offline.respMain)} -no_nonce -VAfile ${rel(pki.missing)}`, {}],
    ["-respin -nonce without a request", () => argv`-respin ${rel(offline.respMain)} -nonce`, { stderr: ["Need an OCSP request for this operation!"] }],
  ];
  for (const [name, args, expect] of cases) {
    test(name, async () => {
      await diff({
        args,
        expect: { code: 1, emptyStdout: true, verify: [], ...expect },
        exact: true,
      });
    });
  }
});

// ---------------------------------------------------------------------------
describe("offline: requests (-reqout / -reqin / -req_text, no responder)", {
  concurrency: CASES_AT_ONCE,
}, () => {
  test("-req_text -no_nonce: serial spellings", async () => {
    await diff({
      args: () =>
        argv`-issuer ${rel(pki.intermediate.cert)} -serial 0x0 -serial 0 -serial -5 -serial -0x10
             -serial 0X2001 -serial 0x00002001 -serial 0x2fff -serial 0x101 -serial 255
             -serial 128 -serial 0xABCDEF0123456789ABCDEF -serial ${pki.leaves.highSerial.serialDec}
             -no_nonce -req_text`,
      expect: {
        code: 0,
        verify: [],
        stdout: [
          "Serial Number: 00\n",
          "Serial Number: -05\n",
          "Serial Number: -10\n",
          "Serial Number: 0101\n",
          `Serial Number: ${pki.leaves.highSerial.serial}\n`,
        ],
      },
      exact: true,
    });
  });

  test("-reqout -no_nonce without a URL: nothing printed, identical DER", async () => {
    const files = outFiles("der");
    await diff({
      args: (t) =>
        argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
             -sha384 -serial 12345 -issuer ${rel(pki.foreignRoot.cert)} -sha1
             -cert ${rel(pki.foreignLeaf.cert)} -no_nonce -reqout ${files[t]}`,
      expect: { code: 0, verify: [], emptyStdout: true },
      exact: true,
    });
    assertSameBytes(files, "-reqout");
  });

  test("-reqout with nonce, each file read back by both tools (-reqin -req_text)", async () => {
    const files = outFiles("der");
    await diff({
      args: (t) =>
        argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
             -serial 0x2002 -reqout ${files[t]} -req_text`,
      expect: { code: 0, stdout: ["OCSP Nonce: \n            0410"] },
    });
    for (const t of BOTH) {
      await diff({
        args: () => argv`-reqin ${files[t]} -req_text`,
        expect: { code: 0, stdout: ["OCSP Request Data:"] },
        exact: true,
      });
    }
    // Both requests, as printed by OpenSSL, differ only in the nonce value, and the nonce is
    // an OCTET STRING of 16 bytes inside extnValue like OpenSSL's.
    const [a, b] = await Promise.all(
      BOTH.map((t) => runOcsp("openssl", argv`-reqin ${files[t]} -req_text`)),
    );
    assert.equal(normalizeNonce(b?.stdout ?? ""), normalizeNonce(a?.stdout ?? ""));
    assert.match(b?.stdout ?? "", /OCSP Nonce: \n {12}0410[0-9A-F]{32}\n/);
  });

  test("-reqin alone: nothing printed, exit 0", async () => {
    await diff({
      args: () => argv`-reqin ${rel(offline.reqNoNonce)}`,
      expect: { code: 0, emptyStdout: true, verify: [] },
      exact: true,
    });
  });

  test("-reqin -nonce -req_text: a nonce is added (replacing any)", async () => {
    const { o, k } = await diff({
      args: () => argv`-reqin ${rel(offline.reqNoNonce)} -nonce -req_text`,
      expect: { code: 0, stdout: ["OCSP Nonce:"] },
    });
    assert.equal((o.stdout.match(/OCSP Nonce/g) ?? []).length, 1);
    assert.equal((k.stdout.match(/OCSP Nonce/g) ?? []).length, 1);
  });
});

// ---------------------------------------------------------------------------
describe("offline: responses (-respin)", { concurrency: CASES_AT_ONCE }, () => {
  const good = () => argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}`;
  const main = () => argv`-respin ${rel(offline.respMain)}`;
  const ca = (which: keyof Pki["caFiles"]) => argv`-CAfile ${rel(pki.caFiles[which])}`;
  const same = (args: () => string[], expect: Expect) => diff({ args, expect, exact: true });

  test("-respin alone: verify only, no summary", async () => {
    await same(() => argv`${main()} ${ca("chain")}`, { code: 0, verify: OK, emptyStdout: true });
  });
  test("-respin -resp_text", async () => {
    await same(() => argv`${main()} ${ca("chain")} -resp_text`, { code: 0, verify: OK });
  });
  test("-respin with -cert (nonce in request, none in response) → WARNING: no nonce", async () => {
    await same(() => argv`${good()} ${main()} ${ca("chain")}`, {
      code: 0,
      verify: ["WARNING: no nonce in response", "Response verify OK"],
      stdout: [": good\n"],
    });
  });
  test("-respin with -cert -no_nonce", async () => {
    await same(() => argv`${good()} ${main()} ${ca("chain")} -no_nonce`, { code: 0, verify: OK });
  });
  test("-noverify with a cert that is not in the response → No Status found, exit 1", async () => {
    await same(
      () =>
        argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good2.cert)} ${main()}
             -noverify`,
      { code: 1, verify: [], stdout: ["ERROR: No Status found."] },
    );
  });
  test("root-only CAfile without -issuer → failure (no retry)", async () => {
    await same(() => argv`${main()} ${ca("root")}`, { code: 1, verify: FAIL });
  });
  test("root-only CAfile -verify_other intermediate → OK; with -no_chain → failure", async () => {
    const vo = () => argv`${main()} ${ca("root")} -verify_other ${rel(pki.intermediate.cert)}`;
    await same(() => vo(), { code: 0, verify: OK });
    await same(() => argv`${vo()} -no_chain`, { code: 1, verify: FAIL });
  });
  test("-rother response: root CAfile → OK; -no_chain → failure", async () => {
    const ro = () => argv`-respin ${rel(offline.respRother)} ${ca("root")}`;
    await same(() => ro(), { code: 0, verify: OK });
    await same(() => argv`${ro()} -no_chain`, { code: 1, verify: FAIL });
  });
  test("-no_intern → failure; -no_intern -verify_other signer → OK", async () => {
    await same(() => argv`${main()} ${ca("chain")} -no_intern`, { code: 1, verify: FAIL });
    await same(
      () => argv`${main()} ${ca("chain")} -no_intern -verify_other ${rel(pki.ocspSigner.cert)}`,
      { code: 0, verify: OK },
    );
  });
  test("foreign CAfile: -no_cert_verify → OK; -no_signature_verify → failure", async () => {
    await same(() => argv`${main()} ${ca("foreign")} -no_cert_verify`, { code: 0, verify: OK });
    await same(() => argv`${main()} ${ca("foreign")} -no_signature_verify`, {
      code: 1,
      verify: FAIL,
    });
  });
  test("-resp_no_certs response: failure; -VAfile signer → OK", async () => {
    const nc = () => argv`-respin ${rel(offline.respNoCerts)}`;
    await same(() => argv`${nc()} ${ca("chain")}`, { code: 1, verify: FAIL });
    await same(() => argv`${nc()} -VAfile ${rel(pki.ocspSigner.cert)}`, { code: 0, verify: OK });
  });
  test("intermediate-signed response, foreign CAfile: failure; with -issuer → OK", async () => {
    const it = () => argv`-respin ${rel(offline.respInter)} ${ca("foreign")}`;
    await same(() => it(), { code: 1, verify: FAIL });
    await same(() => argv`${good()} -no_nonce ${it()}`, { code: 0, verify: OK });
  });
  test("-out FILE with -respin -resp_text", async () => {
    const files = outFiles("txt");
    await diff({
      args: (t) => argv`${good()} -no_nonce ${main()} ${ca("chain")} -resp_text -out ${files[t]}`,
      expect: { code: 0, verify: OK, emptyStdout: true },
      textFiles: files,
      exact: true,
    });
  });
  test("WARNING: Status times invalid. (-status_age 1, response ≥ 2 s old)", async () => {
    const wait = offline.respMainAt + 2_100 - Date.now();
    if (wait > 0) await sleep(wait);
    await same(() => argv`${good()} -no_nonce ${main()} ${ca("chain")} -status_age 1`, {
      code: 0,
      verify: OK,
      stdout: [`${rel(pki.leaves.good.cert)}: WARNING: Status times invalid.\n`, "status too old"],
    });
  });

  const statusNames: Record<string, string> = {
    1: "malformedrequest",
    2: "internalerror",
    3: "trylater",
    4: "(UNKNOWN)",
    5: "sigrequired",
    6: "unauthorized",
    7: "(UNKNOWN)",
    99: "(UNKNOWN)",
  };
  for (const [code, name] of Object.entries(statusNames)) {
    test(`-respin error status ${code} (also -resp_text -ignore_err)`, async () => {
      const f = join(out, `status-${code}.der`);
      writeFileSync(f, ocspErrorResponse(Number(code)));
      await same(() => argv`-respin ${rel(f)}`, {
        code: 1,
        verify: [],
        stdout: [`Responder Error: ${name} (${code})\n`],
      });
      await same(() => argv`-respin ${rel(f)} -resp_text -ignore_err`, {
        code: 1,
        stdout: [`    OCSP Response Status: ${name} (0x${Number(code).toString(16)})\n`],
      });
    });
  }
  test("successful status without responseBytes → Error parsing response", async () => {
    const f = join(out, "status-0.der");
    writeFileSync(f, ocspErrorResponse(0));
    await same(() => argv`-respin ${rel(f)} -resp_text`, {
      code: 1,
      verify: [],
      stdout: ["OCSP Response Status: successful (0x0)"],
      stderr: ["Error parsing response"],
    });
  });
});

// ---------------------------------------------------------------------------
describe("interop: files written by one tool, read by the other", {
  concurrency: CASES_AT_ONCE,
}, () => {
  const responder = useResponder(() => startOpensslResponder(pki));
  const certs = () =>
    argv`-issuer ${rel(pki.intermediate.cert)} -cert ${rel(pki.leaves.good.cert)}
         -cert ${rel(pki.leaves.revoked.certificateHold.cert)} -serial ${pki.leaves.unknown.serialHex}`;
  const chain = () => argv`-CAfile ${rel(pki.caFiles.chain)}`;

  test("-respout from each tool, -respin read by both (with and without nonce)", async () => {
    for (const nonce of [[], ["-no_nonce"]]) {
      const files = outFiles("der");
      await diff({
        args: (t) =>
          argv`${certs()} -url ${responder().url} ${chain()} ${nonce} -respout ${files[t]}`,
        expect: { code: 0, verify: OK },
      });
      for (const t of BOTH) {
        // Same file for both tools: exact stdout. With the default nonce, the new request's
        // nonce can't match the file's → Nonce Verify error (exit 1, no summary).
        await diff({
          args: () => argv`${certs()} -respin ${files[t]} ${chain()} ${nonce}`,
          expect:
            nonce.length > 0
              ? { code: 0, verify: OK }
              : { code: 1, verify: ["Nonce Verify error"], emptyStdout: true },
          exact: true,
        });
        await diff({
          args: () => argv`-respin ${files[t]} ${chain()} -resp_text`,
          expect: { code: 0, verify: OK },
          exact: true,
        });
        await diff({
          args: () => argv`${certs()} -respin ${files[t]} -noverify -no_nonce`,
          expect: { code: 0, verify: [] },
          exact: true,
        });
      }
    }
  });

  test("-reqout from each tool, sent by both with -reqin -url", async () => {
    await withOwnResponder(async (r) => {
      const files = outFiles("der");
      await diff({
        args: (t) => argv`${certs()} -reqout ${files[t]}`,
        expect: { code: 0, emptyStdout: true },
      });
      for (const t of BOTH) {
        const n = r.exchanges.length;
        await diff({
          args: () => argv`-reqin ${files[t]} -url ${r.url} ${chain()}`,
          expect: { code: 0, verify: OK, emptyStdout: true },
        });
        if (r.transport === "loopback") {
          const want = readFileSync(files[t]).toString("hex");
          const bodies = r.exchanges.slice(n).map((e) => e.body.toString("hex"));
          assert.deepEqual(bodies, [want, want], "-reqin is sent unchanged");
        }
        await diff({
          args: () => argv`-reqin ${files[t]} -url ${r.url} ${chain()} -text`,
          expect: { code: 0, verify: OK },
        });
      }
    });
  });
});
