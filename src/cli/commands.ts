// The one list of ocspkit's commands. main.ts dispatches on it, `ocspkit help`, shell completion
// and the man page (scripts/man.mjs) list it, and the build makes one bundle per command from
// it: each command lives in src/cli/<name>.ts and is loaded only when run.
import type { CommandEntry } from "./command-entry.js";

export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map([
  [
    "ocsp",
    {
      summary: "the `openssl ocsp` client and responder, option for option",
      load: async () => (await import("./ocsp.js")).ocspCommand,
    },
  ],
  [
    "check",
    {
      summary: "check certificates: finds the responder and issuer by itself",
      load: async () => (await import("./check.js")).checkCommand,
      exitsOnReturn: true,
    },
  ],
  [
    "serve",
    {
      summary: "run an OCSP responder",
      load: async () => (await import("./serve.js")).serveCommand,
    },
  ],
  [
    "db",
    {
      summary: "create, fill and query a status database (SQLite or PostgreSQL)",
      load: async () => (await import("./db.js")).dbCommand,
    },
  ],
  [
    "revoke",
    {
      summary: "record a revocation in a status database",
      load: async () => (await import("./revoke.js")).revokeCommand,
    },
  ],
  [
    "unrevoke",
    {
      summary: "release a certificate on hold",
      load: async () => (await import("./unrevoke.js")).unrevokeCommand,
    },
  ],
  [
    "staple",
    {
      summary: "validate a TLS server's stapled OCSP response",
      load: async () => (await import("./staple.js")).stapleCommand,
    },
  ],
  [
    "inspect",
    {
      summary: "decode an OCSP request or response",
      load: async () => (await import("./inspect.js")).inspectCommand,
    },
  ],
  [
    "probe",
    {
      summary: "grade an OCSP responder against RFC 6960, RFC 5019 and the CA/B Forum rules",
      load: async () => (await import("./probe.js")).probeCommand,
    },
  ],
  [
    "demo",
    {
      summary: "a throw-away PKI and responder, checked end to end",
      load: async () => (await import("./demo.js")).demoCommand,
    },
  ],
]);
