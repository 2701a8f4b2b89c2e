import { readFileSync } from "node:fs";
import { describe, OcspError } from "../errors.js";
import { Certificate } from "./cert.js";

const PEM_CERT =
  /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;

/** Every certificate in PEM text, or the single DER certificate the bytes are. */
export function parseCertificates(data: Uint8Array): Certificate[] {
  const text = Buffer.from(data).toString("latin1");
  if (text.includes("-----BEGIN")) {
    return [...text.matchAll(PEM_CERT)].map(
      (m) => new Certificate(new Uint8Array(Buffer.from(m[1]!, "base64"))),
    );
  }
  return [new Certificate(new Uint8Array(data))];
}

export function readFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path === "-" ? 0 : path));
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : describe(err);
    throw new OcspError("ERR_INPUT", `cannot read ${what} from ${path}: ${reason}`);
  }
}

/** All certificates in a file (PEM bundle or one DER certificate); at least one is required. */
export function loadCertificates(path: string, what: string): Certificate[] {
  const data = readFile(path, what);
  let certs: Certificate[];
  try {
    certs = parseCertificates(data);
  } catch (err) {
    throw new OcspError("ERR_INPUT", `${path} is not a valid ${what}: ${describe(err)}`);
  }
  if (certs.length === 0) throw new OcspError("ERR_INPUT", `${path} holds no ${what}`);
  return certs;
}

export function loadCertificate(path: string, what: string): Certificate {
  return loadCertificates(path, what)[0]!;
}
