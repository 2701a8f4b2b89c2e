// Asking about many certificates at once: the questions for one responder and one CA share
// requests (RFC 6960 lets a request list several CertIDs), connections are kept alive, a bounded
// number of requests is in flight, and tryLater is asked once more. RFC 5019 lets a responder
// refuse lists; one that does is asked one certificate at a time for the rest of the run.

import { type QueryResult, queryOcspBatch } from "../client.js";
import { sameBytes } from "../der/der.js";
import { hex } from "../hex.js";
import { certIdFor } from "../ocsp/certid.js";
import { SHA1 } from "../ocsp/digests.js";
import { buildRequest, encodeRequest } from "../ocsp/request.js";
import { OCSP_STATUS } from "../ocsp/status.js";
import {
  type ConnectionPool,
  DEFAULT_MAX_RESPONSE,
  getUrl,
  proxyFor,
  TOO_LARGE,
} from "../transport/http.js";
import type { TrustStore } from "../verify/chain.js";
import type { Certificate } from "../x509/cert.js";

export type MethodChoice = "auto" | "get" | "post";

export interface Question {
  readonly cert: Certificate;
  readonly issuer: Certificate;
  /** An http(s) OCSP URL. */
  readonly url: string;
}

export interface AskOptions {
  readonly trust: TrustStore;
  readonly nonce?: boolean;
  readonly method?: MethodChoice;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Wait before the one retry after tryLater. */
  readonly retryDelayMs: number;
  readonly pool: ConnectionPool;
  readonly now?: Date;
  readonly requireNonce?: boolean;
  readonly maxAgeSec?: number;
}

/** RFC 5019 §5: GET when the encoded request fits in 255 bytes. */
const MAX_GET_REQUEST = 255;

/**
 * CertIDs in one request: as many as the answer can hold under the client's response cap.
 * Allowing 16 KiB for the signature and the responder's certificates, and 256 bytes for each
 * answer (a SHA-1 CertID with a 20-octet serial, a revocation with its reason, both times and an
 * extension come to about 200), leaves room for 336. Each request costs an HTTP exchange and a
 * signature check (a tenth of a batch's time with lists of 100), and a responder whose answers
 * are larger than that is asked one certificate at a time (listFailure).
 */
const MAX_LIST = Math.floor((DEFAULT_MAX_RESPONSE - 16 * 1024) / 256);

/** What the responder has shown about one (responder, CA) pair during this run. */
interface Group<Q> {
  readonly questions: Q[];
  /** It refused a list, or answered only part of one: ask one certificate at a time. */
  singly: boolean;
}

/**
 * Asks every question (each object once). Questions for the same responder and CA go in lists
 * when there are several, unless `--method get` asks for cacheable one-certificate GETs.
 */
export function askAll<Q extends Question>(
  questions: readonly Q[],
  o: AskOptions,
): Map<Q, Promise<QueryResult>> {
  const slot = limiter(o.concurrency);
  const nonce = o.nonce ?? o.method === "post";
  const send = (qs: readonly Question[], method: "GET" | "POST") =>
    queryOcspBatch({
      certs: qs.map((q) => q.cert),
      issuer: qs[0]!.issuer,
      trust: o.trust,
      url: qs[0]!.url,
      nonce,
      method,
      timeoutMs: o.timeoutMs,
      proxy: proxyFor(qs[0]!.url),
      pool: o.pool,
      now: o.now,
      requireNonce: o.requireNonce,
      maxAgeSec: o.maxAgeSec,
    });
  const retried = async <T extends QueryResult[] | undefined>(ask: () => Promise<T>) => {
    const first = await ask();
    if (first?.[0]?.response?.status !== OCSP_STATUS.tryLater) return first;
    await new Promise((r) => setTimeout(r, o.retryDelayMs));
    return ask();
  };
  const single = async (q: Question): Promise<QueryResult> => {
    const method = httpMethod(o.method ?? "auto", nonce, q.cert, q.issuer);
    const [r] = await retried(() => slot(() => send([q], method)));
    return r!;
  };
  /** The answers to `list` asked together, or undefined when each must be asked alone. */
  const together = async (list: readonly Question[], group: Group<Q>) => {
    const results = await retried(() =>
      slot(async () => {
        // Decided once a slot is free: a list sent meanwhile may have been refused.
        if (group.singly) return undefined;
        const r = await send(list, "POST");
        // Noted before the slot passes on, so that the list waiting for it is not sent.
        if (listFailure(r[0]!) === "refused") group.singly = true;
        return r;
      }),
    );
    return results && !listFailure(results[0]!) ? results : undefined;
  };

  const groups = new Map<string, Group<Q>>();
  const caKeys = new Map<Certificate, string>();
  // Questions come in runs for one responder, CA and issuer name: one like the one before joins
  // its group without a key being made.
  let lastQ: Q | undefined;
  let lastGroup: Group<Q> | undefined;
  for (const q of questions) {
    let group =
      lastQ &&
      q.url === lastQ.url &&
      q.issuer === lastQ.issuer &&
      sameBytes(q.cert.issuer, lastQ.cert.issuer)
        ? lastGroup
        : undefined;
    if (!group) {
      let caKey = caKeys.get(q.issuer);
      if (caKey === undefined) {
        caKey = hex(q.issuer.spki);
        caKeys.set(q.issuer, caKey);
      }
      // The CertID hashes the certificate's issuer field as written, and the CA's key.
      const key = `${q.url}\n${caKey}\n${hex(q.cert.issuer)}`;
      group = groups.get(key) ?? { questions: [], singly: false };
      groups.set(key, group);
    }
    group.questions.push(q);
    lastQ = q;
    lastGroup = group;
  }
  const answers = new Map<Q, Promise<QueryResult>>();
  for (const group of groups.values()) {
    if (group.questions.length === 1 || o.method === "get") {
      for (const q of group.questions) answers.set(q, single(q));
      continue;
    }
    for (const list of evenChunks(group.questions, MAX_LIST)) {
      const results = together(list, group).then(
        (r) => r ?? Promise.all(list.map((q) => single(q))),
      );
      list.forEach((q, i) => {
        answers.set(
          q,
          results.then((r) => r[i]!),
        );
      });
    }
  }
  return answers;
}

/**
 * Why a list's answer failed, when asking one certificate at a time can do better: the
 * responder refused lists (malformedRequest or unauthorized, or statuses for only some of the
 * CertIDs, as strict RFC 5019 responders do) or answers them at more than the client takes in one
 * response, or one certificate's answer spoiled a verdict that covers them all (stale,
 * contradictory, an unknown critical extension). Other failures (no connection, a bad signature,
 * an untrusted signer) would be the same asked alone.
 */
function listFailure(r: QueryResult): "refused" | "one-spoils-all" | undefined {
  if (r.status !== "error") return undefined;
  const status = r.response?.status;
  if (
    status === OCSP_STATUS.malformedRequest ||
    status === OCSP_STATUS.unauthorized ||
    r.error?.code === "ERR_NO_STATUS" ||
    (r.error?.code === "ERR_TRANSPORT" && r.error.message.startsWith(TOO_LARGE))
  )
    return "refused";
  const failed = r.verdict?.checks.find((c) => !c.ok)?.name;
  return failed === "certid-match" || failed === "time-window" || failed === "critical-extensions"
    ? "one-spoils-all"
    : undefined;
}

function httpMethod(
  choice: MethodChoice,
  nonce: boolean,
  cert: Certificate,
  issuer: Certificate,
): "GET" | "POST" {
  if (choice !== "auto") return choice === "get" ? "GET" : "POST";
  if (nonce) return "POST";
  const der = encodeRequest(buildRequest([certIdFor(issuer, cert, SHA1)], { nonce: false }));
  return getUrl("", der).length - 1 <= MAX_GET_REQUEST ? "GET" : "POST";
}

/** `items` in as few chunks of at most `max` as possible, of nearly equal sizes. */
function evenChunks<T>(items: readonly T[], max: number): T[][] {
  const count = Math.ceil(items.length / max);
  const size = Math.ceil(items.length / count);
  return Array.from({ length: count }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Runs the functions given to it with at most `limit` in flight, the others in arrival order. */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active < limit) active++;
    // A finished call hands its place straight to the next in line, so `active` stays put.
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
