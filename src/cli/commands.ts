// The one list of ocspkit's commands: the dispatcher, `ocspkit help`, shell completion, the man
// page (scripts/man.mjs) and the build (scripts/build.mjs: one bundle per command) read it.
// Each command is loaded only when run, so a query loads only its own code.
import type { Io } from "./io.js";

export type CommandMain = (argv: readonly string[], io: Io) => Promise<number>;

export interface CommandEntry {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  readonly load: () => Promise<CommandMain>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "ocsp",
    summary: "the `openssl ocsp` client and responder, option for option",
    load: async () => (await import("./ocsp.js")).ocspCommand,
  },
  {
    name: "check",
    summary: "check certificates: finds the responder and issuer by itself",
    load: async () => (await import("./check.js")).checkCommand,
  },
  {
    name: "serve",
    summary: "run an OCSP responder",
    load: async () => (await import("./serve.js")).serveCommand,
  },
  {
    name: "staple",
    summary: "validate a TLS server's stapled OCSP response",
    load: async () => (await import("./staple.js")).stapleCommand,
  },
  {
    name: "inspect",
    summary: "decode an OCSP request or response",
    load: async () => (await import("./inspect.js")).inspectCommand,
  },
  {
    name: "demo",
    summary: "a throw-away PKI and responder, checked end to end",
    load: async () => (await import("./demo.js")).demoCommand,
  },
  {
    name: "completion",
    summary: "print a shell completion script (bash, zsh or fish)",
    load: async () => (await import("./completion.js")).completionCommand,
  },
];

export function findCommand(name: string | undefined): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The general usage, listing every command. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return (
    "Usage: ocspkit <command> [options]\n" +
    "       ocspkit help <command>     a command's options\n" +
    "       ocspkit --version\n\n" +
    `Commands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}\n`).join("")}`
  );
}
