// `check`'s engine: for each certificate find the issuer and the responder, ask (verifying the
// answer strictly), fall back to the CRL when asked to, and report one result per input.

import type { QueryResult } from "../client.js";
import type { Crl } from "../crl/crl.js";
import { describe, type ErrorCode, OcspError } from "../errors.js";
import type { CertStatus } from "../ocsp/response.js";
import { ConnectionPool } from "../transport/http.js";
import type { TrustStore } from "../verify/chain.js";
import { SignatureBatch } from "../verify/signature.js";
import type { Certificate } from "../x509/cert.js";
import { nameOneline } from "../x509/name-oneline.js";
import { SubjectIndex } from "../x509/subject-index.js";
import { askAll, limiter, type MethodChoice, type Question } from "./ask.js";
import type { CheckInput } from "./inputs.js";
import { findIssuer, firstCandidate, type IssuerSources, rootError } from "./issuer.js";

export type { MethodChoice };

/** OpenBSD ocspcheck's limit for answers that give no nextUpdate: 14 days. */
export const MAX_AGE_DEFAULT_SEC = 14 * 86_400;

export interface CheckOptions {
  /** `--issuer`: the issuer must be among these. */
  readonly issuers?: readonly Certificate[];
  readonly trust: TrustStore;
  /** Responder for every certificate, instead of each one's AIA OCSP URL. */
  readonly url?: string;
  /** Default: only with an explicit POST (a GET is meant to be cacheable). */
  readonly nonce?: boolean;
  /** An answer without the nonce sent is an error (ERR_NONCE_MISSING). */
  readonly requireNonce?: boolean;
  /** Answers without nextUpdate older than this are stale (ERR_STALE); default 14 days. */
  readonly maxAgeSec?: number;
  readonly method?: MethodChoice;
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number;
  /** Per request or download; default 10 s. */
  readonly timeoutMs?: number;
  readonly crlFallback?: boolean;
  /** Wait before the one retry after tryLater; default 1 s. */
  readonly retryDelayMs?: number;
  readonly now?: Date;
  /** Called as each result is known (for a progress bar). */
  readonly onResult?: (r: CheckResult) => void;
}

export interface CheckResult {
  readonly file: string;
  /** One-line subject of the certificate checked. */
  readonly subject?: string;
  readonly serial?: string;
  readonly status: CertStatus | "error";
  /** OpenSSL's reason name; undefined when revoked without a reason, or not revoked. */
  readonly revocationReason?: string;
  readonly revocationTime?: Date;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  /** The OCSP responder or CRL URL the answer came from, or was asked. */
  readonly responder?: string;
  readonly source?: "OCSP" | "CRL";
  readonly error?: OcspError;
  /** With --crl-fallback: the OCSP failure that the CRL answer stands in for. */
  readonly ocspError?: OcspError;
}

type Outcome = Omit<CheckResult, "file">;

/** A certificate whose issuer is `candidate` if its signature on the certificate holds. */
interface Candidate {
  readonly cert: Certificate;
  readonly sameFile: readonly Certificate[];
  readonly base: Job["base"];
  readonly url?: string;
  readonly candidate: Certificate;
  /** The index of the signature check in the batch's outcomes. */
  readonly check: number;
}

/** A certificate to ask about: once, however many inputs name it. */
interface Job {
  readonly cert: Certificate;
  readonly issuer: Certificate;
  readonly base: Pick<CheckResult, "subject" | "serial">;
  /** The OCSP URL, when there is one. */
  readonly url?: string;
}

export async function checkCertificates(
  inputs: readonly CheckInput[],
  o: CheckOptions,
): Promise<CheckResult[]> {
  const pool = inputs.flatMap((i) => i.certs);
  // Built on the first look-up without --issuer: one pass over the inputs, not one per input.
  const bySubject = new SubjectIndex(() => pool);
  const downloads = new Map<string, Promise<Certificate[]>>();
  const crls = new Map<string, Promise<Crl>>();
  // The same certificate named twice (cert.pem and fullchain.pem) is asked about once.
  const jobs = new Map<string, Job>();
  const timeoutMs = o.timeoutMs ?? 10_000;
  const concurrency = o.concurrency ?? 8;

  // The issuer's key as part of a job's key, computed once an issuer.
  const issuerKeys = new Map<Certificate, string>();
  const keyOf = (issuer: Certificate) => {
    let k = issuerKeys.get(issuer);
    if (k === undefined) {
      k = Buffer.from(issuer.spki).toString("hex");
      issuerKeys.set(issuer, k);
    }
    return k;
  };
  const downloadSlot = limiter(concurrency);

  const sources: IssuerSources = {
    explicit: o.issuers,
    pool: bySubject,
    trust: o.trust,
    timeoutMs,
    downloads,
    limit: downloadSlot,
  };
  /** The whole search for an issuer, downloads included, when the first candidate is not it. */
  const search = async (
    cert: Certificate,
    sameFile: readonly Certificate[],
    base: Job["base"],
    url: string | undefined,
  ): Promise<Outcome | Job> => {
    try {
      return { cert, issuer: await findIssuer(cert, sameFile, sources), base, url };
    } catch (err) {
      return { ...base, status: "error", responder: url, error: asError(err, "ERR_INPUT") };
    }
  };
  // The candidates' signatures, checked together on the thread pool once every input is planned.
  const signatures = new SignatureBatch();
  /**
   * The result, when it is known without asking; else what to ask about, once the issuer is
   * known: a candidate whose signature on the certificate is still to be checked, or the search.
   */
  const plan = (input: CheckInput): Outcome | Job | Candidate | Promise<Outcome | Job> => {
    if (input.error) return { status: "error", error: input.error };
    const [cert, ...sameFile] = input.certs as [Certificate, ...Certificate[]];
    const notARoot = rootError(cert);
    const url = o.url ?? cert.ocspUrls[0];
    const base = { subject: nameOneline(cert.subject), serial: cert.serialHex };
    if (notARoot) return { ...base, status: "error", error: notARoot };
    if (!url && !o.crlFallback) {
      const hint = cert.crlUrls.length ? "; --crl-fallback checks its CRL instead" : "";
      return { ...base, status: "error", error: noResponder(hint) };
    }
    let candidate: Certificate | undefined;
    try {
      candidate = firstCandidate(cert, sameFile, sources);
    } catch {
      // An unreadable extension: the search meets it again and says so, as for any input.
    }
    if (!candidate) return search(cert, sameFile, base, url);
    return { cert, sameFile, base, url, candidate, check: signatures.add(cert, candidate) };
  };

  const finish = async (job: Job, answer?: Promise<QueryResult>): Promise<Outcome> => {
    let ocspError: OcspError | undefined;
    if (job.url) {
      const r = answer
        ? fromOcsp(job.base, await answer)
        : {
            ...job.base,
            status: "error" as const,
            responder: job.url,
            source: "OCSP" as const,
            error: new OcspError(
              "ERR_NO_RESPONDER",
              `the OCSP URL ${job.url} is not a valid http(s) URL`,
            ),
          };
      if (r.status !== "error" || !o.crlFallback) return r;
      ocspError = r.error;
    }
    // CRL parsing (and @peculiar's ASN.1 stack under it) is loaded only when a CRL is needed.
    const { checkCrl } = await import("../crl/status.js");
    const c = await checkCrl({
      cert: job.cert,
      issuer: job.issuer,
      trust: o.trust,
      untrusted: [...pool, ...(o.issuers ?? [])],
      timeoutMs,
      now: o.now,
      cache: crls,
    });
    const { url, error, ...status } = c;
    // Made only now: an Error costs a stack trace, and most certificates never get here.
    ocspError ??= noResponder("");
    // Both failures are said, and the code is the OCSP one: the CRL was only the fallback.
    const both =
      error &&
      new OcspError(ocspError.code, `${ocspError.message}; CRL fallback: ${error.message}`);
    return { ...job.base, ...status, error: both, responder: url, source: "CRL", ocspError };
  };

  // A malformed extension surfaces only when it is read: it fails this input, not the run.
  const unusable = (err: unknown): Outcome => ({
    status: "error",
    error: new OcspError("ERR_INPUT", `the certificate cannot be used: ${describe(err)}`),
  });
  // First what each input needs (finding an issuer may mean downloading it), then every
  // question at once, so that those for the same responder and CA can share requests.
  const planned = inputs.map((input) => {
    try {
      return plan(input);
    } catch (err) {
      return unusable(err);
    }
  });
  const checked = await signatures.outcomes();
  // Searches go on side by side; only those waiting on a download take a while.
  const found = planned.map((p) =>
    !("candidate" in p)
      ? p
      : checked[p.check]!.ok
        ? { cert: p.cert, issuer: p.candidate, base: p.base, url: p.url }
        : search(p.cert, p.sameFile, p.base, p.url),
  );
  const settled: (Outcome | Job)[] = [];
  for (const p of found) settled.push(p instanceof Promise ? await p.catch(unusable) : p);
  // Jobs in input order (not in the order signatures were checked), so that the same inputs
  // make the same requests, which a responder's cache can answer.
  const plans = settled.map((p) => {
    if ("status" in p) return p;
    const key = `${p.url}\n${keyOf(p.issuer)}\n${p.cert.serialHex}`;
    const job = jobs.get(key) ?? p;
    jobs.set(key, job);
    return job;
  });
  const asked = [...jobs.values()].filter(
    (j): j is Job & Question => !!j.url && /^https?:\/\//i.test(j.url) && URL.canParse(j.url),
  );
  const connections = new ConnectionPool(concurrency);
  try {
    const answers: ReadonlyMap<Job, Promise<QueryResult>> = askAll(asked, {
      trust: o.trust,
      nonce: o.nonce,
      method: o.method,
      concurrency,
      timeoutMs,
      retryDelayMs: o.retryDelayMs ?? 1000,
      pool: connections,
      now: o.now,
      requireNonce: o.requireNonce,
      maxAgeSec: o.maxAgeSec ?? MAX_AGE_DEFAULT_SEC,
    });
    const outcomes = new Map([...jobs.values()].map((j) => [j, finish(j, answers.get(j))]));
    return await Promise.all(
      plans.map(async (p, i) => {
        const outcome = "status" in p ? p : await outcomes.get(p)!.catch(unusable);
        const r: CheckResult = { file: inputs[i]!.file, ...outcome };
        o.onResult?.(r);
        return r;
      }),
    );
  } finally {
    connections.close();
  }
}

/** The outcome a verified answer (or its failure) gives; one literal, made for every certificate. */
function fromOcsp(base: Job["base"], r: QueryResult): Outcome {
  return {
    subject: base.subject,
    serial: base.serial,
    status: r.status,
    revocationReason: r.revocationReason,
    revocationTime: r.revocationTime,
    thisUpdate: r.thisUpdate,
    nextUpdate: r.nextUpdate,
    responder: r.responder,
    source: "OCSP",
    error: r.error,
  };
}

function noResponder(hint: string): OcspError {
  return new OcspError(
    "ERR_NO_RESPONDER",
    `the certificate names no OCSP responder (no AIA OCSP URL) and no --url was given${hint}`,
  );
}

function asError(err: unknown, code: ErrorCode): OcspError {
  return err instanceof OcspError ? err : new OcspError(code, String(err));
}
