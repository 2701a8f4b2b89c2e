// Long-lived processes of the bench (responders, the fixed server). Each is started in its own
// process group under coreutils `timeout`, and stopped with SIGTERM to that group: at the end
// of its use, when the bench exits or is interrupted, or by the watchdog. `timeout -k` follows
// up with SIGKILL, and bounds the process's life should the bench itself be killed outright.
// Short commands go through test/support's runCommand, which bounds each one with a timeout.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { runCommand } from "../test/support/pki.js";

const live = new Set<ChildProcess>();
let deadline = Date.now() + 15 * 60_000;

/** True when `cmd` is on the PATH. */
export function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Whether `pinned` puts processes on given CPUs (asked for, and taskset exists). */
let pinning = false;

/** Kills everything still running after `seconds`, and turns Ctrl-C into a clean stop. */
export function installGuards(seconds: number, pin: boolean): void {
  deadline = Date.now() + seconds * 1000;
  pinning = pin && have("taskset");
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${seconds} s, stopping\n`);
    killAll();
    process.exit(124);
  }, seconds * 1000);
  watchdog.unref();
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping the processes it started\n`);
      killAll();
      process.exit(130);
    });
  }
}

export function isPinned(): boolean {
  return pinning;
}

/** `argv` prefixed with `taskset -c cpu` when pinning; undefined cpu means unpinned. */
export function pinned(cpu: number | undefined, argv: readonly string[]): string[] {
  return pinning && cpu !== undefined ? ["taskset", "-c", String(cpu), ...argv] : [...argv];
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    // The negative pid addresses the group the child leads (detached), which includes
    // forked workers such as those of `openssl ocsp -multi`.
    if (child.pid !== undefined) process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

/** Exit-time stop: synchronous, so SIGTERM only; `timeout -k` sends SIGKILL if need be. */
function killAll(): void {
  for (const c of live) signalGroup(c, "SIGTERM");
  live.clear();
}

const TICKS_PER_SECOND =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * CPU seconds (user + system) used so far by `root` and every live process below it: the
 * cost of a responder however many processes it forks, and whatever else the machine runs.
 */
export function treeCpuSeconds(root: number): number {
  const procs: { pid: number; ppid: number; ticks: number }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after "(comm)": state, ppid, … utime and stime are the 12th and 13th.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = new Set([root]);
  // Parents may be listed after their children: repeat until no process joins the tree.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  const ticks = procs.filter((p) => tree.has(p.pid)).reduce((n, p) => n + p.ticks, 0);
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds used by the bench's children that have exited and been waited for (cutime +
 * cstime of this process), their own reaped children included: the difference across one
 * command is what that command cost, however busy the machine was meanwhile.
 */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

export interface Service {
  /** CPU seconds used so far by the process and its descendants. */
  cpuSeconds(): number;
  /** Resolves with the first match of `re` in the output; rejects on exit or after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Starts a long-lived process, pinned to `cpu` when pinning, whose lifetime the bench owns. */
export function startService(argv: readonly string[], cpu?: number): Service {
  const lifetime = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  const full = ["timeout", "-k", "2", String(lifetime), ...pinned(cpu, argv)];
  const child = spawn(full[0]!, full.slice(1), {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      for (const l of listeners) l();
      resolve();
    });
    child.once("error", (e) => {
      out += `\n${e.message}`;
      live.delete(child);
      for (const l of listeners) l();
      resolve();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && live.has(child);
  return {
    cpuSeconds: () => (child.pid === undefined ? 0 : treeCpuSeconds(child.pid)),
    waitFor(re, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const check = () => {
          const m = re.exec(out);
          if (m) {
            done();
            resolve(m);
          } else if (!running()) {
            done();
            reject(new Error(`${argv.join(" ")} exited:\n${out.trim()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${argv.join(" ")}: no ${re} within ${ms} ms:\n${out.trim()}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (!running()) return;
      signalGroup(child, "SIGTERM");
      const late = setTimeout(() => signalGroup(child, "SIGKILL"), 3000);
      await exited;
      clearTimeout(late);
    },
  };
}

export interface CaptureOptions {
  readonly timeoutMs?: number;
  /** Exit codes that mean success (default only 0). */
  readonly ok?: readonly number[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a bounded command and returns its stdout; throws with its output when it fails. */
export async function capture(argv: readonly string[], o: CaptureOptions = {}): Promise<string> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const r = await runCommand(argv[0]!, argv.slice(1), { timeoutMs, env: o.env });
  if (r.code === null || !(o.ok ?? [0]).includes(r.code)) {
    const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.code ?? r.signal}`;
    throw new Error(`${argv.join(" ").slice(0, 200)}: ${why}\n${(r.stderr + r.stdout).trim()}`);
  }
  return r.stdout;
}
