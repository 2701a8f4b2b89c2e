// A certificate's status from its CRL distribution point: the fallback for certificates that
// name no OCSP responder, or whose responder fails.
import { describe, OcspError } from "../errors.js";
import { buildChain, type TrustStore } from "../verify/chain.js";
import type { Certificate } from "../x509/cert.js";
import { cached, download } from "../x509/fetch-issuer.js";
import { type Crl, type CrlStatus, crlStatus, parseCrl } from "./crl.js";

export interface CrlCheckOptions {
  readonly cert: Certificate;
  /** The CA that issued `cert` (its signature on `cert` already checked). */
  readonly issuer: Certificate;
  readonly trust: TrustStore;
  /** Untrusted certificates that may complete the issuer's chain. */
  readonly untrusted?: readonly Certificate[];
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly now?: Date;
  /** Shared between checks so that one CRL is downloaded once. */
  readonly cache?: Map<string, Promise<Crl>>;
}

export type CrlCheckResult =
  | (CrlStatus & { readonly url: string; readonly error?: undefined })
  | { readonly status: "error"; readonly url?: string; readonly error: OcspError };

/** Large CAs publish CRLs of tens of megabytes; beyond this something is wrong. */
const DEFAULT_MAX_CRL = 32 << 20;

export async function checkCrl(o: CrlCheckOptions): Promise<CrlCheckResult> {
  const urls = o.cert.crlUrls;
  const usable = urls.filter((u) => /^https?:\/\//i.test(u));
  if (!usable.length) {
    const why = urls.length
      ? `names only CRL locations ocspkit cannot fetch (${urls.join(", ")})`
      : "names no CRL distribution point";
    return { status: "error", error: new OcspError("ERR_NO_CRL", `the certificate ${why}`) };
  }
  const now = o.now ?? new Date();
  const chain = buildChain(o.issuer, o.trust, o.untrusted ?? [], { at: now, partialChain: false });
  if (!chain.ok) {
    return {
      status: "error",
      url: usable[0],
      error: new OcspError("ERR_CHAIN", `the CRL issuer is not trusted: ${chain.error}`),
    };
  }
  let last: CrlCheckResult | undefined;
  for (const url of usable) {
    try {
      const crl = await cached(o.cache, url, async () =>
        parseCrl(
          await download(url, "CRL", {
            timeoutMs: o.timeoutMs,
            maxBytes: o.maxBytes ?? DEFAULT_MAX_CRL,
          }),
          url,
        ),
      );
      return { ...crlStatus(crl, { cert: o.cert, issuer: o.issuer, now }), url };
    } catch (err) {
      const error =
        err instanceof OcspError ? err : new OcspError("ERR_RESPONSE_MALFORMED", describe(err));
      last = { status: "error", url, error };
    }
  }
  return last!;
}
