/**
 * A responder process under test (`ocspkit serve`, `ocspkit ocsp -port`, `openssl ocsp
 * -port`): started, awaited until it prints what says it listens, and stopped by the test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface ServerProcess {
  readonly child: ChildProcess;
  /** The match of `ready` in the output. */
  readonly match: RegExpMatchArray;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) unless the process has ended; resolves with its code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns `argv` and resolves once every pattern in `ready` has matched stdout + stderr (the
 * first one's match is returned). Rejects if the process ends first or after `timeoutMs`.
 */
export async function startProcess(
  argv: readonly string[],
  ready: readonly RegExp[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const [cmd, ...args] = argv;
  const child = spawn(cmd!, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const matched = new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const all = out + err;
      if (!ready.every((r) => r.test(all))) return;
      resolve(all.match(ready[0]!)!);
    };
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      check();
    });
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      check();
    });
    void exited.then((code) =>
      reject(new Error(`${argv.join(" ")} ended (${code}) before it was ready:\n${out}${err}`)),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${argv.join(" ")} not ready in time:\n${out}${err}`)),
      opts.timeoutMs ?? 10_000,
    );
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  try {
    const match = await Promise.race([matched, timeout]);
    return { child, match, stdout: () => out, stderr: () => err, exited, stop };
  } catch (e) {
    await stop("SIGKILL");
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
