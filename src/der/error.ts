import { describe } from "../errors.js";

/** A DER encoding rule broken at `offset`: the one error every decoder in ocspkit throws. */
export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = "DerError";
  }
}

/** Why bytes did not decode, with the common mistake named: PEM given where DER is read. */
export function whyNotDer(bytes: Uint8Array, err: unknown): string {
  const pem = Buffer.from(bytes.subarray(0, 64)).toString("latin1").includes("-----BEGIN");
  return pem ? "this is PEM; openssl ocsp reads DER here" : describe(err);
}
