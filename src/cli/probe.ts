// `ocspkit probe [URL]`: grade a live OCSP responder against RFC 6960, RFC 5019 and the CA/B
// Forum rules. Options only; the probing is src/probe/.
// Exit: 0 nothing failed, 1 a check failed, 3 the responder could not be asked at all, 64 usage.
import { writeFileSync } from "node:fs";
import { type Crl, parseCrl } from "../crl/crl.js";
import { describe, OcspError } from "../errors.js";
import { CHECK_IDS, PROFILES, type Profile } from "../probe/checks.js";
import { probeExitCode, probeResponder } from "../probe/probe.js";
import { probeJson, probeText } from "../probe/report.js";
import { loadCertificate, readFile } from "../x509/load.js";
import { openTrustStore } from "../x509/store.js";
import {
  EXIT_USAGE,
  httpUrl,
  newCommand,
  Option,
  paintFor,
  positiveInt,
  runParsed,
  seconds,
} from "./command.js";
import type { Io } from "./io.js";

interface ProbeOpts {
  issuer: string;
  good?: string;
  revoked?: string;
  crl?: string;
  caFile?: string;
  profile: Profile;
  json?: boolean;
  html?: string;
  timeout: number;
  only?: string[];
  skip?: string[];
  repeat: number;
}

const idList = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

export async function probeCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("probe", io)
    .description(
      "Grade an OCSP responder: planned requests (POST, GET, nonces, foreign and unassigned " +
        "CertIDs, malformed bodies), each answer checked against RFC 6960, RFC 5019 and the " +
        "CA/B Forum Baseline Requirements.\n" +
        "Exit: 0 nothing failed, 1 a check failed, 3 no OCSP answer at all, 64 usage.",
    )
    .argument(
      "[url]",
      "the responder (default: the AIA OCSP URL of --good, else --revoked)",
      httpUrl,
    )
    .requiredOption("--issuer <file>", "the CA whose certificates the responder answers for")
    .option("--good <file>", "a certificate the responder must call good")
    .option("--revoked <file>", "a certificate the responder must call revoked")
    .option("--crl <file|url>", "a CRL to compare with (default: the certificates' CRL DP)")
    .option("--ca-file <file>", "trust anchors the issuer must chain to")
    .addOption(
      new Option("--profile <profile>", "the rules to grade by")
        .choices(PROFILES)
        .default("rfc5019"),
    )
    .option("--json", "print the report as JSON")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("--timeout <seconds>", "per request", seconds, 10)
    .option("--only <ids>", "run only these checks (comma-separated)", idList)
    .option("--skip <ids>", "leave these checks out (comma-separated)", idList)
    .option("--repeat <n>", "how many more times consistency asks", positiveInt(50), 4)
    .addHelpText("after", `\nChecks: ${CHECK_IDS.join(", ")}\n`);
  return runParsed(cmd, argv, io, async ([url], raw) => {
    const o = raw as unknown as ProbeOpts;
    const issuer = loadCertificate(o.issuer, "issuer certificate");
    const report = await probeResponder({
      url,
      issuer,
      good: o.good ? loadCertificate(o.good, "--good certificate") : undefined,
      revoked: o.revoked ? loadCertificate(o.revoked, "--revoked certificate") : undefined,
      crl: o.crl ? loadCrl(o.crl) : undefined,
      trust: o.caFile ? openTrustStore({ caFile: o.caFile, noCaPath: true }) : undefined,
      profile: o.profile,
      timeoutMs: o.timeout * 1000,
      repeat: o.repeat,
      only: o.only,
      skip: o.skip,
    });
    if (o.json) io.out(`${JSON.stringify(probeJson(report), null, 2)}\n`);
    else io.out(probeText(report, paintFor(io)));
    if (o.html) {
      // The text printers the page needs are loaded only for it.
      const { probeHtml } = await import("../probe/html.js");
      try {
        writeFileSync(o.html, probeHtml(report));
      } catch (err) {
        io.err(`ocspkit probe: cannot write the HTML report to ${o.html}: ${describe(err)}\n`);
        return EXIT_USAGE;
      }
    }
    if (!report.reachable) io.err(`ocspkit probe: no OCSP response came back from ${report.url}\n`);
    return probeExitCode(report);
  });
}

/** A CRL file is read now (a bad one is a usage error); a URL is fetched by the probe. */
function loadCrl(v: string): Crl | string {
  if (/^https?:\/\//i.test(v)) return v;
  try {
    return parseCrl(readFile(v, "CRL"), v);
  } catch (err) {
    if (err instanceof OcspError && err.code === "ERR_INPUT") throw err;
    throw new OcspError("ERR_INPUT", `--crl ${v}: ${describe(err)}`);
  }
}
