// Writes man/ocspkit.1 from the built CLI's own help, as help2man does: the command list from
// `ocspkit help`, then each command's `--help` verbatim, so the page says what --help says.
// `--check` compares instead of writing (exit 1 when the page is stale).
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";

const PAGE = "man/ocspkit.1";
const { version, description } = JSON.parse(readFileSync("package.json", "utf8"));

// Without NODE_EXTRA_CA_CERTS, which would have each of these processes read a CA bundle first.
const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;

/** What the CLI prints, stdout then stderr (`ocsp -help` prints on stderr, as OpenSSL does). */
async function run(...args) {
  try {
    const r = await promisify(execFile)(process.execPath, ["bin/ocspkit.cjs", ...args], { env });
    return `${r.stdout}${r.stderr}`;
  } catch (err) {
    throw new Error(`ocspkit ${args.join(" ")}: exit ${err.code}\n${err.stderr}`);
  }
}

/** roff text: backslashes and hyphens escaped, no line read as a request. */
const roff = (s) =>
  s
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/^([.'])/gm, "\\&$1");

const usage = await run("help");
// Each command's help at once: a process each, and the machine has more than one core.
const commands = await Promise.all(
  [...usage.split("\nCommands:\n")[1].matchAll(/^ {2}(\S+) +(.*)$/gm)].map(
    async ([, name, summary]) => ({ name, summary, help: await run(name, "--help") }),
  ),
);
if (!commands.length) throw new Error("no commands in `ocspkit help`");

const page = [
  `.TH OCSPKIT 1 "" "ocspkit ${version}" "User Commands"`,
  ".SH NAME",
  `ocspkit \\- ${roff(description.replace(/`/g, ""))}`,
  ".SH SYNOPSIS",
  ".B ocspkit",
  ".I command",
  "[\\fIoptions\\fR]",
  ".br",
  ".B ocspkit help",
  ".I command",
  ".br",
  ".B ocspkit \\-\\-version",
  ".SH COMMANDS",
  ...commands.flatMap((c) => [".TP", `.B ${c.name}`, roff(c.summary)]),
  ...commands.flatMap((c) => [
    `.SH "ocspkit ${c.name.toUpperCase()}"`,
    ".nf",
    roff(c.help.trimEnd()),
    ".fi",
  ]),
  ".SH SEE ALSO",
  ".BR openssl\\-ocsp (1)",
  "",
].join("\n");

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(PAGE, "utf8");
  } catch {}
  if (current !== page) {
    process.stderr.write(`${PAGE} is not what the help says: run \`npm run build\`\n`);
    process.exit(1);
  }
} else {
  mkdirSync("man", { recursive: true });
  writeFileSync(PAGE, page);
}
