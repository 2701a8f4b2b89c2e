// `ocspkit inspect FILE|-`: whatever form an OCSP request or response turns up in (DER, PEM,
// base64, an RFC 5019 GET URL out of a log), print it as `openssl ocsp -req_text/-resp_text`
// would, or as JSON; with --issuer/--ca-file, verify a response strictly as `check` does.
// Exit: 0 decoded (and verified when asked), 1 not a readable OCSP message, 3 verification
// failed, 64 usage.

import { isoTime } from "../check/report.js";
import { checkDer, children } from "../der/der.js";
import { describe, OcspError } from "../errors.js";
import { hex } from "../hex.js";
import { type CertId, issuerHashesMatch } from "../ocsp/certid.js";
import { digestByOid } from "../ocsp/digests.js";
import { findNonce } from "../ocsp/nonce.js";
import { reasonName } from "../ocsp/reasons.js";
import { type OcspRequest, parseRequest } from "../ocsp/request.js";
import { type OcspResponse, parseResponse, parseResponseEnvelope } from "../ocsp/response.js";
import { responseStatusName } from "../ocsp/status.js";
import { requestTextBytes, responseHeaderText, responseTextBytes } from "../ocsp/text.js";
import { type ResponseVerdict, verifyResponse } from "../verify/response.js";
import { type Certificate, type Extension, serialToHex } from "../x509/cert.js";
import { loadCertificates, readFile } from "../x509/load.js";
import { nameOneline } from "../x509/name-oneline.js";
import { objectShortName } from "../x509/oids.js";
import { openTrustStore } from "../x509/store.js";
import { oidName } from "../x509/text.js";
import { newCommand, runParsed } from "./command.js";
import type { Io } from "./io.js";

interface InspectOpts {
  json?: boolean;
  issuer?: string;
  caFile?: string;
}

type Form = "DER" | "PEM" | "base64" | "GET URL";
/**
 * `strictError`: the message reads only as OpenSSL's decoder reads it, with time contents
 * unjudged (see readTimeForPrint); it is printed, never verified.
 */
type Message =
  | { kind: "request"; form: Form; der: Uint8Array; request: OcspRequest; strictError?: unknown }
  | {
      kind: "response";
      form: Form;
      der: Uint8Array;
      response: OcspResponse;
      strictError?: unknown;
    };

const MAX_INPUT = 4 << 20;

export async function inspectCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("inspect", io)
    .description(
      "Decode an OCSP request or response (DER, PEM, base64 or a GET URL) and print it in " +
        "OpenSSL's text form or as JSON; with --issuer or --ca-file, verify a response.\n" +
        "Exit: 0 decoded (and verified), 1 not an OCSP message, 3 verification failed, 64 usage.",
    )
    .argument("<file>", "the file, or - for standard input")
    .option("--json", "print JSON instead of OpenSSL's text form")
    .option("--issuer <file>", "the CA that issued the certificates asked about (verifies)")
    .option("--ca-file <file>", "trust anchors for the signer (verifies; default: the system's)");
  return runParsed(cmd, argv, io, async ([file], raw) => {
    const o = raw as unknown as InspectOpts;
    const source = file === "-" ? "standard input" : file!;
    const verify = o.issuer !== undefined || o.caFile !== undefined;
    const trust = verify ? openTrustStore({ caFile: o.caFile }) : undefined;
    const issuers = o.issuer ? loadCertificates(o.issuer, "issuer certificate") : [];
    let msg: Message;
    try {
      const data = readFile(file!, "an OCSP message");
      msg = recognise(data, source);
    } catch (err) {
      if (err instanceof Unprintable) io.out(err.header);
      io.err(`ocspkit inspect: ${describe(err)}\n`);
      return 1;
    }
    if (msg.strictError) io.err(`ocspkit inspect: ${source}: ${describe(msg.strictError)}\n`);
    let verdict: ResponseVerdict | undefined;
    if (verify && msg.kind === "response") {
      verdict = msg.strictError
        ? unreadable(msg.strictError)
        : verifyMessage(msg.response, issuers, trust!);
    } else if (verify) {
      io.err("ocspkit inspect: a request carries no answer: --issuer/--ca-file verify nothing\n");
    }
    if (o.json) {
      const body = msg.kind === "request" ? requestJson(msg.request) : responseJson(msg.response);
      const v = verdict && {
        verification: { ok: verdict.ok, checks: verdict.checks, error: verdict.reason },
      };
      io.out(`${JSON.stringify({ type: msg.kind, form: msg.form, ...body, ...v }, null, 2)}\n`);
    } else {
      io.out(
        msg.kind === "request" ? requestTextBytes(msg.request) : responseTextBytes(msg.response),
      );
      if (verdict?.ok) io.err("Response verify OK\n");
      else if (verdict) io.err(`Response Verify Failure: ${verdict.reason}\n`);
    }
    return verdict && !verdict.ok ? 3 : 0;
  });
}

/** An OCSP response whose signed part does not decode: OpenSSL prints only its first lines. */
class Unprintable extends OcspError {
  constructor(
    message: string,
    readonly header: string,
  ) {
    super("ERR_RESPONSE_MALFORMED", message);
  }
}

/** Finds the bytes in whatever form they came, then tells a request from a response. */
function recognise(data: Uint8Array, source: string): Message {
  const notOcsp = (err: unknown) =>
    new OcspError("ERR_INPUT", `${source} is not an OCSP request or response: ${describe(err)}`);
  let der: Uint8Array;
  let form: Form;
  let first: number | undefined;
  try {
    ({ der, form } = findDer(data));
    // Time contents are judged by the decoders below, which say which field is wrong.
    first = children(der, checkDer(der, { timesForPrint: true }))[0]?.tag;
  } catch (err) {
    throw notOcsp(err);
  }
  // OCSPResponse opens with its ENUMERATED status, OCSPRequest with the TBSRequest SEQUENCE.
  if (first === 0x0a) {
    const { value, strictError } = readForPrint((p) => parseResponse(der, p));
    if (value) return { kind: "response", form, der, response: value, strictError };
    let header: string;
    try {
      header = responseHeaderText(parseResponseEnvelope(der));
    } catch {
      throw notOcsp(strictError);
    }
    throw new Unprintable(`${source}: ${describe(strictError)}`, header);
  }
  if (first === 0x30) {
    const { value, strictError } = readForPrint((p) => parseRequest(der, p));
    if (value) return { kind: "request", form, der, request: value, strictError };
    throw notOcsp(strictError);
  }
  throw notOcsp("DER, but neither an OCSP request nor an OCSP response");
}

/** `parse` strictly, or else as OpenSSL reads it for printing; `strictError` says why not. */
function readForPrint<T>(parse: (forPrint: boolean) => T): { value?: T; strictError?: unknown } {
  try {
    return { value: parse(false) };
  } catch (strictError) {
    try {
      return { value: parse(true), strictError };
    } catch {
      return { strictError };
    }
  }
}

/** A verdict for a response whose times do not read: nothing about it can be checked. */
function unreadable(err: unknown): ResponseVerdict {
  const reason = `the response cannot be verified: ${describe(err)}`;
  return { ok: false, checks: [], answers: [], code: "ERR_RESPONSE_MALFORMED", reason };
}

function findDer(data: Uint8Array): { der: Uint8Array; form: Form } {
  if (data.length === 0) throw new Error("it is empty");
  if (data.length > MAX_INPUT) throw new Error(`it is larger than ${MAX_INPUT} bytes`);
  return data[0] === 0x30 ? { der: data, form: "DER" as const } : fromText(data);
}

function fromText(data: Uint8Array): { der: Uint8Array; form: Form } {
  const text = Buffer.from(data).toString("latin1").trim();
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (pem) return { der: base64(pem[2]!), form: "PEM" };
  if (/^(https?:\/\/|\/)/i.test(text)) return { der: fromGetUrl(text), form: "GET URL" };
  return { der: base64(text), form: "base64" };
}

function base64(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) {
    throw new Error("not DER, PEM, base64 or an http URL");
  }
  return new Uint8Array(Buffer.from(clean.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}

/**
 * The request inside an RFC 5019 GET URL. Some clients leave the "/" of the base64 unescaped,
 * so the request is the longest run of trailing path segments that decodes to DER.
 */
function fromGetUrl(url: string): Uint8Array {
  const path = url.replace(/^https?:\/\/[^/]*/i, "").split(/[?#]/)[0]!;
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i++) {
    try {
      const der = base64(decodeURIComponent(segments.slice(i).join("/")));
      checkDer(der, { timesForPrint: true });
      return der;
    } catch {
      // a shorter tail may be the request
    }
  }
  throw new Error("the URL's path holds no base64 DER OCSP request");
}

/** Does `ca` hash to this CertID's issuer fields? */
function isCertIdIssuer(ca: Certificate, id: CertId): boolean {
  return issuerHashesMatch(ca, id) === true;
}

function verifyMessage(
  resp: OcspResponse,
  issuers: readonly Certificate[],
  trust: ReturnType<typeof openTrustStore>,
): ResponseVerdict {
  const ids = resp.basic?.responses.map((r) => r.certId) ?? [];
  const first = ids[0];
  const candidates = [...issuers, ...trust.anchors, ...(resp.basic?.certs ?? [])];
  const issuer = first && candidates.find((c) => isCertIdIssuer(c, first));
  if (resp.status === 0 && resp.basic && !issuer) {
    const error = new OcspError(
      "ERR_SIGNER_NOT_FOUND",
      first
        ? "the CA named by the CertIDs is not among --issuer, --ca-file or the response's certificates"
        : "the response holds no status",
    );
    return { ok: false, checks: [], answers: [], code: error.code, reason: error.message };
  }
  return verifyResponse(resp, {
    asked: issuer ? ids.filter((id) => isCertIdIssuer(issuer, id)) : [],
    issuer: issuer ?? issuers[0]!,
    trust,
    extraCerts: issuers,
  });
}

/** ISO 8601, or null for a time that does not read (printed as "Bad time value"). */
const jsonTime = (d: Date) => (Number.isNaN(d.getTime()) ? null : isoTime(d));

const upperHex = (b: Uint8Array) => hex(b).toUpperCase();

function certIdJson(id: CertId) {
  return {
    hashAlgorithm: digestByOid(id.hashAlgorithm)?.name ?? id.hashAlgorithm,
    issuerNameHash: upperHex(id.issuerNameHash),
    issuerKeyHash: upperHex(id.issuerKeyHash),
    serial: serialToHex(id.serial),
  };
}

function extensionsJson(exts: readonly Extension[]) {
  return exts.map((e) => ({
    oid: e.oid,
    name: oidName(e.oid),
    critical: e.critical,
    value: upperHex(e.value),
  }));
}

function certsJson(certs: readonly Certificate[]) {
  return certs.map((c) => ({
    subject: nameOneline(c.subject, objectShortName),
    issuer: nameOneline(c.issuer, objectShortName),
    serial: c.serialHex,
    notBefore: jsonTime(c.notBefore),
    notAfter: jsonTime(c.notAfter),
  }));
}

function nonceJson(exts: readonly Extension[]) {
  const n = findNonce(exts);
  return n ? { nonce: upperHex(n) } : {};
}

function requestJson(r: OcspRequest) {
  return {
    version: r.version + 1,
    ...(r.requestorName ? { requestorName: upperHex(r.requestorName) } : {}),
    requests: r.requests.map((q) => ({
      certId: certIdJson(q.certId),
      extensions: extensionsJson(q.extensions),
    })),
    extensions: extensionsJson(r.extensions),
    ...nonceJson(r.extensions),
    signed: !!r.signature,
    ...(r.signature
      ? {
          signatureAlgorithm: oidName(r.signature.algorithm.oid),
          certs: certsJson(r.signature.certs),
        }
      : {}),
  };
}

function responseJson(r: OcspResponse) {
  const out = { responseStatus: responseStatusName(r.status), responseStatusCode: r.status };
  const bs = r.basic;
  if (!bs) return r.responseType ? { ...out, responseType: r.responseType } : out;
  return {
    ...out,
    responseType: oidName(r.responseType!),
    version: bs.version + 1,
    responderId: bs.responderId.byName
      ? { byName: nameOneline(bs.responderId.byName, objectShortName) }
      : { byKey: upperHex(bs.responderId.byKey!) },
    producedAt: jsonTime(bs.producedAt),
    responses: bs.responses.map((s) => ({
      certId: certIdJson(s.certId),
      status: s.status,
      ...(s.status === "revoked"
        ? {
            revocationTime: jsonTime(s.revocationTime!),
            revocationReason:
              s.revocationReason === undefined ? null : reasonName(s.revocationReason),
          }
        : {}),
      thisUpdate: jsonTime(s.thisUpdate),
      nextUpdate: s.nextUpdate ? jsonTime(s.nextUpdate) : null,
      extensions: extensionsJson(s.extensions),
    })),
    extensions: extensionsJson(bs.extensions),
    ...nonceJson(bs.extensions),
    signatureAlgorithm: oidName(bs.signatureAlgorithm.oid),
    certs: certsJson(bs.certs),
  };
}
