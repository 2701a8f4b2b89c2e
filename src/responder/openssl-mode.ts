import type { Io } from "../cli/io.js";

/** `openssl ocsp -index … -port …`: the responder side of the drop-in. */
export async function responderCommand(
  _options: ReadonlyMap<string, string[]>,
  _argv: readonly string[],
  io: Io,
): Promise<number> {
  io.err("ocspkit: responder mode (-index, -port) is not supported yet\n");
  return 1;
}
