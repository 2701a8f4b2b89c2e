import { randomBytes } from "node:crypto";
import { OCSPRequest } from "@peculiar/asn1-ocsp";
import { AsnConvert } from "@peculiar/asn1-schema";
import { bytesOf, children, encodeTlv, readTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import type { AlgorithmId, Certificate, Extension } from "../x509/cert.js";
import { embeddedCerts, parseDer, toAlgorithm, toCertId, toExtensions, u8 } from "./asn.js";
import type { CertId } from "./certid.js";
import { NONCE_OID } from "./nonce.js";

export interface SingleRequest {
  readonly certId: CertId;
  readonly extensions: readonly Extension[];
}

export interface OcspRequest {
  readonly version: number;
  /** DER of the GeneralName, when the requestor named itself. */
  readonly requestorName?: Uint8Array;
  readonly requests: readonly SingleRequest[];
  readonly extensions: readonly Extension[];
  /** The exact TBSRequest bytes, when parsed: a request signature covers these. */
  readonly tbs?: Uint8Array;
  readonly signature?: {
    readonly algorithm: AlgorithmId;
    readonly value: Uint8Array;
    readonly certs: readonly Certificate[];
  };
}

const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));
const NULL_PARAMS = Uint8Array.of(TAG.NULL, 0);

export function encodeCertId(id: CertId): Uint8Array {
  return seq(
    seq(encodeTlv(TAG.OID, encodeOid(id.hashAlgorithm)), NULL_PARAMS),
    encodeTlv(TAG.OCTET_STRING, id.issuerNameHash),
    encodeTlv(TAG.OCTET_STRING, id.issuerKeyHash),
    encodeTlv(TAG.INTEGER, id.serial),
  );
}

export function encodeExtensions(exts: readonly Extension[]): Uint8Array {
  return seq(
    ...exts.map((e) =>
      seq(
        encodeTlv(TAG.OID, encodeOid(e.oid)),
        ...(e.critical ? [Uint8Array.of(TAG.BOOLEAN, 1, 0xff)] : []),
        encodeTlv(TAG.OCTET_STRING, e.value),
      ),
    ),
  );
}

/** An unsigned request, encoded as OpenSSL encodes it (v1 omitted, NULL hash parameters). */
export function encodeRequest(req: Pick<OcspRequest, "requests" | "extensions">): Uint8Array {
  const list = seq(
    ...req.requests.map((r) =>
      seq(
        encodeCertId(r.certId),
        ...(r.extensions.length ? [encodeTlv(0xa0, encodeExtensions(r.extensions))] : []),
      ),
    ),
  );
  const exts = req.extensions.length ? [encodeTlv(0xa2, encodeExtensions(req.extensions))] : [];
  return seq(seq(list, ...exts));
}

/** A nonce extension as OpenSSL and RFC 8954 write it: an OCTET STRING of 16 random bytes. */
export function nonceExtension(nonce: Uint8Array = randomBytes(16)): Extension {
  return { oid: NONCE_OID, critical: false, value: encodeTlv(TAG.OCTET_STRING, nonce) };
}

export function buildRequest(
  certIds: readonly CertId[],
  opts: { nonce?: boolean } = {},
): OcspRequest {
  return {
    version: 0,
    requests: certIds.map((certId) => ({ certId, extensions: [] })),
    extensions: opts.nonce === false ? [] : [nonceExtension()],
  };
}

export function parseRequest(der: Uint8Array): OcspRequest {
  const r = parseDer(der, OCSPRequest, "OCSP request", "ERR_REQUEST_MALFORMED");
  const tbs = r.tbsRequest;
  const sig = r.optionalSignature;
  return {
    version: tbs.version,
    requestorName: tbs.requestorName ? u8(AsnConvert.serialize(tbs.requestorName)) : undefined,
    requests: tbs.requestList.map((q) => ({
      certId: toCertId(q.reqCert),
      extensions: toExtensions(q.singleRequestExtensions),
    })),
    extensions: toExtensions(tbs.requestExtensions),
    signature: sig && {
      algorithm: toAlgorithm(sig.signatureAlgorithm),
      value: u8(sig.signature),
      certs: embeddedCerts(signatureDer(der), 2),
    },
  };
}

/** The Signature inside `optionalSignature [0] EXPLICIT`, as bytes. */
function signatureDer(der: Uint8Array): Uint8Array {
  const wrapper = children(der, readTlv(der, 0))[1]!;
  return bytesOf(der, children(der, wrapper)[0]!);
}
