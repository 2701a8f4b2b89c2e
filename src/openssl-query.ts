// `openssl ocsp`'s client flow (OpenSSL 3.0 apps/ocsp.c) as two library calls: build the
// request (nonce replaced, optionally signed), then send it or read an answer, decode it in
// OpenSSL's two steps and verify it as OCSP_basic_verify does, once more with the issuers
// trusted when that fails (OCSP_TRUSTOTHER, as apps/ocsp.c does). Two calls, not one,
// because OpenSSL prints the request and writes -reqout before it sends anything.
// It prints nothing: src/cli/ocsp.ts turns the results into OpenSSL's text. This is
// OpenSSL's client, verdict for verdict; the strict RFC 6960 client is queryOcsp (client.ts).
import { describe } from "./errors.js";
import type { CertId } from "./ocsp/certid.js";
import { BASIC_RESPONSE_OID } from "./ocsp/decode.js";
import { checkNonce, type NonceCheck } from "./ocsp/nonce.js";
import {
  buildRequest,
  encodeRequest,
  type OcspRequest,
  parseRequest,
  withNewNonce,
} from "./ocsp/request.js";
import {
  type BasicResponse,
  parseBasicResponse,
  parseResponseEnvelope,
  type ResponseEnvelope,
} from "./ocsp/response.js";
import { signRequest } from "./ocsp/signed-request.js";
import { OCSP_STATUS } from "./ocsp/status.js";
import { proxyFor, sendOcspRequest } from "./transport/http.js";
import { type Verdict, type VerifyFlags, verifyBasic } from "./verify/basic.js";
import type { ChainOptions } from "./verify/chain.js";
import type { Certificate } from "./x509/cert.js";
import { keyMatches, loadPrivateKey } from "./x509/keys.js";
import { loadCertificate, loadCertificates, readFile } from "./x509/load.js";
import { openTrustStore, type StoreOptions } from "./x509/store.js";

export interface OpensslRequestOptions {
  /** The certificates asked about (-cert, -serial); empty when the request is read. */
  readonly ids: readonly CertId[];
  /** -reqin: a DER request file, read when `ids` is empty. */
  readonly reqin?: string;
  /**
   * "default": a new nonce in a request built here; "always" (-nonce): in a request read
   * too, replacing its nonce; "never" (-no_nonce).
   */
  readonly nonce: "default" | "always" | "never";
  /** -signer, -signkey (default: the -signer file), -sign_other, -no_certs. */
  readonly signer?: string;
  readonly signkey?: string;
  readonly signOther?: string;
  readonly noCerts?: boolean;
}

export type OpensslRequest =
  /** Without certificates or -reqin there is no request (an answer read with -respin alone). */
  | { readonly ok: true; readonly request?: OcspRequest; readonly der?: Uint8Array }
  | {
      readonly ok: false;
      readonly problem: "undecodable-request";
      readonly der: Uint8Array;
      readonly error: unknown;
    }
  | { readonly ok: false; readonly problem: "signer-key-mismatch" };

/** The request `openssl ocsp` would send. File faults throw OcspError. */
export function opensslRequest(o: OpensslRequestOptions): OpensslRequest {
  let request = o.ids.length ? buildRequest(o.ids, { nonce: false }) : undefined;
  let der: Uint8Array | undefined;
  if (!request && o.reqin) {
    const bytes = readFile(o.reqin, "OCSP request");
    try {
      // As OpenSSL reads it: the client never checks the times of the certificates it carries.
      request = parseRequest(bytes, true);
      der = bytes;
    } catch (error) {
      return { ok: false, problem: "undecodable-request", der: bytes, error };
    }
  }
  const nonce = o.nonce === "always" || (o.nonce === "default" && o.ids.length > 0);
  if (request && nonce) {
    // A request read with -reqin keeps its other extensions; its nonce is replaced, as OpenSSL does.
    request = withNewNonce(request);
    der = undefined;
  }
  if (request && o.signer) {
    const signer = loadCertificate(o.signer, "signer certificate");
    const key = loadPrivateKey(o.signkey ?? o.signer, "signer private key");
    if (!keyMatches(key, signer)) return { ok: false, problem: "signer-key-mismatch" };
    const others = o.signOther ? loadCertificates(o.signOther, "signer certificates") : [];
    der = signRequest(request, signer, key, o.noCerts ? [] : [signer, ...others]);
    request = parseRequest(der);
  }
  if (request && !der) der = encodeRequest(request);
  return { ok: true, request, der };
}

/** Where the request goes (-url or -host/-port/-path, -header, -timeout, -proxy, -no_proxy). */
export interface OpensslTarget {
  readonly url: string;
  /** The Host header sent unless `headers` name one. */
  readonly hostHeader: string;
  readonly headers: readonly [string, string][];
  readonly timeoutMs?: number;
  readonly proxy?: string;
  readonly noProxy?: string;
}

export interface OpensslAnswerOptions {
  /** The request: sent when `target` is given, and its nonce checked against the answer. */
  readonly request?: OcspRequest;
  readonly requestDer?: Uint8Array;
  /** The responder to ask; without it the answer is read from `respin` (a DER file). */
  readonly target?: OpensslTarget;
  readonly respin?: string;
  /** -ignore_err: go on after an unsuccessful response status. */
  readonly ignoreErr: boolean;
  /** -CAfile, -CApath and their -no- forms: the trust store, opened after decoding. */
  readonly trust: StoreOptions;
  /** -verify_other / -VAfile: where else the signer may be found. */
  readonly verifyOther?: string;
  /** How to verify, or undefined for -noverify. */
  readonly verify?: {
    readonly flags: VerifyFlags;
    readonly chain: ChainOptions;
    /** The -issuer certificates, trusted as they are in the second attempt. */
    readonly issuers: readonly Certificate[];
  };
}

export type OpensslAnswer =
  /** The responder could not be asked or did not answer. */
  | { readonly failed: "send"; readonly error: unknown }
  /** The bytes are not an OCSPResponse. */
  | { readonly failed: "decode"; readonly der: Uint8Array; readonly error: unknown }
  | OpensslAnswered;

export interface OpensslAnswered {
  readonly failed?: undefined;
  readonly der: Uint8Array;
  readonly envelope: ResponseEnvelope;
  /** The BasicOCSPResponse, when the envelope holds one that decodes. */
  readonly basic?: BasicResponse;
  readonly basicError?: unknown;
  /**
   * When `basic` does not decode only because of times that do not read: the response as
   * OpenSSL's decoder reads it, to print (they print as "Bad time value"). Never verified.
   */
  readonly printable?: BasicResponse;
  /**
   * Opening the trust store or -verify_other failed. OpenSSL opens them after printing the
   * response, so the caller reports this after it too; nothing after it was done.
   */
  readonly trustError?: unknown;
  /** Set when verified and a request is known; "mismatch" stops before the signature check. */
  readonly nonce?: NonceCheck;
  readonly verdict?: Verdict;
}

/** Sends the request (or reads the answer), decodes and verifies it as `openssl ocsp` does. */
export async function opensslAnswer(o: OpensslAnswerOptions): Promise<OpensslAnswer> {
  let der: Uint8Array;
  if (o.target && o.requestDer) {
    try {
      der = await send(o.target, o.requestDer);
    } catch (error) {
      return { failed: "send", error };
    }
  } else if (o.respin) {
    der = readFile(o.respin, "OCSP response");
  } else {
    throw new TypeError("opensslAnswer needs a target and a request, or respin");
  }
  // Two steps, as OpenSSL decodes: the envelope (status) first, the signed part after it, so
  // that a malformed signed part still leaves a status to report.
  let envelope: ResponseEnvelope;
  try {
    envelope = parseResponseEnvelope(der);
  } catch (error) {
    return { failed: "decode", der, error };
  }
  if (envelope.status !== OCSP_STATUS.successful && !o.ignoreErr) return { der, envelope };
  let basic: BasicResponse | undefined;
  let basicError: unknown;
  if (envelope.responseDer && envelope.responseType === BASIC_RESPONSE_OID) {
    try {
      basic = parseBasicResponse(envelope.responseDer);
    } catch (err) {
      basicError = err;
    }
  }
  const printable = basicError ? printOnly(envelope.responseDer!) : undefined;
  const answered = { der, envelope, basic, basicError, printable };
  let store: ReturnType<typeof openTrustStore>;
  let verifyOther: Certificate[] = [];
  try {
    store = openTrustStore(o.trust);
    if (o.verifyOther) verifyOther = loadCertificates(o.verifyOther, "validator certificates");
  } catch (trustError) {
    return { ...answered, trustError };
  }
  const readable = basic ?? printable;
  if (!readable || !o.verify) return answered;
  const nonce = o.request && checkNonce(o.request.extensions, readable.extensions);
  if (nonce === "mismatch") return { ...answered, nonce };
  if (!basic) {
    const reason = `the response cannot be verified: ${describe(basicError)}`;
    return { ...answered, nonce, verdict: { ok: false, checks: [], reason } };
  }
  const { flags, chain, issuers } = o.verify;
  let verdict = verifyBasic(basic, { certs: verifyOther, store, flags, chain });
  if (!verdict.ok && issuers.length) {
    const trusted = verifyBasic(basic, {
      certs: issuers,
      store,
      flags: { trustOther: true },
      chain,
    });
    if (trusted.ok) verdict = trusted;
  }
  return { ...answered, nonce, verdict };
}

function printOnly(der: Uint8Array): BasicResponse | undefined {
  try {
    return parseBasicResponse(der, true);
  } catch {
    return undefined;
  }
}

function send(t: OpensslTarget, der: Uint8Array): Promise<Uint8Array> {
  const empty = t.headers.find(([, v]) => v === "");
  // OpenSSL connects and then sends nothing for such a header; say why instead.
  if (empty) throw new Error(`header "${empty[0]}" has an empty value`);
  const headers = t.headers.some(([k]) => k.toLowerCase() === "host")
    ? t.headers
    : [...t.headers, ["Host", t.hostHeader] as [string, string]];
  return sendOcspRequest(t.url, der, {
    headers,
    timeoutMs: t.timeoutMs,
    proxy: proxyFor(t.url, t.proxy, t.noProxy),
  });
}
