// `ocspkit check CERT...`: what `openssl ocsp` makes its user do by hand (find the responder,
// fetch the issuer, verify, read the status) for many certificates at once, with an exit code
// that says revoked.

import { setFlagsFromString } from "node:v8";
import type cliProgress from "cli-progress";
import { InvalidArgumentError } from "commander";
import pc from "picocolors";
import { loadInputs } from "../check/inputs.js";
import { exitCode, resultJson, resultTable } from "../check/report.js";
import {
  type CheckResult,
  checkCertificates,
  MAX_AGE_DEFAULT_SEC,
  type MethodChoice,
} from "../check/run.js";
import { loadCertificates } from "../x509/load.js";
import { openTrustStore } from "../x509/store.js";
import {
  EXIT_USAGE,
  httpUrl,
  newCommand,
  Option,
  onTerminal,
  paintFor,
  positiveInt,
  runParsed,
  seconds,
} from "./command.js";
import { DURATION_FORMS, parseDuration } from "./duration.js";
import { caFileHint } from "./hints.js";
import type { Io } from "./io.js";

/** Inputs up to which a run goes on without the optimizing compiler, once they are read. */
const MAX_UNOPTIMIZED = 10_000;

interface CheckOpts {
  issuer?: string;
  url?: string;
  caFile?: string;
  json?: boolean;
  ndjson?: boolean;
  concurrency: number;
  timeout: number;
  nonce?: boolean;
  maxAge: number;
  method: MethodChoice;
  crlFallback?: boolean;
}

export async function checkCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("check", io)
    .description(
      "Check certificates by OCSP: the responder comes from each certificate's AIA, the issuer " +
        "from --issuer, the same file, --ca-file or the caIssuers URL; every answer is verified.\n" +
        "Exit: 0 all good, 1 any revoked, 2 any unknown, 3 any not checked, 64 usage.",
    )
    .argument(
      "<cert...>",
      "certificate files (PEM, DER, PKCS#7; leaf first), folders, or - for stdin",
    )
    .option("--issuer <file>", "the issuing CA certificate(s)")
    .option("--url <url>", "ask this responder instead of each certificate's AIA OCSP URL", httpUrl)
    .option("--ca-file <file>", "trust anchors (default: the system's trust store)")
    .addOption(new Option("--json", 'print {"results": [...]}').conflicts("ndjson"))
    .option("--ndjson", "print one JSON result a line")
    .option("--concurrency <n>", "requests in flight at once", positiveInt(64), 8)
    .option("--timeout <duration>", "per request or download (30s, 2m, or seconds)", seconds, 10)
    .option("--nonce", "send a nonce (forces POST with --method auto)")
    .option("--no-nonce", "send no nonce (the default, except with --method post)")
    .option(
      "--max-age <duration>",
      "an answer without nextUpdate older than this is stale (s, m, h or d; default 14d)",
      duration,
      MAX_AGE_DEFAULT_SEC,
    )
    .addOption(
      new Option("--method <method>", "HTTP method: GET when short and no nonce (RFC 5019)")
        .choices(["auto", "get", "post"])
        .default("auto"),
    )
    .option("--crl-fallback", "use the CRL when there is no OCSP URL or the responder fails");
  return runParsed(cmd, argv, io, async (operands, raw) => {
    const o = raw as unknown as CheckOpts;
    if (operands.filter((x) => x === "-").length > 1) {
      io.err("ocspkit check: standard input (-) can be read only once\n");
      return EXIT_USAGE;
    }
    const trust = openTrustStore({ caFile: o.caFile });
    const issuers = o.issuer ? loadCertificates(o.issuer, "issuer certificate") : undefined;
    const { inputs, skipped } = loadInputs(operands);
    // Once the certificates are read, the rest of a run (planning, questions, answers) is a
    // little work in each of many functions: optimizing them costs more than it repays in a run
    // this short, and the optimizing compiler's threads take the second core from the signature
    // checks. Measured on 2 cores: 1,000 certificates ~16 ms sooner, 5,000 (1,000 distinct)
    // 453 -> 409 ms. Past 10,000 the run is long enough for V8 to be left as it is. The CLI owns
    // its process; the library never touches V8's flags.
    if (inputs.length <= MAX_UNOPTIMIZED) setFlagsFromString("--no-turbofan");
    for (const s of skipped) io.err(`ocspkit check: skipped ${s}\n`);
    const bar = await progressBar(io, inputs.length, !!(o.json || o.ndjson));
    const hinted = (r: CheckResult) => ({ ...r, error: caFileHint(r.error, !!o.caFile) });
    const found = await checkCertificates(inputs, {
      issuers,
      trust,
      url: o.url,
      nonce: o.nonce,
      // Asked for by name, a nonce must come back: an answer without one may be a replay.
      requireNonce: o.nonce === true,
      maxAgeSec: o.maxAge,
      method: o.method,
      concurrency: o.concurrency,
      timeoutMs: o.timeout * 1000,
      crlFallback: o.crlFallback,
      onResult: (r: CheckResult) => {
        bar?.increment();
        if (o.ndjson) io.out(`${JSON.stringify(resultJson(hinted(r)))}\n`);
      },
    });
    bar?.stop();
    const results = found.map(hinted);
    if (o.json) io.out(`${JSON.stringify({ results: results.map(resultJson) }, null, 2)}\n`);
    else if (!o.ndjson) io.out(resultTable(results, paintFor(io)));
    return exitCode(results);
  });
}

/** A duration above 0, in seconds (no upper bound, unlike --timeout's). */
function duration(v: string): number {
  const n = parseDuration(v);
  if (n === undefined || n <= 0) {
    throw new InvalidArgumentError(`expected a duration above 0 (${DURATION_FORMS}).`);
  }
  return n;
}

/** A progress bar on the terminal's stderr, for runs long enough to want one (loaded only then). */
async function progressBar(
  io: Io,
  total: number,
  machineOutput: boolean,
): Promise<cliProgress.SingleBar | undefined> {
  // Redrawn with escape sequences: not for NO_COLOR or TERM=dumb, which ask for plain text.
  const plain = !pc.isColorSupported;
  if (total < 2 || machineOutput || plain || !onTerminal(io) || !process.stderr.isTTY) {
    return undefined;
  }
  const { SingleBar } = (await import("cli-progress")).default;
  const bar = new SingleBar({
    format: "checking {bar} {value}/{total}",
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  });
  bar.start(total, 0);
  return bar;
}
