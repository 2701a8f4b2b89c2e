// `ocspkit demo`: the README's first command. Everything happens in-process on loopback: the
// engine (src/demo/setup.ts) makes the PKI and starts the responder; this tells the story,
// runs `check` on the leaves and asks the same questions through `ocspkit ocsp`.
import { once } from "node:events";
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { exitCode, resultTable } from "../check/report.js";
import { checkDemoLeaves, type Demo, setUpDemo } from "../demo/setup.js";
import { OcspError } from "../errors.js";
import { captureIo, newCommand, paintFor, runParsed } from "./command.js";
import type { Io } from "./io.js";
import { ocspCommand } from "./ocsp.js";

export async function demoCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("demo", io)
    .description(
      "Make a throw-away PKI, start ocspkit's responder on a free loopback port, check the " +
        "leaves, and show the same questions in `openssl ocsp` syntax. No network needed.",
    )
    .option("--dir <folder>", "where to write the PKI (new or empty; default: a temp folder)")
    .option("--serve", "keep the responder running afterwards, until Ctrl-C");
  return runParsed(cmd, argv, io, async (_operands, o) => {
    let demo: Demo;
    try {
      demo = await setUpDemo({
        dir: o.dir as string | undefined,
        log: (m) => io.err(`responder: ${m}\n`),
      });
    } catch (err) {
      if (!(err instanceof OcspError) || err.code === "ERR_USAGE") throw err;
      io.err(`ocspkit demo: ${err.message}\n`);
      return 1;
    }
    try {
      return await tell(demo, io, o.serve === true);
    } finally {
      await demo.responder.close();
    }
  });
}

async function tell(demo: Demo, io: Io, serve: boolean): Promise<number> {
  const { dir, file, leaves, responder } = demo;
  const { command: ocspkit, commandNote } = commandHere();
  io.out(
    "ocspkit demo: a throw-away PKI and OCSP responder, all on this machine\n\n" +
      `PKI in ${dir}\n` +
      "  root.pem              ocspkit demo Root CA (the trust anchor)\n" +
      "  intermediate.pem      ocspkit demo Intermediate CA\n" +
      "  responder.pem/.key    delegated OCSP responder (id-kp-OCSPSigning, issued by the intermediate)\n" +
      leaves.map((l) => `  ${`${l.name}.pem`.padEnd(22)}${l.note}\n`).join("") +
      "                        (each leaf file holds the leaf, then the intermediate)\n" +
      "  index.txt             OpenSSL's CA database, which the responder answers from\n" +
      `Responder: ${responder.url} (ocspkit's responder, on loopback)\n\n` +
      (commandNote ? `${commandNote}\n\n` : ""),
  );
  const results = await checkDemoLeaves(demo);
  io.out(
    `$ ${ocspkit} check --ca-file ${file("root.pem")} ${leaves.map((l) => file(`${l.name}.pem`)).join(" ")}\n` +
      resultTable(results, paintFor(io)) +
      `(exit code ${exitCode(results)}: 1 = a certificate is revoked)\n\n`,
  );
  io.out("The same questions in `openssl ocsp` syntax (ocspkit ocsp is a drop-in):\n");
  for (const l of leaves) {
    const args = [
      "-issuer",
      file("intermediate.pem"),
      "-cert",
      file(`${l.name}.pem`),
      "-CAfile",
      file("root.pem"),
      "-url",
      responder.url,
    ];
    const run = captureIo();
    await ocspCommand(args, run.io);
    io.out(`$ ${ocspkit} ocsp ${args.join(" ")}\n${run.all()}\n`);
  }
  const wrong = leaves.filter((l, i) => results[i]!.status !== l.expect);
  io.out(
    `Done in ${((Date.now() - demo.started) / 1000).toFixed(1)} s. ` +
      `The files stay in ${dir}; remove it when done.\n` +
      (serve
        ? `The responder keeps running at ${responder.url}; Ctrl-C stops it.\n`
        : `The responder has stopped; \`${ocspkit} demo --serve\` keeps one running to try things by hand.\n`),
  );
  if (wrong.length) {
    io.err(`ocspkit demo: unexpected status for ${wrong.map((l) => l.name).join(", ")}\n`);
    return 1;
  }
  if (serve) await Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]);
  return 0;
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
