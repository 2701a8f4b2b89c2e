// Counters for /metrics in Prometheus' text format. A snapshot is plain JSON so that the
// workers of one responder can add theirs up in the primary process.

import { OCSP_STATUS_NAME } from "../ocsp/status.js";

/** Upper bounds (seconds) of the answer-signing latency histogram. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

export interface MetricsSnapshot {
  /** Answers by OCSPResponseStatus name. */
  answers: Record<string, number>;
  /** HTTP responses by status code. */
  http: Record<string, number>;
  cacheHits: number;
  cacheMisses: number;
  notModified: number;
  refused: { tooLarge: number; badMethod: number; uriTooLong: number };
  /**
   * Connections closed unserved: refused (max-connections reached, all busy), shed (an idle
   * one closed for a new one), or accept() failed (no descriptors).
   */
  connections: { dropped: number; shed: number; acceptErrors: number };
  signCount: number;
  signSeconds: number;
  /** Cumulative counts per bucket of BUCKETS. */
  signBuckets: number[];
  cacheEntries: number;
  cacheBytes: number;
  /** Answers dropped to make room, by the kind of serial they answer for. */
  cacheEvictions: { known: number; unknown: number };
  indexes: Record<string, IndexGauges>;
  /** Databases: failed lookups and change checks, and whether the store answers (1) or not. */
  stores: Record<string, { errors: number; up: number }>;
}

export interface IndexGauges {
  entries: number;
  reloads: number;
  reloadErrors: number;
  /** Reloads not taken, and checks that could not read the file, by reason. */
  refusals: Record<string, number>;
}

function emptySnapshot(): MetricsSnapshot {
  return {
    answers: {},
    http: {},
    cacheHits: 0,
    cacheMisses: 0,
    notModified: 0,
    refused: { tooLarge: 0, badMethod: 0, uriTooLong: 0 },
    connections: { dropped: 0, shed: 0, acceptErrors: 0 },
    signCount: 0,
    signSeconds: 0,
    signBuckets: BUCKETS.map(() => 0),
    cacheEntries: 0,
    cacheBytes: 0,
    cacheEvictions: { known: 0, unknown: 0 },
    indexes: {},
    stores: {},
  };
}

export class Metrics {
  readonly #answers = new Map<number, number>();
  readonly #http = new Map<number, number>();
  cacheHits = 0;
  cacheMisses = 0;
  notModified = 0;
  tooLarge = 0;
  badMethod = 0;
  uriTooLong = 0;
  connectionsDropped = 0;
  connectionsShed = 0;
  acceptErrors = 0;
  #signCount = 0;
  #signSeconds = 0;
  readonly #signBuckets = BUCKETS.map(() => 0);

  answered(ocspStatus: number): void {
    this.#answers.set(ocspStatus, (this.#answers.get(ocspStatus) ?? 0) + 1);
  }

  httpStatus(code: number): void {
    this.#http.set(code, (this.#http.get(code) ?? 0) + 1);
  }

  signed(seconds: number): void {
    this.#signCount++;
    this.#signSeconds += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) this.#signBuckets[i]!++;
  }

  /** The counters, with the gauges the caller knows (cache and index sizes). */
  snapshot(
    gauges: Pick<
      MetricsSnapshot,
      "cacheEntries" | "cacheBytes" | "cacheEvictions" | "indexes" | "stores"
    >,
  ): MetricsSnapshot {
    const named = (m: Map<number, number>, name: (k: number) => string) =>
      Object.fromEntries([...m].map(([k, v]) => [name(k), v]));
    return {
      answers: named(this.#answers, (k) => OCSP_STATUS_NAME[k] ?? String(k)),
      http: named(this.#http, String),
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      notModified: this.notModified,
      refused: { tooLarge: this.tooLarge, badMethod: this.badMethod, uriTooLong: this.uriTooLong },
      connections: {
        dropped: this.connectionsDropped,
        shed: this.connectionsShed,
        acceptErrors: this.acceptErrors,
      },
      signCount: this.#signCount,
      signSeconds: this.#signSeconds,
      signBuckets: [...this.#signBuckets],
      ...gauges,
    };
  }
}

/** Adds snapshots up; index gauges are the same file seen by every worker, so the largest wins. */
export function mergeSnapshots(all: readonly MetricsSnapshot[]): MetricsSnapshot {
  const out = emptySnapshot();
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  for (const s of all) {
    add(out.answers, s.answers);
    add(out.http, s.http);
    out.cacheHits += s.cacheHits;
    out.cacheMisses += s.cacheMisses;
    out.notModified += s.notModified;
    out.refused.tooLarge += s.refused.tooLarge;
    out.refused.badMethod += s.refused.badMethod;
    out.refused.uriTooLong += s.refused.uriTooLong;
    out.connections.dropped += s.connections.dropped;
    out.connections.shed += s.connections.shed;
    out.connections.acceptErrors += s.connections.acceptErrors;
    out.cacheEvictions.known += s.cacheEvictions.known;
    out.cacheEvictions.unknown += s.cacheEvictions.unknown;
    out.signCount += s.signCount;
    out.signSeconds += s.signSeconds;
    s.signBuckets.forEach((v, i) => {
      out.signBuckets[i]! += v;
    });
    out.cacheEntries += s.cacheEntries;
    out.cacheBytes += s.cacheBytes;
    for (const [path, idx] of Object.entries(s.indexes)) {
      const cur = out.indexes[path];
      if (!cur || idx.reloads > cur.reloads) out.indexes[path] = idx;
    }
    // Each worker has its own connections: errors add up, the store is up only where all see it.
    for (const [name, st] of Object.entries(s.stores ?? {})) {
      const cur = out.stores[name];
      out.stores[name] = cur ? { errors: cur.errors + st.errors, up: Math.min(cur.up, st.up) } : st;
    }
  }
  return out;
}

const label = (v: string) => v.replace(/["\\\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));

export function renderMetrics(s: MetricsSnapshot): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, rows: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) lines.push(`${name}${labels} ${v}`);
  };
  const statuses = Object.values(OCSP_STATUS_NAME);
  metric(
    "ocsp_responses_total",
    "counter",
    "OCSP answers sent, by OCSPResponseStatus.",
    statuses.map((st) => [`{status="${st}"}`, s.answers[st] ?? 0]),
  );
  metric(
    "ocsp_http_responses_total",
    "counter",
    "HTTP responses sent, by status code.",
    Object.entries(s.http).map(([code, v]) => [`{code="${code}"}`, v]),
  );
  metric("ocsp_cache_hits_total", "counter", "Answers served from the cache of signed answers.", [
    ["", s.cacheHits],
  ]);
  metric("ocsp_cache_misses_total", "counter", "Cacheable requests that needed a new signature.", [
    ["", s.cacheMisses],
  ]);
  metric("ocsp_not_modified_total", "counter", "304 answers to If-None-Match.", [
    ["", s.notModified],
  ]);
  metric("ocsp_refused_total", "counter", "Requests refused before any OCSP work.", [
    ['{reason="body_too_large"}', s.refused.tooLarge],
    ['{reason="method"}', s.refused.badMethod],
    ['{reason="uri_too_long"}', s.refused.uriTooLong],
  ]);
  metric("ocsp_connections_refused_total", "counter", "Connections closed unanswered.", [
    ['{reason="max_connections"}', s.connections.dropped],
    ['{reason="idle_shed"}', s.connections.shed],
    ['{reason="accept_failed"}', s.connections.acceptErrors],
  ]);
  lines.push(
    "# HELP ocsp_sign_seconds Time to build and sign one answer.",
    "# TYPE ocsp_sign_seconds histogram",
  );
  for (const [i, b] of BUCKETS.entries()) {
    lines.push(`ocsp_sign_seconds_bucket{le="${b}"} ${s.signBuckets[i]}`);
  }
  lines.push(
    `ocsp_sign_seconds_bucket{le="+Inf"} ${s.signCount}`,
    `ocsp_sign_seconds_sum ${s.signSeconds}`,
    `ocsp_sign_seconds_count ${s.signCount}`,
  );
  metric("ocsp_cache_entries", "gauge", "Signed answers held in the cache.", [
    ["", s.cacheEntries],
  ]);
  metric("ocsp_cache_bytes", "gauge", "Memory held by the cache of signed answers.", [
    ["", s.cacheBytes],
  ]);
  metric("ocsp_cache_evictions_total", "counter", "Answers dropped from the cache for room.", [
    ['{serial="known"}', s.cacheEvictions.known],
    ['{serial="unknown"}', s.cacheEvictions.unknown],
  ]);
  const idx = Object.entries(s.indexes);
  const per = (pick: (i: MetricsSnapshot["indexes"][string]) => number): [string, number][] =>
    idx.map(([path, i]) => [`{index="${label(path)}"}`, pick(i)]);
  metric(
    "ocsp_index_entries",
    "gauge",
    "Rows in each index file.",
    per((i) => i.entries),
  );
  metric(
    "ocsp_index_reloads_total",
    "counter",
    "Index reloads.",
    per((i) => i.reloads),
  );
  metric(
    "ocsp_index_reload_errors_total",
    "counter",
    "Changed index files that failed to load (the previous one stays in use).",
    per((i) => i.reloadErrors),
  );
  metric(
    "ocsp_index_refusals_total",
    "counter",
    "Index files not taken (incomplete, emptied) or not readable (missing, permission).",
    idx.flatMap(([path, i]) =>
      Object.entries(i.refusals).map(([reason, v]): [string, number] => [
        `{index="${label(path)}",reason="${reason}"}`,
        v,
      ]),
    ),
  );
  const stores = Object.entries(s.stores);
  if (stores.length) {
    const each = (pick: (x: MetricsSnapshot["stores"][string]) => number): [string, number][] =>
      stores.map(([name, x]) => [`{store="${label(name)}"}`, pick(x)]);
    metric(
      "ocsp_store_errors_total",
      "counter",
      "Status store lookups and change checks that failed.",
      each((x) => x.errors),
    );
    metric(
      "ocsp_store_up",
      "gauge",
      "1 while the status store answers, 0 while it is unreachable.",
      each((x) => x.up),
    );
  }
  return `${lines.join("\n")}\n`;
}
