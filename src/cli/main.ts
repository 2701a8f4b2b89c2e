import { COMMANDS } from "./commands.js";
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
  probe     grade an OCSP responder against RFC 6960, RFC 5019 and the CA/B Forum rules
  demo      a throw-away PKI and responder, checked end to end
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const load = cmd === undefined ? undefined : COMMANDS.get(cmd);
  if (load) return (await load())(rest, processIo);
  switch (cmd) {
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
