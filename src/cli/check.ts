import type { Io } from "./io.js";

export async function checkCommand(_argv: readonly string[], io: Io): Promise<number> {
  io.err("ocspkit: 'check' is not available yet\n");
  return 64;
}
