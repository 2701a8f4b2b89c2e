// The options each command names in its own --help: what shell completion offers, so that it
// cannot drift from the help (the man page, scripts/man.mjs, prints the same help texts).
import { captureIo } from "./command.js";
import type { CommandEntry } from "./command-entry.js";

export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  /** Option names (`--issuer`, `-url`), in the order the help lists them. */
  readonly options: readonly string[];
}

/** An option at the start of a help line: `  --json`, `  -h, --help`, ` -url val` (OpenSSL's). */
const OPTION_LINE = /^ {1,4}(-{1,2}[A-Za-z][\w-]*(?:, -{1,2}[A-Za-z][\w-]*)*)/;

function optionsIn(text: string): string[] {
  const names = text.split("\n").flatMap((line) => OPTION_LINE.exec(line)?.[1]?.split(", ") ?? []);
  return [...new Set(names)];
}

async function commandHelp(name: string, c: CommandEntry): Promise<CommandHelp> {
  const run = captureIo();
  await (await c.load())(["--help"], run.io);
  return { name, summary: c.summary, options: optionsIn(run.all()) };
}

export function allCommandHelp(
  commands: ReadonlyMap<string, CommandEntry>,
): Promise<CommandHelp[]> {
  return Promise.all([...commands].map(([name, c]) => commandHelp(name, c)));
}
