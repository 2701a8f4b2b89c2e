// The answer builder: one OCSP request in, one signed OCSP response out, from the status
// stores of the CAs served. Two dialects share it: "openssl" answers exactly as
// `openssl ocsp -index` does (its quirks included, see below), "rfc" is the one `ocspkit serve`
// speaks (RFC 6960/5019: unauthorized for issuers it does not serve, bounded nonces).

import { bytesOf, children, encodeTlv, readTlv, TAG } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { describe } from "../errors.js";
import { hex } from "../hex.js";
import { type CertId, certIdFor, encodeInteger } from "../ocsp/certid.js";
import { decodeRequest } from "../ocsp/decode.js";
import { type Digest, digestByOid } from "../ocsp/digests.js";
import { NONCE_OID } from "../ocsp/nonce.js";
import { encodeCertId, type OcspRequest } from "../ocsp/request.js";
import type { CertStatus } from "../ocsp/response.js";
import {
  encodeSingleResponse,
  errorResponse,
  type ResponseSigner,
  type SingleAnswer,
} from "../ocsp/response-builder.js";
import { OCSP_STATUS } from "../ocsp/status.js";
import type { Certificate, Extension } from "../x509/cert.js";
import { type IndexEntry, serialKey } from "./index-file.js";
import type { IndexStore } from "./store.js";

export interface ServedCa {
  readonly caCert: Certificate;
  readonly signer: ResponseSigner;
  readonly store: IndexStore;
}

export interface AnswerPolicy {
  readonly dialect: "openssl" | "rfc";
  /** rfc dialect: the answer for a CertID whose issuer is not served. */
  readonly unknownIssuer: "unauthorized" | "unknown";
  /** nextUpdate = thisUpdate + this; none when absent. */
  readonly nextUpdateSeconds?: number;
  /** OpenSSL's -rcid: CertIDs of served issuers are answered with this digest (serial 0). */
  readonly responseCertIdDigest?: Digest;
}

/** One certificate's line in an answer, for logs. */
export interface AnsweredCert {
  readonly serial: string;
  readonly status: CertStatus;
}

export interface Answer {
  readonly der: Uint8Array;
  /** OCSPResponseStatus. */
  readonly status: number;
  readonly nonce: boolean;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  /** `<ca index>:<serial key>` of every certificate answered from a store. */
  readonly keys: readonly string[];
  readonly certs: readonly AnsweredCert[];
  /** Why the request could not be answered successfully. */
  readonly problem?: string;
}

const INVALIDITY_DATE = "2.5.29.24";
const HOLD_INSTRUCTION = "2.5.29.23";
/** RFC 8954 §2.1: a nonce of 1 to 32 octets. */
const MAX_NONCE = 32;

export function failure(status: number, problem: string): Answer {
  return { der: errorResponse(status), status, nonce: false, keys: [], certs: [], problem };
}

type Issuer = number | "none" | "no-digest";

export class Answerer {
  readonly cas: readonly ServedCa[];
  readonly #policy: AnswerPolicy;
  /** Digest OID → issuerNameHash‖issuerKeyHash in hex → CA index, filled per digest seen. */
  readonly #issuers = new Map<string, Map<string, number>>();

  constructor(cas: readonly ServedCa[], policy: AnswerPolicy) {
    if (!cas.length) throw new Error("no CA to answer for");
    this.cas = cas;
    this.#policy = policy;
  }

  answer(der: Uint8Array, now = new Date()): Answer {
    let req: OcspRequest;
    try {
      req = decodeRequest(der);
    } catch (err) {
      return failure(OCSP_STATUS.malformedRequest, describe(err));
    }
    if (!req.requests.length)
      return failure(OCSP_STATUS.malformedRequest, "no certificate asked about");
    const rfc = this.#policy.dialect === "rfc";
    // OCSP_copy_nonce: the first nonce extension, copied whole.
    const nonce = req.extensions.find((e) => e.oid === NONCE_OID);
    if (nonce && rfc && !nonceFits(nonce.value)) {
      return failure(OCSP_STATUS.malformedRequest, "nonce not an OCTET STRING of 1 to 32 bytes");
    }
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const secs = this.#policy.nextUpdateSeconds;
    const nextUpdate = secs ? new Date(thisUpdate.getTime() + secs * 1000) : undefined;
    const rawIds = certIdBytes(der);
    const issuers = req.requests.map((r) => this.#issuer(r.certId));
    const signingCa = issuers.find((i): i is number => typeof i === "number") ?? 0;
    const signer = this.cas[signingCa]!.signer;
    const singles: Uint8Array[] = [];
    const keys: string[] = [];
    const certs: AnsweredCert[] = [];
    for (const [i, r] of req.requests.entries()) {
      const issuer = issuers[i]!;
      const serial = serialKey(r.certId.serial);
      if (issuer === "no-digest" && !rfc) {
        // EVP_get_digestbyobj fails: OpenSSL gives up on the whole request.
        return failure(
          OCSP_STATUS.internalError,
          `unknown CertID digest ${r.certId.hashAlgorithm}`,
        );
      }
      const base = { thisUpdate, nextUpdate };
      // One response has one signer: a CA signed for by another counts as not served.
      if (typeof issuer !== "number" || this.cas[issuer]!.signer !== signer) {
        if (rfc && this.#policy.unknownIssuer === "unauthorized") {
          return failure(OCSP_STATUS.unauthorized, `issuer of serial ${serial} not served here`);
        }
        singles.push(encodeSingleResponse({ ...base, certId: rawIds[i]!, status: "unknown" }));
        certs.push({ serial, status: "unknown" });
        continue;
      }
      const ca = this.cas[issuer]!;
      const certId = this.#policy.responseCertIdDigest
        ? encodeCertId(caCertId(ca.caCert, this.#policy.responseCertIdDigest))
        : rawIds[i]!;
      const entry = ca.store.lookup(serial);
      const single = statusOf(entry, rfc);
      keys.push(`${issuer}:${serial}`);
      if (!single) continue; // OpenSSL leaves rows that are neither V nor R out of the answer.
      if (single === "bad-date") {
        return failure(OCSP_STATUS.internalError, `unusable revocation date for serial ${serial}`);
      }
      singles.push(encodeSingleResponse({ ...base, ...single, certId }));
      certs.push({ serial, status: single.status });
    }
    return {
      der: signer.respond(thisUpdate, singles, nonce ? [nonce] : []),
      status: OCSP_STATUS.successful,
      nonce: !!nonce,
      thisUpdate,
      nextUpdate,
      keys,
      certs,
    };
  }

  #issuer(id: CertId): Issuer {
    let byHash = this.#issuers.get(id.hashAlgorithm);
    if (!byHash) {
      const digest = digestByOid(id.hashAlgorithm);
      if (!digest) return "no-digest";
      byHash = new Map();
      for (const [i, ca] of this.cas.entries()) {
        const c = caCertId(ca.caCert, digest);
        const k = hex(c.issuerNameHash) + hex(c.issuerKeyHash);
        if (!byHash.has(k)) byHash.set(k, i);
      }
      this.#issuers.set(id.hashAlgorithm, byHash);
    }
    return byHash.get(hex(id.issuerNameHash) + hex(id.issuerKeyHash)) ?? "none";
  }
}

const ZERO_SERIAL = encodeInteger(0n);

/** OCSP_cert_to_id(digest, NULL, ca): the issuer part, with the empty serial OpenSSL writes as 0. */
const caCertId = (ca: Certificate, d: Digest): CertId => certIdFor(ca, ZERO_SERIAL, d);

/** The CertID of each Request, as the bytes the client sent (the answer echoes them). */
function certIdBytes(der: Uint8Array): Uint8Array[] {
  const [tbs] = children(der, readTlv(der, 0));
  const list = children(der, tbs!).find((t) => t.tag === TAG.SEQUENCE)!;
  return children(der, list).map((r) => bytesOf(der, children(der, r)[0]!));
}

function nonceFits(value: Uint8Array): boolean {
  try {
    const t = readTlv(value, 0);
    const len = t.end - t.contentStart;
    return t.tag === TAG.OCTET_STRING && t.end === value.length && len >= 1 && len <= MAX_NONCE;
  } catch {
    return false;
  }
}

type Status = Omit<SingleAnswer, "certId" | "thisUpdate" | "nextUpdate">;

/**
 * A row's answer. OpenSSL answers V rows good, R rows revoked, and leaves any other row out;
 * the rfc dialect answers E (expired, never revoked) rows good and other rows unknown.
 */
function statusOf(entry: IndexEntry | undefined, rfc: boolean): Status | "bad-date" | undefined {
  if (!entry) return { status: "unknown" };
  if (entry.type === "V" || (rfc && entry.type === "E")) return { status: "good" };
  if (entry.type !== "R") return rfc ? { status: "unknown" } : undefined;
  const r = entry.revocation!;
  if (!r.time) return "bad-date";
  const extensions: Extension[] = [];
  if (r.invalidityDate) {
    extensions.push({ oid: INVALIDITY_DATE, critical: false, value: r.invalidityDate });
  } else if (r.holdInstruction) {
    const value = encodeTlv(TAG.OID, encodeOid(r.holdInstruction));
    extensions.push({ oid: HOLD_INSTRUCTION, critical: false, value });
  }
  return { status: "revoked", revocationTime: r.time, revocationReason: r.reason, extensions };
}
