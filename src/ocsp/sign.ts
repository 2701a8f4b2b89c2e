import { type KeyObject, sign } from "node:crypto";
import { encodeTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { OcspError } from "../errors.js";
import type { AlgorithmId } from "../x509/cert.js";

const NULL = Uint8Array.of(TAG.NULL, 0);

const RSA_OIDS: Record<string, string> = {
  sha1: "1.2.840.113549.1.1.5",
  sha224: "1.2.840.113549.1.1.14",
  sha256: "1.2.840.113549.1.1.11",
  sha384: "1.2.840.113549.1.1.12",
  sha512: "1.2.840.113549.1.1.13",
};
const ECDSA_OIDS: Record<string, string> = {
  sha1: "1.2.840.10045.4.1",
  sha224: "1.2.840.10045.4.3.1",
  sha256: "1.2.840.10045.4.3.2",
  sha384: "1.2.840.10045.4.3.3",
  sha512: "1.2.840.10045.4.3.4",
};

export function encodeAlgorithm(a: AlgorithmId): Uint8Array {
  const oid = encodeTlv(TAG.OID, encodeOid(a.oid));
  return encodeTlv(TAG.SEQUENCE, a.params ? Buffer.concat([oid, a.params]) : oid);
}

/** The signature algorithm a key signs with: RSA PKCS#1 v1.5 or ECDSA with `digest`, or EdDSA. */
export function signatureAlgorithmFor(key: KeyObject, digest = "sha256"): AlgorithmId {
  const type = key.asymmetricKeyType;
  if (type === "ed25519") return { oid: "1.3.101.112" };
  if (type === "ed448") return { oid: "1.3.101.113" };
  const table = type === "rsa" ? RSA_OIDS : type === "ec" ? ECDSA_OIDS : undefined;
  const oid = table?.[digest];
  if (!oid) throw new OcspError("ERR_INPUT", `cannot sign with a ${type} key and ${digest}`);
  // RFC 4055 keeps NULL parameters for RSA; RFC 5758 omits them for ECDSA.
  return type === "rsa" ? { oid, params: NULL } : { oid };
}

export function signBytes(
  key: KeyObject,
  data: Uint8Array,
  digest = "sha256",
): { algorithm: AlgorithmId; signature: Uint8Array } {
  const algorithm = signatureAlgorithmFor(key, digest);
  const eddsa = key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "ed448";
  const signature = sign(
    eddsa ? null : digest,
    data,
    key.asymmetricKeyType === "ec" ? { key, dsaEncoding: "der" } : key,
  );
  return { algorithm, signature: new Uint8Array(signature) };
}
