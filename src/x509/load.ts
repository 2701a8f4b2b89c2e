import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { describe, OcspError } from "../errors.js";
import { Certificate } from "./cert.js";

/** A plain Uint8Array over the bytes of `b`, without copying them. */
export const plainBytes = (b: Uint8Array): Uint8Array =>
  new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Every certificate in PEM text, or the single DER certificate the bytes are. */
export function parseCertificates(data: Uint8Array): Certificate[] {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
  if (text.includes("-----BEGIN")) return pemCertificates(text);
  return [new Certificate(plainBytes(data))];
}

/** The certificates in PEM text (Latin-1), in order. */
export function pemCertificates(text: string): Certificate[] {
  // A literal here is a new RegExp (and lastIndex) per call; exec in a loop, unlike matchAll
  // and its iterator, costs nothing per block beyond the match.
  const pem =
    /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
  const out: Certificate[] = [];
  for (let m = pem.exec(text); m; m = pem.exec(text)) {
    out.push(new Certificate(plainBytes(Buffer.from(m[1]!, "base64"))));
  }
  return out;
}

export function readFile(path: string, what: string): Uint8Array {
  try {
    return plainBytes(readFileSync(path === "-" ? 0 : path));
  } catch (err) {
    throw readError(err, path, what);
  }
}

/** Where readFileTransient reads: as large as the largest file read so far. */
let scratch: Buffer | undefined;

/**
 * readFile into a buffer that the next call reuses, for reading many small files (a batch's
 * certificates) without a new buffer and a stat for each: the bytes must be parsed or copied
 * before the next call. Read to the end, whatever the file is (a pipe's short read is not its
 * end).
 */
export function readFileTransient(path: string, what: string): Uint8Array {
  if (path === "-") return readFile(path, what);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    scratch ??= Buffer.allocUnsafeSlow(64 * 1024);
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        const bigger = Buffer.allocUnsafeSlow(n * 2);
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const got = readSync(fd, scratch, n, scratch.length - n, null);
      if (got === 0) return plainBytes(scratch.subarray(0, n));
      n += got;
    }
  } catch (err) {
    throw readError(err, path, what);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readError(err: unknown, path: string, what: string): OcspError {
  const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
  // Node decodes command-line arguments as UTF-8: a name that is not comes out with U+FFFD,
  // and "no such file" would be a lie about a file that may well exist.
  const reason = !missing
    ? describe(err)
    : path.includes("\ufffd")
      ? "the path is not valid UTF-8, which ocspkit cannot open"
      : "no such file";
  return new OcspError("ERR_INPUT", `cannot read ${what} from ${path}: ${reason}`);
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
