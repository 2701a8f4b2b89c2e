// Finding the CA that issued a certificate, so the user does not have to: the CertID hashes its
// name and key, and the answer's signer must chain through it.
import { OcspError } from "../errors.js";
import { type CertificateDirectory, isIssuerOf, type TrustStore } from "../verify/chain.js";
import { verifySignedBy, verifySignedByAsync } from "../verify/signature.js";
import type { Certificate } from "../x509/cert.js";
import { cached, fetchIssuers } from "../x509/fetch-issuer.js";

export interface IssuerSources {
  /** `--issuer`: when given, the issuer must be among these. */
  readonly explicit?: readonly Certificate[];
  /** Every certificate the user handed over (other files' chains), by subject. */
  readonly pool?: CertificateDirectory;
  readonly trust: TrustStore;
  readonly timeoutMs?: number;
  /** Downloads by caIssuers URL, shared across certificates. */
  readonly downloads: Map<string, Promise<Certificate[]>>;
  /** Bounds the downloads in flight (default: unbounded). */
  readonly limit?: <T>(download: () => Promise<T>) => Promise<T>;
}

/** Did `ca` issue `cert`: names, key identifiers, and the signature itself. */
export function issued(ca: Certificate, cert: Certificate): boolean {
  return isIssuerOf(ca, cert) && verifySignedBy(cert, ca).ok;
}

/** Roots are refused: no CA above them can answer for them. */
export function rootError(cert: Certificate): OcspError | undefined {
  if (!cert.selfIssued || !issued(cert, cert)) return undefined;
  return new OcspError(
    "ERR_INPUT",
    "this is a self-signed (root) certificate: no CA above it can say whether it is revoked",
  );
}

/**
 * Where the issuer of `cert` is looked for before any download, in order, each list consulted
 * only when those before it hold no candidate: `--issuer` alone when given; else the
 * certificate's own file, the other inputs, the trust store.
 */
function localLists(
  cert: Certificate,
  sameFile: readonly Certificate[],
  src: IssuerSources,
): (() => readonly Certificate[])[] {
  if (src.explicit) return [() => src.explicit!];
  return [
    () => sameFile,
    () => src.pool?.bySubject(cert.issuer) ?? [],
    () => src.trust.issuersOf(cert),
  ];
}

/**
 * The first certificate findIssuer would check the signature of: when that signature holds,
 * it is the issuer findIssuer finds, so a batch can check the signatures of many certificates
 * at once and search further only for those where it does not.
 */
export function firstCandidate(
  cert: Certificate,
  sameFile: readonly Certificate[],
  src: IssuerSources,
): Certificate | undefined {
  for (const list of localLists(cert, sameFile, src)) {
    for (const c of list()) if (isIssuerOf(c, cert)) return c;
  }
  return undefined;
}

/**
 * The issuer of `cert`, looked for in `--issuer`, the certificate's own file, the other inputs,
 * the trust store, and last the AIA caIssuers URL. Throws an OcspError saying where it looked.
 */
export async function findIssuer(
  cert: Certificate,
  sameFile: readonly Certificate[],
  src: IssuerSources,
): Promise<Certificate> {
  // The signature is checked on the thread pool: a batch checks one a certificate.
  const pick = async (cands: readonly Certificate[]) => {
    for (const c of cands) {
      if (isIssuerOf(c, cert) && (await verifySignedByAsync(cert, c)).ok) return c;
    }
    return undefined;
  };
  for (const list of localLists(cert, sameFile, src)) {
    const found = await pick(list());
    if (found) return found;
  }
  if (src.explicit) {
    throw new OcspError(
      "ERR_INPUT",
      "the --issuer certificate did not issue this certificate (names or signature differ)",
    );
  }
  const urls = cert.caIssuersUrls.filter((u) => /^https?:\/\//i.test(u));
  if (!urls.length) {
    throw new OcspError(
      "ERR_INPUT",
      "issuer certificate not found (the certificate has no http caIssuers URL): " +
        "give --issuer, append the issuer to the certificate's file, or add it to --ca-file",
    );
  }
  let lastError: unknown;
  for (const url of urls) {
    try {
      const limit = src.limit ?? ((download) => download());
      const got = await cached(src.downloads, url, () =>
        limit(() => fetchIssuers(url, { timeoutMs: src.timeoutMs })),
      );
      const found = await pick(got);
      if (found) return found;
      lastError = new OcspError(
        "ERR_INPUT",
        `the certificate downloaded from ${url} (caIssuers) did not issue this certificate`,
      );
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}
