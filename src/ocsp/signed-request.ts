import type { KeyObject } from "node:crypto";
import { encodeTlv, TAG } from "../der/der.js";
import type { Certificate } from "../x509/cert.js";
import { encodeRequest, type OcspRequest } from "./request.js";
import { encodeAlgorithm, signBytes } from "./sign.js";

const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));

/**
 * A request signed as OCSP_request_sign does it: requestorName set to the signer's subject
 * (a directoryName), the TBSRequest signed with SHA-256, `certs` attached when non-empty.
 */
export function signRequest(
  req: Pick<OcspRequest, "requests" | "extensions">,
  signer: Certificate,
  key: KeyObject,
  certs: readonly Certificate[],
): Uint8Array {
  // The unsigned encoding is SEQUENCE { TBSRequest }; rebuild the TBSRequest with the name.
  const unsigned = encodeRequest(req);
  const tbsInner = unsignedTbsContent(unsigned);
  const requestorName = encodeTlv(0xa1, encodeTlv(0xa4, signer.subject));
  const tbs = seq(requestorName, tbsInner);
  const { algorithm, signature } = signBytes(key, tbs);
  const bits = encodeTlv(TAG.BIT_STRING, Buffer.concat([Uint8Array.of(0), signature]));
  const certList = certs.length ? [encodeTlv(0xa0, seq(...certs.map((c) => c.der)))] : [];
  const sig = seq(encodeAlgorithm(algorithm), bits, ...certList);
  return seq(tbs, encodeTlv(0xa0, sig));
}

/** The contents of the TBSRequest inside an unsigned request built by encodeRequest. */
function unsignedTbsContent(der: Uint8Array): Uint8Array {
  // Both headers are short or long form; skip outer SEQUENCE, then the TBSRequest header.
  const skip = (b: Uint8Array, at: number) => at + 2 + (b[at + 1]! & 0x80 ? b[at + 1]! & 0x7f : 0);
  return der.subarray(skip(der, skip(der, 0)));
}
