/** Stable error codes: scripts and the JSON output key on these, people read the message. */
export type ErrorCode =
  | "ERR_INPUT"
  | "ERR_USAGE"
  | "ERR_REQUEST_MALFORMED"
  | "ERR_RESPONSE_MALFORMED"
  | "ERR_RESPONDER_STATUS"
  | "ERR_SIGNATURE"
  | "ERR_SIGNER_NOT_FOUND"
  | "ERR_SIGNER_UNAUTHORIZED"
  | "ERR_CHAIN"
  | "ERR_NONCE_MISMATCH"
  | "ERR_NO_STATUS"
  | "ERR_STALE"
  | "ERR_TRANSPORT";

export class OcspError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OcspError";
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
