// The responder's private key, from PEM or DER, encrypted or not, with the pass phrase taken
// from the sources OpenSSL's -passin understands.

import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, OcspError } from "../errors.js";
import type { Certificate } from "./cert.js";
import { readFile } from "./load.js";

/**
 * app_passwd's sources: `pass:TEXT`, `env:VAR`, `file:PATH` and `fd:N` (first line), `stdin`.
 */
export function passphrase(source: string): string {
  const colon = source.indexOf(":");
  const kind = colon < 0 ? source : source.slice(0, colon);
  const arg = source.slice(colon + 1);
  const firstLine = (data: Buffer) => data.toString("utf8").split(/\r?\n/)[0]!;
  try {
    switch (kind) {
      case "pass":
        return arg;
      case "env": {
        const v = process.env[arg];
        if (v === undefined) throw new Error(`no environment variable ${arg}`);
        return v;
      }
      case "file":
        return firstLine(readFileSync(arg));
      case "fd":
        return firstLine(readFileSync(Number(arg)));
      case "stdin":
        return firstLine(readFileSync(0));
    }
  } catch (err) {
    throw new OcspError("ERR_INPUT", `Error getting password: ${describe(err)}`);
  }
  throw new OcspError(
    "ERR_INPUT",
    `Error getting password: invalid password argument "${source}": ` +
      "expected OpenSSL's forms pass:TEXT, env:VAR, file:PATH, fd:N or stdin",
  );
}

/** A key that needs a pass phrase and was given none: the caller may ask for one. */
class EncryptedKeyError extends OcspError {
  constructor(path: string) {
    super("ERR_INPUT", `the key in ${path} is encrypted and no pass phrase was given`);
  }
}

/** Says where a pass phrase comes from when a key needs one and none was given. */
export type AskPassphrase = (path: string) => Promise<string>;

/**
 * {@link loadPrivateKey}, asking `ask` for the pass phrase of an encrypted key given without
 * one (at a terminal, the CLI prompts; elsewhere it says which option to give).
 */
export async function loadPrivateKeyAsking(
  path: string,
  what: string,
  pass: string | undefined,
  ask: AskPassphrase,
): Promise<KeyObject> {
  try {
    return loadPrivateKey(path, what, pass);
  } catch (err) {
    if (!(err instanceof EncryptedKeyError)) throw err;
    return loadPrivateKey(path, what, await ask(path));
  }
}

/** The signer's key, which must be the private half of its certificate (both files named). */
export function matchingKey(key: KeyObject, keyPath: string, cert: Certificate, certPath: string) {
  if (!keyMatches(key, cert)) {
    throw new OcspError(
      "ERR_INPUT",
      `the key in ${keyPath} does not match the certificate in ${certPath}`,
    );
  }
  return key;
}

/** A private key in PEM (any of PKCS#8, PKCS#1, SEC1) or DER (PKCS#8, PKCS#1, SEC1). */
export function loadPrivateKey(path: string, what: string, pass?: string): KeyObject {
  const data = Buffer.from(readFile(path, what));
  const attempts: Parameters<typeof createPrivateKey>[0][] = data.includes("-----BEGIN")
    ? [{ key: data, format: "pem", passphrase: pass }]
    : (["pkcs8", "pkcs1", "sec1"] as const).map((type) => ({
        key: data,
        format: "der" as const,
        type,
        passphrase: pass,
      }));
  const codes = new Set<string | undefined>();
  let last: unknown;
  for (const a of attempts) {
    try {
      return createPrivateKey(a);
    } catch (err) {
      last = err;
      codes.add((err as { code?: string }).code);
    }
  }
  // OpenSSL's PEM reader, asked for a pass phrase it was not given, reports "interrupted or
  // cancelled"; node:crypto's DER reader says ERR_MISSING_PASSPHRASE.
  if (
    pass === undefined &&
    (codes.has("ERR_MISSING_PASSPHRASE") || codes.has("ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED"))
  ) {
    throw new EncryptedKeyError(path);
  }
  // With a wrong pass phrase the decryption's padding check fails, except about once in 256
  // keys, where it passes and the decoder then meets garbage: an encrypted PEM key that a pass
  // phrase does not open was given the wrong one either way.
  const encryptedPem = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(
    data.toString("latin1"),
  );
  if (pass !== undefined && (codes.has("ERR_OSSL_BAD_DECRYPT") || encryptedPem)) {
    throw new OcspError("ERR_INPUT", `cannot load ${what} from ${path}: wrong pass phrase`);
  }
  // node:crypto reports OpenSSL's decoder stack ("error:1E08010C:DECODER routines::unsupported");
  // say what that means for the file instead.
  const why = /DECODER|unsupported|bad decrypt|bad base64/i.test(describe(last))
    ? pass === undefined
      ? "not a private key in PEM or DER form (or one that needs a pass phrase)"
      : "not a private key in PEM or DER form, or the pass phrase is wrong"
    : describe(last);
  throw new OcspError("ERR_INPUT", `cannot load ${what} from ${path}: ${why}`);
}

/** Is `key` the private half of `cert`'s public key? */
export function keyMatches(key: KeyObject, cert: Certificate): boolean {
  return createPublicKey(key).export({ type: "spki", format: "der" }).equals(cert.spki);
}
