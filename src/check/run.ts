// `check`'s engine: for each certificate find the issuer and the responder, ask (verifying the
// answer strictly), fall back to the CRL when asked to, and report one result per input.

import { type QueryResult, queryOcsp } from "../client.js";
import { checkCrl } from "../crl/check.js";
import type { Crl } from "../crl/crl.js";
import { describe, type ErrorCode, OcspError } from "../errors.js";
import { certIdFor } from "../ocsp/certid.js";
import { SHA1 } from "../ocsp/digests.js";
import { buildRequest, encodeRequest } from "../ocsp/request.js";
import type { CertStatus } from "../ocsp/response.js";
import { getUrl, proxyFor } from "../transport/http.js";
import type { TrustStore } from "../verify/chain.js";
import type { Certificate } from "../x509/cert.js";
import { cached } from "../x509/fetch-issuer.js";
import { nameOneline } from "../x509/text.js";
import type { CheckInput } from "./inputs.js";
import { findIssuer, rootError } from "./issuer.js";

export type MethodChoice = "auto" | "get" | "post";

export interface CheckOptions {
  /** `--issuer`: the issuer must be among these. */
  readonly issuers?: readonly Certificate[];
  readonly trust: TrustStore;
  /** Responder for every certificate, instead of each one's AIA OCSP URL. */
  readonly url?: string;
  /** Default: only with an explicit POST (a GET is meant to be cacheable). */
  readonly nonce?: boolean;
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

/** RFC 5019 §5: GET when the encoded request fits in 255 bytes. */
const MAX_GET_REQUEST = 255;

export async function checkCertificates(
  inputs: readonly CheckInput[],
  o: CheckOptions,
): Promise<CheckResult[]> {
  const pool = inputs.flatMap((i) => i.certs);
  const downloads = new Map<string, Promise<Certificate[]>>();
  const crls = new Map<string, Promise<Crl>>();
  // The same certificate named twice (cert.pem and fullchain.pem) is asked about once.
  const asked = new Map<string, Promise<Omit<CheckResult, "file">>>();
  const timeoutMs = o.timeoutMs ?? 10_000;

  const checkOne = async (input: CheckInput): Promise<Omit<CheckResult, "file">> => {
    if (input.error) return { status: "error", error: input.error };
    const [cert, ...sameFile] = input.certs as [Certificate, ...Certificate[]];
    const base = { subject: nameOneline(cert.subject), serial: cert.serialHex };
    const notARoot = rootError(cert);
    if (notARoot) return { ...base, status: "error", error: notARoot };
    const responder = o.url ?? cert.ocspUrls[0];
    if (!responder && !o.crlFallback) {
      const hint = cert.crlUrls.length ? "; --crl-fallback checks its CRL instead" : "";
      return { ...base, status: "error", error: noResponder(hint) };
    }
    let issuer: Certificate;
    try {
      issuer = await findIssuer(cert, sameFile, {
        explicit: o.issuers,
        pool,
        trust: o.trust,
        timeoutMs,
        downloads,
      });
    } catch (err) {
      return { ...base, status: "error", responder, error: asError(err, "ERR_INPUT") };
    }
    const key = `${responder}\n${Buffer.from(issuer.spki).toString("hex")}\n${cert.serialHex}`;
    return cached(asked, key, async () => {
      let ocspError = noResponder("");
      if (responder) {
        const r = /^https?:\/\//i.test(responder)
          ? fromOcsp(await ask(cert, issuer, responder, o, timeoutMs))
          : {
              status: "error" as const,
              responder,
              source: "OCSP" as const,
              error: new OcspError("ERR_USAGE", `the OCSP URL ${responder} is not an http(s) URL`),
            };
        if (r.status !== "error" || !o.crlFallback) return { ...base, ...r };
        ocspError = r.error ?? ocspError;
      }
      const c = await checkCrl({
        cert,
        issuer,
        trust: o.trust,
        untrusted: [...pool, ...(o.issuers ?? [])],
        timeoutMs,
        now: o.now,
        cache: crls,
      });
      const { url, error, ...status } = c;
      return { ...base, ...status, error, responder: url, source: "CRL", ocspError };
    });
  };

  const results: CheckResult[] = new Array(inputs.length);
  await mapLimit(inputs, o.concurrency ?? 8, async (input, i) => {
    // A malformed extension surfaces only when it is read: it fails this input, not the run.
    const outcome = await checkOne(input).catch(
      (err: unknown): Omit<CheckResult, "file"> => ({
        status: "error",
        error: new OcspError("ERR_INPUT", `the certificate cannot be used: ${describe(err)}`),
      }),
    );
    const r: CheckResult = { file: input.file, ...outcome };
    results[i] = r;
    o.onResult?.(r);
  });
  return results;
}

/** One OCSP exchange, asked once more after a tryLater. */
async function ask(
  cert: Certificate,
  issuer: Certificate,
  url: string,
  o: CheckOptions,
  timeoutMs: number,
): Promise<QueryResult> {
  const nonce = o.nonce ?? o.method === "post";
  const method = httpMethod(o.method ?? "auto", nonce, cert, issuer);
  const query = () =>
    queryOcsp({
      cert,
      issuer,
      trust: o.trust,
      url,
      nonce,
      method,
      timeoutMs,
      proxy: proxyFor(url),
      now: o.now,
    });
  const first = await query();
  if (first.response?.status !== TRY_LATER) return first;
  await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 1000));
  return query();
}

const TRY_LATER = 3;

export function httpMethod(
  choice: MethodChoice,
  nonce: boolean,
  cert: Certificate,
  issuer: Certificate,
): "GET" | "POST" {
  if (choice !== "auto") return choice === "get" ? "GET" : "POST";
  if (nonce) return "POST";
  const der = encodeRequest(buildRequest([certIdFor(issuer, cert, SHA1)], { nonce: false }));
  return getUrl("", der).length - 1 <= MAX_GET_REQUEST ? "GET" : "POST";
}

function fromOcsp(r: QueryResult): Omit<CheckResult, "file" | "subject" | "serial"> {
  return {
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
    "ERR_USAGE",
    `the certificate names no OCSP responder (no AIA OCSP URL) and no --url was given${hint}`,
  );
}

function asError(err: unknown, code: ErrorCode): OcspError {
  return err instanceof OcspError ? err : new OcspError(code, String(err));
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
