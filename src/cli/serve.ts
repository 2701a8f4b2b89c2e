import type { Io } from "./io.js";

export async function serveCommand(_argv: readonly string[], io: Io): Promise<number> {
  io.err("ocspkit: 'serve' is not available yet\n");
  return 64;
}
