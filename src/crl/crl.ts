// X.509 CRLs (RFC 5280 §5) for `check --crl-fallback`: parsed with the strict DER walker (CRLs
// can hold many thousands of entries; the generic ASN.1 parser is needlessly slow on them), and
// checked with the same rigour as an OCSP answer before a status is taken from one.
import { AsnConvert } from "@peculiar/asn1-schema";
import { IssuingDistributionPoint } from "@peculiar/asn1-x509";
import { checkDer, children, contentOf, DerError, expectTag, TAG, type Tlv } from "../der/der.js";
import { parseTime } from "../der/time.js";
import { describe, OcspError } from "../errors.js";
import { reasonName } from "../ocsp/reasons.js";
import { verifySignedBy } from "../verify/signature.js";
import { statusTimeProblems } from "../verify/validity.js";
import {
  type AlgorithmId,
  bitStringBytes,
  type Certificate,
  type Extension,
  parseAlgorithm,
  parseExtensionList,
  parseExtensions,
  serialToHex,
} from "../x509/cert.js";

export interface CrlEntry {
  readonly revocationDate: Date;
  readonly reason?: number;
  readonly extensions: readonly Extension[];
}

export interface Crl {
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmId;
  readonly innerAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly extensions: readonly Extension[];
  /** Keyed by serial as OpenSSL prints it (upper-case hex, no sign byte). */
  readonly entries: ReadonlyMap<string, CrlEntry>;
}

const EXT = {
  reasonCode: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  certificateIssuer: "2.5.29.29",
  holdInstruction: "2.5.29.23",
  crlNumber: "2.5.29.20",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  authorityKeyId: "2.5.29.35",
  freshestCrl: "2.5.29.46",
} as const;
const KEY_USAGE_CRL_SIGN = 6;

/** A DER or PEM CRL; throws an OcspError naming `source` when it is not one. */
export function parseCrl(data: Uint8Array, source: string): Crl {
  try {
    return parseCrlDer(pemOrDer(data));
  } catch (err) {
    if (err instanceof OcspError) throw err;
    throw new OcspError("ERR_INPUT", `the CRL from ${source} is malformed: ${describe(err)}`);
  }
}

function pemOrDer(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString("latin1");
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (m) return new Uint8Array(Buffer.from(m[1]!, "base64"));
  if (text.includes("-----BEGIN")) throw new Error("a PEM file without an X509 CRL block");
  return data;
}

function parseCrlDer(der: Uint8Array): Crl {
  const top = checkDer(der);
  expectTag(top, TAG.SEQUENCE, "CertificateList");
  const [tbsT, algT, sigT, extra] = children(der, top);
  if (!tbsT || !algT || !sigT || extra) throw new DerError("CertificateList: wrong shape", 0);
  expectTag(tbsT, TAG.SEQUENCE, "TBSCertList");
  const f = children(der, tbsT);
  let i = f[0]?.tag === TAG.INTEGER ? 1 : 0;
  const inner = f[i++];
  const issuerT = f[i++];
  const thisT = f[i++];
  if (!inner || !issuerT || !thisT) throw new DerError("TBSCertList: missing fields", tbsT.start);
  expectTag(issuerT, TAG.SEQUENCE, "issuer");
  let nextUpdate: Date | undefined;
  if (f[i] && isTime(f[i]!)) nextUpdate = parseTime(der, f[i++]!);
  let entries = new Map<string, CrlEntry>();
  if (f[i]?.tag === TAG.SEQUENCE) entries = parseEntries(der, f[i++]!);
  const extsT = f[i]?.tag === 0xa0 ? f[i++] : undefined;
  if (f[i]) throw new DerError("TBSCertList: unexpected field", f[i]!.start);
  return {
    tbs: der.subarray(tbsT.start, tbsT.end),
    signatureAlgorithm: parseAlgorithm(der, algT),
    innerAlgorithm: parseAlgorithm(der, inner),
    signature: bitStringBytes(der, sigT),
    issuer: der.subarray(issuerT.start, issuerT.end),
    thisUpdate: parseTime(der, thisT),
    nextUpdate,
    extensions: extsT ? parseExtensions(der, extsT) : [],
    entries,
  };
}

const isTime = (t: Tlv) => t.tag === TAG.GENERALIZED_TIME || t.tag === 0x17;

function parseEntries(der: Uint8Array, list: Tlv): Map<string, CrlEntry> {
  const out = new Map<string, CrlEntry>();
  for (const e of children(der, list)) {
    expectTag(e, TAG.SEQUENCE, "revokedCertificate");
    const [serialT, dateT, extsT] = children(der, e);
    if (!serialT || !dateT) throw new DerError("revokedCertificate: missing fields", e.start);
    expectTag(serialT, TAG.INTEGER, "userCertificate");
    const extensions = extsT ? parseExtensionList(der, extsT) : [];
    const reasonExt = extensions.find((x) => x.oid === EXT.reasonCode);
    out.set(serialToHex(contentOf(der, serialT)), {
      revocationDate: parseTime(der, dateT),
      reason: reasonExt ? enumerated(reasonExt.value) : undefined,
      extensions,
    });
  }
  return out;
}

function enumerated(value: Uint8Array): number {
  const t = checkDer(value);
  expectTag(t, TAG.ENUMERATED, "CRLReason");
  const c = contentOf(value, t);
  if (c.length !== 1) throw new DerError("CRLReason: out of range", 0);
  return c[0]!;
}

export interface CrlVerifyOptions {
  /** The certificate asked about, and the CA that issued it (verified by the caller). */
  readonly cert: Certificate;
  readonly issuer: Certificate;
  readonly now?: Date;
  readonly skewSec?: number;
}

export interface CrlStatus {
  readonly status: "good" | "revoked";
  readonly revocationTime?: Date;
  /** OpenSSL's reason name; absent when the entry gives none. */
  readonly revocationReason?: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

const KNOWN_CRL_EXTENSIONS = new Set<string>([
  EXT.crlNumber,
  EXT.authorityKeyId,
  EXT.issuingDistributionPoint,
  EXT.freshestCrl,
]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([
  EXT.reasonCode,
  EXT.invalidityDate,
  EXT.holdInstruction,
]);

/**
 * The certificate's status by this CRL, after the RFC 5280 §6.3 checks that apply to a complete,
 * direct CRL: issuer name, cRLSign, signature, time window, scope (issuing distribution point),
 * critical extensions. Any failure throws an OcspError: a CRL that does not pass gives no status.
 * Whether `issuer` itself is trusted is the caller's question.
 */
export function crlStatus(crl: Crl, o: CrlVerifyOptions): CrlStatus {
  const bad = (code: "ERR_SIGNATURE" | "ERR_STALE" | "ERR_RESPONSE_MALFORMED", why: string) =>
    new OcspError(code, why);
  if (!Buffer.from(crl.issuer).equals(o.cert.issuer)) {
    throw bad("ERR_RESPONSE_MALFORMED", "the CRL is issued by another CA than the certificate");
  }
  const ku = o.issuer.keyUsage;
  if (ku && !ku.has(KEY_USAGE_CRL_SIGN)) {
    throw bad("ERR_SIGNATURE", "the issuing CA's key usage does not allow it to sign CRLs");
  }
  const sig = verifySignedBy({ ...crl, tbsSignatureAlgorithm: crl.innerAlgorithm }, o.issuer);
  if (!sig.ok) throw bad("ERR_SIGNATURE", `the CRL's signature is invalid: ${sig.reason}`);
  const times = statusTimeProblems(crl.thisUpdate, crl.nextUpdate, o.skewSec ?? 300, -1, o.now);
  if (times.length) {
    throw bad("ERR_STALE", `the CRL is not current: ${times.join(", ").replace("status", "CRL")}`);
  }
  checkScope(crl, o.cert);
  const entry = crl.entries.get(o.cert.serialHex);
  const base = { thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate };
  if (!entry) return { status: "good", ...base };
  const critical = entry.extensions.find((e) => e.critical && !KNOWN_ENTRY_EXTENSIONS.has(e.oid));
  if (critical) {
    throw bad(
      "ERR_RESPONSE_MALFORMED",
      critical.oid === EXT.certificateIssuer
        ? "indirect CRLs are not supported"
        : `the CRL entry has an unknown critical extension ${critical.oid}`,
    );
  }
  return {
    status: "revoked",
    revocationTime: entry.revocationDate,
    revocationReason: entry.reason === undefined ? undefined : reasonName(entry.reason),
    ...base,
  };
}

/** Refuses CRLs that do not cover every reason and every certificate of their kind. */
function checkScope(crl: Crl, cert: Certificate): void {
  const fail = (why: string) => new OcspError("ERR_RESPONSE_MALFORMED", why);
  const critical = crl.extensions.find((e) => e.critical && !KNOWN_CRL_EXTENSIONS.has(e.oid));
  if (critical) {
    throw fail(
      critical.oid === EXT.deltaCrlIndicator
        ? "the CRL is a delta CRL, which cannot be used alone"
        : `the CRL has an unknown critical extension ${critical.oid}`,
    );
  }
  const idpExt = crl.extensions.find((e) => e.oid === EXT.issuingDistributionPoint);
  if (!idpExt) return;
  const idp = AsnConvert.parse(idpExt.value, IssuingDistributionPoint);
  const isCa = cert.basicConstraints?.ca === true;
  if (idp.indirectCRL) throw fail("indirect CRLs are not supported");
  if (idp.onlySomeReasons) throw fail("the CRL covers only some revocation reasons");
  if (idp.onlyContainsAttributeCerts) throw fail("the CRL covers only attribute certificates");
  if (idp.onlyContainsCACerts && !isCa) throw fail("the CRL covers only CA certificates");
  if (idp.onlyContainsUserCerts && isCa) throw fail("the CRL covers only end-entity certificates");
}
