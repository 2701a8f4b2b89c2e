// `ocspkit demo`: the README's first command. Everything happens in-process on loopback.
import { once } from "node:events";
import { runDemo } from "../demo/run.js";
import { newCommand, runParsed } from "./command.js";
import type { Io } from "./io.js";

export async function demoCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("demo", io)
    .description(
      "Make a throw-away PKI, start ocspkit's responder on a free loopback port, check the " +
        "leaves, and show the same questions in `openssl ocsp` syntax. No network needed.",
    )
    .option("--dir <folder>", "where to write the PKI (new or empty; default: a temp folder)")
    .option("--serve", "keep the responder running afterwards, until Ctrl-C");
  return runParsed(cmd, argv, io, async (_operands, o) =>
    runDemo(io, {
      dir: o.dir as string | undefined,
      serveUntil: o.serve
        ? () =>
            Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]).then(() => undefined)
        : undefined,
    }),
  );
}
