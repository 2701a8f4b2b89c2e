// OCSP responses written the way OpenSSL's responder writes them (OCSP_basic_add1_status,
// OCSP_basic_sign_ctx, OCSP_response_create): v1 left implicit, GeneralizedTime without
// fractions, the signer's certificate first in `certs`. The parts that do not change between
// answers (responder ID, algorithm, certificates) are encoded once per signer.
import { constants, type KeyObject, type SignKeyObjectInput, sign } from "node:crypto";
import { encodeTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { encodeGeneralizedTime } from "../der/time.js";
import { OcspError } from "../errors.js";
import type { Certificate, Extension } from "../x509/cert.js";
import { keyMatches } from "../x509/keys.js";
import { encodeInteger } from "./certid.js";
import { digestByName } from "./digests.js";
import { encodeExtensions } from "./request.js";
import type { CertStatus } from "./response.js";
import { encodeAlgorithm, signatureAlgorithmFor } from "./sign.js";

const BASIC_OID = encodeTlv(TAG.OID, encodeOid("1.3.6.1.5.5.7.48.1.1"));
const SUCCESSFUL = Uint8Array.of(TAG.ENUMERATED, 1, 0);

const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));

// Answers come in bursts within one second: their few distinct times are encoded once.
const times = new Map<number, Uint8Array>();
function time(d: Date): Uint8Array {
  let der = times.get(d.getTime());
  if (!der) {
    if (times.size >= 16) times.clear();
    der = encodeGeneralizedTime(d);
    times.set(d.getTime(), der);
  }
  return der;
}

/** An OCSPResponse without responseBytes: every status but successful. */
export function errorResponse(status: number): Uint8Array {
  return Uint8Array.of(TAG.SEQUENCE, 3, TAG.ENUMERATED, 1, status);
}

/** One SingleResponse to encode. */
export interface SingleAnswer {
  /** The CertID's DER: echoed as the client sent it, so that byte-wise matching works. */
  readonly certId: Uint8Array;
  readonly status: CertStatus;
  readonly revocationTime?: Date;
  readonly revocationReason?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly extensions?: readonly Extension[];
}

export function encodeSingleResponse(s: SingleAnswer): Uint8Array {
  let status: Uint8Array;
  if (s.status === "revoked") {
    if (!s.revocationTime) throw new OcspError("ERR_INPUT", "a revoked status needs a time");
    const reason =
      s.revocationReason === undefined
        ? []
        : [encodeTlv(0xa0, Uint8Array.of(TAG.ENUMERATED, 1, s.revocationReason))];
    status = encodeTlv(0xa1, Buffer.concat([time(s.revocationTime), ...reason]));
  } else {
    status = Uint8Array.of(s.status === "good" ? 0x80 : 0x82, 0);
  }
  return seq(
    s.certId,
    status,
    time(s.thisUpdate),
    ...(s.nextUpdate ? [encodeTlv(0xa0, time(s.nextUpdate))] : []),
    ...(s.extensions?.length ? [encodeTlv(0xa1, encodeExtensions(s.extensions))] : []),
  );
}

/** RSASSA-PSS salt length: a byte count, or OpenSSL's "digest" and "max" settings. */
export type PssSalt = number | "digest" | "max";

export interface SignerOptions {
  readonly cert: Certificate;
  readonly key: KeyObject;
  /** Digest name for RSA and ECDSA (default sha256); must be absent for EdDSA. */
  readonly digest?: string;
  /** Sign RSA with PSS instead of PKCS#1 v1.5. */
  readonly pss?: { readonly saltLength: PssSalt };
  /** ResponderID byKey (SHA-1 of the signer's key) instead of byName. */
  readonly byKey?: boolean;
  /** Sent after the signer's certificate (OpenSSL's -rother). */
  readonly otherCerts?: readonly Certificate[];
  /** Send no certificates at all (OpenSSL's -resp_no_certs). */
  readonly noCerts?: boolean;
  /** Flip the last signature bit, as OpenSSL's -badsig does, for testing clients. */
  readonly corruptSignature?: boolean;
}

/**
 * Signs tbsResponseData for one responder certificate. Everything a misconfiguration can break
 * (key type, digest, key not matching the certificate) is checked here, at start-up, rather
 * than turned into an internalError for every request as OpenSSL does.
 */
export class ResponseSigner {
  readonly cert: Certificate;
  readonly #responderId: Uint8Array;
  readonly #algorithm: Uint8Array;
  readonly #certs: Uint8Array;
  readonly #digest: string | null;
  readonly #key: SignKeyObjectInput;
  readonly #corrupt: boolean;

  constructor(o: SignerOptions) {
    this.cert = o.cert;
    if (!keyMatches(o.key, o.cert)) {
      throw new OcspError("ERR_INPUT", "the responder key does not match its certificate");
    }
    const type = o.key.asymmetricKeyType;
    const eddsa = type === "ed25519" || type === "ed448";
    if (eddsa && o.digest) {
      throw new OcspError("ERR_INPUT", `an ${type} key signs without a separate digest`);
    }
    const digest = eddsa ? null : (o.digest ?? "sha256");
    if (digest !== null && !digestByName(digest)) {
      throw new OcspError("ERR_INPUT", `unknown digest ${digest}`);
    }
    this.#digest = digest;
    if (o.pss) {
      if (type !== "rsa" || digest === null) {
        throw new OcspError("ERR_INPUT", "PSS padding needs an RSA key");
      }
      const salt = pssSaltBytes(o.key, digest, o.pss.saltLength);
      this.#key = { key: o.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt };
      this.#algorithm = pssAlgorithm(digest, salt);
    } else {
      this.#key = type === "ec" ? { key: o.key, dsaEncoding: "der" } : { key: o.key };
      this.#algorithm = encodeAlgorithm(signatureAlgorithmFor(o.key, digest ?? undefined));
    }
    this.#responderId = o.byKey
      ? encodeTlv(0xa2, encodeTlv(TAG.OCTET_STRING, o.cert.keyHash()))
      : encodeTlv(0xa1, o.cert.subject);
    const certs = o.noCerts ? [] : [o.cert, ...(o.otherCerts ?? [])];
    this.#certs = certs.length
      ? encodeTlv(0xa0, seq(...certs.map((c) => c.der)))
      : new Uint8Array();
    this.#corrupt = o.corruptSignature ?? false;
  }

  /** A complete, successful OCSPResponse holding the signed BasicOCSPResponse. */
  respond(
    producedAt: Date,
    singles: readonly Uint8Array[],
    extensions: readonly Extension[],
  ): Uint8Array {
    const tbs = seq(
      this.#responderId,
      time(producedAt),
      seq(...singles),
      ...(extensions.length ? [encodeTlv(0xa1, encodeExtensions(extensions))] : []),
    );
    const signature = sign(this.#digest, tbs, this.#key);
    if (this.#corrupt) signature[signature.length - 1] = signature.at(-1)! ^ 1;
    const bits = encodeTlv(TAG.BIT_STRING, Buffer.concat([Uint8Array.of(0), signature]));
    const basic = seq(tbs, this.#algorithm, bits, this.#certs);
    return seq(SUCCESSFUL, encodeTlv(0xa0, seq(BASIC_OID, encodeTlv(TAG.OCTET_STRING, basic))));
  }
}

/** The salt length OpenSSL writes into the PSS parameters for a setting. */
function pssSaltBytes(key: KeyObject, digest: string, salt: PssSalt): number {
  const hashLen = HASH_BYTES[digest];
  if (hashLen === undefined)
    throw new OcspError("ERR_INPUT", `PSS with ${digest} is not supported`);
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const max = Math.ceil((modBits - 1) / 8) - hashLen - 2;
  const n = salt === "digest" ? hashLen : salt === "max" ? max : salt;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new OcspError("ERR_INPUT", `PSS salt length ${salt} does not fit a ${modBits}-bit key`);
  }
  return n;
}

const HASH_BYTES: Record<string, number> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/**
 * RSASSA-PSS-params (RFC 4055 §3.1) with MGF1 over the signing digest, the only combination
 * node:crypto signs with; fields at their DEFAULT (SHA-1, salt 20) are omitted, as DER wants.
 */
function pssAlgorithm(digest: string, salt: number): Uint8Array {
  const d = digestByName(digest)!;
  const hashAlg = seq(encodeTlv(TAG.OID, encodeOid(d.oid)), Uint8Array.of(TAG.NULL, 0));
  const mgf1 = seq(encodeTlv(TAG.OID, encodeOid("1.2.840.113549.1.1.8")), hashAlg);
  const params = [
    ...(d.name === "sha1" ? [] : [encodeTlv(0xa0, hashAlg), encodeTlv(0xa1, mgf1)]),
    ...(salt === 20 ? [] : [encodeTlv(0xa2, encodeTlv(TAG.INTEGER, encodeInteger(BigInt(salt))))]),
  ];
  return seq(encodeTlv(TAG.OID, encodeOid("1.2.840.113549.1.1.10")), seq(...params));
}
