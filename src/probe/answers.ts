// What one recorded answer says, read once for every check: the SingleResponse for each asked
// CertID, and who signed it. The signer is found by its signature, not only by the ResponderID
// it claims, so that a wrong ResponderID is reported as that (responder-id) and not as a bad
// signature. Not here: whether any of it is acceptable (checks.ts decides that).
import { type CertId, sameCertId } from "../ocsp/certid.js";
import type { BasicResponse, SingleResponse } from "../ocsp/response.js";
import { buildChain, TrustStore } from "../verify/chain.js";
import { sameName } from "../verify/names.js";
import { verifySignedBy } from "../verify/signature.js";
import { type Certificate, OID } from "../x509/cert.js";
import type { Exchange } from "./plan.js";

export interface SignerFacts {
  /** The certificate whose key verifies the signature; undefined when none does. */
  readonly signer?: Certificate;
  /** Why no signer was found. */
  readonly signatureProblem?: string;
  /** Whether the ResponderID names `signer`. */
  readonly responderIdMatches: boolean;
  /** "issuer" when the CA signed, "delegate" for an authorised responder, else a reason. */
  readonly authorization: "issuer" | "delegate" | { readonly problem: string };
}

/** The successful basic answer of an exchange, when it has one. */
export function basicOf(x: Exchange): BasicResponse | undefined {
  return x.response?.status === 0 ? x.response.basic : undefined;
}

/**
 * The SingleResponse for `id`: the one with that CertID, else (read leniently, so that a wrong
 * CertID is certid-echo's finding alone) the only one there is.
 */
export function singleFor(x: Exchange, id: CertId): SingleResponse | undefined {
  const all = basicOf(x)?.responses ?? [];
  return all.find((r) => sameCertId(r.certId, id)) ?? (all.length === 1 ? all[0] : undefined);
}

const memo = new WeakMap<BasicResponse, SignerFacts>();

export function signerFacts(bs: BasicResponse, issuer: Certificate, at: Date): SignerFacts {
  let f = memo.get(bs);
  if (!f) {
    f = findSigner(bs, issuer, at);
    memo.set(bs, f);
  }
  return f;
}

function names(bs: BasicResponse, c: Certificate): boolean {
  const id = bs.responderId;
  if (id.byName) return sameName(id.byName, c.subject);
  return !!id.byKey && c.keyHash().equals(id.byKey);
}

function findSigner(bs: BasicResponse, issuer: Certificate, at: Date): SignerFacts {
  const candidates = [...bs.certs, issuer];
  // The one the ResponderID names first: the usual case costs one verification.
  candidates.sort((a, b) => Number(names(bs, b)) - Number(names(bs, a)));
  let problem = "no certificate in the response nor the issuer verifies the signature";
  for (const c of candidates) {
    const v = verifySignedBy(bs, c);
    if (v.ok) {
      return {
        signer: c,
        responderIdMatches: names(bs, c),
        authorization: authorize(c, issuer, bs.certs, at),
      };
    }
    if (names(bs, c)) problem = `the signature does not verify with the named signer: ${v.reason}`;
  }
  return { signatureProblem: problem, responderIdMatches: false, authorization: { problem } };
}

/** RFC 6960 §4.2.2.2: the CA itself, or a certificate it issued for id-kp-OCSPSigning. */
function authorize(
  signer: Certificate,
  issuer: Certificate,
  untrusted: readonly Certificate[],
  at: Date,
): SignerFacts["authorization"] {
  if (signer.equals(issuer) || Buffer.from(signer.spki).equals(issuer.spki)) return "issuer";
  const chain = buildChain(signer, new TrustStore([issuer]), untrusted, { at, partialChain: true });
  if (!chain.ok) return { problem: `the signer does not chain to the issuer: ${chain.error}` };
  if (!chain.chain[1]?.equals(issuer)) {
    return { problem: "the signer was not issued by the issuer itself" };
  }
  if (!signer.extKeyUsage?.includes(OID.kpOcspSigning)) {
    return { problem: "the delegated signer lacks id-kp-OCSPSigning in its extended key usage" };
  }
  return "delegate";
}
