// Decoders for the certificate extensions OCSP depends on, on the strict DER walker: they sit on
// the path of every query (chain building, signer authorisation, finding the responder), where
// loading and running a schema library cost more than the whole check. Each one refuses a value
// that is not the extension's structure, as OpenSSL's decoders do.
import { checkDer, children, contentOf, DerError, TAG, type Tlv } from "../der/der.js";
import { decodeOid } from "../der/oid.js";

const URI = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String

function top(der: Uint8Array, tag: number, what: string): Tlv {
  const t = checkDer(der);
  if (t.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${t.tag.toString(16)}`, 0);
  return t;
}

function seqOf(der: Uint8Array, what: string): Tlv[] {
  return children(der, top(der, TAG.SEQUENCE, what));
}

/** GeneralName (RFC 5280 §4.2.1.6): context tags 0–8, constructed or not as each choice is. */
function checkGeneralName(t: Tlv, what: string): void {
  const n = t.tag & 0x1f;
  const cls = t.tag & 0xc0;
  const constructed = (t.tag & 0x20) !== 0;
  const wantConstructed = n === 0 || n === 3 || n === 4 || n === 5;
  if (cls !== 0x80 || n > 8 || constructed !== wantConstructed) {
    throw new DerError(`${what}: not a GeneralName (tag 0x${t.tag.toString(16)})`, t.start);
  }
}

export function decodeBasicConstraints(der: Uint8Array): { ca: boolean; pathLen?: number } {
  const f = seqOf(der, "basicConstraints");
  let i = 0;
  let ca = false;
  if (f[i]?.tag === TAG.BOOLEAN) ca = contentOf(der, f[i++]!)[0] !== 0;
  const lenT = f[i]?.tag === TAG.INTEGER ? f[i++] : undefined;
  if (f[i]) throw new DerError("basicConstraints: unexpected field", f[i]!.start);
  if (!lenT) return { ca };
  const c = contentOf(der, lenT);
  if (c.length > 4 || c[0]! & 0x80)
    throw new DerError("pathLenConstraint out of range", lenT.start);
  return { ca, pathLen: c.reduce((v, x) => v * 256 + x, 0) };
}

export function decodeExtKeyUsage(der: Uint8Array): string[] {
  return seqOf(der, "extKeyUsage").map((t) => {
    if (t.tag !== TAG.OID) throw new DerError("extKeyUsage: expected OIDs", t.start);
    return decodeOid(contentOf(der, t));
  });
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** URIs of the AuthorityInfoAccess entries with the given access method. */
export function decodeAccessUris(der: Uint8Array, method: string): string[] {
  const out: string[] = [];
  for (const ad of seqOf(der, "authorityInfoAccess")) {
    const [m, loc, extra] = ad.tag === TAG.SEQUENCE ? children(der, ad) : [];
    if (m?.tag !== TAG.OID || !loc || extra)
      throw new DerError("AccessDescription: wrong shape", ad.start);
    checkGeneralName(loc, "accessLocation");
    if (loc.tag === URI && decodeOid(contentOf(der, m)) === method)
      out.push(latin1(contentOf(der, loc)));
  }
  return out;
}

/** URIs in the fullName of each CRL distribution point. */
export function decodeCrlUris(der: Uint8Array): string[] {
  const out: string[] = [];
  for (const dp of seqOf(der, "cRLDistributionPoints")) {
    if (dp.tag !== TAG.SEQUENCE)
      throw new DerError("DistributionPoint: expected a SEQUENCE", dp.start);
    for (const field of children(der, dp)) {
      if (field.tag !== 0xa0 && field.tag !== 0x81 && field.tag !== 0xa2) {
        throw new DerError("DistributionPoint: unexpected field", field.start);
      }
      if (field.tag !== 0xa0) continue;
      const [name] = children(der, field);
      if (name?.tag !== 0xa0) continue; // nameRelativeToCRLIssuer: no URI there
      for (const gn of children(der, name)) {
        checkGeneralName(gn, "fullName");
        if (gn.tag === URI) out.push(latin1(contentOf(der, gn)));
      }
    }
  }
  return out;
}

/** GeneralNames, e.g. subjectAltName: only the structure is checked. */
export function checkGeneralNames(der: Uint8Array): void {
  for (const gn of seqOf(der, "GeneralNames")) checkGeneralName(gn, "GeneralNames");
}

/** NameConstraints (RFC 5280 §4.2.1.10): only the structure is checked. */
export function checkNameConstraints(der: Uint8Array): void {
  for (const part of seqOf(der, "nameConstraints")) {
    if (part.tag !== 0xa0 && part.tag !== 0xa1)
      throw new DerError("nameConstraints: unexpected field", part.start);
    for (const subtree of children(der, part)) {
      const [base] = subtree.tag === TAG.SEQUENCE ? children(der, subtree) : [];
      if (!base) throw new DerError("GeneralSubtree: wrong shape", subtree.start);
      checkGeneralName(base, "GeneralSubtree");
    }
  }
}

export function decodeSubjectKeyId(der: Uint8Array): Uint8Array {
  return contentOf(der, top(der, TAG.OCTET_STRING, "subjectKeyIdentifier"));
}

export function decodeAuthorityKeyId(der: Uint8Array): Uint8Array | undefined {
  const fields = seqOf(der, "authorityKeyIdentifier");
  for (const t of fields) {
    if (t.tag !== 0x80 && t.tag !== 0xa1 && t.tag !== 0x82) {
      throw new DerError("authorityKeyIdentifier: unexpected field", t.start);
    }
  }
  const keyId = fields.find((t) => t.tag === 0x80);
  return keyId && contentOf(der, keyId);
}
