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
import { type OcspResponse, parseResponse } from "../ocsp/response.js";
import { responseStatusName } from "../ocsp/status.js";
import { requestText, responseText } from "../ocsp/text.js";
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
type Message =
  | { kind: "request"; form: Form; der: Uint8Array; request: OcspRequest }
  | { kind: "response"; form: Form; der: Uint8Array; response: OcspResponse };

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
      io.err(`ocspkit inspect: ${describe(err)}\n`);
      return 1;
    }
    let verdict: ResponseVerdict | undefined;
    if (verify && msg.kind === "response") {
      verdict = verifyMessage(msg.response, issuers, trust!);
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
      io.out(msg.kind === "request" ? requestText(msg.request) : responseText(msg.response));
      if (verdict?.ok) io.err("Response verify OK\n");
      else if (verdict) io.err(`Response Verify Failure: ${verdict.reason}\n`);
    }
    return verdict && !verdict.ok ? 3 : 0;
  });
}

/** Finds the bytes in whatever form they came, then tells a request from a response. */
function recognise(data: Uint8Array, source: string): Message {
  try {
    return recogniseBytes(data);
  } catch (err) {
    throw new OcspError(
      "ERR_INPUT",
      `${source} is not an OCSP request or response: ${describe(err)}`,
    );
  }
}

function recogniseBytes(data: Uint8Array): Message {
  if (data.length === 0) throw new Error("it is empty");
  if (data.length > MAX_INPUT) throw new Error(`it is larger than ${MAX_INPUT} bytes`);
  const { der, form } = data[0] === 0x30 ? { der: data, form: "DER" as const } : fromText(data);
  const top = checkDer(der);
  const first = children(der, top)[0];
  // OCSPResponse opens with its ENUMERATED status, OCSPRequest with the TBSRequest SEQUENCE.
  if (first?.tag === 0x0a) return { kind: "response", form, der, response: parseResponse(der) };
  if (first?.tag === 0x30) return { kind: "request", form, der, request: parseRequest(der) };
  throw new Error("DER, but neither an OCSP request nor an OCSP response");
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
      checkDer(der);
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
    notBefore: isoTime(c.notBefore),
    notAfter: isoTime(c.notAfter),
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
    producedAt: isoTime(bs.producedAt),
    responses: bs.responses.map((s) => ({
      certId: certIdJson(s.certId),
      status: s.status,
      ...(s.status === "revoked"
        ? {
            revocationTime: isoTime(s.revocationTime!),
            revocationReason:
              s.revocationReason === undefined ? null : reasonName(s.revocationReason),
          }
        : {}),
      thisUpdate: isoTime(s.thisUpdate),
      nextUpdate: s.nextUpdate ? isoTime(s.nextUpdate) : null,
      extensions: extensionsJson(s.extensions),
    })),
    extensions: extensionsJson(bs.extensions),
    ...nonceJson(bs.extensions),
    signatureAlgorithm: oidName(bs.signatureAlgorithm.oid),
    certs: certsJson(bs.certs),
  };
}
