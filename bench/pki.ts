// The bench PKI: test/support's makePki (root, intermediate, delegated EC OCSP signer, a few
// leaves) plus `count` leaves minted in-process. Issuing a thousand leaves through the openssl
// CLI takes tens of seconds; here they share one EC key and are signed by the intermediate
// with node:crypto, which takes about a second.
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeTlv, TAG } from "../src/der/der.js";
import { encodeOid } from "../src/der/oid.js";
import { encodeAlgorithm, signatureAlgorithmFor, signBytes } from "../src/ocsp/sign.js";
import { loadCertificate } from "../src/x509/load.js";
import { makePki, type Pki } from "../test/support/pki.js";

export interface BenchLeaf {
  readonly path: string;
  /** Upper-case hex, as in index.txt. */
  readonly serial: string;
  readonly status: "good" | "revoked";
}

export interface BenchPki {
  readonly pki: Pki;
  readonly leaves: readonly BenchLeaf[];
}

/** One leaf in this many is revoked, so that answers are not all alike. */
const REVOKED_EVERY = 10;
const FIRST_SERIAL = 0x4b000000;

const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));

/** `YYMMDDHHMMSSZ`: the UTCTime text, which index.txt uses too. */
const utcText = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";

function commonName(cn: string): Uint8Array {
  const atv = seq(encodeTlv(TAG.OID, encodeOid("2.5.4.3")), encodeTlv(0x0c, Buffer.from(cn)));
  return seq(encodeTlv(TAG.SET, atv));
}

export async function makeBenchPki(dir: string, count: number): Promise<BenchPki> {
  const pki = await makePki(dir);
  const issuer = loadCertificate(pki.intermediate.cert, "intermediate");
  const caKey = createPrivateKey(readFileSync(pki.intermediate.key));
  const spki = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
    type: "spki",
    format: "der",
  });
  const alg = encodeAlgorithm(signatureAlgorithmFor(caKey, "sha256"));
  const notBefore = new Date(Date.now() - 3600_000);
  const notAfter = new Date(Date.now() + 30 * 86_400_000);
  const validity = seq(
    encodeTlv(0x17, Buffer.from(utcText(notBefore))),
    encodeTlv(0x17, Buffer.from(utcText(notAfter))),
  );
  const leafDir = join(dir, "leaves");
  mkdirSync(leafDir, { recursive: true });
  const leaves: BenchLeaf[] = [];
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = FIRST_SERIAL + i;
    const serial = n.toString(16).toUpperCase();
    // Minimal v1 TBSCertificate: serial, signature algorithm, issuer, validity, subject, key.
    const tbs = seq(
      encodeTlv(TAG.INTEGER, Buffer.from(serial, "hex")),
      alg,
      issuer.subject,
      validity,
      commonName(`bench leaf ${i}`),
      spki,
    );
    const { signature } = signBytes(caKey, tbs, "sha256");
    const der = seq(tbs, alg, encodeTlv(TAG.BIT_STRING, Buffer.concat([Buffer.of(0), signature])));
    const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
    const path = join(leafDir, `${String(i).padStart(4, "0")}.pem`);
    writeFileSync(
      path,
      `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    );
    const status = i % REVOKED_EVERY === REVOKED_EVERY - 1 ? "revoked" : "good";
    const revocation = status === "revoked" ? `${utcText(notBefore)},keyCompromise` : "";
    rows.push(
      [status === "good" ? "V" : "R", utcText(notAfter), revocation, serial, "unknown"].join("\t") +
        `\t/CN=bench leaf ${i}\n`,
    );
    leaves.push({ path, serial, status });
  }
  appendFileSync(pki.index, rows.join(""));
  return { pki, leaves };
}
