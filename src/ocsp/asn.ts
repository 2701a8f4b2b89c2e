// Adapter from @peculiar's ASN.1 values to plain bytes.

/** Bytes of an ArrayBuffer, a typed array, or an asn1-schema OctetString (view-like, not a view). */
export const u8 = (b: ArrayBuffer | ArrayBufferView | { buffer: ArrayBuffer }): Uint8Array =>
  b instanceof ArrayBuffer
    ? new Uint8Array(b)
    : "byteOffset" in b
      ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      : new Uint8Array(b.buffer);
