import { readTlv } from "../der/der.js";
import { describe, OcspError } from "../errors.js";
import { type AlgorithmId, type Certificate, type Extension, nameBytes } from "../x509/cert.js";
import type { CertId } from "./certid.js";
import {
  BASIC_RESPONSE_OID,
  decodeBasic,
  decodeEnvelope,
  type ResponseEnvelope,
} from "./decode.js";

export type { ResponseEnvelope };

const RESPONSE_STATUS = [
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
  /** The signature BIT STRING's unused-bits count; anything but 0 fails verification. */
  readonly signatureUnusedBits?: number;
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

/** Runs a decoder; any fault becomes one OcspError saying what and where. */
function strictly<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new OcspError("ERR_RESPONSE_MALFORMED", `malformed ${what}: ${describe(err)}`, {
      cause: err,
    });
  }
}

/** The outer OCSPResponse only (status, type, bytes): see decodeEnvelope. */
export function parseResponseEnvelope(der: Uint8Array): ResponseEnvelope {
  if (der.length > MAX_RESPONSE_BYTES) {
    throw new OcspError("ERR_RESPONSE_MALFORMED", `response of ${der.length} bytes exceeds 1 MiB`);
  }
  return strictly("OCSP response", () => decodeEnvelope(der));
}

/**
 * A BasicOCSPResponse, with its ResponderID name checked to be a Name the printers can walk.
 * `forPrint`: for printing only, times read as OpenSSL's decoder reads them (see decodeBasic).
 */
export function parseBasicResponse(der: Uint8Array, forPrint = false): BasicResponse {
  return strictly("BasicOCSPResponse", () => {
    const basic = decodeBasic(der, forPrint);
    const name = basic.responderId.byName;
    if (name) nameBytes(name, readTlv(name, 0), "ResponderID");
    return basic;
  });
}

/**
 * Reads an OCSPResponse with the strict decoder: DER only, every field in place and nothing
 * after the last, sizes bounded.
 */
export function parseResponse(der: Uint8Array, forPrint = false): OcspResponse {
  const { status, responseType, responseDer } = parseResponseEnvelope(der);
  if (!responseDer || responseType !== BASIC_RESPONSE_OID) return { status, responseType };
  return { status, responseType, basic: parseBasicResponse(responseDer, forPrint) };
}
