import { readdirSync } from "node:fs";
import { join } from "node:path";
import { OcspError } from "../errors.js";
import { TrustStore } from "../verify/chain.js";
import type { Certificate } from "./cert.js";
import { loadCertificates, parseCertificates, readFile } from "./load.js";

/** OpenSSL's built-in locations on Debian (OPENSSLDIR=/usr/lib/ssl), overridable as in OpenSSL. */
const DEFAULT_FILE = () => process.env.SSL_CERT_FILE ?? "/usr/lib/ssl/cert.pem";
const DEFAULT_DIR = () => process.env.SSL_CERT_DIR ?? "/usr/lib/ssl/certs";

export interface StoreOptions {
  readonly caFile?: string;
  readonly caPath?: string;
  /** -no-CAfile, -no-CApath, -no-CAstore: skip the system defaults. */
  readonly noCaFile?: boolean;
  readonly noCaPath?: boolean;
}

function certsInDir(dir: string): Certificate[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      return parseCertificates(readFile(join(dir, n), "certificate"));
    } catch {
      return [];
    }
  });
}

/**
 * The trust store `openssl ocsp` sets up: the given CAfile (loaded now, so a bad file is an
 * error) plus, unless disabled, the system file and directory, read only if a chain needs them.
 */
export function openTrustStore(o: StoreOptions): TrustStore {
  let anchors: Certificate[] = [];
  if (o.caFile) {
    try {
      anchors = loadCertificates(o.caFile, "CA certificates");
    } catch (err) {
      throw new OcspError("ERR_INPUT", `Error loading file ${o.caFile}: ${(err as Error).message}`);
    }
  }
  if (o.caPath) anchors = [...anchors, ...certsInDir(o.caPath)];
  const useFile = !o.caFile && !o.noCaFile;
  const useDir = !o.caPath && !o.noCaPath;
  if (!useFile && !useDir) return new TrustStore(anchors);
  return new TrustStore(anchors, () => [
    ...(useFile ? safeLoad(DEFAULT_FILE()) : []),
    ...(useDir ? certsInDir(DEFAULT_DIR()) : []),
  ]);
}

function safeLoad(path: string): Certificate[] {
  try {
    return loadCertificates(path, "certificates");
  } catch {
    return [];
  }
}
