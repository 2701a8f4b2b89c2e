import { readdirSync } from "node:fs";
import { join } from "node:path";
import { OcspError } from "../errors.js";
import { type CertificateDirectory, TrustStore } from "../verify/chain.js";
import { nameHash } from "../verify/names.js";
import type { Certificate } from "./cert.js";
import { loadCertificates, parseCertificates, readFile } from "./load.js";
import { namesSubject, SubjectIndex } from "./subject-index.js";

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

function readCerts(path: string): Certificate[] {
  try {
    return parseCertificates(readFile(path, "certificate"));
  } catch {
    return [];
  }
}

/**
 * A CA directory looked up as OpenSSL's by_dir does: only the files named after the subject's
 * name hash (`<hash>.0`, `<hash>.1`, …) are read, so a query costs a stat, not a scan of
 * every certificate on the system.
 */
class HashedDirectory implements CertificateDirectory {
  #cache = new Map<string, Certificate[]>();
  constructor(readonly dir: string) {}

  bySubject(nameDer: Uint8Array): readonly Certificate[] {
    const h = nameHash(nameDer);
    if (!h) return [];
    let found = this.#cache.get(h);
    if (!found) {
      found = [];
      for (let i = 0; ; i++) {
        const certs = readCerts(join(this.dir, `${h}.${i}`));
        if (certs.length === 0) break;
        found.push(...certs);
      }
      this.#cache.set(h, found);
    }
    return found.filter((c) => namesSubject(nameDer, c));
  }
}

/** Several directories asked in order; the later ones only when the earlier hold nothing. */
class Chained implements CertificateDirectory {
  constructor(readonly parts: readonly CertificateDirectory[]) {}
  bySubject(nameDer: Uint8Array): readonly Certificate[] {
    for (const p of this.parts) {
      const found = p.bySubject(nameDer);
      if (found.length) return found;
    }
    return [];
  }
}

function certsInDir(dir: string): Certificate[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => readCerts(join(dir, n)));
}

/**
 * The trust store `openssl ocsp` sets up: the given CAfile (loaded now, so a bad file is an
 * error) and CApath, plus, unless disabled, the system file and hashed directory, consulted
 * only when a chain needs a certificate the given ones do not have.
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
  // A -CApath given by the user need not be hashed (c_rehash), so it is read whole.
  if (o.caPath) anchors = [...anchors, ...certsInDir(o.caPath)];
  const system: CertificateDirectory[] = [];
  if (!o.caPath && !o.noCaPath) system.push(new HashedDirectory(DEFAULT_DIR()));
  if (!o.caFile && !o.noCaFile) system.push(new SubjectIndex(() => readCerts(DEFAULT_FILE())));
  return new TrustStore(anchors, system.length ? new Chained(system) : undefined);
}
