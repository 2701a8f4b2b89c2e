// `ocspkit ocsp`: the `openssl ocsp` client, option for option and line for line. The options
// are read by ocsp-options.ts, the flow is the library's (openssl-query.ts); this maps one to
// the other and the results to OpenSSL 3.0's text, in apps/ocsp.c's order, so that output
// order and exit codes agree. OpenSSL's error-stack lines are replaced by one line of our own.

import { writeFileSync } from "node:fs";
import { whyNotDer } from "../der/error.js";
import { describe, OcspError } from "../errors.js";
import { sameCertId } from "../ocsp/certid.js";
import { reasonName } from "../ocsp/reasons.js";
import type { BasicResponse } from "../ocsp/response.js";
import { responseStatusName } from "../ocsp/status.js";
import { type OpensslTarget, opensslAnswer, opensslRequest } from "../openssl-query.js";
import type { ChainOptions } from "../verify/chain.js";
import { statusTimeProblems } from "../verify/validity.js";
import { gmtTime } from "../x509/gmt.js";
import type { Io } from "./io.js";
import { Exit, type Options, Output, PROG, parseArgs } from "./ocsp-options.js";
import { ArgError } from "./openssl-args.js";

/** The URL to connect to and the Host header OpenSSL sends (-url: no port; -host: verbatim). */
function responderTarget(o: Options): OpensslTarget | undefined {
  if (!o.host) return undefined;
  const hasPort = /:\d+$/.test(o.host) && !o.host.endsWith("]");
  const authority = o.port && !hasPort ? `${o.host}:${o.port}` : o.host;
  // OpenSSL sends "-path ocsp" as "/ocsp".
  const path = o.path.startsWith("/") ? o.path : `/${o.path}`;
  return {
    url: `${o.scheme}://${authority}${path}`,
    hostHeader: o.host,
    headers: o.headers,
    timeoutMs: o.timeoutSec ? o.timeoutSec * 1000 : undefined,
    proxy: o.proxy,
    noProxy: o.noProxy,
  };
}

function chainOptions(o: Options): ChainOptions {
  return {
    at: o.attime !== undefined ? new Date(o.attime * 1000) : new Date(),
    partialChain: o.partialChain,
    ignoreTime: o.noCheckTime,
    ignoreCritical: o.ignoreCritical,
  };
}

function writeDer(path: string, der: Uint8Array): void {
  try {
    writeFileSync(path, der);
  } catch (err) {
    throw new OcspError("ERR_INPUT", `Can't open "${path}" for writing: ${describe(err)}`);
  }
}

export async function ocspCommand(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof Exit) return err.code;
    if (err instanceof ArgError) {
      io.err(`${err.message}\n${PROG}: Use -help for summary.\n`);
      return 1;
    }
    if (err instanceof OcspError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const o = parseArgs(argv, io);
  if (o.responder.has("index") || (o.port && !o.queries.length && !o.reqin)) {
    const { responderCommand } = await import("./ocsp-responder.js");
    return responderCommand(o, io);
  }
  const asked = o.queries.length > 0 || o.reqin !== undefined;
  if (!asked && !o.respin) {
    io.err(`${PROG}: Use -help for summary.\n`);
    return 1;
  }
  const out = new Output(io, o.out);
  const target = responderTarget(o);
  if (!asked && (o.signer || o.reqout || target || o.nonce === 2)) {
    io.err("Need an OCSP request for this operation!\n");
    return 1;
  }
  const prepared = opensslRequest({
    ids: o.queries.map((q) => q.id),
    reqin: o.reqin,
    nonce: (["never", "default", "always"] as const)[o.nonce],
    signer: o.signer,
    signkey: o.signkey,
    signOther: o.signOther,
    noCerts: o.noCerts,
  });
  if (!prepared.ok) {
    io.err(
      prepared.problem === "undecodable-request"
        ? `Error reading OCSP request\n${o.reqin}: ${whyNotDer(prepared.der, prepared.error)}\n`
        : `Error signing OCSP request\nocspkit: the key in ${o.signkey ?? o.signer} does not match the -signer certificate ${o.signer}\n`,
    );
    return 1;
  }
  const { request: req, der: reqDer } = prepared;
  if (o.reqText && req) out.write((await import("../ocsp/text.js")).requestTextBytes(req));
  if (o.reqout && reqDer) writeDer(o.reqout, reqDer);
  if (!(target && reqDer) && !o.respin) return 0;

  const a = await opensslAnswer({
    request: req,
    requestDer: reqDer,
    target: target && reqDer ? target : undefined,
    respin: o.respin,
    ignoreErr: o.ignoreErr,
    trust: { caFile: o.caFile, caPath: o.caPath, noCaFile: o.noCaFile, noCaPath: o.noCaPath },
    verifyOther: o.verifyOther,
    verify: o.noverify ? undefined : { flags: o.flags, chain: chainOptions(o), issuers: o.issuers },
  });
  if (a.failed === "send") {
    io.err(`Error querying OCSP responder\n${describe(a.error)}\n`);
    return 1;
  }
  if (a.failed === "decode") {
    const source = target ? "the responder's answer" : o.respin;
    io.err(
      `${target ? "Error querying OCSP responder" : "Error reading OCSP response"}\n${source}: ${whyNotDer(a.der, a.error)}\n`,
    );
    return 1;
  }
  if (o.respout) writeDer(o.respout, a.der);
  const { status, responseType } = a.envelope;
  if (status !== 0) {
    out.write(`Responder Error: ${responseStatusName(status)} (${status})\n`);
    if (!o.ignoreErr) return 1;
  }
  // A response whose times do not read prints as OpenSSL prints it and fails verification.
  const bs = a.basic ?? a.printable;
  if (o.respText) {
    const text = await import("../ocsp/text.js");
    out.write(
      a.basicError && !bs
        ? text.responseHeaderText(a.envelope)
        : text.responseTextBytes({ status, responseType, basic: bs }),
    );
  }
  if (a.trustError) throw a.trustError;
  if (!bs) {
    io.err(`Error parsing response${a.basicError ? `\n${describe(a.basicError)}` : ""}\n`);
    return 1;
  }
  if (!a.basic && o.noverify) io.err(`ocspkit: ${describe(a.basicError)}\n`);

  let code = 0;
  if (!o.noverify) {
    if (a.nonce === "missing") io.err("WARNING: no nonce in response\n");
    else if (a.nonce === "mismatch") {
      io.err("Nonce Verify error\n");
      return 1;
    }
    if (a.verdict?.ok) io.err("Response verify OK\n");
    else {
      io.err(`Response Verify Failure\nocspkit: ${a.verdict?.reason}\n`);
      code = 1;
    }
  }
  if (req && !summary(out, io, bs, o)) code = 1;
  return code;
}

/** print_ocsp_summary: one block per certificate asked about, in the order asked. */
function summary(out: Output, io: Io, bs: BasicResponse, o: Options): boolean {
  let allFound = true;
  for (const q of o.queries) {
    out.write(`${q.name}: `);
    const s = bs.responses.find((r) => sameCertId(r.certId, q.id));
    if (!s) {
      out.write("ERROR: No Status found.\n");
      allFound = false;
      continue;
    }
    const problems = statusTimeProblems(s.thisUpdate, s.nextUpdate, o.nsec, o.maxAge);
    if (problems.length) {
      out.write("WARNING: Status times invalid.\n");
      io.err(`ocspkit: ${q.name}: ${problems.join(", ")}\n`);
    }
    out.write(`${s.status}\n\tThis Update: ${gmtTime(s.thisUpdate)}\n`);
    if (s.nextUpdate) out.write(`\tNext Update: ${gmtTime(s.nextUpdate)}\n`);
    if (s.status !== "revoked") continue;
    if (s.revocationReason !== undefined)
      out.write(`\tReason: ${reasonName(s.revocationReason)}\n`);
    out.write(`\tRevocation Time: ${gmtTime(s.revocationTime!)}\n`);
  }
  return allFound;
}
