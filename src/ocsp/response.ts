import { readTlv } from "../der/der.js";
import { describe, OcspError } from "../errors.js";
import { nameBytes } from "../x509/cert.js";
import {
  BASIC_RESPONSE_OID,
  decodeBasic,
  decodeEnvelope,
  type ResponseEnvelope,
} from "./decode.js";

import type { BasicResponse, OcspResponse } from "./types.js";

export type {
  BasicResponse,
  CertStatus,
  OcspResponse,
  ResponderId,
  SingleResponse,
} from "./types.js";
export type { ResponseEnvelope };

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
