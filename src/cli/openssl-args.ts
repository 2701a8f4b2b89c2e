// OpenSSL's command-line conventions (apps/lib/opt.c): single or double dash, values as the next
// argument or after "=", options processed in order, unknown options tried as digest names.

/** What an option takes: "-" nothing, "s" a string, "<" an input file, ">" an output file,
 * "p" a positive int, "n" an int, "u" an unsigned long, "M" an int that can be negative. */
export type ArgKind = "-" | "s" | "<" | ">" | "p" | "n" | "u" | "M";

export class ArgError extends Error {}

export interface ParsedOption {
  readonly name: string;
  /** Present for options taking a value; numbers already checked. */
  readonly value?: string;
}

/**
 * Yields options in order. `table` maps option names to kinds; a name not in the table is
 * returned with kind "?" so the caller can try it as a digest.
 */
export function* readOptions(
  prog: string,
  argv: readonly string[],
  table: Readonly<Record<string, ArgKind>>,
): Generator<ParsedOption & { known: boolean }> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "-") throw new ArgError(`${prog}: Extra option: "${arg}"`);
    let name = arg.slice(arg.startsWith("--") ? 2 : 1);
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = table[name];
    if (kind === undefined) {
      if (value !== undefined) throw new ArgError(`${prog}: Unknown option: -${name}`);
      yield { name, known: false };
      continue;
    }
    if (kind === "-") {
      if (value !== undefined) throw new ArgError(`${prog}: Option -${name} does not take a value`);
      yield { name, known: true };
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new ArgError(`${prog}: Option -${name} needs a value`);
      value = argv[++i]!;
    }
    checkNumber(prog, name, kind, value);
    yield { name, value, known: true };
  }
}

function checkNumber(prog: string, name: string, kind: ArgKind, value: string): void {
  if (kind !== "p" && kind !== "n" && kind !== "u" && kind !== "M") return;
  if (!/^[-+]?\d+$/.test(value.trim()))
    throw new ArgError(`${prog}: Can't parse "${value}" as a number`);
  const n = Number(value);
  if (kind === "p" && n <= 0)
    throw new ArgError(`${prog}: Non-positive number "${value}" for option -${name}`);
  if (kind === "u" && n < 0) throw new ArgError(`${prog}: Can't parse "${value}" as a number`);
}
