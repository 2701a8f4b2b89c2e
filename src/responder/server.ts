// The responder's HTTP side (RFC 6960 appendix A, RFC 5019): POST on any path, GET with the
// base64 request as the last part of any path, /healthz and /metrics. Every OCSP question gets
// an OCSP answer with HTTP 200, errors included; HTTP errors are kept for what is not an OCSP
// question at all (a method we do not serve, a body over 64 KiB, a target over 8 KiB). Slow or
// silent clients cost a socket and a timer, never another client's turn; connections are
// bounded under the file descriptors (connections.ts).

import type { KeyObject } from "node:crypto";
import { once } from "node:events";
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { performance } from "node:perf_hooks";
import { describe, OcspError } from "../errors.js";
import { OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from "../ocsp/media-types.js";
import { ResponseSigner } from "../ocsp/response-builder.js";
import { OCSP_STATUS, OCSP_STATUS_NAME } from "../ocsp/status.js";
import type { Certificate } from "../x509/cert.js";
import {
  type Answer,
  type AnsweredCert,
  failure,
  type ServedCa,
  type Unassigned,
} from "./answer.js";
import { type CachedAnswer, cachedHeaders, DEFAULT_CACHE_MB } from "./cache.js";
import { defaultMaxConnections, limitConnections } from "./connections.js";
import { MAX_GET_TARGET, requestFromPath } from "./get-path.js";
import { type MetricsSnapshot, renderMetrics } from "./metrics.js";
import { OcspService } from "./service.js";
import { type SignerPair, signerProblem, signerWarning } from "./signer-check.js";
import type { StatusSource } from "./status.js";
import { DEFAULT_EMPTY_SETTLE_MS, IndexStore } from "./store.js";

export { requestFromPath } from "./get-path.js";

/** Bodies above this are refused from their Content-Length, before a byte of them is read. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface Timeouts {
  /** Until the request headers are complete (slowloris). */
  readonly headersMs: number;
  /** Until the whole request, body included, is in. */
  readonly requestMs: number;
  /** An idle keep-alive connection. */
  readonly keepAliveMs: number;
}

// A connection that never sends a byte falls under headersMs too.
const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  requestMs: 20_000,
  keepAliveMs: 5_000,
};

/** One OCSP exchange, for OpenSSL's per-request output in `ocspkit ocsp -port`. */
export interface Exchange {
  /** The DER request, when one could be taken from the HTTP request. */
  readonly request?: Uint8Array;
  readonly response: Uint8Array;
  readonly status: number;
  readonly problem?: string;
}

export interface HttpOptions {
  /** "rfc" also refuses a POST whose Content-Type is not application/ocsp-request. */
  readonly dialect: "openssl" | "rfc";
  /** One JSON line per request. */
  readonly accessLog?: (line: string) => void;
  readonly onRequest?: (req: IncomingMessage) => void;
  readonly onExchange?: (x: Exchange) => void;
  /** Where /metrics comes from when several processes share the work. */
  readonly metrics?: () => Promise<MetricsSnapshot>;
  readonly timeouts?: Partial<Timeouts>;
  /** Most connections open at once (see connections.ts); what is closed is counted and logged. */
  readonly maxConnections?: number;
  /** Warnings about refused connections, at most one of a kind every 10 s. */
  readonly log?: (message: string) => void;
}

export interface OcspHttpServer {
  readonly server: Server;
  /** Stops accepting, lets requests in progress finish (at most `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

const NO_STORE = "no-store";
const LINGER_MS = 1000;

export function createOcspServer(svc: OcspService, o: HttpOptions): OcspHttpServer {
  const t = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  const rfc = o.dialect === "rfc";
  const log = o.accessLog;
  let closing = false;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const t0 = log ? performance.now() : 0;
    safely(req, res, t0, () => {
      o.onRequest?.(req);
      if (closing) res.shouldKeepAlive = false;
      const m = req.method;
      if (m === "POST") post(req, res, t0);
      else if (m === "GET" || m === "HEAD") get(req, res, t0);
      else {
        svc.metrics.badMethod++;
        plain(req, res, 405, "method not allowed\n", t0, { Allow: "GET, HEAD, POST" });
      }
    });
  };
  const server = createServer(
    {
      headersTimeout: t.headersMs,
      requestTimeout: t.requestMs,
      keepAliveTimeout: t.keepAliveMs,
      connectionsCheckingInterval: Math.min(1000, t.headersMs),
    },
    onRequest,
  );
  // Node would send 100 Continue by itself, inviting a body that is then refused.
  server.on("checkContinue", (req, res) => {
    if (declaredTooLarge(req)) tooLarge(req, res, log ? performance.now() : 0);
    else {
      res.writeContinue();
      onRequest(req, res);
    }
  });

  const warn = rateLimited(o.log ?? (() => {}));
  const max = o.maxConnections;
  if (max) {
    limitConnections(server, max, {
      shed: () => {
        svc.metrics.connectionsShed++;
        warn("shed", `${max} connections open (max-connections): closed the oldest idle one`);
      },
      refused: () => {
        svc.metrics.connectionsDropped++;
        warn("refused", `connection refused: ${max} connections open and busy (max-connections)`);
      },
    });
  }

  /** A fault of ours becomes internalError, never a crash or an empty HTTP 500. */
  function safely(req: IncomingMessage, res: ServerResponse, t0: number, f: () => void): void {
    try {
      f();
    } catch (err) {
      if (res.headersSent) res.destroy();
      else answer(req, res, undefined, failure(OCSP_STATUS.internalError, describe(err)), t0);
    }
  }

  // Once listening, the only server errors are failed accept()s (out of file descriptors, say):
  // the listener stays up and the next connection is tried; the operator needs to know.
  server.on("listening", () =>
    server.on("error", (err) => {
      svc.metrics.acceptErrors++;
      warn("accept", `cannot accept a connection: ${describe(err)}`);
    }),
  );

  function post(req: IncomingMessage, res: ServerResponse, t0: number): void {
    if (declaredTooLarge(req)) {
      tooLarge(req, res, t0);
      return;
    }
    if (rfc && !isOcspRequestType(req.headers["content-type"])) {
      const problem = `content type ${req.headers["content-type"]} is not ${OCSP_REQUEST_TYPE}`;
      answer(req, res, undefined, failure(OCSP_STATUS.malformedRequest, problem), t0);
      return;
    }
    // A request body almost always arrives in one chunk: no array until a second one comes.
    let body: Buffer | Buffer[] | undefined;
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        if (!res.headersSent) tooLarge(req, res, t0);
      } else if (body === undefined) body = c;
      else if (Array.isArray(body)) body.push(c);
      else body = [body, c];
    });
    req.on("end", () => {
      if (size > MAX_REQUEST_BYTES) return;
      const der = Array.isArray(body) ? Buffer.concat(body, size) : (body ?? Buffer.alloc(0));
      safely(req, res, t0, () => ocsp(req, res, der, t0));
    });
  }

  function get(req: IncomingMessage, res: ServerResponse, t0: number): void {
    const url = req.url ?? "/";
    if (url.length > MAX_GET_TARGET) {
      svc.metrics.uriTooLong++;
      plain(req, res, 414, `request target over ${MAX_GET_TARGET} bytes\n`, t0);
      return;
    }
    if (url === "/healthz") {
      // The signer's certificate first (answers no client accepts), then the status store.
      const problem = svc.healthProblem();
      const down = problem ? undefined : svc.down();
      if (problem) plain(req, res, 503, `${problem}\n`, t0);
      else if (down) plain(req, res, 503, `unavailable: ${down}\n`, t0);
      else plain(req, res, 200, "ok\n", t0);
      return;
    }
    if (url === "/metrics") {
      const snapshot = o.metrics ? o.metrics() : Promise.resolve(svc.snapshot());
      snapshot
        .then(
          (s) => plain(req, res, 200, renderMetrics(s), t0, {}, "text/plain; version=0.0.4"),
          (err: unknown) => plain(req, res, 503, `metrics unavailable: ${describe(err)}\n`, t0),
        )
        .catch(() => res.destroy());
      return;
    }
    const der = requestFromPath(url);
    if (!der) {
      const problem = "no base64 OCSP request in the path";
      answer(req, res, undefined, failure(OCSP_STATUS.malformedRequest, problem), t0);
      return;
    }
    ocsp(req, res, der, t0);
  }

  function ocsp(req: IncomingMessage, res: ServerResponse, der: Buffer, t0: number): void {
    const now = Date.now();
    const key = der.toString("latin1");
    const hit = svc.cached(key, now);
    if (hit) {
      cached(req, res, der, hit, now, "hit", t0);
      return;
    }
    svc.compute(der, key, now).then(
      (r) =>
        safely(req, res, t0, () => {
          if ("etag" in r) cached(req, res, der, r, now, "miss", t0);
          else answer(req, res, der, r, t0);
        }),
      (err: unknown) =>
        safely(req, res, t0, () => {
          throw err;
        }),
    );
  }

  function cached(
    req: IncomingMessage,
    res: ServerResponse,
    der: Buffer,
    e: CachedAnswer,
    now: number,
    cache: "hit" | "miss",
    t0: number,
  ): void {
    const headers = cachedHeaders(e, now);
    const inm = req.headers["if-none-match"];
    let code = 200;
    if (inm !== undefined && etagMatches(inm, e.etag)) {
      code = 304;
      svc.metrics.notModified++;
      res.writeHead(304, headers.slice(4)); // no Content-Type and -Length on a 304
      res.end();
    } else {
      res.writeHead(200, headers);
      res.end(e.body);
    }
    done(req, code, OCSP_STATUS.successful, cache, e.body.length, e.certs, undefined, t0);
    o.onExchange?.({ request: der, response: e.body, status: OCSP_STATUS.successful });
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    der: Buffer | undefined,
    a: Answer,
    t0: number,
  ): void {
    res.writeHead(200, {
      "Content-Type": OCSP_RESPONSE_TYPE,
      "Content-Length": a.der.length,
      "Cache-Control": NO_STORE,
    });
    res.end(a.der);
    done(req, 200, a.status, "none", a.der.length, a.certs, a.problem, t0);
    o.onExchange?.({ request: der, response: a.der, status: a.status, problem: a.problem });
  }

  function tooLarge(req: IncomingMessage, res: ServerResponse, t0: number): void {
    svc.metrics.tooLarge++;
    res.shouldKeepAlive = false;
    // Node closes a Connection: close socket as soon as the answer is written; with the rest of
    // the body still unread, that close is a reset, which can wipe the 413 out of the client's
    // buffers before it reads it. So: half-close, and let the rest drain away for a moment.
    const socket = req.socket;
    socket.destroySoon = () => {
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    plain(req, res, 413, `request body over ${MAX_REQUEST_BYTES} bytes\n`, t0);
  }

  function plain(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    text: string,
    t0: number,
    extra: OutgoingHttpHeaders = {},
    type = "text/plain; charset=utf-8",
  ): void {
    const body = Buffer.from(text);
    res.writeHead(code, {
      "Content-Type": type,
      "Content-Length": body.length,
      "Cache-Control": NO_STORE,
      ...extra,
    });
    res.end(body);
    done(req, code, undefined, "none", body.length, [], undefined, t0);
  }

  function done(
    req: IncomingMessage,
    code: number,
    status: number | undefined,
    cache: "hit" | "miss" | "none",
    bytes: number,
    certs: readonly AnsweredCert[],
    problem: string | undefined,
    t0: number,
  ): void {
    if (status !== undefined) svc.metrics.answered(status);
    svc.metrics.httpStatus(code);
    if (!log) return;
    const url = req.url ?? "";
    log(
      JSON.stringify({
        time: new Date().toISOString(),
        remote: req.socket.remoteAddress,
        method: req.method,
        path: url.length > 256 ? `${url.slice(0, 256)}…` : url,
        http: code,
        ocsp: status === undefined ? undefined : OCSP_STATUS_NAME[status],
        cache,
        certs: certs.length ? certs : undefined,
        bytes,
        ms: Math.round((performance.now() - t0) * 1000) / 1000,
        problem,
      }),
    );
  }

  return {
    server,
    async close(graceMs = 10_000) {
      closing = true;
      const closed = once(server, "close");
      server.close();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs).unref();
      await closed;
      clearTimeout(timer);
      await svc.close();
    },
  };
}

function declaredTooLarge(req: IncomingMessage): boolean {
  const declared = req.headers["content-length"];
  return declared !== undefined && Number(declared) > MAX_REQUEST_BYTES;
}

/** How often one kind of warning may be logged; the ones in between are counted, not lost. */
const WARN_EVERY_MS = 10_000;

function rateLimited(log: (message: string) => void) {
  const last = new Map<string, { at: number; skipped: number }>();
  return (kind: string, message: string) => {
    const now = Date.now();
    const l = last.get(kind);
    if (l && now - l.at < WARN_EVERY_MS) {
      l.skipped++;
      return;
    }
    const more = l?.skipped ? ` (and ${l.skipped} more like it since the last note)` : "";
    log(`${message}${more}`);
    last.set(kind, { at: now, skipped: 0 });
  };
}

function isOcspRequestType(ct: string | undefined): boolean {
  if (ct === undefined || ct === OCSP_REQUEST_TYPE) return true;
  return ct.split(";")[0]!.trim().toLowerCase() === OCSP_REQUEST_TYPE;
}

function etagMatches(header: string, etag: string): boolean {
  if (header === etag || header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/** Binds, resolving with the address once the server listens. */
export function listen(server: NetServer, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function urlOf(a: AddressInfo): string {
  const host = a.family === "IPv6" || a.address.includes(":") ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}/`;
}

/** One CA served by {@link startResponder}, with the delegated (or CA) key that signs for it. */
export interface ResponderCa {
  caCert: Certificate;
  signerCert: Certificate;
  signerKey: KeyObject;
  /** Path to OpenSSL's index.txt for this CA; re-read when it changes. */
  index?: string;
  /** Where this CA's statuses come from instead of an index file (a database). */
  source?: StatusSource;
  /** Sent along with the signer's certificate. */
  otherCerts?: Certificate[];
  /** File names for messages. */
  caFile?: string;
  signerFile?: string;
}

export interface ResponderConfig {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  cas: ResponderCa[];
  /** nextUpdate - thisUpdate in answers; default 3600; 0 for no nextUpdate. */
  nextUpdateSeconds?: number;
  /** The answer about an issuer not served; default unauthorized (OpenSSL says unknown). */
  unknownIssuer?: "unauthorized" | "unknown";
  /** The answer about a serial the CA's store does not hold; default unknown. */
  unassigned?: Unassigned;
  /** Receives one JSON line (no newline) per request. */
  accessLog?: (line: string) => void;
  /** Memory the answer cache may take, in MiB; default DEFAULT_CACHE_MB. */
  cacheMb?: number;
  /** Seconds an index without rows must stay so before it replaces one with rows; default 10. */
  indexSettleSeconds?: number;
  /** Most connections open at once; default: under the open-file limit (connections.ts). */
  maxConnections?: number;
}

export interface RunningResponder {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Process-level settings `ocspkit serve` adds; the library defaults suit embedding. */
export interface StartOptions {
  /** Index reload notes and problems (default: stderr). */
  readonly log?: (message: string) => void;
  readonly metrics?: () => Promise<MetricsSnapshot>;
  /** Called with the service once built (the workers report its snapshot). */
  readonly onService?: (svc: OcspService) => void;
}

export const DEFAULT_NEXT_UPDATE_SECONDS = 3600;

/** Starts an RFC 6960/5019 responder for `config.cas` (what `ocspkit serve` runs). */
export async function startResponder(
  config: ResponderConfig,
  options: StartOptions = {},
): Promise<RunningResponder> {
  const log = options.log ?? ((m: string) => void process.stderr.write(`ocspkit: ${m}\n`));
  const cas = await openCas(config, log);
  const svc = new OcspService(
    cas,
    {
      dialect: "rfc",
      unknownIssuer: config.unknownIssuer ?? "unauthorized",
      unassigned: config.unassigned,
      nextUpdateSeconds: config.nextUpdateSeconds ?? DEFAULT_NEXT_UPDATE_SECONDS,
    },
    { cacheBytes: (config.cacheMb ?? DEFAULT_CACHE_MB) * 1024 * 1024, log },
  );
  options.onService?.(svc);
  const http = createOcspServer(svc, {
    dialect: "rfc",
    accessLog: config.accessLog,
    metrics: options.metrics,
    maxConnections: config.maxConnections ?? defaultMaxConnections(),
    log,
  });
  let address: AddressInfo;
  try {
    address = await listen(http.server, config.port ?? 0, config.host ?? "127.0.0.1");
  } catch (err) {
    await svc.close();
    throw err;
  }
  return { url: urlOf(address), port: address.port, close: () => http.close() };
}

/** Signers checked, keys matched to them, indexes read: everything start-up can refuse. */
async function openCas(config: ResponderConfig, log: (m: string) => void): Promise<ServedCa[]> {
  const now = new Date();
  for (const [i, c] of config.cas.entries()) {
    const problem = signerProblem(pairOf(c, i), now);
    if (problem) throw new OcspError("ERR_INPUT", problem);
  }
  const stores = new Map<string, Promise<IndexStore>>();
  const storeFor = (c: ResponderCa): Promise<StatusSource> => {
    if (c.source) return Promise.resolve(c.source);
    if (c.index === undefined) throw new Error("a CA needs an index file or a status source");
    const s =
      stores.get(c.index) ??
      IndexStore.open(c.index, {
        log,
        emptySettleMs: (config.indexSettleSeconds ?? DEFAULT_EMPTY_SETTLE_MS / 1000) * 1000,
      });
    stores.set(c.index, s);
    return s;
  };
  try {
    return await Promise.all(
      config.cas.map(async (c) => ({
        caCert: c.caCert,
        signer: new ResponseSigner({
          cert: c.signerCert,
          key: c.signerKey,
          otherCerts: c.otherCerts,
        }),
        source: await storeFor(c),
      })),
    );
  } catch (err) {
    for (const s of stores.values())
      void s.then(
        (store) => store.close(),
        () => {},
      );
    throw err;
  }
}

const pairOf = (c: ResponderCa, i: number): SignerPair => ({
  ca: c.caCert,
  signer: c.signerCert,
  caFile: c.caFile ?? `CA certificate ${i + 1}`,
  signerFile: c.signerFile ?? c.caFile ?? `signer certificate ${i + 1}`,
});

/**
 * What `ocspkit serve --workers` checks before it forks: everything {@link startResponder}
 * would refuse, thrown as its OcspError.
 */
export async function checkResponder(config: ResponderConfig): Promise<void> {
  const cas = await openCas(config, () => {});
  await Promise.all([...new Set(cas.map((c) => c.source))].map((s) => s.close()));
}

/** Notes worth a warning at start-up: a signer that expires before the answers' nextUpdate. */
export function responderWarnings(config: ResponderConfig, now = new Date()): string[] {
  const next = config.nextUpdateSeconds ?? DEFAULT_NEXT_UPDATE_SECONDS;
  return config.cas.flatMap((c, i) => {
    const w = signerWarning(c.signerCert, pairOf(c, i).signerFile, next, now);
    return w ? [w] : [];
  });
}
