// Distinguished-name matching as OpenSSL's X509_NAME_cmp does it: on a canonical form in which
// the common string types are compared as text, case-folded in ASCII, with leading, trailing and
// repeated white space ignored. OpenSSL finds a response's signer (ResponderID byName) and a
// certificate's issuer this way, so a responder that writes its name as a UTF8String where its
// certificate has a PrintableString is found by both tools. Hashes (CertID, key identifiers)
// stay over the exact bytes.
import { children, contentOf, readTlv, TAG, type Tlv } from "../der/der.js";
import { stringText, UTF8_STRING } from "../der/strings.js";

/** The types OpenSSL compares as text (ASN1_MASK_CANON); others are compared as bytes. */
const TEXT_TYPES = new Set([
  UTF8_STRING,
  0x13, // PrintableString
  0x14, // T61String
  0x16, // IA5String
  0x1a, // VisibleString
  TAG.BMP_STRING,
  TAG.UNIVERSAL_STRING,
]);

/** ossl_isspace: the C locale's white space. */
const SPACE = /[ \t\n\v\f\r]+/g;

function canonicalValue(buf: Uint8Array, t: Tlv): string {
  const c = contentOf(buf, t);
  if (!TEXT_TYPES.has(t.tag)) return `${t.tag}:${Buffer.from(c).toString("hex")}`;
  const s = stringText(t.tag, c)
    .replace(SPACE, " ")
    .replace(/^ | $/g, "")
    .replace(/[A-Z]/g, (ch) => ch.toLowerCase());
  return `${UTF8_STRING}:${s}`;
}

/**
 * A string equal for two DER Names exactly when X509_NAME_cmp calls them equal, or undefined
 * when a value cannot be read as text (OpenSSL then matches nothing).
 */
export function canonicalName(der: Uint8Array): string | undefined {
  try {
    const rdns = children(der, readTlv(der, 0)).map((rdn) =>
      children(der, rdn)
        .map((atv) => {
          const [type, value] = children(der, atv);
          if (type?.tag !== TAG.OID || !value) throw new Error("bad AttributeTypeAndValue");
          return `${Buffer.from(contentOf(der, type)).toString("hex")}=${canonicalValue(der, value)}`;
        })
        .sort()
        .join("+"),
    );
    return JSON.stringify(rdns);
  } catch {
    return undefined;
  }
}

export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (Buffer.from(a).equals(b)) return true;
  const ca = canonicalName(a);
  return ca !== undefined && ca === canonicalName(b);
}
