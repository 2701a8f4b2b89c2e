// OpenSSL's text forms of OCSP requests and responses (OCSP_REQUEST_print, OCSP_RESPONSE_print),
// byte for byte, so that -req_text / -resp_text output matches `openssl ocsp`. The text is built
// as a byte string (one character per byte, see x509/text.ts): OpenSSL copies some certificate
// fields raw, and a writer that wants its exact bytes takes the *TextBytes forms.
import type { Extension } from "../x509/cert.js";
import { BAD_TIME, gmtTime } from "../x509/gmt.js";
import { nameOneline } from "../x509/name-oneline.js";
import { objectShortName } from "../x509/oids.js";
import { decodeInteger, i2aInteger, wrappedHex } from "../x509/print-der.js";
import {
  certificateByteText,
  extensionsByteText,
  fromByteText,
  generalNameByteText,
  oidName,
  pemCertificate,
  signatureText,
} from "../x509/text.js";
import type { CertId } from "./certid.js";
import { reasonName } from "./reasons.js";

export { reasonName };

import { encodeExtensions, type OcspRequest } from "./request.js";
import type { OcspResponse } from "./response.js";
import { encodeAlgorithm } from "./sign.js";
import { responseStatusName } from "./status.js";

const sp = (n: number) => " ".repeat(n);

/** i2a_ASN1_STRING: wrapped upper-case hex, "0" when empty. */
const hexString = (b: Uint8Array) => (b.length === 0 ? "0" : wrappedHex(b));

/** i2a_ASN1_INTEGER of the INTEGER's contents; "00" when empty. */
const integerHex = (serial: Uint8Array) =>
  serial.length === 0 ? "00" : i2aInteger(decodeInteger(serial));

function certIdText(id: CertId, indent: number): string {
  const i = sp(indent + 2);
  return (
    `${sp(indent)}Certificate ID:\n` +
    `${i}Hash Algorithm: ${oidName(id.hashAlgorithm)}\n` +
    `${i}Issuer Name Hash: ${hexString(id.issuerNameHash)}\n` +
    `${i}Issuer Key Hash: ${hexString(id.issuerKeyHash)}\n` +
    `${i}Serial Number: ${integerHex(id.serial)}\n`
  );
}

function extsText(exts: readonly Extension[], title: string, indent: number): string {
  return exts.length ? extensionsByteText(encodeExtensions(exts), indent, title) : "";
}

function certsText(certs: readonly { der: Uint8Array }[]): string {
  return certs.map((c) => certificateByteText(c.der) + pemCertificate(c.der)).join("");
}

const bytesOf = (byteText: string) => new Uint8Array(Buffer.from(byteText, "latin1"));

/** OCSP_REQUEST_print's exact bytes. */
export function requestTextBytes(req: OcspRequest): Uint8Array {
  return bytesOf(requestByteText(req));
}

/** OCSP_REQUEST_print's output read as UTF-8 (see requestTextBytes for the exact bytes). */
export function requestText(req: OcspRequest): string {
  return fromByteText(requestByteText(req));
}

function requestByteText(req: OcspRequest): string {
  let out = "OCSP Request Data:\n";
  out += `    Version: ${req.version + 1} (0x${req.version.toString(16)})`;
  if (req.requestorName) out += `\n    Requestor Name: ${generalNameText(req.requestorName)}`;
  out += "\n    Requestor List:\n";
  for (const r of req.requests) {
    out += certIdText(r.certId, 8);
    out += extsText(r.extensions, "Request Single Extensions", 8);
  }
  out += extsText(req.extensions, "Request Extensions", 4);
  if (req.signature) {
    out += signatureText(encodeAlgorithm(req.signature.algorithm), req.signature.value);
    out += certsText(req.signature.certs);
  }
  return out;
}

/** GENERAL_NAME_print of the requestor's name. */
function generalNameText(der: Uint8Array): string {
  try {
    return generalNameByteText(der);
  } catch {
    // OpenSSL's decoder refuses such a request outright; printing is all that is left to do.
    return "<unsupported>";
  }
}

/**
 * The lines OCSP_RESPONSE_print writes before it decodes the BasicOCSPResponse; when that
 * decoding fails OpenSSL stops right here, without a final newline.
 */
export function responseHeaderText(resp: Pick<OcspResponse, "status" | "responseType">): string {
  let out = "OCSP Response Data:\n";
  out += `    OCSP Response Status: ${responseStatusName(resp.status)} (0x${resp.status.toString(16)})\n`;
  if (resp.responseType) out += `    Response Type: ${oidName(resp.responseType)}`;
  return out;
}

/** OCSP_RESPONSE_print's exact bytes. */
export function responseTextBytes(resp: OcspResponse): Uint8Array {
  return bytesOf(responseByteText(resp));
}

/** OCSP_RESPONSE_print's output read as UTF-8 (see responseTextBytes for the exact bytes). */
export function responseText(resp: OcspResponse): string {
  return fromByteText(responseByteText(resp));
}

/** Thrown where OCSP_RESPONSE_print gives up: right after a time it cannot read. */
class Unreadable {
  constructor(readonly text: string) {}
}

function responseByteText(resp: OcspResponse): string {
  let out = responseHeaderText(resp);
  if (!resp.responseType) return out;
  const bs = resp.basic;
  if (!bs) return `${out} (unknown response type)\n`;
  const time = (d: Date) => {
    const t = gmtTime(d);
    if (t === BAD_TIME) throw new Unreadable(out + t);
    return t;
  };
  try {
    out += `\n    Version: ${bs.version + 1} (0x${bs.version.toString(16)})\n`;
    out += "    Responder Id: ";
    out += bs.responderId.byName
      ? nameOneline(bs.responderId.byName, objectShortName)
      : hexString(bs.responderId.byKey!);
    out += "\n    Produced At: ";
    out += `${time(bs.producedAt)}\n    Responses:\n`;
    for (const s of bs.responses) {
      out += certIdText(s.certId, 4);
      out += `    Cert Status: ${s.status}`;
      if (s.status === "revoked") {
        out += "\n    Revocation Time: ";
        out += time(s.revocationTime!);
        if (s.revocationReason !== undefined) {
          out += `\n    Revocation Reason: ${reasonName(s.revocationReason)} (0x${s.revocationReason.toString(16)})`;
        }
      }
      out += "\n    This Update: ";
      out += time(s.thisUpdate);
      if (s.nextUpdate) {
        out += "\n    Next Update: ";
        out += time(s.nextUpdate);
      }
      out += "\n";
      out += extsText(s.extensions, "Response Single Extensions", 8);
      out += "\n";
    }
  } catch (err) {
    if (err instanceof Unreadable) return err.text;
    throw err;
  }
  out += extsText(bs.extensions, "Response Extensions", 4);
  out += signatureText(encodeAlgorithm(bs.signatureAlgorithm), bs.signature);
  out += certsText(bs.certs);
  return out;
}
