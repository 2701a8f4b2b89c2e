// The commander plumbing shared by `check`, `staple`, `inspect` and `demo`: output through the
// injected Io, usage errors as exit 64 with one line naming the command, and option parsers
// that say which option was wrong.

import type * as Commander from "commander";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pc from "picocolors";
import type { Paint } from "../check/report.js";
import { OcspError } from "../errors.js";
import { DURATION_FORMS, parseDuration } from "./duration.js";
import type { Io } from "./io.js";

export const EXIT_USAGE = 64;

export { Option };

/** A command whose output goes to `io` and whose parse errors are returned, not thrown. */
export function newCommand(name: string, io: Io): Commander.Command {
  const prefix = `ocspkit ${name}`;
  return new Command(prefix)
    .exitOverride()
    .helpOption("-h, --help", "show this help")
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`${prefix}: ${s.replace(/^error: /, "")}`),
    })
    .showHelpAfterError(`(see: ${prefix} --help)`);
}

/**
 * Parses `argv` and runs the action; maps help to 0, parse errors to 64, and an OcspError of
 * kind ERR_USAGE or ERR_INPUT thrown while setting up to one message and 64.
 */
export async function runParsed(
  cmd: Commander.Command,
  argv: readonly string[],
  io: Io,
  action: (operands: string[], opts: Record<string, unknown>) => Promise<number>,
): Promise<number> {
  let code = 0;
  cmd.action(async (...args: unknown[]) => {
    // commander passes the operands, then the options object, then the command.
    const opts = cmd.opts();
    const operands = args.slice(0, -2).flatMap((a) => (a === undefined ? [] : a)) as string[];
    code = await action(operands, opts);
  });
  try {
    await cmd.parseAsync([...argv], { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === "commander.helpDisplayed" || err.code === "commander.version"
        ? 0
        : EXIT_USAGE;
    }
    if (err instanceof OcspError && (err.code === "ERR_USAGE" || err.code === "ERR_INPUT")) {
      io.err(`${cmd.name()}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

export function positiveInt(max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`);
    }
    return n;
  };
}

/** An http(s) URL, or a usage error naming the option's value. */
export function httpUrl(v: string): string {
  let u: URL | undefined;
  try {
    u = new URL(v);
  } catch {
    u = undefined;
  }
  if (u?.protocol !== "http:" && u?.protocol !== "https:") {
    throw new InvalidArgumentError("expected an http:// or https:// URL.");
  }
  return v;
}

/** A duration (`30`, `30s`, `2m`) above 0 and at most an hour, in seconds. */
export function seconds(v: string): number {
  const n = parseDuration(v);
  if (n === undefined || n <= 0 || n > 3600) {
    throw new InvalidArgumentError(
      `expected a duration above 0 and at most 1h (${DURATION_FORMS}).`,
    );
  }
  return n;
}

/** Is this a person at a terminal (output to the real stdout, which is a TTY)? */
export function onTerminal(io: Io): boolean {
  return io.isProcess === true && process.stdout.isTTY === true;
}

export function paintFor(io: Io): Paint {
  return pc.createColors(onTerminal(io) && pc.isColorSupported);
}

/** An Io that keeps what a command prints: stdout, stderr, and both in the order written. */
export function captureIo(): { io: Io; out(): string; err(): string; all(): string } {
  let out = "";
  let err = "";
  let all = "";
  return {
    io: {
      out: (t) => {
        const text = typeof t === "string" ? t : Buffer.from(t).toString("utf8");
        out += text;
        all += text;
      },
      err: (t) => {
        err += t;
        all += t;
      },
    },
    out: () => out,
    err: () => err,
    all: () => all,
  };
}
