// The strict verification the library and the modern commands use: everything OpenSSL's
// OCSP_basic_verify checks (see basic.ts), plus the RFC 6960 rules `openssl ocsp` leaves to its
// user. A status is only returned when every check passed.
import { describe, type ErrorCode } from "../errors.js";
import { type CertId, certIdHash, sameCertId } from "../ocsp/certid.js";
import { checkNonce, NONCE_OID } from "../ocsp/nonce.js";
import type { OcspResponse, SingleResponse } from "../ocsp/response.js";
import { responseStatusName } from "../ocsp/status.js";
import type { Certificate, Extension } from "../x509/cert.js";
import { type Check as BasicCheck, verifyBasic } from "./basic.js";
import type { TrustStore } from "./chain.js";
import { statusTimeProblems } from "./validity.js";

export interface ResponseCheck {
  readonly name:
    | BasicCheck["name"]
    | "response-status"
    | "response-type"
    | "critical-extensions"
    | "certid-match"
    | "nonce"
    | "time-window";
  readonly ok: boolean;
  readonly detail: string;
}

export interface ResponseVerdict {
  readonly ok: boolean;
  readonly checks: readonly ResponseCheck[];
  /** One answer per asked CertID, in the order asked; only when ok. */
  readonly answers: readonly SingleResponse[];
  readonly signer?: Certificate;
  readonly code?: ErrorCode;
  readonly reason?: string;
}

export interface VerifyResponseOptions {
  /** The CertIDs that were asked about: every one must be answered, nothing else is used. */
  readonly asked: readonly CertId[];
  /** The request's extensions (for the nonce), when a request was sent. */
  readonly requestExtensions?: readonly Extension[];
  /** The issuing CA of the certificates asked about; it may sign directly. */
  readonly issuer: Certificate;
  readonly trust: TrustStore;
  /** Further untrusted certificates for the signer's chain. */
  readonly extraCerts?: readonly Certificate[];
  readonly now?: Date;
  /** Allowed clock skew, seconds (OpenSSL's -validity_period default, 300). */
  readonly skewSec?: number;
  /**
   * Reject answers without nextUpdate whose thisUpdate is older than this many seconds (as
   * OpenBSD's ocspcheck does); an answer with nextUpdate is bounded by it instead.
   */
  readonly maxAgeSec?: number;
  /** Require the nonce to be echoed when one was sent (RFC 8954 leaves this to the client). */
  readonly requireNonce?: boolean;
}

/** Extensions ocspkit understands; any other marked critical makes the answer unusable. */
const KNOWN_EXTENSIONS = new Set([
  NONCE_OID,
  "1.3.6.1.5.5.7.48.1.3", // CRL ID
  "1.3.6.1.5.5.7.48.1.6", // archive cutoff
  "1.3.6.1.5.5.7.48.1.9", // extended revoke (RFC 6960 §4.4.8)
  "2.5.29.21", // CRL reason
  "2.5.29.24", // invalidity date
  "2.5.29.23", // hold instruction
]);

const unknownCritical = (e: Extension) => e.critical && !KNOWN_EXTENSIONS.has(e.oid);

/** Verifies `resp` strictly; never throws, and returns answers only when every check passed. */
export function verifyResponse(resp: OcspResponse, opts: VerifyResponseOptions): ResponseVerdict {
  const checks: ResponseCheck[] = [];
  const fail = (name: ResponseCheck["name"], detail: string, code: ErrorCode): ResponseVerdict => {
    checks.push({ name, ok: false, detail });
    return { ok: false, checks, answers: [], code, reason: detail };
  };
  try {
    return runChecks(resp, opts, checks, fail);
  } catch (err) {
    const last = checks.at(-1)?.name;
    const name = last ? (ORDER[ORDER.indexOf(last) + 1] ?? last) : "response-status";
    return fail(name, `cannot be checked: ${describe(err)}`, "ERR_RESPONSE_MALFORMED");
  }
}

const ORDER: readonly ResponseCheck["name"][] = [
  "response-status",
  "response-type",
  "signer-found",
  "signature",
  "signer-chain",
  "signer-authorized",
  "critical-extensions",
  "certid-match",
  "nonce",
  "time-window",
];

function runChecks(
  resp: OcspResponse,
  opts: VerifyResponseOptions,
  checks: ResponseCheck[],
  fail: (name: ResponseCheck["name"], detail: string, code: ErrorCode) => ResponseVerdict,
): ResponseVerdict {
  if (resp.status !== 0) {
    return fail(
      "response-status",
      `responder error: ${responseStatusName(resp.status)} (${resp.status})`,
      "ERR_RESPONDER_STATUS",
    );
  }
  checks.push({ name: "response-status", ok: true, detail: "successful" });
  const bs = resp.basic;
  if (!bs)
    return fail(
      "response-type",
      `unsupported response type ${resp.responseType ?? "(none)"}`,
      "ERR_RESPONSE_MALFORMED",
    );
  checks.push({ name: "response-type", ok: true, detail: "id-pkix-ocsp-basic" });

  // One instant for the whole answer: the signer's chain and every status time.
  const now = opts.now ?? new Date();
  const basic = verifyBasic(bs, {
    certs: [opts.issuer, ...(opts.extraCerts ?? [])],
    store: opts.trust,
    flags: {},
    chain: { at: now, partialChain: false },
  });
  checks.push(...basic.checks);
  if (!basic.ok)
    return {
      ok: false,
      checks,
      answers: [],
      signer: basic.signer,
      code: basic.code,
      reason: basic.reason,
    };

  let critical = bs.extensions.find(unknownCritical);
  for (let i = 0; !critical && i < bs.responses.length; i++)
    critical = bs.responses[i]!.extensions.find(unknownCritical);
  if (critical)
    return fail(
      "critical-extensions",
      `unknown critical extension ${critical.oid}`,
      "ERR_RESPONSE_MALFORMED",
    );
  checks.push({ name: "critical-extensions", ok: true, detail: "none unknown" });

  const answers: SingleResponse[] = [];
  // Indexed once: a batch of n CertIDs would otherwise cost n × n comparisons. Answers with
  // the same hash are chained in response order (next), without an array each.
  const { responses } = bs;
  const firstOf = new Map<number, number>();
  const next = new Int32Array(responses.length).fill(-1);
  for (let i = responses.length - 1; i >= 0; i--) {
    const h = certIdHash(responses[i]!.certId);
    const f = firstOf.get(h);
    if (f !== undefined) next[i] = f;
    firstOf.set(h, i);
  }
  for (const id of opts.asked) {
    let a: SingleResponse | undefined;
    let conflict = false;
    for (let i = firstOf.get(certIdHash(id)) ?? -1; i >= 0; i = next[i]!) {
      const r = responses[i]!;
      if (!sameCertId(r.certId, id)) continue;
      // OpenSSL takes the first; an answer that also says something else is no answer.
      if (!a) a = r;
      else if (r.status !== a.status) conflict = true;
    }
    if (!a)
      return fail(
        "certid-match",
        "the response has no status for a certificate that was asked about",
        "ERR_NO_STATUS",
      );
    if (conflict)
      return fail(
        "certid-match",
        "the response gives conflicting statuses for one certificate",
        "ERR_RESPONSE_MALFORMED",
      );
    answers.push(a);
  }
  checks.push({
    name: "certid-match",
    ok: true,
    detail: `${answers.length} of ${opts.asked.length} answered`,
  });

  if (opts.requestExtensions) {
    const n = checkNonce(opts.requestExtensions, bs.extensions);
    if (n === "mismatch")
      return fail(
        "nonce",
        "the response's nonce differs from the request's (replayed answer?)",
        "ERR_NONCE_MISMATCH",
      );
    if (n === "missing" && opts.requireNonce)
      return fail("nonce", "the response does not echo the request's nonce", "ERR_NONCE_MISSING");
    checks.push({ name: "nonce", ok: true, detail: n });
  }

  // The answers of a batch mostly share their times: times like those of the answer before,
  // which passed, pass again without being judged again.
  let passedThis: number | undefined;
  let passedNext: number | undefined;
  for (const a of answers) {
    const thisMs = a.thisUpdate.getTime();
    const nextMs = a.nextUpdate?.getTime();
    if (thisMs === passedThis && nextMs === passedNext) continue;
    const problems = statusTimeProblems(
      a.thisUpdate,
      a.nextUpdate,
      opts.skewSec ?? 300,
      a.nextUpdate ? -1 : (opts.maxAgeSec ?? -1),
      now,
    );
    if (problems.length) return fail("time-window", problems.join(", "), "ERR_STALE");
    passedThis = thisMs;
    passedNext = nextMs;
  }
  checks.push({
    name: "time-window",
    ok: true,
    detail: "thisUpdate/nextUpdate within the allowed skew",
  });
  return { ok: true, checks, answers, signer: basic.signer };
}
