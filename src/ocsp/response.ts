import { BasicOCSPResponse, id_pkix_ocsp_basic, OCSPResponse } from "@peculiar/asn1-ocsp";
import { AsnConvert } from "@peculiar/asn1-schema";
import { OcspError } from "../errors.js";
import type { AlgorithmId, Certificate, Extension } from "../x509/cert.js";
import { embeddedCerts, parseDer, toAlgorithm, toCertId, toExtensions, u8 } from "./asn.js";
import type { CertId } from "./certid.js";

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

export function parseResponse(der: Uint8Array): OcspResponse {
  if (der.length > MAX_RESPONSE_BYTES) {
    throw new OcspError("ERR_RESPONSE_MALFORMED", `response of ${der.length} bytes exceeds 1 MiB`);
  }
  const r = parseDer(der, OCSPResponse, "OCSP response", "ERR_RESPONSE_MALFORMED");
  const rb = r.responseBytes;
  if (!rb) return { status: r.responseStatus };
  if (rb.responseType !== id_pkix_ocsp_basic) {
    return { status: r.responseStatus, responseType: rb.responseType };
  }
  const b = parseDer(
    u8(rb.response),
    BasicOCSPResponse,
    "BasicOCSPResponse",
    "ERR_RESPONSE_MALFORMED",
  );
  return {
    status: r.responseStatus,
    responseType: rb.responseType,
    basic: toBasic(b, embeddedCerts(u8(rb.response), 3)),
  };
}

function toBasic(b: BasicOCSPResponse, certs: Certificate[]): BasicResponse {
  const d = b.tbsResponseData;
  const rid = d.responderID;
  if (!b.tbsResponseDataRaw) throw new OcspError("ERR_RESPONSE_MALFORMED", "no tbsResponseData");
  return {
    tbs: u8(b.tbsResponseDataRaw),
    version: d.version,
    responderId: rid.byName
      ? { byName: u8(AsnConvert.serialize(rid.byName)) }
      : { byKey: rid.byKey ? u8(rid.byKey) : new Uint8Array() },
    producedAt: d.producedAt,
    responses: d.responses.map((s) => {
      const st = s.certStatus;
      const status: CertStatus = st.revoked ? "revoked" : st.good === null ? "good" : "unknown";
      return {
        certId: toCertId(s.certID),
        status,
        revocationTime: st.revoked?.revocationTime,
        revocationReason: st.revoked?.revocationReason?.reason,
        thisUpdate: s.thisUpdate,
        nextUpdate: s.nextUpdate,
        extensions: toExtensions(s.singleExtensions),
      };
    }),
    extensions: toExtensions(d.responseExtensions),
    signatureAlgorithm: toAlgorithm(b.signatureAlgorithm),
    signature: u8(b.signature),
    certs,
  };
}
