import type { Io } from "../cli/io.js";
import type { Options } from "../cli/ocsp.js";

/** `openssl ocsp -index … -port …`: the responder side of the drop-in. */
export async function responderCommand(_o: Options, io: Io): Promise<number> {
  io.err("ocspkit: responder mode (-index, -port) is not supported yet\n");
  return 1;
}
