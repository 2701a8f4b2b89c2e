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
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return {
    body: buf,
    request,
    etag: `"${createHash("sha1").update(buf).digest("hex")}"`,
    thisUpdate: t,
    nextUpdate: n,
    refreshAt,
    staleAt,
    keys: a.keys,
    certs: a.certs,
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

export class AnswerCache {
  readonly #map = new Map<string, CachedAnswer>();
  #bytes = 0;

  /** `maxBytes` bounds answer bytes held; the oldest entries go first. */
  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CachedAnswer | undefined {
    return this.#map.get(key);
  }

  set(key: string, e: CachedAnswer): void {
    this.delete(key);
    this.#map.set(key, e);
    this.#bytes += e.body.length + e.request.length;
    for (const [k] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  delete(key: string): void {
    const e = this.#map.get(key);
    if (!e) return;
    this.#map.delete(key);
    this.#bytes -= e.body.length + e.request.length;
  }

  /** Drops every answer that depends on one of `keys`. */
  invalidate(keys: ReadonlySet<string>): void {
    for (const [k, e] of this.#map) if (e.keys.some((x) => keys.has(x))) this.delete(k);
  }

  /** Drops answers no longer served. */
  sweep(now: number): void {
    for (const [k, e] of this.#map) if (now >= e.staleAt) this.delete(k);
  }
}
