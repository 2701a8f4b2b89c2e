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
  | "ERR_NONCE_MISSING"
  | "ERR_NO_STATUS"
  | "ERR_NO_RESPONDER"
  | "ERR_NO_CRL"
  | "ERR_STALE"
  | "ERR_TRANSPORT"
  | "ERR_STORE";

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

/** OpenSSL's error-stack form, as node:crypto and node:tls pass it on: `…:error:CODE:LIB:FUNC:REASON:…`. */
const OPENSSL_ERROR = /(?:[0-9A-F]+:)?error:[0-9A-F]+:([^:]+):[^:]*:([^:\n]+)(?::[^\n]*)?/g;

/** Node's file-system errors: `ENOENT: no such file or directory, stat 'x'`. */
const FS_ERROR = /^E[A-Z]+: ([^,]+), \w+ '.*'$/s;

/**
 * One sentence for an error: OpenSSL's stack entries become "library: reason", and a Node
 * file-system error its reason alone (the caller names the file).
 */
export function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const text = (err as { syscall?: unknown })?.syscall ? message.replace(FS_ERROR, "$1") : message;
  return text
    .replace(OPENSSL_ERROR, (_m, lib: string, reason: string) => `${lib.trim()}: ${reason.trim()}`)
    .replace(/\s*\n\s*/g, " ")
    .trim();
}
