import { COMMANDS } from "./commands.js";
import { type Io, processIo } from "./io.js";
import { VERSION } from "./version.js";

const EXIT_USAGE = 64;

// `completion` is the dispatcher's own, as `help` is: it lists the other commands, so it is
// given the list rather than being in it (no import cycle).
const COMPLETION = "print a shell completion script (bash, zsh or fish)";

/** The general usage, listing every command. */
function usage(): string {
  const list = [...[...COMMANDS].map(([name, c]) => [name, c.summary]), ["completion", COMPLETION]];
  const width = Math.max(...list.map(([name]) => name!.length)) + 2;
  return (
    "Usage: ocspkit <command> [options]\n" +
    "       ocspkit help <command>     a command's options\n" +
    "       ocspkit --version\n\n" +
    `Commands:\n${list.map(([name, summary]) => `  ${name!.padEnd(width)}${summary}\n`).join("")}`
  );
}

const completion = async (argv: readonly string[], io: Io) =>
  (await import("./completion.js")).completionCommand(argv, io, COMMANDS, COMPLETION);

/** May the process end as soon as `main(argv)` has returned and its output is written? */
export function exitsOnReturn(argv: readonly string[]): boolean {
  return argv[0] !== undefined && COMMANDS.get(argv[0])?.exitsOnReturn === true;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  const command = cmd === undefined ? undefined : COMMANDS.get(cmd);
  if (command) return (await command.load())(rest, io);
  switch (cmd) {
    case "completion":
      return completion(rest, io);
    case undefined:
      io.err(usage());
      return EXIT_USAGE;
    case "help":
    case "-h":
    case "--help": {
      if (rest.length === 0 || ["help", "-h", "--help"].includes(rest[0]!)) {
        io.out(usage());
        return 0;
      }
      // Asked for, the help is the output (`ocsp -help` writes to stderr, as OpenSSL does).
      const toOut: Io = { ...io, err: io.out };
      if (rest[0] === "completion") return completion(["--help"], toOut);
      const which = COMMANDS.get(rest[0]!);
      if (!which) return unknown(rest[0]!, io);
      return (await which.load())(["--help"], toOut);
    }
    case "version":
    case "-V":
    case "-v":
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
