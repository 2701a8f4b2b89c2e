/**
 * The built CLI, run inside the test process. Starting a node per case costs ~0.1 s of CPU, most
 * of the suite's time; loading the same bundle `bin/ocspkit.cjs` loads (dist/bin/<command>.cjs)
 * once and calling its command entry with an Io that captures the output tests the shipped
 * program without the start-up. What only a process shows (exit status, stdio, signals, stdin)
 * stays with the spawned tests (`ocspkitCommand()` in pki.ts).
 *
 * `OCSPKIT_CMD` (pki.ts) still wins: with it set every run is spawned, so the harness self-check
 * `OCSPKIT_CMD=openssl` keeps working.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { ocspkitCommand, REPO_ROOT, type RunResult, runArgv } from "./pki.js";

interface Io {
  /** Bytes where OpenSSL's text forms copy them raw (see src/cli/io.ts). */
  out(text: string | Uint8Array): void;
  err(text: string): void;
}
type Entry = (argv: readonly string[], io: Io) => Promise<number>;

/** A run's result, with stdout also as the bytes a spawned ocspkit would have written. */
export interface BuiltRunResult extends RunResult {
  out: Buffer;
}

/** The commands whose bundles export an entry `<name>Command(argv, io)`. */
export type Command = "ocsp" | "check" | "inspect" | "staple" | "probe";

const load = createRequire(import.meta.url);
const entries = new Map<Command | "main", Entry>();

function entry(command: Command | "main"): Entry {
  let f = entries.get(command);
  if (!f) {
    const bundle = join(REPO_ROOT, "dist", "bin", `${command}.cjs`);
    const name = command === "main" ? "main" : `${command}Command`;
    const exported: unknown = (load(bundle) as Record<string, unknown>)[name];
    if (typeof exported !== "function") {
      throw new Error(`${bundle} does not export ${name}: run npm run build`);
    }
    f = exported as Entry;
    entries.set(command, f);
  }
  return f;
}

export interface InProcessOptions {
  /** Relative paths in the arguments are resolved from here (default: the current directory). */
  cwd?: string;
  /** Give up waiting after this many ms (the run itself cannot be killed). Default 20000. */
  timeoutMs?: number;
  /** Variables set in this process for the run (undefined: unset), and put back after it. */
  env?: NodeJS.ProcessEnv;
}

let running = 0;

/** Points the process at `cwd`; runs in flight at once must agree on it. */
function enter(cwd: string | undefined): void {
  if (cwd !== undefined && cwd !== process.cwd()) {
    if (running > 0) throw new Error(`in-process CLI runs in ${process.cwd()} and ${cwd} at once`);
    process.chdir(cwd);
  }
  running++;
}

/**
 * The variables runs in flight have set, and what they were before: runs at once must ask for
 * the same, and the last to finish puts them back.
 */
let applied: { readonly env: NodeJS.ProcessEnv; readonly saved: NodeJS.ProcessEnv } | undefined;

function putEnv(env: NodeJS.ProcessEnv): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** Sets `env` for a run about to start (`running` does not count it yet). */
function setEnv(env: NodeJS.ProcessEnv = {}): void {
  const want = JSON.stringify(Object.entries(env).sort());
  if (running > 0) {
    if (want !== JSON.stringify(Object.entries(applied?.env ?? {}).sort())) {
      throw new Error("in-process CLI runs at once with different environments");
    }
    return;
  }
  applied = { env, saved: Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]])) };
  putEnv(env);
}

function restoreEnv(): void {
  if (running === 0 && applied) {
    putEnv(applied.saved);
    applied = undefined;
  }
}

/**
 * `ocspkit COMMAND ARGS…` in this process: stdout and stderr as the Io received them, the code
 * the command returned, and a crash reported as bin/ocspkit.cjs reports it (exit 70).
 */
export function runBuiltCli(
  command: Command,
  args: readonly string[],
  opts: InProcessOptions = {},
): Promise<BuiltRunResult> {
  return runEntry(entry(command), args, opts);
}

/**
 * `ocspkit ARGV…` in this process, through the dispatcher bin/ocspkit.cjs calls (dist/bin/main.cjs):
 * help, --version, completion and every command.
 */
export function runBuiltMain(
  argv: readonly string[],
  opts: InProcessOptions = {},
): Promise<BuiltRunResult> {
  return runEntry(entry("main"), argv, opts);
}

async function runEntry(
  f: Entry,
  args: readonly string[],
  opts: InProcessOptions,
): Promise<BuiltRunResult> {
  setEnv(opts.env);
  try {
    enter(opts.cwd);
  } catch (err) {
    restoreEnv();
    throw err;
  }
  const chunks: Buffer[] = [];
  let stderr = "";
  const io: Io = {
    // Kept as bytes, as a spawned program's stdout arrives; read as UTF-8 like runCommand.
    out: (t) => void chunks.push(typeof t === "string" ? Buffer.from(t, "utf8") : Buffer.from(t)),
    err: (t) => {
      stderr += t;
    },
  };
  const result = (code: number | null, timedOut: boolean): BuiltRunResult => {
    const out = Buffer.concat(chunks);
    return { stdout: out.toString("utf8"), stderr, code, signal: null, timedOut, out };
  };
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), opts.timeoutMs ?? 20_000);
  });
  try {
    const code = await Promise.race([
      f(args, io).catch((err: unknown) => {
        stderr += `ocspkit: internal error: ${err instanceof Error ? err.stack : String(err)}\n`;
        return 70;
      }),
      limit,
    ]);
    if (code === "timeout") return result(null, true);
    return result(code, false);
  } finally {
    clearTimeout(timer);
    running--;
    restoreEnv();
  }
}

/**
 * `ocspkit COMMAND ARGS…` as the tests normally run it: in this process, or spawned when
 * `OCSPKIT_CMD` names another program.
 */
export function runOcspkit(
  command: Command,
  args: readonly string[],
  opts: InProcessOptions = {},
): Promise<RunResult> {
  if (process.env["OCSPKIT_CMD"]?.trim()) {
    return runArgv([...ocspkitCommand(), command, ...args], opts);
  }
  return runBuiltCli(command, args, opts);
}
