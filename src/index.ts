// The public library API. The CLI is a thin layer over these.
export { type CheckInput, loadInputs } from "./check/inputs.js";
export { type CheckOptions, type CheckResult, checkCertificates } from "./check/run.js";
export {
  type BatchQueryOptions,
  type QueryOptions,
  type QueryResult,
  queryOcsp,
  queryOcspBatch,
} from "./client.js";
export { type Crl, type CrlStatus, crlStatus, parseCrl } from "./crl/crl.js";
export { type CrlCheckResult, checkCrl } from "./crl/status.js";
export { describe, type ErrorCode, OcspError } from "./errors.js";
export { type CertId, certIdFor, parseSerial, sameCertId } from "./ocsp/certid.js";
export { type Digest, digestByName } from "./ocsp/digests.js";
export { checkNonce, type NonceCheck } from "./ocsp/nonce.js";
export { reasonName } from "./ocsp/reasons.js";
export { buildRequest, encodeRequest, type OcspRequest, parseRequest } from "./ocsp/request.js";
export {
  type BasicResponse,
  type CertStatus,
  type OcspResponse,
  parseResponse,
  type SingleResponse,
} from "./ocsp/response.js";
export { OCSP_STATUS, responseStatusName } from "./ocsp/status.js";
export { requestText, responseText } from "./ocsp/text.js";
export {
  type OpensslAnswer,
  type OpensslAnswerOptions,
  type OpensslRequest,
  type OpensslRequestOptions,
  type OpensslTarget,
  opensslAnswer,
  opensslRequest,
} from "./openssl-query.js";
export type { CheckResult as ProbeCheckResult, CheckStatus, Profile } from "./probe/checks.js";
export {
  type ProbeOptions,
  type ProbeReport,
  probeExitCode,
  probeResponder,
} from "./probe/probe.js";
export {
  type ResponderConfig,
  startResponder,
} from "./responder/server.js";
export { checkStaple, fetchStaple, type Handshake, type StapleVerdict } from "./tls/staple.js";
export { ConnectionPool, getUrl, type HttpOptions, sendOcspRequest } from "./transport/http.js";
export { type Verdict, type VerifyFlags, verifyBasic } from "./verify/basic.js";
export { buildChain, TrustStore } from "./verify/chain.js";
export { type ResponseVerdict, verifyResponse } from "./verify/response.js";
export { Certificate } from "./x509/cert.js";
export { fetchIssuers, parseCertBundle } from "./x509/fetch-issuer.js";
export { loadCertificate, loadCertificates, parseCertificates } from "./x509/load.js";
export { openTrustStore } from "./x509/store.js";
