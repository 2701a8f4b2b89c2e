// Certificate path building and checking, after OpenSSL's X509_verify_cert as OCSP uses it
// (purpose "OCSP helper": every issuer must be a CA; the signer's own use is checked by the
// OCSP rules, not here). Revocation of the chain itself is not checked, as in OpenSSL's default.
import { sameBytes } from "../der/der.js";
import { describe } from "../errors.js";
import { type Certificate, KEY_USAGE, OID } from "../x509/cert.js";
import {
  checkGeneralNames,
  checkNameConstraints,
  decodeAuthorityKeyId,
  decodeCrlUris,
  decodeSubjectKeyId,
} from "../x509/extensions.js";
import { sameName } from "./names.js";
import { verifySignedBy } from "./signature.js";

/** Certificates found by subject name, such as OpenSSL's hashed CA directories. */
export interface CertificateDirectory {
  bySubject(nameDer: Uint8Array): readonly Certificate[];
}

/** Trust anchors; `system` is asked only when the given ones hold no match. */
export class TrustStore {
  constructor(
    readonly anchors: readonly Certificate[],
    readonly system?: CertificateDirectory,
  ) {}

  contains(c: Certificate): boolean {
    return (
      this.anchors.some((a) => a.equals(c)) ||
      !!this.system?.bySubject(c.subject).some((a) => a.equals(c))
    );
  }

  issuersOf(c: Certificate): Certificate[] {
    const own = this.anchors.filter((a) => isIssuerOf(a, c));
    if (own.length || !this.system) return own;
    return this.system.bySubject(c.issuer).filter((a) => isIssuerOf(a, c));
  }
}

export interface ChainOptions {
  /** The time certificates must be valid at (`-attime`, default now). */
  readonly at: Date;
  /** Accept a chain that ends at any trusted certificate, not only a self-signed one. */
  readonly partialChain: boolean;
  /** -no_check_time: skip the validity-period checks. */
  readonly ignoreTime?: boolean;
  /** -ignore_critical: accept critical extensions ocspkit does not understand. */
  readonly ignoreCritical?: boolean;
}

export type ChainResult =
  | { readonly ok: true; readonly chain: Certificate[] }
  | { readonly ok: false; readonly chain: Certificate[]; readonly error: string };

const MAX_CHAIN = 32;

const OID_SKI = "2.5.29.14";
const OID_AKI = "2.5.29.35";
const OID_SAN = "2.5.29.17";
const OID_NAME_CONSTRAINTS = "2.5.29.30";

const keyIdMemo = new WeakMap<Certificate, { ski?: Uint8Array; aki?: Uint8Array }>();

function keyIds(c: Certificate): { ski?: Uint8Array; aki?: Uint8Array } {
  let ids = keyIdMemo.get(c);
  if (!ids) {
    ids = {
      ski: c.decodeExtension(OID_SKI, decodeSubjectKeyId),
      aki: c.decodeExtension(OID_AKI, decodeAuthorityKeyId),
    };
    keyIdMemo.set(c, ids);
  }
  return ids;
}

/**
 * The extensions X509_verify_cert reads. One that occurs twice or does not decode makes
 * OpenSSL mark the whole certificate invalid (EXFLAG_INVALID): it then issues nothing and is
 * issued by nothing.
 */
const DECODED: Record<string, (c: Certificate) => unknown> = {
  [OID.basicConstraints]: (c) => c.basicConstraints,
  [OID.keyUsage]: (c) => c.keyUsage,
  [OID.extKeyUsage]: (c) => c.extKeyUsage,
  [OID_SKI]: keyIds,
  [OID_AKI]: keyIds,
  [OID_SAN]: (c) => c.decodeExtension(OID_SAN, checkGeneralNames),
  [OID_NAME_CONSTRAINTS]: (c) => c.decodeExtension(OID_NAME_CONSTRAINTS, checkNameConstraints),
  [OID.crlDistributionPoints]: (c) => c.decodeExtension(OID.crlDistributionPoints, decodeCrlUris),
};

const invalidCache = new WeakMap<Certificate, string | false>();

/** Why OpenSSL would call `c` an invalid certificate, or undefined when it is well formed. */
function invalidExtension(c: Certificate): string | undefined {
  let problem = invalidCache.get(c);
  if (problem === undefined) {
    problem = false;
    const seen = new Set<string>();
    for (const e of c.extensions) {
      const decode = DECODED[e.oid];
      if (!decode) continue;
      if (seen.has(e.oid)) problem = `extension ${e.oid} occurs twice`;
      seen.add(e.oid);
      try {
        decode(c);
      } catch (err) {
        problem = `extension ${e.oid} is malformed: ${describe(err)}`;
      }
      if (problem) break;
    }
    invalidCache.set(c, problem);
  }
  return problem || undefined;
}

/**
 * Critical extensions that change nothing ocspkit decides (as in OpenSSL without policy or CRL
 * checking). Any other one marked critical makes the certificate unusable (RFC 5280 §4.2),
 * as X509_verify_cert's "unhandled critical extension" does. Name constraints, proxy
 * certificate info and RFC 3779 resources would need checks ocspkit does not make, so they
 * are refused rather than ignored.
 */
const HANDLED_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID_SAN,
  OID.crlDistributionPoints,
  OID.ocspNoCheck,
  "2.16.840.1.113730.1.1", // Netscape certificate type
  "2.5.29.32", // certificate policies
  "2.5.29.33", // policy mappings
  "2.5.29.36", // policy constraints
  "2.5.29.54", // inhibit anyPolicy
]);

/** X509_check_issued without the signature: names, key identifiers, keyCertSign. */
export function isIssuerOf(issuer: Certificate, child: Certificate): boolean {
  if (!sameName(issuer.subject, child.issuer)) return false;
  if (invalidExtension(issuer) || invalidExtension(child)) return false;
  const { aki } = keyIds(child);
  const { ski } = keyIds(issuer);
  if (aki && ski && !sameBytes(aki, ski)) return false;
  const ku = issuer.keyUsage;
  return !ku || ku.has(KEY_USAGE.keyCertSign) || issuer === child;
}

const selfSigned = (c: Certificate) => isIssuerOf(c, c);

/** X509_cmp_time's reading: valid from notBefore up to, but not including, notAfter. */
function timeProblem(c: Certificate, at: Date): string | undefined {
  const t = Math.floor(at.getTime() / 1000) * 1000;
  // Only a certificate read for printing holds such times (see readTimeForPrint).
  if (Number.isNaN(c.notBefore.getTime() + c.notAfter.getTime())) return "invalid time field";
  if (t < c.notBefore.getTime()) return "certificate is not yet valid";
  if (t >= c.notAfter.getTime()) return "certificate has expired";
  return undefined;
}

function pick(candidates: Certificate[], at: Date): Certificate | undefined {
  return candidates.find((c) => !timeProblem(c, at)) ?? candidates[0];
}

export function buildChain(
  leaf: Certificate,
  store: TrustStore,
  untrusted: readonly Certificate[],
  opts: ChainOptions,
): ChainResult {
  const chain = [leaf];
  const fail = (error: string): ChainResult => ({ ok: false, chain, error });
  const invalid = invalidExtension(leaf);
  if (invalid) return fail(`invalid certificate: ${invalid}`);
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

/**
 * Extensions, times, CA flags, path lengths and signatures down the chain (the anchor's own
 * signature is not checked).
 */
function checkChain(chain: Certificate[], opts: ChainOptions): string | undefined {
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i]!;
    const critical = c.extensions.find((e) => e.critical && !HANDLED_CRITICAL.has(e.oid));
    if (critical && !opts.ignoreCritical) return `unhandled critical extension ${critical.oid}`;
    if (c.extension(OID_NAME_CONSTRAINTS)) return "name constraints are not supported";
    if (!opts.ignoreTime) {
      const t = timeProblem(c, opts.at);
      if (t) return t;
    }
    if (i > 0) {
      const bc = c.basicConstraints;
      const v1SelfSigned = c.version === 0 && selfSigned(c);
      if (!bc?.ca && !v1SelfSigned) return "invalid CA certificate";
      // Intermediates below this CA, not counting self-issued ones (RFC 5280 §4.2.1.9).
      const below = chain.slice(1, i).filter((x) => !x.selfIssued).length;
      if (bc?.pathLen !== undefined && below > bc.pathLen) return "path length constraint exceeded";
    }
    const issuer = chain[i + 1];
    if (issuer && !signedBy(c, issuer)) return "certificate signature failure";
  }
  return undefined;
}

// A certificate's signature by a given key never changes, and a responder's own certificate and
// its CA's arrive with every response it signs; each pair is checked once (bounded cache).
const SIGNATURE_MEMO_SIZE = 256;
const signatureMemo = new Map<string, boolean>();

function signedBy(c: Certificate, issuer: Certificate): boolean {
  const latin1 = (b: Uint8Array) =>
    Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
  const k = `${latin1(c.der)}\u0000${latin1(issuer.spki)}`;
  let ok = signatureMemo.get(k);
  if (ok === undefined) {
    ok = verifySignedBy(c, issuer).ok;
    if (signatureMemo.size >= SIGNATURE_MEMO_SIZE)
      signatureMemo.delete(signatureMemo.keys().next().value!);
    signatureMemo.set(k, ok);
  }
  return ok;
}
