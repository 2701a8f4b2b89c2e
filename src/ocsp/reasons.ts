const REASONS = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "(UNKNOWN)",
  "removeFromCRL",
];

/** OpenSSL's OCSP_crl_reason_str: reasons 9 and 10 are unnamed there too. */
export function reasonName(code: number): string {
  return REASONS[code] ?? "(UNKNOWN)";
}
