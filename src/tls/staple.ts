// The stapling check `openssl s_client -status` leaves half done: fetch the staple in a real
// handshake, then validate it against the certificate the server actually served.
import {
  type ConnectionOptions,
  checkServerIdentity,
  connect,
  type PeerCertificate,
} from "node:tls";
import { findIssuer } from "../check/issuer.js";
import { describe, OcspError } from "../errors.js";
import { type CertId, certIdFor } from "../ocsp/certid.js";
import { digestByOid, SHA1 } from "../ocsp/digests.js";
import { reasonName } from "../ocsp/reasons.js";
import { type OcspResponse, parseResponse } from "../ocsp/response.js";
import type { TrustStore } from "../verify/chain.js";
import { type ResponseCheck, verifyResponse } from "../verify/response.js";
import { Certificate } from "../x509/cert.js";

export interface Handshake {
  /** The DER OCSPResponse the server stapled, if it did. */
  readonly staple?: Uint8Array;
  /** What the server sent: its certificate first. */
  readonly chain: readonly Certificate[];
  readonly protocol: string | null;
  /** Did the server's chain verify against `ca`, or Node's default CAs? */
  readonly authorized: boolean;
  readonly authorizationError?: string;
  /** The name the served certificate was checked for (see HandshakeOptions.servername). */
  readonly nameChecked?: string;
  /** Why the served certificate is not valid for `nameChecked`, when it is not. */
  readonly nameError?: string;
}

export interface HandshakeOptions {
  readonly host: string;
  readonly port: number;
  /**
   * SNI name, and the name the served certificate must be valid for. Without one no name is
   * checked: an IP address is not a name a client asked for (as `openssl s_client`).
   */
  readonly servername?: string;
  readonly timeoutMs?: number;
  /** PEM trust anchors for the handshake's own chain check; default Node's CAs. */
  readonly ca?: readonly string[];
}

/** One TLS handshake asking for a stapled OCSP response (status_request). */
export function fetchStaple(o: HandshakeOptions): Promise<Handshake> {
  const where = `${o.host.includes(":") ? `[${o.host}]` : o.host}:${o.port}`;
  return new Promise((resolve, reject) => {
    let staple: Uint8Array | undefined;
    const socket = connect({
      host: o.host,
      port: o.port,
      servername: o.servername,
      requestOCSP: true, // documented by node:tls, missing from @types/node's ConnectionOptions
      ca: o.ca ? [...o.ca] : undefined,
      // Both the chain and the name are judged after the handshake, so that the staple can
      // still be read and reported when either fails.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    } as ConnectionOptions);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new OcspError("ERR_TRANSPORT", `no TLS handshake with ${where} within ${o.timeoutMs} ms`),
      );
    }, o.timeoutMs ?? 10_000);
    socket.on("OCSPResponse", (r?: Buffer) => {
      if (r?.length) staple = new Uint8Array(r);
    });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      try {
        const peer = socket.getPeerCertificate(true);
        const nameError = o.servername ? checkServerIdentity(o.servername, peer) : undefined;
        resolve({
          staple,
          chain: servedChain(peer),
          protocol: socket.getProtocol(),
          authorized: socket.authorized,
          authorizationError: socket.authorizationError
            ? String(socket.authorizationError)
            : undefined,
          nameChecked: o.servername,
          nameError: nameError && describe(nameError),
        });
      } catch (err) {
        reject(
          new OcspError(
            "ERR_INPUT",
            `${where} sent a certificate ocspkit cannot read: ${describe(err)}`,
          ),
        );
      } finally {
        socket.end();
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(new OcspError("ERR_TRANSPORT", `TLS connection to ${where} failed: ${describe(err)}`));
    });
  });
}

function servedChain(
  peer: PeerCertificate & { issuerCertificate?: PeerCertificate },
): Certificate[] {
  const out: Certificate[] = [];
  let c: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = peer;
  while (c?.raw && !out.some((x) => Buffer.from(x.der).equals(c!.raw))) {
    out.push(new Certificate(new Uint8Array(c.raw)));
    c = c.issuerCertificate;
  }
  if (!out.length) throw new Error("the server sent no certificate");
  return out;
}

export interface StapleVerdict {
  readonly status: "good" | "revoked" | "unknown" | "none" | "invalid";
  /** The certificate the server served. */
  readonly cert: Certificate;
  readonly revocationReason?: string;
  readonly revocationTime?: Date;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  readonly signer?: Certificate;
  readonly checks: readonly ResponseCheck[];
  readonly error?: OcspError;
}

export interface StapleCheckOptions {
  readonly trust: TrustStore;
  readonly now?: Date;
  readonly timeoutMs?: number;
}

/**
 * Validates the staple for the served certificate: parsed, signed by the CA or its delegate,
 * the signer chained to `trust`, a status for exactly this certificate, within its time window.
 */
export async function checkStaple(h: Handshake, o: StapleCheckOptions): Promise<StapleVerdict> {
  const cert = h.chain[0]!;
  if (!h.staple) return { status: "none", cert, checks: [] };
  const invalid = (error: OcspError, checks: readonly ResponseCheck[] = []): StapleVerdict => ({
    status: "invalid",
    cert,
    checks,
    error,
  });
  let issuer: Certificate;
  try {
    issuer = await findIssuer(cert, h.chain.slice(1), {
      trust: o.trust,
      timeoutMs: o.timeoutMs,
      downloads: new Map(),
    });
  } catch (err) {
    return invalid(err instanceof OcspError ? err : new OcspError("ERR_INPUT", describe(err)));
  }
  let response: OcspResponse;
  try {
    response = parseResponse(h.staple);
  } catch (err) {
    return invalid(
      err instanceof OcspError ? err : new OcspError("ERR_RESPONSE_MALFORMED", describe(err)),
    );
  }
  const verdict = verifyResponse(response, {
    asked: [stapledCertId(response, issuer, cert)],
    issuer,
    trust: o.trust,
    extraCerts: h.chain.slice(1),
    now: o.now,
  });
  const a = verdict.answers[0];
  if (!verdict.ok || !a) {
    const code = verdict.code ?? "ERR_RESPONSE_MALFORMED";
    const why =
      code === "ERR_NO_STATUS"
        ? "the staple is for another certificate than the one the server sent"
        : (verdict.reason ?? "verification failed");
    return invalid(new OcspError(code, why), verdict.checks);
  }
  return {
    status: a.status,
    cert,
    revocationReason: a.revocationReason === undefined ? undefined : reasonName(a.revocationReason),
    revocationTime: a.revocationTime,
    thisUpdate: a.thisUpdate,
    nextUpdate: a.nextUpdate,
    signer: verdict.signer,
    checks: verdict.checks,
  };
}

/** The served certificate's CertID under the digest the staple uses (servers pick SHA-256 too). */
function stapledCertId(response: OcspResponse, issuer: Certificate, cert: Certificate): CertId {
  const alg = response.basic?.responses[0]?.certId.hashAlgorithm;
  return certIdFor(issuer, cert, (alg && digestByOid(alg)) || SHA1);
}
