// The probe's exchanges: which questions to ask a responder, decided from the inputs before any
// check runs, then asked one at a time. Checks only read what this module recorded; none of them
// sends anything. Not here: judging the answers (checks.ts) or printing them (report.ts).
//
// The order is deliberate: POSTs of well-formed questions first, then GETs, the malformed requests
// last, because some responders (OpenSSL's, without -ignore_err) exit after a request they cannot
// read; what is refused after that is recorded as such (goneAfter), not as a wrong answer.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { encodeTlv, readTlv, TAG } from "../der/der.js";
import { describe, OcspError } from "../errors.js";
import { type CertId, certIdFor } from "../ocsp/certid.js";
import { digestByName, SHA1 } from "../ocsp/digests.js";
import { encodeRequest, nonceExtension } from "../ocsp/request.js";
import { type OcspResponse, parseResponse } from "../ocsp/response.js";
import { getUrl, type RawReply, sendRaw } from "../transport/http.js";
import type { Certificate, Extension } from "../x509/cert.js";

const USER_AGENT = "ocspkit probe";

/** What the probe asks about: the responder, its CA, and certificates whose status is known. */
export interface Target {
  readonly url: string;
  readonly issuer: Certificate;
  readonly good?: Certificate;
  readonly revoked?: Certificate;
}

export interface PlanOptions {
  /** Per exchange. */
  readonly timeoutMs: number;
  /** How many more times the main question is asked (POST and GET in turn) for `consistency`. */
  readonly repeat: number;
  /**
   * The exchanges the chosen checks read ("repeat" for the repeats); the main POST is always
   * made, nothing else that no chosen check reads.
   */
  readonly wanted: ReadonlySet<string>;
}

/** Why an exchange brought no HTTP answer. */
export type Failure = "timeout" | "refused" | "dropped" | "unsent" | "other";

/** One planned question: what is sent, where, and what it asks about. */
export interface Question {
  readonly name: string;
  /** One line for people: what the exchange asks. */
  readonly purpose: string;
  readonly method: "GET" | "POST";
  readonly url: string;
  /** The DER request (or the bytes standing in for one). */
  readonly request: Uint8Array;
  /** The CertIDs the request asks about, in order; empty for the malformed ones. */
  readonly asked: readonly CertId[];
  readonly requestExtensions: readonly Extension[];
}

/** A question asked, with what came back. */
export interface Exchange extends Question {
  /** When the answer (or the failure) came. */
  readonly at: Date;
  readonly ms: number;
  readonly reply?: RawReply;
  readonly failure?: { readonly kind: Failure; readonly message: string };
  /**
   * Set when this and every later exchange found no responder (refused, or reset as it went
   * down) after it had answered earlier ones: the name of the exchange after which it stopped.
   */
  readonly goneAfter?: string;
  /** The parsed answer, when the reply was HTTP 200 with a body that parses. */
  readonly response?: OcspResponse;
  readonly parseError?: string;
}

interface Planned extends Question {
  readonly headers?: readonly [string, string][];
}

/** The main question's subject: the good certificate, else the revoked one, else a random serial. */
export type Subject = "good" | "revoked" | "random";

export interface Plan {
  readonly subject: Subject;
  readonly exchanges: readonly Exchange[];
}

/** A positive INTEGER of 16 bytes no CA has issued: BR 7.1 serials have 64 random bits at least. */
function randomSerial(): Uint8Array {
  const s = randomBytes(16);
  s[0] = (s[0]! & 0x3f) | 0x40;
  return new Uint8Array(s);
}

const requestFor = (ids: readonly CertId[], exts: readonly Extension[] = []) =>
  encodeRequest({ requests: ids.map((certId) => ({ certId, extensions: [] })), extensions: exts });

/** The base URL with one slash more: `http://h/ocsp/` + `/` + request, as some clients build it. */
function slashedGetUrl(url: string, der: Uint8Array): string {
  const base = url.endsWith("/") ? url : `${url}/`;
  return `${base}/${encodeURIComponent(Buffer.from(der).toString("base64"))}`;
}

function rawGetUrl(url: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return url.endsWith("/") ? url + b64 : `${url}/${b64}`;
}

/** Asks every planned question in turn and records what came back. */
export async function runPlan(t: Target, o: PlanOptions): Promise<Plan> {
  const sha1 = (c: Certificate | Uint8Array) => certIdFor(t.issuer, c, SHA1);
  const serial = randomSerial();
  const subject: Subject = t.good ? "good" : t.revoked ? "revoked" : "random";
  const main = t.good ?? t.revoked ?? serial;
  const mainId = sha1(main);
  const mainDer = requestFor([mainId]);
  const randomId = sha1(serial);
  const post = (name: string, purpose: string, ids: CertId[], exts: Extension[] = []): Planned => ({
    name,
    purpose,
    method: "POST",
    url: t.url,
    request: requestFor(ids, exts),
    asked: ids,
    requestExtensions: exts,
  });
  const get = (name: string, purpose: string, url: string, headers?: [string, string][]) =>
    ({
      name,
      purpose,
      method: "GET",
      url,
      request: mainDer,
      asked: [mainId],
      requestExtensions: [],
      headers,
    }) satisfies Planned;
  const junk = (name: string, purpose: string, bytes: Uint8Array): Planned => ({
    name,
    purpose,
    method: "POST",
    url: t.url,
    request: bytes,
    asked: [],
    requestExtensions: [],
  });

  const what = subject === "random" ? "an unassigned serial" : `the --${subject} certificate`;
  const second = subject === "good" && t.revoked ? t.revoked : serial;
  const foreign: CertId = {
    hashAlgorithm: SHA1.oid,
    issuerNameHash: new Uint8Array(randomBytes(20)),
    issuerKeyHash: new Uint8Array(randomBytes(20)),
    serial: randomSerial(),
  };
  const inner = mainDer.subarray(readTlv(mainDer, 0).contentStart);

  // POSTs first: a responder that dies on a GET it cannot read has answered them by then.
  const posts: Planned[] = [
    post("post", `POST, SHA-1 CertID of ${what}`, [mainId]),
    ...(subject === "good" && t.revoked
      ? [post("revoked", "POST, SHA-1 CertID of the --revoked certificate", [sha1(t.revoked)])]
      : []),
    post("sha256", `POST, SHA-256 CertID of ${what}`, [
      certIdFor(t.issuer, main, digestByName("sha256")!),
    ]),
    ...(subject === "random"
      ? []
      : [post("random-serial", "POST, a random 16-byte serial under the issuer", [randomId])]),
    post("foreign-issuer", "POST, a CertID with random issuer hashes", [foreign]),
    post("two-certids", "POST, two CertIDs in one request", [mainId, sha1(second)]),
    post("nonce-32", "POST with a 32-byte nonce", [mainId], [nonceExtension(randomBytes(32))]),
    post("nonce-129", "POST with a 129-byte nonce", [mainId], [nonceExtension(randomBytes(129))]),
  ];
  const tail: Planned[] = [
    ...Array.from({ length: o.repeat }, (_, i) =>
      i % 2
        ? get(`repeat-${i + 1}`, "GET of the main question again", getUrl(t.url, mainDer))
        : post(`repeat-${i + 1}`, "POST of the main question again", [mainId]),
    ),
    get("get-raw", "GET with the base64 not %-escaped", rawGetUrl(t.url, mainDer)),
    // Malformed bodies are whole DER values whose outer length fits the body: a responder that
    // reads by DER length (OpenSSL's) would otherwise wait for bytes that never come, and be
    // graded on a hang the request provoked rather than on how it refuses garbage.
    junk(
      "garbage",
      "POST of 32 random bytes (one DER OCTET STRING)",
      encodeTlv(TAG.OCTET_STRING, randomBytes(32)),
    ),
    junk(
      "truncated",
      "POST of a request cut in half inside",
      encodeTlv(TAG.SEQUENCE, inner.subarray(0, inner.length >> 1)),
    ),
    junk(
      "oversize",
      "POST of a 100 KB body",
      encodeTlv(TAG.SEQUENCE, encodeTlv(TAG.OCTET_STRING, randomBytes(100 * 1024))),
    ),
    get("get-slash", "GET after a base URL ending in /", slashedGetUrl(t.url, mainDer)),
  ];

  const done: Exchange[] = [];
  const wanted = (name: string) =>
    name === "post" || o.wanted.has(name.startsWith("repeat-") ? "repeat" : name);
  const ask = async (p: Planned) => {
    if (!wanted(p.name)) return undefined;
    const x = silent(done) ? unsent(p) : await run(p, o.timeoutMs);
    done.push(x);
    return x;
  };
  for (const p of posts) await ask(p);
  const viaGet = await ask(
    get("get", "GET (RFC 5019) of the same request", getUrl(t.url, mainDer)),
  );
  const etag = header(viaGet?.reply, "etag");
  if (viaGet?.reply?.status === 200 && etag) {
    await ask(
      get("get-conditional", "GET again with If-None-Match", getUrl(t.url, mainDer), [
        ["If-None-Match", etag],
      ]),
    );
  }
  for (const p of tail) await ask(p);
  return { subject, exchanges: markGone(done) };
}

/**
 * Marks the trailing run of exchanges that found no responder, when the responder had answered
 * before it and at least one of them was refused outright: it went away (OpenSSL's exits after
 * a request it cannot read). A reset while it was going down counts as part of that run.
 */
function markGone(xs: Exchange[]): Exchange[] {
  const down = (x: Exchange) => x.failure?.kind === "refused" || x.failure?.kind === "dropped";
  let k = xs.length;
  while (k > 0 && down(xs[k - 1]!)) k--;
  const trailing = xs.slice(k);
  if (
    !xs.slice(0, k).some((x) => x.reply) ||
    !trailing.some((x) => x.failure?.kind === "refused")
  ) {
    return xs;
  }
  const goneAfter = xs[k - 1]!.name;
  return [...xs.slice(0, k), ...trailing.map((x) => ({ ...x, goneAfter }))];
}

/** Timeouts without a single answer: the rest would only wait as long again. */
const SILENT_AFTER = 3;
const silent = (xs: readonly Exchange[]) =>
  xs.length >= SILENT_AFTER &&
  xs.every((x) => x.failure?.kind === "timeout" || x.failure?.kind === "unsent");

function unsent(p: Planned): Exchange {
  const { headers: _, ...question } = p;
  const message = `not sent: the first ${SILENT_AFTER} requests got no answer within --timeout`;
  return { ...question, at: new Date(), ms: 0, failure: { kind: "unsent", message } };
}

export function header(reply: RawReply | undefined, name: string): string | undefined {
  const v = reply?.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

async function run(p: Planned, timeoutMs: number): Promise<Exchange> {
  const t0 = performance.now();
  const { headers, ...base } = p;
  try {
    const reply = await sendRaw(p.url, p.method === "POST" ? p.request : undefined, {
      timeoutMs,
      headers: [["User-Agent", USER_AGENT], ...(headers ?? [])],
    });
    const ms = performance.now() - t0;
    const x = { ...base, at: new Date(), ms, reply };
    if (reply.status !== 200) return x;
    try {
      return { ...x, response: parseResponse(reply.body) };
    } catch (err) {
      return { ...x, parseError: describe(err) };
    }
  } catch (err) {
    const ms = performance.now() - t0;
    return {
      ...base,
      at: new Date(),
      ms,
      failure: { kind: failureKind(err), message: describe(err) },
    };
  }
}

function failureKind(err: unknown): Failure {
  if (err instanceof OcspError && /within \d+ ms/.test(err.message)) return "timeout";
  const code = (err as { cause?: NodeJS.ErrnoException }).cause?.code;
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED") return "dropped";
  if (/socket hang up/i.test(describe(err))) return "dropped";
  return "other";
}
