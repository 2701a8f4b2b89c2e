// RFC 6960 §3.2 / §4.2.2.2 response checks, in the order and with the outcomes of OpenSSL's
// OCSP_basic_verify, so that `ocspkit ocsp` agrees with `openssl ocsp` on every verdict.
// Each rule is a named check; a failed one says which rule and why.
import { describe, type ErrorCode } from "../errors.js";
import { type CertId, issuerHashesMatch, sameIssuer } from "../ocsp/certid.js";
import type { BasicResponse, ResponderId } from "../ocsp/response.js";
import { type Certificate, OID } from "../x509/cert.js";
import { buildChain, type ChainOptions, type TrustStore } from "./chain.js";
import { sameName } from "./names.js";
import { verifySignedBy } from "./signature.js";

export interface VerifyFlags {
  /** -no_signature_verify */
  readonly noSignature?: boolean;
  /** -no_cert_verify: do not build the signer's chain. */
  readonly noCertVerify?: boolean;
  /** -no_chain: use no untrusted certificates when building the chain. */
  readonly noChain?: boolean;
  /** -no_cert_checks: skip the signer authorisation rules. */
  readonly noChecks?: boolean;
  /** -trust_other / -VAfile: a signer found among `certs` is trusted as it is. */
  readonly trustOther?: boolean;
  /** -no_intern: do not look for the signer among the response's own certificates. */
  readonly noIntern?: boolean;
}

export interface VerifyOptions {
  /** Certificates to look for the signer in (-verify_other, -VAfile, the issuers). */
  readonly certs: readonly Certificate[];
  readonly store: TrustStore;
  readonly flags: VerifyFlags;
  readonly chain: ChainOptions;
}

export interface Check {
  readonly name: "signer-found" | "signature" | "signer-chain" | "signer-authorized";
  readonly ok: boolean;
  readonly detail: string;
}

export interface Verdict {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly signer?: Certificate;
  /** Set when not ok: which kind of failure. */
  readonly code?: ErrorCode;
  /** The failed check's detail, for one line of output. */
  readonly reason?: string;
}

function findSigner(id: ResponderId, certs: readonly Certificate[]): Certificate | undefined {
  if (id.byName) return certs.find((c) => sameName(c.subject, id.byName!));
  const key = id.byKey;
  if (key?.length !== 20) return undefined;
  return certs.find((c) => c.keyHash().equals(key));
}

/** Does `cert` (as the issuing CA) match this CertID's issuer hashes? */
function issuerMatches(cert: Certificate, id: CertId): boolean | "unknown-digest" {
  return issuerHashesMatch(cert, id) ?? "unknown-digest";
}

function matchesAll(cert: Certificate, ids: readonly CertId[]): boolean | "unknown-digest" {
  for (const id of ids) {
    const m = issuerMatches(cert, id);
    if (m !== true) return m;
  }
  return true;
}

/**
 * OpenSSL's ocsp_check_issuer: the signer must be the CA of every CertID answered, or be
 * issued by that CA and carry id-kp-OCSPSigning.
 */
function checkAuthorized(bs: BasicResponse, chain: Certificate[]): Check {
  const fail = (detail: string): Check => ({ name: "signer-authorized", ok: false, detail });
  const ids = bs.responses.map((r) => r.certId);
  if (ids.length === 0) return fail("response contains no revocation data");
  // With mixed issuers under one digest no single CA can have signed: OpenSSL gives up there.
  const first = ids[0]!;
  const mixed = ids.find((id) => !sameIssuer(first, id));
  if (mixed && mixed.hashAlgorithm === first.hashAlgorithm) {
    return fail("the response answers for certificates of different issuers");
  }
  const toMatch = mixed ? ids : [first];
  const signer = chain[0]!;
  const ca = chain[1];
  if (ca) {
    const m = matchesAll(ca, toMatch);
    if (m === "unknown-digest") return fail("unknown digest in CertID");
    if (m) {
      const eku = signer.extKeyUsage;
      return eku?.includes(OID.kpOcspSigning)
        ? {
            name: "signer-authorized",
            ok: true,
            detail: "delegated responder with id-kp-OCSPSigning issued by the CA",
          }
        : fail("delegated responder certificate lacks id-kp-OCSPSigning (RFC 6960 §4.2.2.2)");
    }
  }
  const m = matchesAll(signer, toMatch);
  if (m === "unknown-digest") return fail("unknown digest in CertID");
  return m
    ? { name: "signer-authorized", ok: true, detail: "signed by the issuing CA" }
    : fail(
        "signer is neither the issuing CA nor a responder it authorised (root CA not trusted for OCSP signing)",
      );
}

/**
 * OCSP_basic_verify. Total: whatever the response holds, the answer is a Verdict, and an
 * unexpected exception is a failed check, never a pass.
 */
export function verifyBasic(bs: BasicResponse, opts: VerifyOptions): Verdict {
  const checks: Check[] = [];
  try {
    return runChecks(bs, opts, checks);
  } catch (err) {
    const name =
      ORDER.find(
        (n) => !checks.some((c) => c.name === n) && !(n === "signature" && opts.flags.noSignature),
      ) ?? "signer-authorized";
    const detail = `cannot be checked: ${describe(err)}`;
    checks.push({ name, ok: false, detail });
    return { ok: false, checks, code: "ERR_RESPONSE_MALFORMED", reason: detail };
  }
}

const ORDER: readonly Check["name"][] = [
  "signer-found",
  "signature",
  "signer-chain",
  "signer-authorized",
];

function runChecks(bs: BasicResponse, opts: VerifyOptions, checks: Check[]): Verdict {
  const { flags } = opts;
  const done = (code?: ErrorCode, signer?: Certificate): Verdict => {
    const failed = checks.find((c) => !c.ok);
    return { ok: !failed, checks, signer, code, reason: failed?.detail };
  };

  let signer = findSigner(bs.responderId, opts.certs);
  const fromCerts = !!signer;
  if (!signer && !flags.noIntern) signer = findSigner(bs.responderId, bs.certs);
  if (!signer) {
    checks.push({
      name: "signer-found",
      ok: false,
      detail: "signer certificate not found (no certificate matches the ResponderID)",
    });
    return done("ERR_SIGNER_NOT_FOUND");
  }
  checks.push({
    name: "signer-found",
    ok: true,
    detail: fromCerts ? "in the supplied certificates" : "in the response",
  });

  if (!flags.noSignature) {
    const sig = verifySignedBy(bs, signer);
    checks.push({ name: "signature", ok: sig.ok, detail: sig.ok ? "valid" : sig.reason });
    if (!sig.ok) return done("ERR_SIGNATURE", signer);
  }

  if (flags.noCertVerify || (fromCerts && flags.trustOther)) return done(undefined, signer);

  const untrusted = flags.noChain ? [] : [...bs.certs, ...opts.certs];
  const built = buildChain(signer, opts.store, untrusted, opts.chain);
  if (!built.ok) {
    checks.push({ name: "signer-chain", ok: false, detail: `signer certificate: ${built.error}` });
    return done("ERR_CHAIN", signer);
  }
  checks.push({
    name: "signer-chain",
    ok: true,
    detail: `${built.chain.length} certificate(s) to a trust anchor`,
  });
  if (flags.noChecks) return done(undefined, signer);

  const auth = checkAuthorized(bs, built.chain);
  // OpenSSL would still accept a root explicitly trusted for OCSP signing (trust settings of a
  // "TRUSTED CERTIFICATE"); ocspkit loads no trust settings, so nothing passes that way.
  checks.push(auth);
  return done(auth.ok ? undefined : "ERR_SIGNER_UNAUTHORIZED", signer);
}
