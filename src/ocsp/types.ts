// The decoded OCSP messages as plain data. They sit below the decoder (decode.ts) that makes
// them and the parsers (request.ts, response.ts) that check and hand them out.
import type { AlgorithmId, Certificate, Extension } from "../x509/cert.js";
import type { CertId } from "./certid.js";

export interface SingleRequest {
  readonly certId: CertId;
  readonly extensions: readonly Extension[];
}

export interface OcspRequest {
  readonly version: number;
  /** DER of the GeneralName, when the requestor named itself. */
  readonly requestorName?: Uint8Array;
  readonly requests: readonly SingleRequest[];
  readonly extensions: readonly Extension[];
  /** The exact TBSRequest bytes, when parsed: a request signature covers these. */
  readonly tbs?: Uint8Array;
  readonly signature?: {
    readonly algorithm: AlgorithmId;
    readonly value: Uint8Array;
    readonly certs: readonly Certificate[];
  };
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
