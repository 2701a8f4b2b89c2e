import type { Io } from "./io.js";

export async function demoCommand(_argv: readonly string[], io: Io): Promise<number> {
  io.err("ocspkit: 'demo' is not available yet\n");
  return 64;
}
