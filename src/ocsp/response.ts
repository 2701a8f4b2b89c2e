import { children, expectTag, readTlv, TAG } from "../der/der.js";
import { describe, OcspError } from "../errors.js";
import { type AlgorithmId, type Certificate, type Extension, nameBytes } from "../x509/cert.js";
import type { CertId } from "./certid.js";
import { decodeResponse } from "./decode.js";

export const RESPONSE_STATUS = [
  "successful",
  "malformedrequest",
  "internalerror",
  "trylater",
  "(UNKNOWN)",
  "sigrequired",
  "unauthorized",
] as const;

/** OpenSSL's OCSP_response_status_str. */
export function responseStatusName(status: number): string {
  return RESPONSE_STATUS[status] ?? "(UNKNOWN)";
}

export type CertStatus = "good" | "revoked" | "unknown";

export interface SingleResponse {
  readonly certId: CertId;
  readonly status: CertStatus;
  readonly revocationTime?: Date;
  /** CRLReason code; absent when the responder gave none. */
  readonly revocationReason?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly extensions: readonly Extension[];
}

export interface ResponderId {
  /** DER of the responder's Name. */
  readonly byName?: Uint8Array;
  /** SHA-1 of the responder's public key bits. */
  readonly byKey?: Uint8Array;
}

export interface BasicResponse {
  /** The exact bytes of tbsResponseData as received: the signature covers these. */
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly responderId: ResponderId;
  readonly producedAt: Date;
  readonly responses: readonly SingleResponse[];
  readonly extensions: readonly Extension[];
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
  readonly certs: readonly Certificate[];
}

export interface OcspResponse {
  /** OCSPResponseStatus: 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5, 6. */
  readonly status: number;
  readonly responseType?: string;
  /** Present when the status is successful and the type is id-pkix-ocsp-basic. */
  readonly basic?: BasicResponse;
}

export const MAX_RESPONSE_BYTES = 1 << 20;

/**
 * Reads an OCSPResponse with the strict decoder: DER only, every field in place and nothing
 * after the last, sizes bounded. Any fault is one OcspError saying what and where.
 */
export function parseResponse(der: Uint8Array): OcspResponse {
  if (der.length > MAX_RESPONSE_BYTES) {
    throw new OcspError("ERR_RESPONSE_MALFORMED", `response of ${der.length} bytes exceeds 1 MiB`);
  }
  try {
    const r = decodeResponse(der);
    checkEnvelopeTags(der, !!r.basic);
    const name = r.basic?.responderId.byName;
    // The text form and signer lookup walk this Name: it must be one.
    if (name) nameBytes(name, readTlv(name, 0), "ResponderID");
    return r;
  } catch (err) {
    throw new OcspError("ERR_RESPONSE_MALFORMED", `malformed OCSP response: ${describe(err)}`, {
      cause: err,
    });
  }
}

/**
 * decodeResponse takes the outer OCSPResponse, its ResponseBytes and the BasicOCSPResponse
 * inside for SEQUENCEs without looking at their tags; anything else there is not DER of the
 * type, and OpenSSL refuses it too.
 */
function checkEnvelopeTags(der: Uint8Array, basic: boolean): void {
  const top = readTlv(der, 0);
  expectTag(top, TAG.SEQUENCE, "OCSPResponse");
  const wrapper = children(der, top)[1];
  if (!wrapper) return;
  const rb = children(der, wrapper)[0]!;
  expectTag(rb, TAG.SEQUENCE, "ResponseBytes");
  const octets = children(der, rb)[1]!;
  if (basic)
    expectTag(readTlv(der, octets.contentStart, octets.end), TAG.SEQUENCE, "BasicOCSPResponse");
}
