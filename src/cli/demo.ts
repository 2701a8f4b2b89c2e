// `ocspkit demo`: the README's first command. Everything happens in-process on loopback.
import { once } from "node:events";
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { newCommand, runParsed } from "../check/cli.js";
import { runDemo } from "../demo/run.js";
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
      ...commandHere(),
    }),
  );
}

/**
 * The commands the demo shows must work when pasted: `ocspkit` when it is on the PATH, else
 * `npx ocspkit` inside the package's folder (after `npm ci`), else the script's own path.
 */
function commandHere(): { command: string; commandNote?: string } {
  if (onPath("ocspkit")) return { command: "ocspkit" };
  const script = process.argv[1] ? realpathSync(process.argv[1]) : "ocspkit";
  const root = dirname(dirname(script));
  // npx finds the package's own bin inside its folder, and a dependency's in node_modules/.bin.
  const inside =
    !relative(root, process.cwd()).startsWith("..") ||
    ancestors(process.cwd()).some((d) => onPath("ocspkit", join(d, "node_modules", ".bin")));
  return {
    command: inside ? "npx ocspkit" : `node ${script}`,
    commandNote:
      `ocspkit is not on your PATH, so the commands below start with \`${inside ? "npx ocspkit" : `node ${script}`}\`; ` +
      `\`npm install -g ${root}\` puts \`ocspkit\` on the PATH.`,
  };
}

function ancestors(dir: string): string[] {
  const up = dirname(dir);
  return up === dir ? [dir] : [dir, ...ancestors(up)];
}

function onPath(name: string, path = process.env.PATH ?? ""): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return dir !== "";
    } catch {
      return false;
    }
  });
}
