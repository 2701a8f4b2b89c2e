import type { Io } from "./io.js";

export async function stapleCommand(_argv: readonly string[], io: Io): Promise<number> {
  io.err("ocspkit: 'staple' is not available yet\n");
  return 64;
}
