// OCSPResponseStatus (RFC 6960 §4.2.1): the one table of its numbers and names.

/** OCSPResponseStatus values; 4 is unused. */
export const OCSP_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

export type OcspStatusName = keyof typeof OCSP_STATUS;

export const OCSP_STATUS_NAME: Readonly<Record<number, OcspStatusName>> = Object.fromEntries(
  Object.entries(OCSP_STATUS).map(([name, code]) => [code, name as OcspStatusName]),
);

/** OpenSSL's OCSP_response_status_str: the name in lower case, "(UNKNOWN)" for others. */
export function responseStatusName(status: number): string {
  return OCSP_STATUS_NAME[status]?.toLowerCase() ?? "(UNKNOWN)";
}
