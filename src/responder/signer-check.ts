// Whether a responder's signer can produce answers a client accepts (RFC 6960 §4.2.2.2): the
// CA itself, or a certificate the CA issued with id-kp-OCSPSigning; valid now; paired with a
// certificate that is a CA. One linear list of checks, each a sentence naming the file. Not
// the signing itself (ocsp/response-builder.ts) nor a client's verification (verify/).

import { isIssuerOf } from "../verify/chain.js";
import { sameName } from "../verify/names.js";
import { verifySignedBy } from "../verify/signature.js";
import { type Certificate, OID } from "../x509/cert.js";

export interface SignerPair {
  readonly ca: Certificate;
  readonly signer: Certificate;
  /** File names, for the messages. */
  readonly caFile: string;
  readonly signerFile: string;
}

/** The first reason no client would accept answers signed so, or undefined. */
export function signerProblem(p: SignerPair, now: Date): string | undefined {
  const { ca, signer, caFile, signerFile } = p;
  if (!isCa(ca)) return `${caFile} is not a CA certificate (no basicConstraints with cA true)`;
  const self = isSameCert(ca, signer);
  if (!self) {
    if (!isIssuerOf(ca, signer) || !verifySignedBy(signer, ca).ok) {
      return `the signer certificate ${signerFile} was not issued by the CA ${caFile}, so clients reject its answers`;
    }
    if (!signer.extKeyUsage?.includes(OID.kpOcspSigning)) {
      return `the signer certificate ${signerFile} lacks id-kp-OCSPSigning in its extended key usage, so clients reject the answers it signs for ${caFile}`;
    }
  }
  return validityProblem(signer, signerFile, now);
}

/** Why the signer cannot sign acceptable answers at `now` (expired, not yet valid), if so. */
export function validityProblem(signer: Certificate, file: string, now: Date): string | undefined {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  if (t < signer.notBefore.getTime()) {
    return `the signer certificate ${file} is not valid before ${signer.notBefore.toISOString()}`;
  }
  if (t >= signer.notAfter.getTime()) {
    return `the signer certificate ${file} expired at ${signer.notAfter.toISOString()}`;
  }
  return undefined;
}

/** A note when answers signed now would outlive their signer. */
export function signerWarning(
  signer: Certificate,
  file: string,
  nextUpdateSeconds: number | undefined,
  now: Date,
): string | undefined {
  if (!nextUpdateSeconds || validityProblem(signer, file, now)) return undefined;
  const nextUpdate = now.getTime() + nextUpdateSeconds * 1000;
  if (signer.notAfter.getTime() >= nextUpdate) return undefined;
  return `the signer certificate ${file} expires at ${signer.notAfter.toISOString()}, before the nextUpdate of answers signed now; clients will reject them from then on`;
}

/** A v3 certificate with basicConstraints cA; a v1 self-signed one, as OpenSSL allows. */
function isCa(c: Certificate): boolean {
  const bc = c.basicConstraints;
  if (bc) return bc.ca;
  return c.version === 0 && c.selfIssued;
}

function isSameCert(a: Certificate, b: Certificate): boolean {
  return (
    a.equals(b) ||
    (sameName(a.subject, b.subject) && Buffer.from(a.spki).equals(Buffer.from(b.spki)))
  );
}
