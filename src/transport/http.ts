// One OCSP exchange over HTTP(S), with OpenSSL's strictness: status 200 only, no redirects, the
// content type must be application/ocsp-response, the body is capped before it is buffered.
import http from "node:http";
import type https from "node:https";
import type { TLSSocket } from "node:tls";
import { describe, OcspError } from "../errors.js";
import { OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE } from "../ocsp/media-types.js";

/** OpenSSL's OSSL_HTTP_DEFAULT_MAX_RESP_LEN. */
export const DEFAULT_MAX_RESPONSE = 100 * 1024;
/** How the message of an answer refused for its size begins (readCapped). */
export const TOO_LARGE = "response larger than the";

export interface HttpOptions {
  /** Extra request headers, in order. */
  readonly headers?: readonly [string, string][];
  /** Whole-exchange timeout in milliseconds; none when undefined or <= 0. */
  readonly timeoutMs?: number;
  /** Proxy URL (`http://host:port`); undefined for a direct connection. */
  readonly proxy?: string;
  readonly maxBytes?: number;
  /** "GET" sends the request base64-encoded in the path (RFC 5019 §5); default POST. */
  readonly method?: "POST" | "GET";
  /**
   * Keep-alive connections to reuse. Without one, each exchange has its own connection, closed
   * after the answer, as `openssl ocsp` does.
   */
  readonly pool?: ConnectionPool;
}

/**
 * Kept-alive connections for many exchanges in one run (`check`'s batches): a new TCP (and TLS)
 * connection per request costs more than the request. At most `maxSockets` per responder;
 * `close()` drops them all, so that the process can exit as soon as the work is done.
 */
export class ConnectionPool {
  readonly #http: http.Agent;
  #https?: https.Agent;

  constructor(readonly maxSockets: number) {
    this.#http = new http.Agent({ keepAlive: true, maxSockets });
  }

  async agentFor(protocol: string): Promise<http.Agent> {
    if (protocol !== "https:") return this.#http;
    const { Agent } = await loadHttps();
    this.#https ??= new Agent({ keepAlive: true, maxSockets: this.maxSockets });
    return this.#https;
  }

  close(): void {
    this.#http.destroy();
    this.#https?.destroy();
  }
}

// TLS is loaded only for https responders: most OCSP is plain HTTP, and start-up counts.
export const loadHttps = () => import("node:https").then((m) => m.default);

/**
 * A kept-alive connection failed as it was reused: the server closed it while idle, and the
 * request crossed the close. An OCSP query changes nothing, so it is safe to send again.
 */
class ReusedConnectionClosed extends Error {}

/** RFC 5019 §5 GET path: the URL-encoded base64 of the DER request appended to the URL. */
export function getUrl(url: string, der: Uint8Array): string {
  const b64 = encodeURIComponent(Buffer.from(der).toString("base64"));
  return url.endsWith("/") ? url + b64 : `${url}/${b64}`;
}

export async function sendOcspRequest(
  url: string,
  der: Uint8Array,
  opts: HttpOptions = {},
): Promise<Uint8Array> {
  const target = new URL(opts.method === "GET" ? getUrl(url, der) : url);
  return withDeadline(target, opts, async (signal) =>
    ocspBody(target, await exchange(target, der, opts, signal), opts),
  );
}

/** What an HTTP exchange gave back, whatever its status or content type. */
export interface RawReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/**
 * One exchange that keeps what sendOcspRequest refuses (any status, any content type, the
 * headers), for tools that grade a responder rather than trust it. `url` is used as given (a
 * GET carries its request in it); the deadline and the body cap are sendOcspRequest's.
 */
export async function sendRaw(
  url: string,
  body: Uint8Array | undefined,
  opts: HttpOptions = {},
): Promise<RawReply> {
  const target = new URL(url);
  const o = { ...opts, method: body ? "POST" : "GET" } as const;
  return withDeadline(target, o, async (signal) => {
    const res = await exchange(target, body ?? new Uint8Array(), o, signal);
    const cap = opts.maxBytes ?? DEFAULT_MAX_RESPONSE;
    const data = await readCapped(res, cap, (r) => new OcspError("ERR_TRANSPORT", `response ${r}`));
    return { status: res.statusCode ?? 0, headers: res.headers, body: data };
  });
}

/** Runs `f` under the whole-exchange timeout, turning every fault into one ERR_TRANSPORT. */
async function withDeadline<T>(
  target: URL,
  opts: HttpOptions,
  f: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new OcspError("ERR_TRANSPORT", `unsupported URL scheme ${target.protocol} in ${target}`);
  }
  const ac = new AbortController();
  const timer =
    opts.timeoutMs && opts.timeoutMs > 0 ? setTimeout(() => ac.abort(), opts.timeoutMs) : undefined;
  try {
    // Each retry has discarded one stale connection from the bounded pool, so this ends.
    for (;;) {
      try {
        return await f(ac.signal);
      } catch (err) {
        if (!(err instanceof ReusedConnectionClosed) || ac.signal.aborted) throw err;
      }
    }
  } catch (err) {
    // A proxy from the environment is easy to forget: say that it was in the way.
    const via = opts.proxy ? ` through the proxy ${opts.proxy}` : "";
    if (ac.signal.aborted) {
      throw new OcspError(
        "ERR_TRANSPORT",
        `no answer from ${target.host}${via} within ${opts.timeoutMs} ms`,
      );
    }
    if (err instanceof OcspError) throw err;
    throw new OcspError("ERR_TRANSPORT", `cannot reach ${target.host}${via}: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** OpenSSL's strictness: HTTP 200, application/ocsp-response, a capped body. */
function ocspBody(target: URL, res: http.IncomingMessage, opts: HttpOptions): Promise<Uint8Array> {
  const fail = (msg: string) => {
    res.destroy();
    return Promise.reject(new OcspError("ERR_TRANSPORT", msg));
  };
  if (res.statusCode !== 200)
    return fail(
      `HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim() + ` from ${target.host}`,
    );
  const ct = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!ct) return fail(`no content type in the answer from ${target.host}`);
  if (ct !== OCSP_RESPONSE_TYPE) return fail(`unexpected content type "${ct}" from ${target.host}`);
  const max = opts.maxBytes ?? DEFAULT_MAX_RESPONSE;
  return readCapped(res, max, (r) => new OcspError("ERR_TRANSPORT", `response ${r}`));
}

/** Sends the request and resolves with the response once its headers are in. */
async function exchange(
  target: URL,
  der: Uint8Array,
  opts: HttpOptions,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const isGet = opts.method === "GET";
  const headers: Record<string, string> = {};
  for (const [k, v] of opts.headers ?? []) headers[k] = v;
  if (!isGet) {
    headers["Content-Type"] = OCSP_REQUEST_TYPE;
    headers["Content-Length"] = String(der.length);
  }
  // A tunnel through a proxy is a socket of its own, which no pool can hand out again.
  const tunnelled = !!opts.proxy && target.protocol === "https:";
  const agent = tunnelled
    ? undefined
    : await opts.pool?.agentFor(opts.proxy ? "http:" : target.protocol);
  if (!agent) headers["Connection"] = "close";
  const base: http.RequestOptions = { method: isGet ? "GET" : "POST", headers, signal, agent };
  let req: http.ClientRequest;
  if (opts.proxy) {
    const proxy = new URL(opts.proxy.includes("://") ? opts.proxy : `http://${opts.proxy}`);
    if (target.protocol === "http:") {
      // A plain-HTTP proxy takes the absolute URI in the request line.
      req = http.request({
        ...base,
        host: proxy.hostname,
        port: proxy.port || 80,
        path: target.href,
        headers: { ...headers, Host: target.host },
      });
    } else {
      const socket = await tunnel(proxy, target, signal);
      req = (await loadHttps()).request({
        ...base,
        ...hostOf(target),
        path: target.pathname + target.search,
        createConnection: () => socket,
        rejectUnauthorized: false,
      });
    }
  } else {
    const mod = target.protocol === "https:" ? await loadHttps() : http;
    // As in openssl ocsp, the TLS server is not authenticated: the OCSP response carries its own signature.
    req = mod.request({
      ...base,
      ...hostOf(target),
      path: target.pathname + target.search,
      rejectUnauthorized: false,
    } as https.RequestOptions);
  }
  return new Promise((resolve, reject) => {
    req.on("error", (err: NodeJS.ErrnoException) => {
      const crossedClose = req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE");
      reject(crossedClose ? new ReusedConnectionClosed(err.message) : err);
    });
    req.on("response", resolve);
    req.end(isGet ? undefined : Buffer.from(der));
  });
}

function hostOf(u: URL): { host: string; port: string | number } {
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port || (u.protocol === "https:" ? 443 : 80),
  };
}

/** An HTTP CONNECT tunnel through the proxy, then TLS to the target. */
function tunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<TLSSocket> {
  const { host, port } = hostOf(target);
  const tls = import("node:tls");
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: "CONNECT",
      path: `${host}:${port}`,
      signal,
    });
    req.on("error", reject);
    req.on("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new OcspError("ERR_TRANSPORT", `proxy refused the tunnel: HTTP ${res.statusCode}`));
        return;
      }
      tls.then(
        ({ connect }) => resolve(connect({ socket, servername: host, rejectUnauthorized: false })),
        reject,
      );
    });
    req.end();
  });
}

/**
 * The proxy to use for `url`: the explicit one, else http_proxy/https_proxy from the
 * environment, unless the host is listed in `noProxy` (or no_proxy), as OpenSSL decides.
 */
export function proxyFor(url: string, explicit?: string, noProxy?: string): string | undefined {
  const u = new URL(url);
  const env = process.env;
  const proxy =
    explicit ??
    (u.protocol === "https:"
      ? (env.https_proxy ?? env.HTTPS_PROXY)
      : (env.http_proxy ?? env.HTTP_PROXY));
  if (!proxy) return undefined;
  const list = (noProxy ?? env.no_proxy ?? env.NO_PROXY ?? "").split(/[\s,]+/).filter(Boolean);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return list.some((h) => h === host || h === "*" || (h.startsWith(".") && host.endsWith(h)))
    ? undefined
    : proxy;
}

/**
 * A response body, refused as soon as it is known to exceed `max` bytes (by its Content-Length,
 * or while it arrives), so that a hostile server cannot make the client buffer without bound.
 */
export function readCapped(
  res: http.IncomingMessage,
  max: number,
  fail: (r: string) => OcspError,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    if (Number(res.headers["content-length"] ?? 0) > max) {
      res.destroy();
      reject(fail(`larger than the ${max}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        res.destroy();
        reject(fail(`larger than the ${max}-byte limit`));
      } else chunks.push(c);
    });
    res.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    res.on("error", reject);
  });
}
