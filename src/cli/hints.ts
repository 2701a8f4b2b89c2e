// What to do next, added to messages that otherwise only say what went wrong.
import { OcspError } from "../errors.js";

const NO_ANCHOR =
  /unable to get local issuer certificate|self-signed certificate in certificate chain/;

/** A chain that ends before a trusted root, without --ca-file: the root is most likely private. */
export function caFileHint<E extends OcspError | undefined>(error: E, caFileGiven: boolean): E {
  if (!error || caFileGiven || !NO_ANCHOR.test(error.message)) return error;
  return new OcspError(
    error.code,
    `${error.message} (the system trust store has no root for it: give --ca-file ROOT, the root CA certificate)`,
  ) as E;
}
