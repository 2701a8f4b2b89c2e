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
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    // Node decodes command-line arguments as UTF-8: a name that is not comes out with U+FFFD,
    // and "no such file" would be a lie about a file that may well exist.
    const reason = !missing
      ? describe(err)
      : path.includes("\ufffd")
        ? "the path is not valid UTF-8, which ocspkit cannot open"
        : "no such file";
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
    throw new OcspError("ERR_INPUT", `cannot read ${what} from ${path}: ${describe(err)}`);
  }
  if (certs.length === 0) throw new OcspError("ERR_INPUT", `${path} holds no ${what}`);
  return certs;
}

export function loadCertificate(path: string, what: string): Certificate {
  return loadCertificates(path, what)[0]!;
}
