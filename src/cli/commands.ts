// The one list of ocspkit's commands. main.ts dispatches on it, and the build makes one bundle
// per command from it: each command lives in src/cli/<name>.ts and is loaded only when run.
import type { Io } from "./io.js";

export type CommandMain = (argv: readonly string[], io: Io) => Promise<number>;

export const COMMANDS: ReadonlyMap<string, () => Promise<CommandMain>> = new Map([
  ["ocsp", async () => (await import("./ocsp.js")).ocspCommand],
  ["check", async () => (await import("./check.js")).checkCommand],
  ["serve", async () => (await import("./serve.js")).serveCommand],
  ["db", async () => (await import("./db.js")).dbCommand],
  ["revoke", async () => (await import("./revoke.js")).revokeCommand],
  ["unrevoke", async () => (await import("./unrevoke.js")).unrevokeCommand],
  ["staple", async () => (await import("./staple.js")).stapleCommand],
  ["inspect", async () => (await import("./inspect.js")).inspectCommand],
  ["probe", async () => (await import("./probe.js")).probeCommand],
  ["demo", async () => (await import("./demo.js")).demoCommand],
]);
