// `ocspkit completion bash|zsh|fish`: a completion script for the shell, made from the command
// list and each command's own --help (src/cli/help.ts), so a new option completes without
// anyone editing this file.
import { Argument } from "commander";
import { newCommand, runParsed } from "./command.js";
import type { CommandEntry } from "./command-entry.js";
import { allCommandHelp, type CommandHelp } from "./help.js";
import type { Io } from "./io.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

/** `commands`: the list to complete (src/cli/commands.ts's), with this command's own summary. */
export async function completionCommand(
  argv: readonly string[],
  io: Io,
  commands: ReadonlyMap<string, CommandEntry>,
  summary: string,
): Promise<number> {
  const cmd = newCommand("completion", io)
    .description(
      "Print a shell completion script for ocspkit. Load it for this shell, or install it:\n" +
        "  bash:  source <(ocspkit completion bash)     (or save it in ~/.local/share/bash-completion/completions/ocspkit)\n" +
        "  zsh:   source <(ocspkit completion zsh)      (or save it as _ocspkit in a folder of $fpath)\n" +
        "  fish:  ocspkit completion fish > ~/.config/fish/completions/ocspkit.fish",
    )
    .addArgument(new Argument("<shell>", "the shell").choices([...SHELLS]));
  return runParsed(cmd, argv, io, async ([shell]) => {
    const self = { name: "completion", summary, options: ["-h", "--help", ...SHELLS] };
    const helps = [...(await allCommandHelp(commands)), self];
    io.out(SCRIPTS[shell as Shell](helps));
    return 0;
  });
}

const words = (xs: readonly string[]) => xs.join(" ");
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

const SCRIPTS: Record<Shell, (helps: readonly CommandHelp[]) => string> = {
  bash: (helps) => `# ocspkit completion for bash: source <(ocspkit completion bash)
_ocspkit() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts=
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quote(words([...helps.map((h) => h.name), "help", "--help", "--version"]))} -- "$cur"))
    return
  fi
  case \${COMP_WORDS[1]} in
${helps.map((h) => `    ${h.name}) opts=${quote(words(h.options))} ;;`).join("\n")}
    help) opts=${quote(words(helps.map((h) => h.name)))} ;;
  esac
  if [[ $cur == -* || \${COMP_WORDS[1]} == help || \${COMP_WORDS[1]} == completion ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  fi
}
complete -o default -F _ocspkit ocspkit
`,
  zsh: (helps) => `#compdef ocspkit
# ocspkit completion for zsh: source <(ocspkit completion zsh), or save as _ocspkit in $fpath
_ocspkit() {
  if (( CURRENT == 2 )); then
    local -a commands=(
${helps.map((h) => `      ${quote(`${h.name}:${h.summary}`)}`).join("\n")}
      'help:show the help of a command'
    )
    _describe 'ocspkit command' commands
    return
  fi
  local -a opts
  case $words[2] in
${helps.map((h) => `    ${h.name}) opts=(${h.options.map(quote).join(" ")}) ;;`).join("\n")}
    help) opts=(${helps.map((h) => h.name).join(" ")}) ;;
  esac
  if [[ $PREFIX == -* || $words[2] == help || $words[2] == completion ]]; then
    compadd -- $opts
  else
    _files
  fi
}
if [[ $funcstack[1] == _ocspkit ]]; then _ocspkit "$@"; else compdef _ocspkit ocspkit; fi
`,
  fish: (helps) =>
    [
      "# ocspkit completion for fish: ocspkit completion fish > ~/.config/fish/completions/ocspkit.fish",
      ...helps.map(
        (h) =>
          `complete -c ocspkit -f -n __fish_use_subcommand -a ${h.name} -d ${quote(h.summary)}`,
      ),
      `complete -c ocspkit -f -n __fish_use_subcommand -a help -d 'show the help of a command'`,
      `complete -c ocspkit -f -n '__fish_seen_subcommand_from help' -a ${quote(words(helps.map((h) => h.name)))}`,
      ...helps.flatMap((h) =>
        h.options.map((opt) => {
          const flag = opt.startsWith("--")
            ? `-l ${opt.slice(2)}`
            : opt.length === 2
              ? `-s ${opt.slice(1)}`
              : `-o ${opt.slice(1)}`;
          return `complete -c ocspkit -n '__fish_seen_subcommand_from ${h.name}' ${flag}`;
        }),
      ),
      "",
    ].join("\n"),
};
