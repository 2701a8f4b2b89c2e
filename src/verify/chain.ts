// Certificate path building and checking, after OpenSSL's X509_verify_cert as OCSP uses it
// (purpose "OCSP helper": every issuer must be a CA; the signer's own use is checked by the
// OCSP rules, not here). Revocation of the chain itself is not checked, as in OpenSSL's default.
import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityKeyIdentifier, SubjectKeyIdentifier } from "@peculiar/asn1-x509";
import { u8 } from "../ocsp/asn.js";
import { type Certificate, KEY_USAGE } from "../x509/cert.js";
import { verifySignature } from "./signature.js";

/** Trust anchors; `more` is consulted only when the given ones have no issuer (system store). */
export class TrustStore {
  #more?: () => readonly Certificate[];
  #loaded?: readonly Certificate[];

  constructor(
    readonly anchors: readonly Certificate[],
    more?: () => readonly Certificate[],
  ) {
    this.#more = more;
  }

  private get extra(): readonly Certificate[] {
    this.#loaded ??= this.#more?.() ?? [];
    return this.#loaded;
  }

  contains(c: Certificate): boolean {
    return (
      this.anchors.some((a) => a.equals(c)) || (!!this.#more && this.extra.some((a) => a.equals(c)))
    );
  }

  issuersOf(c: Certificate): Certificate[] {
    const own = this.anchors.filter((a) => isIssuerOf(a, c));
    return own.length || !this.#more ? own : this.extra.filter((a) => isIssuerOf(a, c));
  }
}

export interface ChainOptions {
  /** The time certificates must be valid at (`-attime`, default now). */
  readonly at: Date;
  /** Accept a chain that ends at any trusted certificate, not only a self-signed one. */
  readonly partialChain: boolean;
  /** -no_check_time: skip the validity-period checks. */
  readonly ignoreTime?: boolean;
}

export type ChainResult =
  | { readonly ok: true; readonly chain: Certificate[] }
  | { readonly ok: false; readonly chain: Certificate[]; readonly error: string };

const MAX_CHAIN = 32;
const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

function keyIds(c: Certificate): { ski?: Uint8Array; aki?: Uint8Array } {
  const ski = c.extension("2.5.29.14");
  const aki = c.extension("2.5.29.35");
  return {
    ski: ski && maybeBytes(AsnConvert.parse(ski.value, SubjectKeyIdentifier)),
    aki: aki && maybeBytes(AsnConvert.parse(aki.value, AuthorityKeyIdentifier).keyIdentifier),
  };
}

const maybeBytes = (b: Parameters<typeof u8>[0] | undefined) => b && u8(b);

/** X509_check_issued without the signature: names, key identifiers, keyCertSign. */
export function isIssuerOf(issuer: Certificate, child: Certificate): boolean {
  if (!bytesEqual(issuer.subject, child.issuer)) return false;
  const { aki } = keyIds(child);
  const { ski } = keyIds(issuer);
  if (aki && ski && !bytesEqual(aki, ski)) return false;
  const ku = issuer.keyUsage;
  return !ku || ku.has(KEY_USAGE.keyCertSign) || issuer === child;
}

const selfSigned = (c: Certificate) => isIssuerOf(c, c);

function pick(candidates: Certificate[], at: Date): Certificate | undefined {
  return candidates.find((c) => c.notBefore <= at && at <= c.notAfter) ?? candidates[0];
}

export function buildChain(
  leaf: Certificate,
  store: TrustStore,
  untrusted: readonly Certificate[],
  opts: ChainOptions,
): ChainResult {
  const chain = [leaf];
  const fail = (error: string): ChainResult => ({ ok: false, chain, error });
  // Checked in this order so the system store is only read when it could matter.
  let trusted = (opts.partialChain || selfSigned(leaf)) && store.contains(leaf);
  while (!trusted || !(selfSigned(chain.at(-1)!) || opts.partialChain)) {
    if (chain.length > MAX_CHAIN) return fail("certificate chain too long");
    const cur = chain.at(-1)!;
    if (!trusted && selfSigned(cur)) {
      return fail(
        chain.length === 1
          ? "self-signed certificate"
          : "self-signed certificate in certificate chain",
      );
    }
    const fromStore = pick(store.issuersOf(cur), opts.at);
    if (fromStore) {
      chain.push(fromStore);
      trusted = true;
      continue;
    }
    if (trusted) return fail("unable to get issuer certificate");
    const fromOthers = pick(
      untrusted.filter((u) => isIssuerOf(u, cur) && !chain.some((c) => c.equals(u))),
      opts.at,
    );
    if (!fromOthers) return fail("unable to get local issuer certificate");
    chain.push(fromOthers);
    trusted = (opts.partialChain || selfSigned(fromOthers)) && store.contains(fromOthers);
  }
  const problem = checkChain(chain, opts);
  return problem ? fail(problem) : { ok: true, chain };
}

/** Times, CA flags, path lengths and signatures down the chain (the anchor's own signature is not checked). */
function checkChain(chain: Certificate[], { at, ignoreTime }: ChainOptions): string | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i]!;
    if (!ignoreTime && at < c.notBefore) return "certificate is not yet valid";
    if (!ignoreTime && at > c.notAfter) return "certificate has expired";
    if (i > 0) {
      const bc = c.basicConstraints;
      const v1SelfSigned = c.version === 0 && selfSigned(c);
      if (!bc?.ca && !v1SelfSigned) return "invalid CA certificate";
      // Intermediates below this CA, not counting self-issued ones (RFC 5280 §4.2.1.9).
      const below = chain.slice(1, i).filter((x) => !x.selfIssued).length;
      if (bc?.pathLen !== undefined && below > bc.pathLen) return "path length constraint exceeded";
    }
    const issuer = chain[i + 1];
    if (issuer) {
      const sig = verifySignature(c.signatureAlgorithm, c.tbs, c.signature, issuer.publicKey);
      if (!sig.ok) return "certificate signature failure";
    }
  }
  return undefined;
}
