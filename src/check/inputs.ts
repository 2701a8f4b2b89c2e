// The CERT operands of `check`: files (PEM, DER or PKCS#7; a PEM file may carry the chain after
// the leaf), folders of such files, or `-` for standard input. A certificate in a file that
// issued none of those before it is not chain but another certificate to check
// (`cat a.pem b.pem | ocspkit check -`).
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { describe, OcspError } from "../errors.js";
import { isIssuerOf } from "../verify/chain.js";
import type { Certificate } from "../x509/cert.js";
import { parseCertBundle } from "../x509/fetch-issuer.js";
import { readFileTransient } from "../x509/load.js";

export interface CheckInput {
  /** The path as given (or inside the folder given); `-` for standard input. */
  readonly file: string;
  /** The leaf first, then whatever else the file holds (its chain, usually). */
  readonly certs: readonly Certificate[];
  /** Set when the file could not be read or holds no certificate. */
  readonly error?: OcspError;
}

export interface LoadedInputs {
  readonly inputs: CheckInput[];
  /** Files in folders that were passed over, with the reason. */
  readonly skipped: string[];
}

const CERT_EXTENSIONS = new Set([".pem", ".crt", ".cer", ".cert", ".der", ".p7b", ".p7c"]);

export function loadInputs(operands: readonly string[]): LoadedInputs {
  const inputs: CheckInput[] = [];
  const skipped: string[] = [];
  for (const op of operands) {
    // Read first, and look for a folder only when that fails: one system call less a file.
    const loaded = loadFile(op);
    if (loaded[0]?.error && op !== "-" && isDirectory(op)) inputs.push(...loadFolder(op, skipped));
    else inputs.push(...loaded);
  }
  return { inputs, skipped };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function loadFile(file: string): CheckInput[] {
  let certs: Certificate[];
  try {
    certs = parseFile(file, readFileTransient(file, "certificate"));
  } catch (err) {
    return [{ file, certs: [], error: asInputError(err) }];
  }
  // Each certificate to check comes first in its input, with the rest of the file after it
  // (where its issuer is looked for first).
  return certs
    .filter((c, i) => i === 0 || !chainOf(c, certs.slice(0, i)))
    .map((leaf) => ({ file, certs: [leaf, ...certs.filter((c) => c !== leaf)] }));
}

/** Is `c` part of the chain of the certificates before it: their issuer, or a root? */
function chainOf(c: Certificate, before: readonly Certificate[]): boolean {
  try {
    return c.selfIssued || before.some((e) => isIssuerOf(c, e));
  } catch {
    // An unreadable extension: left to the chain, where it fails only if it is used.
    return true;
  }
}

function parseFile(file: string, data: Uint8Array): Certificate[] {
  const name = file === "-" ? "standard input" : file;
  if (data.length === 0) throw new OcspError("ERR_INPUT", `${name} is empty`);
  let certs: Certificate[];
  try {
    certs = parseCertBundle(data);
  } catch (err) {
    throw new OcspError(
      "ERR_INPUT",
      `${name} is not a certificate (PEM, DER or PKCS#7): ${describe(err)}`,
    );
  }
  if (!certs.length) throw new OcspError("ERR_INPUT", noCertificate(name));
  return certs;
}

/**
 * The certificate files directly in `dir`, by name. PEM files holding no certificate (keys,
 * CSRs: a web server's folder has them next to the chain) are passed over, not failed.
 */
function loadFolder(dir: string, skipped: string[]): CheckInput[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    return [{ file: dir, certs: [], error: asInputError(err, `cannot read the folder ${dir}`) }];
  }
  const out: CheckInput[] = [];
  for (const n of names) {
    const file = join(dir, n);
    if (n.startsWith(".") || !CERT_EXTENSIONS.has(extname(n).toLowerCase())) continue;
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
    for (const input of loadFile(file)) {
      if (input.error?.message === noCertificate(file)) skipped.push(input.error.message);
      else out.push(input);
    }
  }
  if (!out.length) {
    const error = new OcspError(
      "ERR_INPUT",
      `the folder ${dir} holds no certificate files (${[...CERT_EXTENSIONS].join(", ")})`,
    );
    return [{ file: dir, certs: [], error }];
  }
  return out;
}

const noCertificate = (name: string) => `${name} holds no certificate`;

function asInputError(err: unknown, prefix?: string): OcspError {
  if (err instanceof OcspError && !prefix) return err;
  return new OcspError("ERR_INPUT", prefix ? `${prefix}: ${describe(err)}` : describe(err));
}
