// Downloads for the things a certificate points at (its issuer via AIA caIssuers, its CRL):
// bounded in size and time, because the URL comes from the certificate under test and nothing
// it names is trusted. What is downloaded is only ever used after its signature is checked.
import http from "node:http";
import { checkDer, children, TAG } from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { describe, OcspError } from "../errors.js";
import { loadHttps, readCapped } from "../transport/http.js";
import { Certificate } from "./cert.js";
import { pemCertificates } from "./load.js";

export interface FetchOptions {
  /** Whole download, redirects included; default 10 s. */
  readonly timeoutMs?: number;
  /** Default 1 MiB. */
  readonly maxBytes?: number;
}

const MAX_REDIRECTS = 3;
const SIGNED_DATA = "1.2.840.113549.1.7.2";

/**
 * GETs `url` (http or https) and returns the body. A few redirects are followed because CAs
 * move their repositories; unlike OCSP answers, these files carry their own signatures.
 */
export async function download(
  url: string,
  what: string,
  opts: FetchOptions = {},
): Promise<Uint8Array> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const fail = (reason: string) =>
    new OcspError("ERR_TRANSPORT", `cannot download the ${what} from ${url}: ${reason}`);
  try {
    let target = url;
    checkScheme(target, fail);
    for (let hop = 0; ; hop++) {
      const res = await get(target, ac.signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.destroy();
        if (hop === MAX_REDIRECTS) throw fail(`more than ${MAX_REDIRECTS} redirects`);
        target = new URL(location, target).href;
        checkScheme(target, fail);
        continue;
      }
      if (status !== 200) {
        res.destroy();
        throw fail(`HTTP ${status} ${res.statusMessage ?? ""}`.trim());
      }
      return await readCapped(res, opts.maxBytes ?? 1 << 20, fail);
    }
  } catch (err) {
    if (ac.signal.aborted) throw fail(`no answer within ${timeoutMs} ms`);
    if (err instanceof OcspError) throw err;
    throw fail(describe(err));
  } finally {
    clearTimeout(timer);
  }
}

function checkScheme(url: string, fail: (r: string) => OcspError): void {
  const scheme = new URL(url).protocol;
  if (scheme !== "http:" && scheme !== "https:") {
    throw fail(`${scheme.replace(/:$/, "")} URLs are not supported (only http and https)`);
  }
}

async function get(url: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? await loadHttps() : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { signal, headers: { Connection: "close" } }, resolve);
    req.on("error", reject);
  });
}

/**
 * The certificates in what an AIA caIssuers URL (or a user) hands over: one DER certificate,
 * PEM certificates, or a certs-only PKCS#7 (RFC 5280 §4.2.2.1), in DER or PEM.
 */
export function parseCertBundle(data: Uint8Array): Certificate[] {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
  const p7 = /-----BEGIN PKCS7-----([\s\S]*?)-----END PKCS7-----/.exec(text);
  if (p7) return pkcs7Certificates(new Uint8Array(Buffer.from(p7[1]!, "base64")));
  if (text.includes("-----BEGIN")) return pemCertificates(text);
  const top = checkDer(data);
  const first = children(data, top)[0];
  // A copy: `data` may be a reader's buffer that the next file overwrites.
  return first?.tag === TAG.OID ? pkcs7Certificates(data) : [new Certificate(data.slice())];
}

function pkcs7Certificates(der: Uint8Array): Certificate[] {
  const top = checkDer(der);
  const [oidT, wrapper] = children(der, top);
  if (oidT?.tag !== TAG.OID || decodeOid(der.subarray(oidT.contentStart, oidT.end)) !== SIGNED_DATA)
    throw new Error("PKCS#7 content is not SignedData");
  const signedData = wrapper && children(der, wrapper)[0];
  if (!signedData) throw new Error("PKCS#7 SignedData is missing");
  const certSet = children(der, signedData).find((t) => t.tag === 0xa0);
  // Other CertificateChoices (attribute certificates) have other tags and are of no use here.
  return (certSet ? children(der, certSet) : [])
    .filter((t) => t.tag === TAG.SEQUENCE)
    .map((t) => new Certificate(der.slice(t.start, t.end)));
}

/** Downloads and parses the issuer certificates an AIA caIssuers URL serves. */
export async function fetchIssuers(url: string, opts: FetchOptions = {}): Promise<Certificate[]> {
  const data = await download(url, "issuer certificate", { maxBytes: 256 * 1024, ...opts });
  try {
    const certs = parseCertBundle(data);
    if (certs.length) return certs;
  } catch (err) {
    throw new OcspError(
      "ERR_INPUT",
      `the issuer certificate from ${url} is not a certificate (DER, PEM or PKCS#7): ${describe(err)}`,
    );
  }
  throw new OcspError("ERR_INPUT", `the issuer certificate file at ${url} holds no certificate`);
}

/** One download per key while the cache lives: many certificates share an issuer and a CRL. */
export function cached<T>(
  cache: Map<string, Promise<T>> | undefined,
  key: string,
  make: () => Promise<T>,
): Promise<T> {
  if (!cache) return make();
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}
