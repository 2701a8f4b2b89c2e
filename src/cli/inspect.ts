import type { Io } from "./io.js";

export async function inspectCommand(_argv: readonly string[], io: Io): Promise<number> {
  io.err("ocspkit: 'inspect' is not available yet\n");
  return 64;
}
