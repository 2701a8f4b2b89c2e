// OCSP requests and responses decoded with the strict DER walker. This is the measured hot path
// of both the client's start-up (loading @peculiar's ASN.1 stack costs ~25 ms of a ~115 ms
// query) and the responder (one decode per request); test/decode.property.test.ts holds it to
// @peculiar/asn1-ocsp's reading of the same bytes.
import {
  bytesOf,
  checkDer,
  children,
  contentOf,
  DerError,
  readTlv,
  sameValue,
  TAG,
  type Tlv,
} from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { DerTime, parseTime, readTimeForPrint, timeOf } from "../der/time.js";
import {
  type AlgorithmId,
  Certificate,
  type Extension,
  parseAlgorithm,
  parseExtensionList,
} from "../x509/cert.js";
import type { CertId } from "./certid.js";
import type {
  BasicResponse,
  CertStatus,
  OcspRequest,
  ResponderId,
  SingleResponse,
} from "./types.js";

/**
 * The children of a constructed value, read one at a time and consumed in order by tag. Every
 * value handed here was checked whole first (topOf), so reading a child cannot fail.
 */
class Fields {
  #at: number;
  #next: Tlv | undefined;
  readonly #end: number;

  constructor(
    readonly buf: Uint8Array,
    parent: Tlv,
    readonly what: string,
  ) {
    this.#at = parent.contentStart;
    this.#end = parent.end;
  }

  /** The next field, left unconsumed. */
  peek(): Tlv | undefined {
    if (!this.#next && this.#at < this.#end) this.#next = readTlv(this.buf, this.#at, this.#end);
    return this.#next;
  }

  #take(t: Tlv): Tlv {
    this.#next = undefined;
    this.#at = t.end;
    return t;
  }

  next(tag: number, field: string): Tlv {
    const t = this.peek();
    if (!t) throw new DerError(`${this.what}: missing ${field}`, this.buf.length);
    if (t.tag !== tag) {
      throw new DerError(
        `${this.what}: ${field} has tag 0x${t.tag.toString(16)}, expected 0x${tag.toString(16)}`,
        t.start,
      );
    }
    return this.#take(t);
  }

  optional(tag: number): Tlv | undefined {
    const t = this.peek();
    return t?.tag === tag ? this.#take(t) : undefined;
  }

  /** The single value inside an EXPLICIT tag, if that tag is next. */
  explicit(tag: number): Tlv | undefined {
    const w = this.optional(tag);
    if (!w) return undefined;
    const inner = w.contentStart < w.end ? readTlv(this.buf, w.contentStart, w.end) : undefined;
    if (inner?.end !== w.end)
      throw new DerError(`${this.what}: [${tag & 0x1f}] must hold one value`, w.start);
    return inner;
  }

  end(): void {
    const t = this.peek();
    if (t)
      throw new DerError(
        `${this.what}: unexpected field with tag 0x${t.tag.toString(16)}`,
        t.start,
      );
  }
}

function integerContent(buf: Uint8Array, t: Tlv, what: string): Uint8Array {
  const c = contentOf(buf, t);
  if (c.length === 0) throw new DerError(`${what}: empty INTEGER`, t.start);
  if (c.length > 1 && ((c[0] === 0 && !(c[1]! & 0x80)) || (c[0] === 0xff && c[1]! & 0x80))) {
    throw new DerError(`${what}: non-minimal INTEGER`, t.start);
  }
  return c;
}

/** A small non-negative INTEGER or ENUMERATED (versions, statuses, reasons). */
function smallInt(buf: Uint8Array, t: Tlv, what: string): number {
  const c = integerContent(buf, t, what);
  if (c.length > 4 || c[0]! & 0x80) throw new DerError(`${what}: value out of range`, t.start);
  return c.reduce((v, b) => v * 256 + b, 0);
}

/**
 * Reads the CertIDs of one message. A batch asks about, and is answered for, certificates of
 * one CA: an AlgorithmIdentifier encoded as in the CertID before is not decoded again.
 */
class CertIdReader {
  #alg: Tlv | undefined;
  #oid = "";

  constructor(readonly buf: Uint8Array) {}

  read(t: Tlv): CertId {
    const buf = this.buf;
    const f = new Fields(buf, t, "CertID");
    const algT = f.next(TAG.SEQUENCE, "hashAlgorithm");
    if (!this.#alg || !sameValue(buf, algT, this.#alg)) {
      this.#oid = parseAlgorithm(buf, algT).oid;
      this.#alg = algT;
    }
    const nameHash = contentOf(buf, f.next(TAG.OCTET_STRING, "issuerNameHash"));
    const keyHash = contentOf(buf, f.next(TAG.OCTET_STRING, "issuerKeyHash"));
    const serial = integerContent(buf, f.next(TAG.INTEGER, "serialNumber"), "serialNumber");
    f.end();
    return { hashAlgorithm: this.#oid, issuerNameHash: nameHash, issuerKeyHash: keyHash, serial };
  }
}

/** parseTime or readTimeForPrint. */
type DerTimeReader = (buf: Uint8Array, t: Tlv) => DerTime;

/**
 * `readTime` for one field of a list's entries, which mostly repeat it (a batch's answers share
 * thisUpdate and nextUpdate): the same encoding as the last one read is copied, not parsed
 * again, and each entry still gets a Date of its own.
 */
function repeatingTime(readTime: DerTimeReader): DerTimeReader {
  let lastT: Tlv | undefined;
  let last: DerTime | undefined;
  return (buf, t) => {
    if (lastT && last && sameValue(buf, t, lastT))
      return new DerTime(last.getTime(), last.tag, last.text);
    last = readTime(buf, t);
    lastT = t;
    return last;
  };
}

/** Most answers and requests carry no extensions: they share this empty list. */
export const NO_EXTENSIONS: readonly Extension[] = Object.freeze([]);

function decodeExtensions(buf: Uint8Array, t: Tlv | undefined): readonly Extension[] {
  return t ? parseExtensionList(buf, t) : NO_EXTENSIONS;
}

/** `[0] EXPLICIT SEQUENCE OF Certificate`, each sliced from the original bytes. */
function decodeCertList(buf: Uint8Array, t: Tlv | undefined, forPrint: boolean): Certificate[] {
  if (!t) return [];
  if (t.tag !== TAG.SEQUENCE) throw new DerError("certs: expected a SEQUENCE", t.start);
  return children(buf, t).map((c) => certificateAt(buf, c, forPrint));
}

// A responder sends its certificate (and often its CA's) with every answer it signs: each
// encoding is read once, and later answers get the same Certificate, with what verifying the
// first learned about it (its key, its extensions, its chain's checks). Bounded, oldest out.
const CERT_MEMO_SIZE = 64;
const certMemos = {
  strict: new Map<string, Certificate>(),
  forPrint: new Map<string, Certificate>(),
};

function certificateAt(buf: Uint8Array, t: Tlv, forPrint: boolean): Certificate {
  const memo = forPrint ? certMemos.forPrint : certMemos.strict;
  const k = Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start).toString("latin1");
  let cert = memo.get(k);
  if (!cert) {
    cert = new Certificate(bytesOf(buf, t).slice(), forPrint);
    if (memo.size >= CERT_MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(k, cert);
  }
  return cert;
}

function decodeVersion(buf: Uint8Array, t: Tlv | undefined): number {
  if (!t) return 0;
  if (t.tag !== TAG.INTEGER) throw new DerError("version: expected an INTEGER", t.start);
  return smallInt(buf, t, "version");
}

/** The signature and its algorithm; unused bits are kept so verification, not parsing, fails. */
function decodeAlgorithmAndSignature(f: Fields): {
  algorithm: AlgorithmId;
  value: Uint8Array;
  unusedBits: number;
} {
  const algorithm = parseAlgorithm(f.buf, f.next(TAG.SEQUENCE, "signatureAlgorithm"));
  const bitsT = f.next(TAG.BIT_STRING, "signature");
  const bits = contentOf(f.buf, bitsT);
  if (bits.length === 0) throw new DerError("signature: empty BIT STRING", bitsT.start);
  return { algorithm, value: bits.subarray(1), unusedBits: bits[0]! };
}

/**
 * The top value of `der`, checked to be DER and of the expected tag. Times are judged where
 * they are read (timeOf, Certificate), so that an error names the field.
 */
function topOf(der: Uint8Array, tag: number, what: string): Tlv {
  const t = checkDer(der, { timesForPrint: true });
  if (t.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${t.tag.toString(16)}`, 0);
  return t;
}

export const BASIC_RESPONSE_OID = "1.3.6.1.5.5.7.48.1.1";

/** The outer OCSPResponse: its status, and the response bytes still undecoded. */
export interface ResponseEnvelope {
  readonly status: number;
  readonly responseType?: string;
  /** The `response` OCTET STRING's contents (a BasicOCSPResponse for id-pkix-ocsp-basic). */
  readonly responseDer?: Uint8Array;
}

/**
 * OCSPResponse (RFC 6960 §4.2.1) without what it carries. OpenSSL decodes in the same two steps
 * (d2i_OCSP_RESPONSE, then OCSP_response_get1_basic), so a caller can report a responder's
 * status, or save the bytes, even when the BasicOCSPResponse inside is malformed.
 */
export function decodeEnvelope(der: Uint8Array): ResponseEnvelope {
  const f = new Fields(der, topOf(der, TAG.SEQUENCE, "OCSPResponse"), "OCSPResponse");
  const status = smallInt(der, f.next(TAG.ENUMERATED, "responseStatus"), "responseStatus");
  const rb = f.explicit(0xa0);
  f.end();
  if (!rb) return { status };
  if (rb.tag !== TAG.SEQUENCE) throw new DerError("ResponseBytes: expected a SEQUENCE", rb.start);
  const b = new Fields(der, rb, "ResponseBytes");
  const responseType = decodeOid(contentOf(der, b.next(TAG.OID, "responseType")));
  const responseDer = contentOf(der, b.next(TAG.OCTET_STRING, "response"));
  b.end();
  return { status, responseType, responseDer };
}

/**
 * BasicOCSPResponse. `forPrint` reads it as OpenSSL's decoder does, leaving time contents
 * unjudged (see readTimeForPrint): only for printing, never for verification.
 */
export function decodeBasic(der: Uint8Array, forPrint = false): BasicResponse {
  const top = topOf(der, TAG.SEQUENCE, "BasicOCSPResponse");
  const f = new Fields(der, top, "BasicOCSPResponse");
  const readTime = forPrint ? readTimeForPrint : parseTime;
  const tbsT = f.next(TAG.SEQUENCE, "tbsResponseData");
  const { algorithm, value, unusedBits } = decodeAlgorithmAndSignature(f);
  const certs = decodeCertList(der, f.explicit(0xa0), forPrint);
  f.end();

  const d = new Fields(der, tbsT, "ResponseData");
  const version = decodeVersion(der, d.explicit(0xa0));
  let responderId: ResponderId;
  const byName = d.explicit(0xa1);
  if (byName) {
    if (byName.tag !== TAG.SEQUENCE)
      throw new DerError("ResponderID byName: expected a Name", byName.start);
    responderId = { byName: bytesOf(der, byName) };
  } else {
    const byKey = d.explicit(0xa2);
    if (!byKey) throw new DerError("ResponseData: missing responderID", tbsT.contentStart);
    if (byKey.tag !== TAG.OCTET_STRING)
      throw new DerError("ResponderID byKey: expected an OCTET STRING", byKey.start);
    responderId = { byKey: contentOf(der, byKey) };
  }
  const producedAt = timeOf(
    der,
    d.next(TAG.GENERALIZED_TIME, "producedAt"),
    "producedAt",
    readTime,
  );
  const list = d.next(TAG.SEQUENCE, "responses");
  const extensions = decodeExtensions(der, d.explicit(0xa1));
  d.end();
  return {
    tbs: bytesOf(der, tbsT),
    version,
    responderId,
    producedAt,
    responses: decodeSingles(der, list, readTime),
    extensions,
    signatureAlgorithm: algorithm,
    signature: value,
    signatureUnusedBits: unusedBits,
    certs,
  };
}

/** What the SingleResponses of one answer are read with: the parts they mostly share. */
interface SingleReaders {
  readonly certIds: CertIdReader;
  readonly revocationTime: DerTimeReader;
  readonly thisUpdate: DerTimeReader;
  readonly nextUpdate: DerTimeReader;
}

function decodeSingles(der: Uint8Array, list: Tlv, readTime: DerTimeReader): SingleResponse[] {
  const readers: SingleReaders = {
    certIds: new CertIdReader(der),
    revocationTime: repeatingTime(readTime),
    thisUpdate: repeatingTime(readTime),
    nextUpdate: repeatingTime(readTime),
  };
  const out: SingleResponse[] = [];
  for (let p = list.contentStart; p < list.end; ) {
    const t = readTlv(der, p, list.end);
    out.push(decodeSingle(der, t, readers));
    p = t.end;
  }
  return out;
}

function decodeSingle(der: Uint8Array, t: Tlv, readers: SingleReaders): SingleResponse {
  if (t.tag !== TAG.SEQUENCE) throw new DerError("SingleResponse: expected a SEQUENCE", t.start);
  const f = new Fields(der, t, "SingleResponse");
  const certId = readers.certIds.read(f.next(TAG.SEQUENCE, "certID"));
  const st = f.peek();
  if (!st) throw new DerError("SingleResponse: missing certStatus", t.end);
  let status: CertStatus;
  let revocationTime: Date | undefined;
  let revocationReason: number | undefined;
  if (st.tag === 0x80 || st.tag === 0x82) {
    if (st.end !== st.contentStart) throw new DerError("certStatus: NULL with content", st.start);
    status = st.tag === 0x80 ? "good" : "unknown";
    f.optional(st.tag);
  } else {
    const r = new Fields(der, f.next(0xa1, "certStatus"), "RevokedInfo");
    status = "revoked";
    revocationTime = timeOf(
      der,
      r.next(TAG.GENERALIZED_TIME, "revocationTime"),
      "revocationTime",
      readers.revocationTime,
    );
    const reason = r.explicit(0xa0);
    if (reason) {
      if (reason.tag !== TAG.ENUMERATED)
        throw new DerError("revocationReason: expected ENUMERATED", reason.start);
      revocationReason = smallInt(der, reason, "revocationReason");
    }
    r.end();
  }
  const thisUpdate = timeOf(
    der,
    f.next(TAG.GENERALIZED_TIME, "thisUpdate"),
    "thisUpdate",
    readers.thisUpdate,
  );
  const next = f.explicit(0xa0);
  if (next && next.tag !== TAG.GENERALIZED_TIME)
    throw new DerError("nextUpdate: expected GeneralizedTime", next.start);
  const extensions = decodeExtensions(der, f.explicit(0xa1));
  f.end();
  return {
    certId,
    status,
    revocationTime,
    revocationReason,
    thisUpdate,
    nextUpdate: next && timeOf(der, next, "nextUpdate", readers.nextUpdate),
    extensions,
  };
}

/** OCSPRequest (RFC 6960 §4.1.1); `forPrint` as for decodeBasic (certificates' times). */
export function decodeRequest(der: Uint8Array, forPrint = false): OcspRequest {
  const f = new Fields(der, topOf(der, TAG.SEQUENCE, "OCSPRequest"), "OCSPRequest");
  const tbsT = f.next(TAG.SEQUENCE, "tbsRequest");
  const sigT = f.explicit(0xa0);
  f.end();
  const t = new Fields(der, tbsT, "TBSRequest");
  const version = decodeVersion(der, t.explicit(0xa0));
  const nameWrapper = t.optional(0xa1);
  const list = t.next(TAG.SEQUENCE, "requestList");
  const extensions = decodeExtensions(der, t.explicit(0xa2));
  t.end();
  const certIds = new CertIdReader(der);
  const requests = children(der, list).map((r) => {
    if (r.tag !== TAG.SEQUENCE) throw new DerError("Request: expected a SEQUENCE", r.start);
    const q = new Fields(der, r, "Request");
    const certId = certIds.read(q.next(TAG.SEQUENCE, "reqCert"));
    const exts = decodeExtensions(der, q.explicit(0xa0));
    q.end();
    return { certId, extensions: exts };
  });
  let signature: OcspRequest["signature"];
  if (sigT) {
    if (sigT.tag !== TAG.SEQUENCE)
      throw new DerError("optionalSignature: expected a SEQUENCE", sigT.start);
    const s = new Fields(der, sigT, "Signature");
    const { algorithm, value, unusedBits } = decodeAlgorithmAndSignature(s);
    if (unusedBits)
      throw new DerError("request signature: BIT STRING with unused bits", sigT.start);
    const certs = decodeCertList(der, s.explicit(0xa0), forPrint);
    s.end();
    signature = { algorithm, value, certs };
  }
  return {
    version,
    requestorName: nameWrapper && contentOf(der, nameWrapper),
    requests,
    extensions,
    signature,
    tbs: bytesOf(der, tbsT),
  };
}
