import { randomBytes } from "node:crypto";
import {
  children,
  encodeConstructed,
  encodeTlv,
  expectTag,
  readTlv,
  TAG,
  tlvSize,
  writeHeader,
  writeTlv,
} from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { describe, OcspError } from "../errors.js";
import { type Extension, nameBytes } from "../x509/cert.js";
import type { CertId } from "./certid.js";
import { decodeRequest, NO_EXTENSIONS } from "./decode.js";
import { NONCE_OID } from "./nonce.js";
import type { OcspRequest } from "./types.js";

export type { OcspRequest, SingleRequest } from "./types.js";

const seq = (...parts: Uint8Array[]) => encodeConstructed(TAG.SEQUENCE, parts);
const NULL_PARAMS = Uint8Array.of(TAG.NULL, 0);

export function encodeCertId(id: CertId): Uint8Array {
  const size = certIdSize(id);
  const out = new Uint8Array(tlvSize(size));
  writeCertId(out, 0, id, size);
  return out;
}

/** The CertID's content octets. */
function certIdSize(id: CertId): number {
  return (
    hashAlgorithm(id.hashAlgorithm).length +
    tlvSize(id.issuerNameHash.length) +
    tlvSize(id.issuerKeyHash.length) +
    tlvSize(id.serial.length)
  );
}

/** Writes the CertID, of `size` content octets, at `at`; returns where it ends. */
function writeCertId(out: Uint8Array, at: number, id: CertId, size: number): number {
  let p = writeHeader(out, at, TAG.SEQUENCE, size);
  const alg = hashAlgorithm(id.hashAlgorithm);
  out.set(alg, p);
  p = writeTlv(out, p + alg.length, TAG.OCTET_STRING, id.issuerNameHash);
  p = writeTlv(out, p, TAG.OCTET_STRING, id.issuerKeyHash);
  return writeTlv(out, p, TAG.INTEGER, id.serial);
}

// A batch's CertIDs all name the same digest: its AlgorithmIdentifier is encoded once.
const algorithms = new Map<string, Uint8Array>();

function hashAlgorithm(oid: string): Uint8Array {
  let der = algorithms.get(oid);
  if (!der) {
    der = seq(encodeTlv(TAG.OID, encodeOid(oid)), NULL_PARAMS);
    if (algorithms.size < 16) algorithms.set(oid, der);
  }
  return der;
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

const NO_BYTES = new Uint8Array(0);

/**
 * An unsigned request, encoded as OpenSSL encodes it (v1 omitted, NULL hash parameters). Sized
 * first and then written into one array: a batch holds hundreds of TLVs.
 */
export function encodeRequest(req: Pick<OcspRequest, "requests" | "extensions">): Uint8Array {
  const { requests } = req;
  const idSizes = new Int32Array(requests.length);
  // Extensions of single requests are rare; they are encoded on their own, as they are.
  const singleExts = requests.map((r) =>
    r.extensions.length ? encodeTlv(0xa0, encodeExtensions(r.extensions)) : NO_BYTES,
  );
  let listSize = 0;
  for (let i = 0; i < requests.length; i++) {
    idSizes[i] = certIdSize(requests[i]!.certId);
    listSize += tlvSize(tlvSize(idSizes[i]!) + singleExts[i]!.length);
  }
  const exts = req.extensions.length ? encodeTlv(0xa2, encodeExtensions(req.extensions)) : NO_BYTES;
  const tbsSize = tlvSize(listSize) + exts.length;
  const out = new Uint8Array(tlvSize(tlvSize(tbsSize)));
  let p = writeHeader(out, 0, TAG.SEQUENCE, tlvSize(tbsSize));
  p = writeHeader(out, p, TAG.SEQUENCE, tbsSize);
  p = writeHeader(out, p, TAG.SEQUENCE, listSize);
  for (let i = 0; i < requests.length; i++) {
    const single = singleExts[i]!;
    p = writeHeader(out, p, TAG.SEQUENCE, tlvSize(idSizes[i]!) + single.length);
    p = writeCertId(out, p, requests[i]!.certId, idSizes[i]!);
    out.set(single, p);
    p += single.length;
  }
  out.set(exts, p);
  return out;
}

/** A nonce extension as OpenSSL and RFC 8954 write it: an OCTET STRING of 16 random bytes. */
export function nonceExtension(nonce: Uint8Array = randomBytes(16)): Extension {
  return { oid: NONCE_OID, critical: false, value: encodeTlv(TAG.OCTET_STRING, nonce) };
}

/** The request with its nonce replaced by a new one and its other extensions kept (-nonce). */
export function withNewNonce<R extends Pick<OcspRequest, "extensions">>(req: R): R {
  const others = req.extensions.filter((e) => e.oid !== NONCE_OID);
  return { ...req, extensions: [...others, nonceExtension()] };
}

export function buildRequest(
  certIds: readonly CertId[],
  opts: { nonce?: boolean } = {},
): OcspRequest {
  return {
    version: 0,
    requests: certIds.map((certId) => ({ certId, extensions: NO_EXTENSIONS })),
    extensions: opts.nonce === false ? [] : [nonceExtension()],
  };
}

/**
 * Reads an OCSPRequest with the strict decoder; any fault is one OcspError. `forPrint`: for
 * printing only, times read as OpenSSL's decoder reads them (see decodeBasic).
 */
export function parseRequest(der: Uint8Array, forPrint = false): OcspRequest {
  try {
    const r = decodeRequest(der, forPrint);
    // decodeRequest takes the outer value for a SEQUENCE without looking at its tag.
    expectTag(readTlv(der, 0), TAG.SEQUENCE, "OCSPRequest");
    const gn = r.requestorName;
    // A directoryName must be a Name: the text form walks it.
    if (gn?.[0] === 0xa4) nameBytes(gn, children(gn, readTlv(gn, 0))[0]!, "requestorName");
    return r;
  } catch (err) {
    throw new OcspError("ERR_REQUEST_MALFORMED", `malformed OCSP request: ${describe(err)}`, {
      cause: err,
    });
  }
}
