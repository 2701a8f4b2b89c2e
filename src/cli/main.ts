import { findCommand, usage } from "./commands.js";
import { type Io, processIo } from "./io.js";
import { VERSION } from "./version.js";

const EXIT_USAGE = 64;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  const command = findCommand(cmd);
  if (command) return (await command.load())(rest, io);
  switch (cmd) {
    case undefined:
      io.err(usage());
      return EXIT_USAGE;
    case "help":
    case "-h":
    case "--help": {
      if (rest.length === 0) {
        io.out(usage());
        return 0;
      }
      const which = findCommand(rest[0]);
      if (!which) return unknown(rest[0]!, io);
      return (await which.load())(["--help"], io);
    }
    case "version":
    case "-V":
    case "--version":
      io.out(`${VERSION}\n`);
      return 0;
    default:
      return unknown(cmd, io);
  }
}

function unknown(cmd: string, io: Io): number {
  io.err(`ocspkit: unknown command "${cmd}"\n${usage()}`);
  return EXIT_USAGE;
}
