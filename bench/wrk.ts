// Load generation with wrk: keep-alive HTTP/1.1, a Lua script that sets the OCSP body, latency
// percentiles from `--latency`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { capture, pinned } from "./proc.js";

export interface Load {
  readonly method: "POST" | "GET";
  /** Path of the GET request (the RFC 5019 base64 form); "/" for POST. */
  readonly path: string;
  /** DER request sent by POST. */
  readonly body?: Uint8Array;
  /**
   * Offset of a 16-byte nonce in `body`: when set, each request carries a fresh nonce so that
   * no answer can be served from a cache and every one is signed.
   */
  readonly nonceAt?: number;
}

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx answers plus socket errors other than the server closing a connection. */
  readonly errors: number;
}

/** A Lua string literal holding arbitrary bytes. */
const luaBytes = (b: Uint8Array) => `"${Array.from(b, (x) => `\\${x}`).join("")}"`;

let scripts = 0;

function script(dir: string, load: Load): string {
  const id = ++scripts;
  const lines = [`wrk.method = "${load.method}"`];
  if (load.body) {
    lines.push(`wrk.headers["Content-Type"] = "application/ocsp-request"`);
    if (load.nonceAt === undefined) {
      lines.push(`wrk.body = ${luaBytes(load.body)}`);
    } else {
      // 16 hex digits of a counter make a distinct 16-byte nonce per request; the per-script
      // prefix keeps nonces distinct across runs too, so no repeat can hit a cache.
      const head = load.body.subarray(0, load.nonceAt);
      const tail = load.body.subarray(load.nonceAt + 16);
      lines.push(
        `local head, tail = ${luaBytes(head)}, ${luaBytes(tail)}`,
        `local run, n = ${(Date.now() % 1e6) * 1000 + id}, 0`,
        "request = function()",
        "  n = n + 1",
        `  return wrk.format(nil, nil, nil, head .. string.format("%08x%08x", run, n) .. tail)`,
        "end",
      );
    }
  }
  const file = join(dir, `load-${id}.lua`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

function percentile(out: string, p: string): number {
  const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(out);
  if (!m) throw new Error(`wrk: no ${p}% latency in:\n${out}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const total = /^\s*(\d+) requests in/m.exec(out);
  if (!rps || !total) throw new Error(`wrk: unexpected output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  // "read" errors are the server closing a connection, which is how HTTP/1.0 responders
  // (openssl) end every exchange; anything else is a failure of the run.
  const sock = /Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) : 0;
  return {
    rps: Number(rps[1]),
    p50Ms: percentile(out, "50"),
    p99Ms: percentile(out, "99"),
    requests: Number(total[1]),
    errors: non2xx + sockErrors,
  };
}

export interface WrkOptions {
  readonly seconds: number;
  readonly connections: number;
  /** CPU to pin wrk to (when the bench pins). */
  readonly cpu?: number;
  /** Where the Lua script is written. */
  readonly dir: string;
}

/** One wrk run of `-t1 -c N -d S` against `base` (an http://127.0.0.1:PORT/ URL). */
export async function runWrk(base: string, load: Load, o: WrkOptions): Promise<WrkResult> {
  const url = new URL(load.path, base).href;
  const argv = pinned(o.cpu, [
    "wrk",
    "-t1",
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    "--timeout",
    "5s",
    "--latency",
    "-s",
    script(o.dir, load),
    url,
  ]);
  return parseWrk(await capture(argv, { timeoutMs: (o.seconds + 20) * 1000 }));
}
