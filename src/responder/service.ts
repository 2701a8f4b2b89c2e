// The responder without its transport: answers from the cache while they are fresh, signs a
// new one otherwise, re-signs aging answers in the background, forgets answers whose store
// records changed, and says when a signer has outlived its certificate. While a store is
// down, cached answers are served until their nextUpdate and kept rather than dropped when a
// refresh cannot be had.

import { performance } from "node:perf_hooks";
import { describe } from "../errors.js";
import { OCSP_STATUS } from "../ocsp/status.js";
import type { Certificate } from "../x509/cert.js";
import { nameOneline } from "../x509/name-oneline.js";
import { type Answer, Answerer, type AnswerPolicy, failure, type ServedCa } from "./answer.js";
import { AnswerCache, type CachedAnswer, type CacheTiming, cachedAnswer } from "./cache.js";
import { Metrics, type MetricsSnapshot } from "./metrics.js";
import { validityProblem } from "./signer-check.js";
import type { StatusSource } from "./status.js";

const SWEEP_MS = 60_000;
/** setTimeout's longest delay; a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ServiceOptions {
  /** Memory the answer cache may take, in bytes. */
  readonly cacheBytes?: number;
  /** Where a signer's expiry is reported. */
  readonly log?: (message: string) => void;
}

export class OcspService {
  readonly metrics = new Metrics();
  readonly cache: AnswerCache;
  readonly #answerer: Answerer;
  readonly #timing: CacheTiming;
  readonly #sweeper: NodeJS.Timeout;
  readonly #log: (message: string) => void;
  readonly #expiryTimers: NodeJS.Timeout[] = [];
  #lastProblem?: string;

  constructor(cas: readonly ServedCa[], policy: AnswerPolicy, o: ServiceOptions = {}) {
    this.cache = new AnswerCache(o.cacheBytes);
    this.#log = o.log ?? (() => {});
    this.#answerer = new Answerer(cas, policy);
    // OpenSSL stamps every answer with the current second; so does the openssl dialect.
    this.#timing = { mode: policy.dialect === "openssl" ? "same-second" : "half-life" };
    for (const source of this.#sources()) {
      const served = cas.flatMap((c, i) => (c.source === source ? [i] : []));
      source.subscribe((serials) => {
        const keys = new Set<string>();
        for (const i of served) for (const s of serials) keys.add(`${i}:${s}`);
        this.cache.invalidate(keys);
      });
    }
    // Answers past their serving time are what a store outage falls back on: kept until it ends.
    this.#sweeper = setInterval(() => {
      if (!this.down()) this.cache.sweep(Date.now());
    }, SWEEP_MS).unref();
    for (const signer of new Set(cas.map((c) => c.signer.cert))) this.#watchExpiry(signer);
  }

  #sources(): Set<StatusSource> {
    return new Set(this.#answerer.cas.map((c) => c.source));
  }

  /** Why some store cannot answer now (for /healthz); undefined while all can. */
  down(): string | undefined {
    for (const source of this.#sources()) {
      const why = source.stats().down;
      if (why !== undefined) return `${source.name}: ${why}`;
    }
    return undefined;
  }

  /** Why the responder cannot give acceptable answers now (the signer expired), if so. */
  healthProblem(now = new Date()): string | undefined {
    let problem: string | undefined;
    for (const { signer } of this.cas) {
      problem ??= validityProblem(signer.cert, `(${nameOneline(signer.cert.subject)})`, now);
    }
    if (problem && problem !== this.#lastProblem) {
      this.#log(`${problem}: every answer signed from now on is rejected by clients`);
    }
    this.#lastProblem = problem;
    return problem;
  }

  /** Logs the expiry when it happens, not only when /healthz is asked. */
  #watchExpiry(signer: Certificate): void {
    const wait = signer.notAfter.getTime() - Date.now();
    if (wait < 0) return;
    const timer = setTimeout(
      () => {
        this.#expiryTimers.splice(this.#expiryTimers.indexOf(timer), 1);
        if (wait > MAX_TIMER_MS) this.#watchExpiry(signer);
        else this.healthProblem();
      },
      Math.min(wait + 1000, MAX_TIMER_MS),
    ).unref();
    this.#expiryTimers.push(timer);
  }

  get cas(): readonly ServedCa[] {
    return this.#answerer.cas;
  }

  /** A cached answer to exactly these request bytes that may still be served at `now`. */
  cached(key: string, now: number): CachedAnswer | undefined {
    const e = this.cache.get(key);
    if (!e || (now >= e.staleAt && !this.#fallback(e, now))) return undefined;
    this.metrics.cacheHits++;
    if (now >= e.refreshAt && !e.refreshing) {
      e.refreshing = true;
      setImmediate(() => void this.#refresh(key, e));
    }
    return e;
  }

  /** A stale answer still inside its validity, served while a store is down. */
  #fallback(e: CachedAnswer, now: number): boolean {
    return e.nextUpdate !== undefined && now < e.nextUpdate && this.down() !== undefined;
  }

  /** A new answer; one that may be reused (successful, no nonce) is cached and returned so. */
  async compute(der: Buffer, key: string, now: number): Promise<CachedAnswer | Answer> {
    const t0 = performance.now();
    let a: Answer;
    try {
      a = await this.#answerer.answer(der, new Date(now));
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

  async #refresh(key: string, old: CachedAnswer): Promise<void> {
    if (this.cache.get(key) !== old) return;
    const r = await this.compute(old.request, key, Date.now());
    // An answer that cannot be refreshed now (tryLater) stays; one that changed kind goes.
    if ("etag" in r) return;
    if (r.status === OCSP_STATUS.tryLater) old.refreshing = false;
    else if (this.cache.get(key) === old) this.cache.delete(key);
  }

  snapshot(): MetricsSnapshot {
    const indexes: MetricsSnapshot["indexes"] = {};
    const stores: MetricsSnapshot["stores"] = {};
    for (const source of this.#sources()) {
      const s = source.stats();
      if (s.kind === "index") {
        indexes[source.name] = {
          entries: s.entries ?? 0,
          reloads: s.reloads ?? 0,
          reloadErrors: s.reloadErrors ?? 0,
          refusals: { ...s.refusals },
        };
      } else {
        stores[source.name] = { errors: s.errors ?? 0, up: s.down === undefined ? 1 : 0 };
      }
    }
    return this.metrics.snapshot({
      cacheEntries: this.cache.size,
      cacheBytes: this.cache.bytes,
      cacheEvictions: { ...this.cache.evictions },
      indexes,
      stores,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    for (const t of this.#expiryTimers) clearTimeout(t);
    await Promise.all([...this.#sources()].map((s) => s.close()));
  }
}
