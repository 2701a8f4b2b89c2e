// What the bench needs besides Node and openssl: wrk and cfssl from Debian (installed when run
// as root), and the ocspkit commands under test. Whatever is missing turns the rows that need
// it into "unavailable" with the reason, rather than failing the whole run.
import { spawnSync } from "node:child_process";
import { capture, have } from "./proc.js";
import { reason } from "./report.js";
import { cli } from "./servers.js";

const DEBIAN: Record<string, string> = { wrk: "wrk", cfssl: "golang-cfssl" };

export type Tool = "wrk" | "cfssl" | "serve" | "check";

/** Installs wrk and cfssl when missing and possible; returns why each missing tool is missing. */
export async function findTools(): Promise<Map<Tool, string>> {
  const missing = new Map<Tool, string>();
  const absent = Object.keys(DEBIAN).filter((cmd) => !have(cmd));
  if (absent.length && process.getuid?.() === 0 && have("apt-get")) {
    const pkgs = absent.map((c) => DEBIAN[c]!);
    process.stderr.write(`bench: installing ${pkgs.join(", ")} from Debian\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
      await capture(["apt-get", "update", "-qq"], { timeoutMs: 300_000, env });
      // Others may hold the dpkg lock for a while (another install in the same machine).
      await capture(["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=300", ...pkgs], {
        timeoutMs: 600_000,
        env,
      });
    } catch (err) {
      process.stderr.write(`bench: apt-get failed: ${reason(err)}\n`);
    }
  }
  for (const cmd of Object.keys(DEBIAN) as Tool[]) {
    if (!have(cmd)) {
      missing.set(cmd, `${cmd} not installed (apt-get install ${DEBIAN[cmd]}, as root)`);
    }
  }
  for (const cmd of ["serve", "check"] as const) {
    const r = spawnSync(process.execPath, [cli.bin, cmd, "--help"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    if (r.status !== 0) {
      const why = reason(r.stderr || r.stdout || `exit ${r.status}`).replace(/^ocspkit: /, "");
      missing.set(cmd, `ocspkit ${cmd} unavailable: ${why}`);
    }
  }
  return missing;
}
