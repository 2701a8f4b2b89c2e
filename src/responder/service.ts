// The responder without its transport: answers from the cache while they are fresh, signs a
// new one otherwise, re-signs aging answers in the background, and forgets answers whose
// index rows changed.

import { performance } from "node:perf_hooks";
import { describe } from "../errors.js";
import { OCSP_STATUS } from "../ocsp/status.js";
import { type Answer, Answerer, type AnswerPolicy, failure, type ServedCa } from "./answer.js";
import { AnswerCache, type CachedAnswer, type CacheTiming, cachedAnswer } from "./cache.js";
import { Metrics, type MetricsSnapshot } from "./metrics.js";

const SWEEP_MS = 60_000;

export class OcspService {
  readonly metrics = new Metrics();
  readonly cache = new AnswerCache();
  readonly #answerer: Answerer;
  readonly #timing: CacheTiming;
  readonly #sweeper: NodeJS.Timeout;

  constructor(cas: readonly ServedCa[], policy: AnswerPolicy) {
    this.#answerer = new Answerer(cas, policy);
    // OpenSSL stamps every answer with the current second; so does the openssl dialect.
    this.#timing = { mode: policy.dialect === "openssl" ? "same-second" : "half-life" };
    for (const store of new Set(cas.map((c) => c.store))) {
      const served = cas.flatMap((c, i) => (c.store === store ? [i] : []));
      store.onChange((serials) => {
        const keys = new Set<string>();
        for (const i of served) for (const s of serials) keys.add(`${i}:${s}`);
        this.cache.invalidate(keys);
      });
      store.watch();
    }
    this.#sweeper = setInterval(() => this.cache.sweep(Date.now()), SWEEP_MS).unref();
  }

  get cas(): readonly ServedCa[] {
    return this.#answerer.cas;
  }

  /** A cached answer to exactly these request bytes that may still be served at `now`. */
  cached(key: string, now: number): CachedAnswer | undefined {
    const e = this.cache.get(key);
    if (!e || now >= e.staleAt) return undefined;
    this.metrics.cacheHits++;
    if (now >= e.refreshAt && !e.refreshing) {
      e.refreshing = true;
      setImmediate(() => this.#refresh(key, e));
    }
    return e;
  }

  /** A new answer; one that may be reused (successful, no nonce) is cached and returned so. */
  compute(der: Buffer, key: string, now: number): CachedAnswer | Answer {
    const t0 = performance.now();
    let a: Answer;
    try {
      a = this.#answerer.answer(der, new Date(now));
    } catch (err) {
      a = failure(OCSP_STATUS.internalError, describe(err));
    }
    if (a.status !== OCSP_STATUS.successful) return a;
    this.metrics.signed((performance.now() - t0) / 1000);
    const { thisUpdate } = a;
    if (a.nonce || !thisUpdate) return a;
    this.metrics.cacheMisses++;
    const e = cachedAnswer(a.der, Buffer.from(der), { ...a, thisUpdate }, this.#timing);
    this.cache.set(key, e);
    return e;
  }

  #refresh(key: string, old: CachedAnswer): void {
    if (this.cache.get(key) !== old) return;
    const r = this.compute(old.request, key, Date.now());
    if (!("etag" in r)) this.cache.delete(key);
  }

  snapshot(): MetricsSnapshot {
    const indexes: MetricsSnapshot["indexes"] = {};
    for (const { store } of this.cas) {
      indexes[store.path] = {
        entries: store.size,
        reloads: store.reloads,
        reloadErrors: store.reloadErrors,
      };
    }
    return this.metrics.snapshot({
      cacheEntries: this.cache.size,
      cacheBytes: this.cache.bytes,
      indexes,
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const { store } of this.cas) store.close();
  }
}
