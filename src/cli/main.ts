import { processIo } from "./io.js";

const USAGE = `Usage: ocspkit <command> [options]

Commands:
  ocsp      the \`openssl ocsp\` client and responder, option for option
  check     check certificates: finds the responder and issuer by itself
  serve     run an OCSP responder
  db        create, fill and query a status database (SQLite or PostgreSQL)
  revoke    record a revocation in a status database
  unrevoke  release a certificate on hold
  staple    validate a TLS server's stapled OCSP response
  inspect   decode an OCSP request or response
  demo      a throw-away PKI and responder, checked end to end
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "ocsp":
      return (await import("./ocsp.js")).ocspCommand(rest, processIo);
    case "check":
      return (await import("./check.js")).checkCommand(rest, processIo);
    case "serve":
      return (await import("./serve.js")).serveCommand(rest, processIo);
    case "db":
      return (await import("./db.js")).dbCommand(rest, processIo);
    case "revoke":
      return (await import("./revoke.js")).revokeCommand(rest, processIo);
    case "unrevoke":
      return (await import("./revoke.js")).unrevokeCommand(rest, processIo);
    case "staple":
      return (await import("./staple.js")).stapleCommand(rest, processIo);
    case "inspect":
      return (await import("./inspect.js")).inspectCommand(rest, processIo);
    case "demo":
      return (await import("./demo.js")).demoCommand(rest, processIo);
    case undefined:
    case "help":
    case "-h":
    case "--help":
      processIo.out(USAGE);
      return cmd === undefined ? 64 : 0;
    default:
      processIo.err(`ocspkit: unknown command "${cmd}"\n${USAGE}`);
      return 64;
  }
}
