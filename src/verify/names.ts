// Distinguished-name matching as OpenSSL's X509_NAME_cmp does it: on the canonical encoding
// (x509_name_canon) in which the common string types become lower-cased UTF8Strings with
// leading, trailing and repeated white space removed. OpenSSL finds a response's signer
// (ResponderID byName) and a certificate's issuer this way, so a responder that writes its name
// as a UTF8String where its certificate has a PrintableString is found by both tools. The same
// encoding gives X509_NAME_hash, the file name of a certificate in a hashed CA directory.
// Hashes in CertIDs and key identifiers stay over the exact bytes.
import { createHash } from "node:crypto";
import { children, contentOf, encodeTlv, readTlv, sameBytes, TAG, type Tlv } from "../der/der.js";
import { stringText, UTF8_STRING } from "../der/strings.js";

/** The types OpenSSL canonicalises as text (ASN1_MASK_CANON); others keep their bytes. */
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

function canonicalValue(buf: Uint8Array, t: Tlv): Uint8Array {
  const c = contentOf(buf, t);
  if (!TEXT_TYPES.has(t.tag)) return buf.subarray(t.start, t.end);
  const s = stringText(t.tag, c)
    .replace(SPACE, " ")
    .replace(/^ | $/g, "")
    .replace(/[A-Z]/g, (ch) => ch.toLowerCase());
  return encodeTlv(UTF8_STRING, Buffer.from(s, "utf8"));
}

const compareBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);

/**
 * x509_name_canon: each RDN as a DER SET OF its canonical entries (sorted, as DER requires),
 * concatenated without the outer SEQUENCE. Undefined when a value cannot be read as text
 * (OpenSSL then fails the comparison).
 */
function computeCanonical(der: Uint8Array): Uint8Array | undefined {
  try {
    const rdns = children(der, readTlv(der, 0)).map((rdn) => {
      const entries = children(der, rdn).map((atv) => {
        const [type, value] = children(der, atv);
        if (type?.tag !== TAG.OID || !value) throw new Error("bad AttributeTypeAndValue");
        return encodeTlv(
          TAG.SEQUENCE,
          Buffer.concat([der.subarray(type.start, type.end), canonicalValue(der, value)]),
        );
      });
      return encodeTlv(TAG.SET, Buffer.concat(entries.sort(compareBytes)));
    });
    return Buffer.concat(rdns);
  } catch {
    return undefined;
  }
}

// Names are compared again and again while chains are built, and the same few names arrive in
// every response; each distinct name is canonicalised once (a bounded, oldest-out cache).
const MEMO_SIZE = 1024;
const memo = new Map<string, Uint8Array | null>();

export function canonicalEncoding(der: Uint8Array): Uint8Array | undefined {
  const k = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("latin1");
  let c = memo.get(k);
  if (c === undefined) {
    c = computeCanonical(der) ?? null;
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(k, c);
  }
  return c ?? undefined;
}

export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (sameBytes(a, b)) return true;
  const ca = canonicalEncoding(a);
  const cb = canonicalEncoding(b);
  return !!ca && !!cb && sameBytes(ca, cb);
}

// A CA directory is asked for an issuer with every chain built: each name's hash is kept with
// its memoised canonical encoding.
const nameHashes = new WeakMap<Uint8Array, string>();

/** X509_NAME_hash_ex: the first four bytes of SHA-1 over the canonical encoding, little-endian, as 8 hex digits. */
export function nameHash(der: Uint8Array): string | undefined {
  const c = canonicalEncoding(der);
  if (!c) return undefined;
  let h = nameHashes.get(c);
  if (h === undefined) {
    h = createHash("sha1").update(c).digest().readUInt32LE(0).toString(16).padStart(8, "0");
    nameHashes.set(c, h);
  }
  return h;
}
