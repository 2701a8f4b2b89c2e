// Asking the person at the terminal for a key's pass phrase, without echo, as OpenSSL does;
// anywhere else, saying which option gives it.
import type { ReadStream } from "node:tty";
import { OcspError } from "../errors.js";
import type { AskPassphrase } from "../x509/keys.js";

/** Prompts on a terminal; otherwise fails naming `option` (`--key-pass`, `-passin`). */
export function passphrasePrompt(option: string): AskPassphrase {
  return async (path) => {
    // A worker process finds here what its primary was told (below).
    const shared = `OCSPKIT_PASSPHRASE_${Buffer.from(path).toString("hex")}`;
    const asked = process.env[shared];
    if (asked !== undefined) return asked;
    if (!process.stdin.isTTY) {
      throw new OcspError(
        "ERR_INPUT",
        `the key in ${path} is encrypted: give ${option} (pass:…, env:…, file:…)`,
      );
    }
    const typed = await readHidden(`Enter pass phrase for ${path}:`);
    // Worker processes (--workers, -multi) start from the same command line, without the
    // terminal: they find the answer in the environment they inherit.
    process.env[shared] = typed;
    return typed;
  };
}

/** One line typed at the terminal, not echoed; Ctrl-C or Ctrl-D gives up. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin as ReadStream;
  // Echo off before the prompt shows: whatever is typed after seeing it must not appear.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || ch === "\u0004") {
          return finish(new OcspError("ERR_INPUT", "no pass phrase given"));
        }
        if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
        else typed += ch;
      }
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}
