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
import { serialKey } from "./index-file.js";
import {
  type RevocationRecord,
  type StatusRecord,
  type StatusSource,
  StoreUnavailable,
} from "./status.js";

export interface ServedCa {
  readonly caCert: Certificate;
  readonly signer: ResponseSigner;
  readonly source: StatusSource;
}

/** What a serial the store has never seen gets (rfc dialect; OpenSSL's is always unknown). */
export type Unassigned = "unknown" | "unauthorized" | "revoked";

export interface AnswerPolicy {
  readonly dialect: "openssl" | "rfc";
  /** rfc dialect: the answer for a CertID whose issuer is not served. */
  readonly unknownIssuer: "unauthorized" | "unknown";
  /** nextUpdate = thisUpdate + this; none when absent. */
  readonly nextUpdateSeconds?: number;
  /** OpenSSL's -rcid: CertIDs of served issuers are answered with this digest (serial 0). */
  readonly responseCertIdDigest?: Digest;
  /** rfc dialect: the answer for a serial its CA's store does not hold; default unknown. */
  readonly unassigned?: Unassigned;
}

/** One certificate's line in an answer, for logs. */
export interface AnsweredCert {
  readonly serial: string;
  readonly status: CertStatus;
  /** The store does not hold the serial (the status is the --unassigned policy's). */
  readonly unassigned?: true;
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
/** RFC 6960 §4.4.8: "revoked" may mean "never issued"; its value is NULL. */
const EXTENDED_REVOKE: Extension = {
  oid: "1.3.6.1.5.5.7.48.1.9",
  critical: false,
  value: Uint8Array.of(TAG.NULL, 0),
};
/** RFC 6960 §2.2: a never-issued serial is revoked on hold since the epoch. */
const NEVER_ISSUED: RevocationRecord = { time: new Date(0), reason: 6 };
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

  async answer(der: Uint8Array, now = new Date()): Promise<Answer> {
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
    // One response has one signer: a CA signed for by another counts as not served.
    const served = issuers.map((i) => typeof i === "number" && this.cas[i]!.signer === signer);
    let records: (StatusRecord | undefined)[];
    try {
      records = await this.#lookup(req, issuers, served);
    } catch (err) {
      if (err instanceof StoreUnavailable) return failure(OCSP_STATUS.tryLater, describe(err));
      throw err;
    }
    const singles: Uint8Array[] = [];
    const keys: string[] = [];
    const certs: AnsweredCert[] = [];
    let unassigned = false;
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
      if (typeof issuer !== "number" || !served[i]) {
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
      const record = records[i]!;
      keys.push(`${issuer}:${serial}`);
      if (record.state === "unusable") {
        return failure(OCSP_STATUS.internalError, `serial ${serial}: ${record.problem}`);
      }
      const policy = rfc ? (this.#policy.unassigned ?? "unknown") : "unknown";
      if (record.state === "not-found" && policy === "unauthorized") {
        return failure(OCSP_STATUS.unauthorized, `serial ${serial} not issued by this CA`);
      }
      unassigned ||= record.state === "not-found" && policy === "revoked";
      const single = statusOf(record, rfc, policy);
      if (!single) continue; // OpenSSL leaves rows that are neither V nor R out of the answer.
      singles.push(encodeSingleResponse({ ...base, ...single, certId }));
      certs.push(
        record.state === "not-found"
          ? { serial, status: single.status, unassigned: true }
          : { serial, status: single.status },
      );
    }
    const extensions = nonce ? [nonce] : [];
    if (unassigned) extensions.push(EXTENDED_REVOKE);
    return {
      der: signer.respond(thisUpdate, singles, extensions),
      status: OCSP_STATUS.successful,
      nonce: !!nonce,
      thisUpdate,
      nextUpdate,
      keys,
      certs,
    };
  }

  /** The record of each request about a served CA, each CA's store asked once. */
  async #lookup(
    req: OcspRequest,
    issuers: readonly Issuer[],
    served: readonly boolean[],
  ): Promise<(StatusRecord | undefined)[]> {
    const byCa = new Map<number, number[]>();
    for (const [i, issuer] of issuers.entries()) {
      if (typeof issuer !== "number" || !served[i]) continue;
      const list = byCa.get(issuer);
      if (list) list.push(i);
      else byCa.set(issuer, [i]);
    }
    const records: (StatusRecord | undefined)[] = [];
    await Promise.all(
      [...byCa].map(async ([ca, which]) => {
        const { caCert, source } = this.cas[ca]!;
        const found = await source.lookup(
          caCert,
          which.map((i) => req.requests[i]!.certId.serial),
        );
        for (const [n, i] of which.entries()) records[i] = found[n];
      }),
    );
    return records;
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
 * A record's answer. OpenSSL answers V rows good, R rows revoked, and leaves any other row out;
 * the rfc dialect answers expired (never revoked) rows good and other rows unknown.
 */
function statusOf(record: StatusRecord, rfc: boolean, unassigned: Unassigned): Status | undefined {
  switch (record.state) {
    case "good":
      return { status: "good" };
    case "expired":
      return rfc ? { status: "good" } : undefined;
    case "other":
      return rfc ? { status: "unknown" } : undefined;
    case "not-found":
      return unassigned === "revoked" ? revoked(NEVER_ISSUED) : { status: "unknown" };
    case "revoked":
      return revoked(record.revocation);
    default:
      throw new Error(`no answer for a ${record.state} record`);
  }
}

function revoked(r: RevocationRecord): Status {
  const extensions: Extension[] = [];
  if (r.invalidityDate) {
    extensions.push({ oid: INVALIDITY_DATE, critical: false, value: r.invalidityDate });
  } else if (r.holdInstruction) {
    const value = encodeTlv(TAG.OID, encodeOid(r.holdInstruction));
    extensions.push({ oid: HOLD_INSTRUCTION, critical: false, value });
  }
  return { status: "revoked", revocationTime: r.time, revocationReason: r.reason, extensions };
}
