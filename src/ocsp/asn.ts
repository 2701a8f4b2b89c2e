// Adapters from @peculiar's ASN.1 classes to ocspkit's plain data types.
import type { CertID } from "@peculiar/asn1-ocsp";
import { AsnConvert } from "@peculiar/asn1-schema";
import type { AlgorithmIdentifier, Extension as AsnExtension } from "@peculiar/asn1-x509";
import { bytesOf, checkDer, children, readTlv } from "../der/der.js";
import { describe, type ErrorCode, OcspError } from "../errors.js";
import { type AlgorithmId, Certificate, type Extension } from "../x509/cert.js";
import type { CertId } from "./certid.js";

/** Bytes of an ArrayBuffer, a typed array, or an asn1-schema OctetString (view-like, not a view). */
export const u8 = (b: ArrayBuffer | ArrayBufferView | { buffer: ArrayBuffer }): Uint8Array =>
  b instanceof ArrayBuffer
    ? new Uint8Array(b)
    : "byteOffset" in b
      ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      : new Uint8Array(b.buffer);

export function toExtensions(exts: readonly AsnExtension[] | undefined): Extension[] {
  return (exts ?? []).map((e) => ({ oid: e.extnID, critical: e.critical, value: u8(e.extnValue) }));
}

export function toAlgorithm(a: AlgorithmIdentifier): AlgorithmId {
  return { oid: a.algorithm, params: a.parameters ? u8(a.parameters) : undefined };
}

export function toCertId(c: CertID): CertId {
  return {
    hashAlgorithm: c.hashAlgorithm.algorithm,
    issuerNameHash: u8(c.issuerNameHash),
    issuerKeyHash: u8(c.issuerKeyHash),
    serial: u8(c.serialNumber),
  };
}

/** Strict DER check, then the typed parse; any failure becomes one OcspError naming `what`. */
export function parseDer<T>(
  der: Uint8Array,
  target: new () => T,
  what: string,
  code: ErrorCode,
): T {
  try {
    checkDer(der);
    return AsnConvert.parse(der, target);
  } catch (err) {
    throw new OcspError(code, `malformed ${what}: ${describe(err)}`, { cause: err });
  }
}

/**
 * The certificates of a `[0] EXPLICIT SEQUENCE OF Certificate` field, sliced from the original
 * bytes: re-encoding a parsed certificate could change the bytes its signature covers.
 * `index` is the field's position among the children of the outer SEQUENCE.
 */
export function embeddedCerts(der: Uint8Array, index: number): Certificate[] {
  const top = readTlv(der, 0);
  const wrapper = children(der, top)[index];
  if (wrapper?.tag !== 0xa0) return [];
  const [list] = children(der, wrapper);
  return list ? children(der, list).map((c) => new Certificate(bytesOf(der, c).slice())) : [];
}
