import type { Extension } from "../x509/cert.js";

export const NONCE_OID = "1.3.6.1.5.5.7.48.1.2";

/**
 * OpenSSL's OCSP_check_nonce outcomes: "match" (1), "both-absent" (2), "response-only" (3),
 * "missing" in the response while sent (-1), "mismatch" (0).
 */
export type NonceCheck = "match" | "both-absent" | "response-only" | "missing" | "mismatch";

export function findNonce(exts: readonly Extension[]): Uint8Array | undefined {
  return exts.find((e) => e.oid === NONCE_OID)?.value;
}

export function checkNonce(
  requestExts: readonly Extension[],
  responseExts: readonly Extension[],
): NonceCheck {
  const sent = findNonce(requestExts);
  const got = findNonce(responseExts);
  if (!sent && !got) return "both-absent";
  if (!sent) return "response-only";
  if (!got) return "missing";
  return Buffer.from(sent).equals(got) ? "match" : "mismatch";
}
