/**
 * A small OCSP responder for the probe's tests, built on ocspkit's own response builder, with
 * switchable faults: each fault breaks one rule of ../shared/PROBE.md the way real responders
 * have broken it. Clean, it passes every check under every profile (1-day answers, a delegated
 * EC P-256 signer with nocheck, RFC 5019 caching headers, unauthorized for foreign issuers).
 * Listens on 127.0.0.1, port 0.
 */
import { createHash, createPrivateKey, type KeyObject, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CertId } from "../../src/ocsp/certid.js";
import { digestByOid, hash } from "../../src/ocsp/digests.js";
import { findNonce, NONCE_OID } from "../../src/ocsp/nonce.js";
import {
  encodeCertId,
  nonceExtension,
  type OcspRequest,
  parseRequest,
} from "../../src/ocsp/request.js";
import {
  encodeSingleResponse,
  errorResponse,
  ResponseSigner,
  type SingleAnswer,
} from "../../src/ocsp/response-builder.js";
import { OCSP_STATUS } from "../../src/ocsp/status.js";
import type { Certificate } from "../../src/x509/cert.js";
import { loadCertificate } from "../../src/x509/load.js";
import { signedResponse } from "./forge.js";
import type { Pki } from "./pki.js";

export const FAULTS = [
  "good-unassigned",
  "other-certid",
  "other-nonce",
  "no-next-update",
  "validity-30d",
  "signer-no-ocsp-eku",
  "responder-id-other",
  "http-500-on-garbage",
  "get-refused",
  "no-cache-headers",
  "revoked-as-good",
  "reason-6",
  "sha1-signature",
  "slow-nonce",
  "foreign-good",
  "foreign-unknown-other-key",
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultResponder {
  readonly url: string;
  close(): Promise<void>;
}

const DAY = 86_400_000;

interface Signing {
  readonly cert: Certificate;
  readonly key: KeyObject;
}

export async function startFaultResponder(
  pki: Pki,
  fault?: Fault,
  opts: { slowMs?: number; signer?: { cert: string; key: string } } = {},
): Promise<FaultResponder> {
  const issuer = loadCertificate(pki.intermediate.cert, "issuer");
  const good = loadCertificate(pki.leaves.good.cert, "good");
  const revoked = loadCertificate(pki.leaves.revoked.keyCompromise.cert, "revoked");
  const load = (kp: { cert: string; key: string }): Signing => ({
    cert: loadCertificate(kp.cert, "signer"),
    key: createPrivateKey(readFileSync(kp.key)),
  });
  const signing = load(
    opts.signer ?? (fault === "signer-no-ocsp-eku" ? pki.badSigner : pki.ocspSigner),
  );
  const signer = new ResponseSigner({
    cert: signing.cert,
    key: signing.key,
    digest: fault === "sha1-signature" ? "sha1" : "sha256",
  });
  const other = loadCertificate(pki.badSigner.cert, "other");
  const foreignCa = load(pki.foreignRoot);
  const foreignSigner = new ResponseSigner({ cert: foreignCa.cert, key: foreignCa.key });
  // The index's revocation time (YYMMDDHHMMSSZ), so that the answers agree with its CRL.
  const t = pki.leaves.revoked.keyCompromise.revokedAt!.match(/\d\d/g)!.map(Number);
  const revokedAt = new Date(Date.UTC(2000 + t[0]!, t[1]! - 1, t[2], t[3], t[4], t[5]));

  const statusOf = (id: CertId): Omit<SingleAnswer, "certId" | "thisUpdate" | "nextUpdate"> => {
    const serial = Buffer.from(id.serial);
    if (serial.equals(good.serial)) return { status: "good" };
    if (serial.equals(revoked.serial)) {
      if (fault === "revoked-as-good") return { status: "good" };
      return {
        status: "revoked",
        revocationTime: revokedAt,
        revocationReason: fault === "reason-6" ? 6 : 1,
      };
    }
    return { status: fault === "good-unassigned" ? "good" : "unknown" };
  };

  const ours = (id: CertId) => {
    const d = digestByOid(id.hashAlgorithm);
    return (
      !!d &&
      Buffer.from(hash(d, issuer.subject)).equals(id.issuerNameHash) &&
      Buffer.from(hash(d, issuer.publicKeyBits)).equals(id.issuerKeyHash)
    );
  };

  /** The answer's DER and whether HTTP caches may keep it. */
  const answer = (
    req: OcspRequest,
  ): { der: Uint8Array; cacheable: boolean; nextUpdate?: Date; thisUpdate?: Date } => {
    const nonce = findNonce(req.extensions);
    if (nonce && nonce.length > 34)
      return { der: errorResponse(OCSP_STATUS.malformedRequest), cacheable: false };
    const foreign = !req.requests.every((r) => ours(r.certId));
    const vouchesForeign = fault === "foreign-good" || fault === "foreign-unknown-other-key";
    if (foreign && !vouchesForeign) {
      return { der: errorResponse(OCSP_STATUS.unauthorized), cacheable: false };
    }
    const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const life = fault === "no-next-update" ? 0 : fault === "validity-30d" ? 30 * DAY : DAY;
    const nextUpdate = life ? new Date(thisUpdate.getTime() + life) : undefined;
    const singles = req.requests.map((r) => {
      const certId: CertId =
        fault === "other-certid"
          ? { ...r.certId, serial: Uint8Array.of(0x7f, ...r.certId.serial) }
          : r.certId;
      const status = foreign
        ? { status: fault === "foreign-good" ? ("good" as const) : ("unknown" as const) }
        : statusOf(r.certId);
      return { certId, thisUpdate, nextUpdate, ...status };
    });
    const exts = nonce
      ? [
          fault === "other-nonce"
            ? nonceExtension(randomBytes(32))
            : req.extensions.find((e) => e.oid === NONCE_OID)!,
        ]
      : [];
    const der =
      fault === "responder-id-other"
        ? signedResponse({
            responderId: { byKey: other.keyHash() },
            producedAt: thisUpdate,
            responses: singles.map((s) => ({
              ...s,
              status:
                s.status === "revoked"
                  ? { revokedAt: s.revocationTime!, reason: s.revocationReason }
                  : s.status,
            })),
            extensions: exts,
            key: signing.key,
            certs: [signing.cert],
          })
        : (foreign && fault === "foreign-unknown-other-key" ? foreignSigner : signer).respond(
            thisUpdate,
            singles.map((s) => encodeSingleResponse({ ...s, certId: encodeCertId(s.certId) })),
            exts,
          );
    return { der, cacheable: !nonce && !foreign, thisUpdate, nextUpdate };
  };

  const send = (
    res: ServerResponse,
    der: Uint8Array,
    headers: Record<string, string>,
    code = 200,
  ) => {
    res.writeHead(code, {
      "Content-Type": "application/ocsp-response",
      "Content-Length": der.length,
      ...headers,
    });
    res.end(der);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Uint8Array) => {
    let parsed: OcspRequest;
    try {
      parsed = parseRequest(body);
      if (!parsed.requests.length) throw new Error("no requests");
    } catch {
      if (fault === "http-500-on-garbage") {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end("internal error\n");
        return;
      }
      send(res, errorResponse(OCSP_STATUS.malformedRequest), { "Cache-Control": "no-store" });
      return;
    }
    const a = answer(parsed);
    const delay =
      fault === "slow-nonce" && findNonce(parsed.extensions)?.length === 34
        ? (opts.slowMs ?? 2000)
        : 0;
    setTimeout(() => {
      if (!a.cacheable || !a.nextUpdate || fault === "no-cache-headers") {
        send(
          res,
          a.der,
          a.cacheable && fault !== "no-cache-headers" ? {} : { "Cache-Control": "no-store" },
        );
        return;
      }
      const etag = `"${createHash("sha1").update(a.der).digest("hex")}"`;
      const maxAge = Math.floor((a.nextUpdate.getTime() - Date.now()) / 1000);
      const headers = {
        "Cache-Control": `public, max-age=${maxAge}, no-transform, must-revalidate`,
        Expires: a.nextUpdate.toUTCString(),
        "Last-Modified": a.thisUpdate!.toUTCString(),
        ETag: etag,
      };
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      send(res, a.der, headers);
    }, delay);
  };

  const server: Server = createServer((req, res) => {
    if (req.method === "GET") {
      if (fault === "get-refused") {
        res.writeHead(405, { Allow: "POST" });
        res.end();
        return;
      }
      // Everything after the path prefix: base64 holds "/" of its own.
      const b64 = (req.url ?? "/").replace(/^\/ocsp\/+/, "");
      let der: Uint8Array;
      try {
        der = new Uint8Array(Buffer.from(decodeURIComponent(b64), "base64"));
      } catch {
        der = new Uint8Array();
      }
      handle(req, res, der);
      return;
    }
    if (Number(req.headers["content-length"] ?? 0) > 64 * 1024) {
      res.writeHead(413, { Connection: "close" });
      res.end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, new Uint8Array(Buffer.concat(chunks))));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ocsp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
