// Decoders for the certificate extensions OCSP depends on, on the strict DER walker: they sit on
// the path of every query (chain building, signer authorisation, finding the responder), where
// loading a schema library would cost more than the whole check.
import { checkDer, children, contentOf, DerError, TAG, type Tlv } from "../der/der.js";
import { decodeOid } from "../der/oid.js";

const URI = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String

function top(der: Uint8Array, tag: number, what: string): Tlv {
  const t = checkDer(der);
  if (t.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${t.tag.toString(16)}`, 0);
  return t;
}

export function decodeBasicConstraints(der: Uint8Array): { ca: boolean; pathLen?: number } {
  const [a, b] = children(der, top(der, TAG.SEQUENCE, "basicConstraints"));
  const ca = a?.tag === TAG.BOOLEAN && contentOf(der, a)[0] !== 0;
  const lenT = a?.tag === TAG.INTEGER ? a : b?.tag === TAG.INTEGER ? b : undefined;
  if (!lenT) return { ca };
  const c = contentOf(der, lenT);
  if (c.length === 0 || c.length > 4 || c[0]! & 0x80)
    throw new DerError("pathLenConstraint out of range", lenT.start);
  return { ca, pathLen: c.reduce((v, x) => v * 256 + x, 0) };
}

export function decodeExtKeyUsage(der: Uint8Array): string[] {
  return children(der, top(der, TAG.SEQUENCE, "extKeyUsage")).map((t) => {
    if (t.tag !== TAG.OID) throw new DerError("extKeyUsage: expected OIDs", t.start);
    return decodeOid(contentOf(der, t));
  });
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** URIs of the AuthorityInfoAccess entries with the given access method. */
export function decodeAccessUris(der: Uint8Array, method: string): string[] {
  const out: string[] = [];
  for (const ad of children(der, top(der, TAG.SEQUENCE, "authorityInfoAccess"))) {
    const [m, loc] = children(der, ad);
    if (m?.tag !== TAG.OID || !loc) throw new DerError("AccessDescription: wrong shape", ad.start);
    if (loc.tag === URI && decodeOid(contentOf(der, m)) === method)
      out.push(latin1(contentOf(der, loc)));
  }
  return out;
}

/** URIs in the fullName of each CRL distribution point. */
export function decodeCrlUris(der: Uint8Array): string[] {
  const out: string[] = [];
  for (const dp of children(der, top(der, TAG.SEQUENCE, "cRLDistributionPoints"))) {
    const name = children(der, dp).find((t) => t.tag === 0xa0);
    const full = name && children(der, name).find((t) => t.tag === 0xa0);
    for (const gn of full ? children(der, full) : [])
      if (gn.tag === URI) out.push(latin1(contentOf(der, gn)));
  }
  return out;
}

export function decodeSubjectKeyId(der: Uint8Array): Uint8Array {
  return contentOf(der, top(der, TAG.OCTET_STRING, "subjectKeyIdentifier"));
}

export function decodeAuthorityKeyId(der: Uint8Array): Uint8Array | undefined {
  const keyId = children(der, top(der, TAG.SEQUENCE, "authorityKeyIdentifier")).find(
    (t) => t.tag === 0x80,
  );
  return keyId && contentOf(der, keyId);
}
