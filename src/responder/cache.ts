// Signed answers kept for reuse, keyed by the exact request bytes: a request without a nonce
// that was answered before costs a map lookup instead of a parse and a signature. Entries
// carry their HTTP caching headers, rebuilt at most once a second (max-age counts down).

import { createHash } from "node:crypto";
import { OCSP_RESPONSE_TYPE } from "../ocsp/media-types.js";
import type { AnsweredCert } from "./answer.js";

export interface CachedAnswer {
  readonly body: Buffer;
  /** The request it answers, to sign a fresh answer when this one ages. */
  readonly request: Buffer;
  readonly etag: string;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** From then on a hit also triggers a fresh signature in the background. */
  readonly refreshAt: number;
  /** From then on the answer is no longer served. */
  readonly staleAt: number;
  /** See Answer.keys: which index rows it depends on. */
  readonly keys: readonly string[];
  readonly certs: readonly AnsweredCert[];
  /** Estimated memory held, in bytes: see ENTRY_OVERHEAD. */
  readonly cost: number;
  headers: string[];
  headersSecond: number;
  refreshing: boolean;
}

export interface CacheTiming {
  /**
   * "half-life": refresh halfway to nextUpdate, stop serving at 90 % of the way (RFC 5019 style).
   * "same-second": reuse only within the second thisUpdate names, so that every answer looks
   * freshly signed, as OpenSSL's are.
   */
  readonly mode: "half-life" | "same-second";
}

export function cachedAnswer(
  body: Uint8Array,
  request: Buffer,
  a: {
    thisUpdate: Date;
    nextUpdate?: Date;
    keys: readonly string[];
    certs: readonly AnsweredCert[];
  },
  timing: CacheTiming,
): CachedAnswer {
  const t = a.thisUpdate.getTime();
  const n = a.nextUpdate?.getTime();
  let refreshAt = t + 1000;
  let staleAt = refreshAt;
  if (n !== undefined && timing.mode === "half-life") {
    refreshAt = t + (n - t) / 2;
    staleAt = t + (n - t) * 0.9;
  }
  // One exact allocation for both: a view into a larger buffer (the signer's output, Node's
  // pool) would keep all of that buffer alive for as long as the answer is cached.
  const own = Buffer.allocUnsafeSlow(body.byteLength + request.length);
  own.set(body, 0);
  own.set(request, body.byteLength);
  const buf = own.subarray(0, body.byteLength);
  return {
    body: buf,
    request: own.subarray(body.byteLength),
    etag: `"${createHash("sha1").update(buf).digest("hex")}"`,
    thisUpdate: t,
    nextUpdate: n,
    refreshAt,
    staleAt,
    keys: a.keys,
    certs: a.certs,
    // The key is the request in latin1: one more byte per request byte.
    cost: own.length + request.length + ENTRY_OVERHEAD,
    headers: [],
    headersSecond: -1,
    refreshing: false,
  };
}

/** The response headers of a cached answer at `now`, built once per second. */
export function cachedHeaders(e: CachedAnswer, now: number): string[] {
  const second = Math.floor(now / 1000);
  if (second === e.headersSecond) return e.headers;
  const cacheControl =
    e.nextUpdate === undefined
      ? "no-cache"
      : `public, max-age=${Math.max(0, Math.floor((e.nextUpdate - now) / 1000))}, no-transform, must-revalidate`;
  e.headers = [
    "Content-Type",
    OCSP_RESPONSE_TYPE,
    "Content-Length",
    String(e.body.length),
    "ETag",
    e.etag,
    "Last-Modified",
    new Date(e.thisUpdate).toUTCString(),
    ...(e.nextUpdate === undefined ? [] : ["Expires", new Date(e.nextUpdate).toUTCString()]),
    "Cache-Control",
    cacheControl,
  ];
  e.headersSecond = second;
  return e.headers;
}

/** The cache's default bound, in MiB of the process's memory. */
export const DEFAULT_CACHE_MB = 64;

/**
 * What an entry costs beyond its bytes, measured: the entry object, its key string, ETag,
 * headers, index keys and log lines, the Map slot, and the garbage collector's headroom. A
 * random-serial flood showed about 4.5 KB of resident memory per cached ~1.1 KB answer.
 */
export const ENTRY_OVERHEAD = 3072;

/**
 * Share of the budget for answers about serials no store holds: `unknown` answers, and those
 * the --unassigned policy made `revoked` or otherwise (their certs say `unassigned`).
 */
const UNKNOWN_SHARE = 1 / 8;

type Kind = "known" | "unknown";

/**
 * Least recently used answers go first. Answers that name a serial no store knows live in a
 * pool of their own, so that a flood of made-up serials evicts only its own kind.
 */
export class AnswerCache {
  readonly #pools: Record<Kind, Map<string, CachedAnswer>> = {
    known: new Map(),
    unknown: new Map(),
  };
  readonly #budget: Record<Kind, number>;
  readonly #bytes: Record<Kind, number> = { known: 0, unknown: 0 };
  readonly evictions: Record<Kind, number> = { known: 0, unknown: 0 };

  /** `maxBytes` bounds the memory the entries take, overhead included. */
  constructor(readonly maxBytes = DEFAULT_CACHE_MB * 1024 * 1024) {
    const unknown = Math.floor(maxBytes * UNKNOWN_SHARE);
    this.#budget = { known: maxBytes - unknown, unknown };
  }

  get size(): number {
    return this.#pools.known.size + this.#pools.unknown.size;
  }

  get bytes(): number {
    return this.#bytes.known + this.#bytes.unknown;
  }

  get(key: string): CachedAnswer | undefined {
    for (const pool of [this.#pools.known, this.#pools.unknown]) {
      const e = pool.get(key);
      if (!e) continue;
      pool.delete(key);
      pool.set(key, e);
      return e;
    }
    return undefined;
  }

  set(key: string, e: CachedAnswer): void {
    this.delete(key);
    const kind = kindOf(e);
    const pool = this.#pools[kind];
    if (e.cost > this.#budget[kind]) return;
    pool.set(key, e);
    this.#bytes[kind] += e.cost;
    for (const [k, old] of pool) {
      if (this.#bytes[kind] <= this.#budget[kind]) break;
      pool.delete(k);
      this.#bytes[kind] -= old.cost;
      this.evictions[kind]++;
    }
  }

  delete(key: string): void {
    for (const kind of ["known", "unknown"] as const) {
      const e = this.#pools[kind].get(key);
      if (!e) continue;
      this.#pools[kind].delete(key);
      this.#bytes[kind] -= e.cost;
    }
  }

  /** Drops every answer that depends on one of `keys`. */
  invalidate(keys: ReadonlySet<string>): void {
    for (const [k, e] of this.#entries()) if (e.keys.some((x) => keys.has(x))) this.delete(k);
  }

  /** Drops answers no longer served. */
  sweep(now: number): void {
    for (const [k, e] of this.#entries()) if (now >= e.staleAt) this.delete(k);
  }

  #entries(): [string, CachedAnswer][] {
    return [...this.#pools.known, ...this.#pools.unknown];
  }
}

const kindOf = (e: CachedAnswer): Kind =>
  e.certs.some((c) => c.status === "unknown" || c.unassigned) ? "unknown" : "known";
