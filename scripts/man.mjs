// Writes man/ocspkit.1 from the built CLI's own help, as help2man does: the command list from
// `ocspkit help`, then each command's `--help` verbatim, so the page says what --help says.
// `--check` compares instead of writing (exit 1 when the page is stale).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const PAGE = "man/ocspkit.1";
const { version, description } = JSON.parse(readFileSync("package.json", "utf8"));

/** What the CLI prints, stdout then stderr (`ocsp -help` prints on stderr, as OpenSSL does). */
function run(...args) {
  const r = spawnSync(process.execPath, ["bin/ocspkit.cjs", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ocspkit ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** roff text: backslashes and hyphens escaped, no line read as a request. */
const roff = (s) =>
  s
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/^([.'])/gm, "\\&$1");

const usage = run("help");
const commands = [...usage.split("\nCommands:\n")[1].matchAll(/^ {2}(\S+) +(.*)$/gm)].map(
  ([, name, summary]) => ({ name, summary, help: run(name, "--help") }),
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
