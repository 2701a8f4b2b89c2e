// The responder without its transport: answers from the cache while they are fresh, signs a
// new one otherwise, re-signs aging answers in the background, forgets answers whose index
// rows changed, and says when a signer has outlived its certificate.

import { performance } from "node:perf_hooks";
import { describe } from "../errors.js";
import { OCSP_STATUS } from "../ocsp/status.js";
import type { Certificate } from "../x509/cert.js";
import { nameOneline } from "../x509/name-oneline.js";
import { type Answer, Answerer, type AnswerPolicy, failure, type ServedCa } from "./answer.js";
import { AnswerCache, type CachedAnswer, type CacheTiming, cachedAnswer } from "./cache.js";
import { Metrics, type MetricsSnapshot } from "./metrics.js";
import { validityProblem } from "./signer-check.js";

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
    for (const signer of new Set(cas.map((c) => c.signer.cert))) this.#watchExpiry(signer);
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
        refusals: { ...store.refusals },
      };
    }
    return this.metrics.snapshot({
      cacheEntries: this.cache.size,
      cacheBytes: this.cache.bytes,
      cacheEvictions: { ...this.cache.evictions },
      indexes,
    });
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const t of this.#expiryTimers) clearTimeout(t);
    for (const { store } of this.cas) store.close();
  }
}
