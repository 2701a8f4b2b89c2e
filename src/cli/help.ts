// Every command's help text as the command itself prints it, and the options named in it: the
// one source that shell completion and the man page are made from, so they cannot drift.
import { captureIo } from "./command.js";
import type { CommandEntry } from "./command-entry.js";

export interface CommandHelp {
  readonly name: string;
  readonly summary: string;
  readonly text: string;
  /** Option names (`--issuer`, `-url`), in the order the help lists them. */
  readonly options: readonly string[];
}

/** An option at the start of a help line: `  --json`, `  -h, --help`, ` -url val` (OpenSSL's). */
const OPTION_LINE = /^ {1,4}(-{1,2}[A-Za-z][\w-]*(?:, -{1,2}[A-Za-z][\w-]*)*)/;

export function optionsIn(text: string): string[] {
  const names = text.split("\n").flatMap((line) => OPTION_LINE.exec(line)?.[1]?.split(", ") ?? []);
  return [...new Set(names)];
}

async function commandHelp(name: string, c: CommandEntry): Promise<CommandHelp> {
  const run = captureIo();
  await (await c.load())(["--help"], run.io);
  const text = run.all();
  return { name, summary: c.summary, text, options: optionsIn(text) };
}

export function allCommandHelp(
  commands: ReadonlyMap<string, CommandEntry>,
): Promise<CommandHelp[]> {
  return Promise.all([...commands].map(([name, c]) => commandHelp(name, c)));
}
