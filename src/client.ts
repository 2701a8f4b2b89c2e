// The library's one-call query: build the request, send it, verify the answer strictly, and
// return a typed result. The CLI's `check` and `demo` sit on this.
import { OcspError } from "./errors.js";
import { type CertId, certIdFor } from "./ocsp/certid.js";
import { type Digest, digestByName, SHA1 } from "./ocsp/digests.js";
import { reasonName } from "./ocsp/reasons.js";
import { buildRequest, encodeRequest } from "./ocsp/request.js";
import { type CertStatus, type OcspResponse, parseResponse } from "./ocsp/response.js";
import { type ConnectionPool, type HttpOptions, sendOcspRequest } from "./transport/http.js";
import type { TrustStore } from "./verify/chain.js";
import { type ResponseVerdict, verifyResponse } from "./verify/response.js";
import type { Certificate } from "./x509/cert.js";

export interface QueryOptions {
  readonly cert: Certificate;
  readonly issuer: Certificate;
  readonly trust: TrustStore;
  /** Untrusted certificates that may complete the responder's chain. */
  readonly extraCerts?: readonly Certificate[];
  /** Responder URL; default the certificate's AIA OCSP URL. */
  readonly url?: string;
  /** Send a nonce (default true for POST; GET requests are meant to be cacheable). */
  readonly nonce?: boolean;
  readonly method?: "GET" | "POST";
  /** CertID digest name (default sha1, what responders universally support). */
  readonly digest?: string;
  readonly timeoutMs?: number;
  readonly proxy?: string;
  /** Keep-alive connections to reuse (default: one connection per query, closed after it). */
  readonly pool?: ConnectionPool;
  readonly now?: Date;
  readonly skewSec?: number;
  /** See VerifyResponseOptions: a sent nonce must come back; the age of answers without nextUpdate. */
  readonly requireNonce?: boolean;
  readonly maxAgeSec?: number;
}

export interface QueryResult {
  /** "error" when the answer could not be obtained or did not verify. */
  readonly status: CertStatus | "error";
  readonly serial: string;
  readonly certId: CertId;
  readonly revocationTime?: Date;
  /** OpenSSL's name for the CRL reason, e.g. "keyCompromise". */
  readonly revocationReason?: string;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  readonly responder: string;
  readonly verdict?: ResponseVerdict;
  readonly response?: OcspResponse;
  readonly error?: OcspError;
}

function pickDigest(name: string | undefined): Digest {
  if (!name) return SHA1;
  const d = digestByName(name);
  if (!d) throw new OcspError("ERR_USAGE", `unknown digest ${name}`);
  return d;
}

/** Asks the responder about one certificate; never throws for responder or verification faults. */
export async function queryOcsp(o: QueryOptions): Promise<QueryResult> {
  const responder = o.url ?? o.cert.ocspUrls[0];
  if (!responder) {
    return {
      serial: o.cert.serialHex,
      certId: certIdFor(o.issuer, o.cert, pickDigest(o.digest)),
      responder: "",
      status: "error",
      error: new OcspError(
        "ERR_USAGE",
        "the certificate names no OCSP responder (no AIA OCSP URL)",
      ),
    };
  }
  const [result] = await queryOcspBatch({ ...o, certs: [o.cert], url: responder });
  return result!;
}

export interface BatchQueryOptions extends Omit<QueryOptions, "cert" | "url"> {
  /** Certificates issued by `issuer`, asked about in one request. */
  readonly certs: readonly Certificate[];
  readonly url: string;
}

/**
 * Asks about several certificates of one CA in one request (RFC 6960 allows a list; RFC 5019
 * responders may refuse it). One result per certificate, in order. The answer is verified as a
 * whole, so a status is returned only when every certificate asked about has a verified one;
 * otherwise every result is the same error. Never throws for responder or verification faults.
 */
export async function queryOcspBatch(o: BatchQueryOptions): Promise<QueryResult[]> {
  const digest = pickDigest(o.digest);
  const ids = o.certs.map((cert) => certIdFor(o.issuer, cert, digest));
  // Plain object literals: a batch makes one result a certificate.
  const each = (r: Omit<QueryResult, "serial" | "certId" | "responder">): QueryResult[] =>
    ids.map((certId, i) => ({
      serial: o.certs[i]!.serialHex,
      certId,
      responder: o.url,
      ...r,
    }));
  const method = o.method ?? "POST";
  const request = buildRequest(ids, { nonce: o.nonce ?? method === "POST" });
  let response: OcspResponse;
  try {
    const http: HttpOptions = {
      method,
      timeoutMs: o.timeoutMs ?? 10_000,
      proxy: o.proxy,
      pool: o.pool,
    };
    response = parseResponse(await sendOcspRequest(o.url, encodeRequest(request), http));
  } catch (err) {
    return each({
      status: "error",
      error: err instanceof OcspError ? err : new OcspError("ERR_TRANSPORT", String(err)),
    });
  }
  const verdict = verifyResponse(response, {
    asked: ids,
    requestExtensions: request.extensions,
    issuer: o.issuer,
    trust: o.trust,
    extraCerts: o.extraCerts,
    now: o.now,
    skewSec: o.skewSec,
    requireNonce: o.requireNonce,
    maxAgeSec: o.maxAgeSec,
  });
  if (!verdict.ok) {
    return each({
      status: "error",
      verdict,
      response,
      error: new OcspError(
        verdict.code ?? "ERR_RESPONSE_MALFORMED",
        verdict.reason ?? "verification failed",
      ),
    });
  }
  return verdict.answers.map((a, i) => ({
    serial: o.certs[i]!.serialHex,
    certId: ids[i]!,
    responder: o.url,
    status: a.status,
    revocationTime: a.revocationTime,
    revocationReason: a.revocationReason === undefined ? undefined : reasonName(a.revocationReason),
    thisUpdate: a.thisUpdate,
    nextUpdate: a.nextUpdate,
    verdict,
    response,
  }));
}
