import { type KeyObject, verify } from "node:crypto";
import { children, contentOf, readTlv, sameBytes, TAG, type Tlv } from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { describe } from "../errors.js";
import { digestByOid } from "../ocsp/digests.js";
import type { AlgorithmId, Certificate } from "../x509/cert.js";

type KeyType = "rsa" | "rsa-pss" | "ec" | "ed25519" | "ed448" | "dsa";

interface Scheme {
  readonly keyTypes: readonly KeyType[];
  /** node:crypto digest name; null for the pure EdDSA schemes. */
  readonly hash: string | null;
  readonly pss?: boolean;
}

const RSA: KeyType[] = ["rsa"];
const EC: KeyType[] = ["ec"];

/** Signature algorithms by OID (RFC 3279, 4055, 5758, 8410, NIST CSOR). */
const SCHEMES: Record<string, Scheme> = {
  "1.2.840.113549.1.1.4": { keyTypes: RSA, hash: "md5" },
  "1.2.840.113549.1.1.5": { keyTypes: RSA, hash: "sha1" },
  "1.2.840.113549.1.1.14": { keyTypes: RSA, hash: "sha224" },
  "1.2.840.113549.1.1.11": { keyTypes: RSA, hash: "sha256" },
  "1.2.840.113549.1.1.12": { keyTypes: RSA, hash: "sha384" },
  "1.2.840.113549.1.1.13": { keyTypes: RSA, hash: "sha512" },
  "1.2.840.113549.1.1.15": { keyTypes: RSA, hash: "sha512-224" },
  "1.2.840.113549.1.1.16": { keyTypes: RSA, hash: "sha512-256" },
  "2.16.840.1.101.3.4.3.13": { keyTypes: RSA, hash: "sha3-224" },
  "2.16.840.1.101.3.4.3.14": { keyTypes: RSA, hash: "sha3-256" },
  "2.16.840.1.101.3.4.3.15": { keyTypes: RSA, hash: "sha3-384" },
  "2.16.840.1.101.3.4.3.16": { keyTypes: RSA, hash: "sha3-512" },
  "1.2.840.113549.1.1.10": { keyTypes: ["rsa", "rsa-pss"], hash: "sha1", pss: true },
  "1.2.840.10045.4.1": { keyTypes: EC, hash: "sha1" },
  "1.2.840.10045.4.3.1": { keyTypes: EC, hash: "sha224" },
  "1.2.840.10045.4.3.2": { keyTypes: EC, hash: "sha256" },
  "1.2.840.10045.4.3.3": { keyTypes: EC, hash: "sha384" },
  "1.2.840.10045.4.3.4": { keyTypes: EC, hash: "sha512" },
  "2.16.840.1.101.3.4.3.9": { keyTypes: EC, hash: "sha3-224" },
  "2.16.840.1.101.3.4.3.10": { keyTypes: EC, hash: "sha3-256" },
  "2.16.840.1.101.3.4.3.11": { keyTypes: EC, hash: "sha3-384" },
  "2.16.840.1.101.3.4.3.12": { keyTypes: EC, hash: "sha3-512" },
  "1.3.101.112": { keyTypes: ["ed25519"], hash: null },
  "1.3.101.113": { keyTypes: ["ed448"], hash: null },
  "1.2.840.10040.4.3": { keyTypes: ["dsa"], hash: "sha1" },
  "2.16.840.1.101.3.4.3.1": { keyTypes: ["dsa"], hash: "sha224" },
  "2.16.840.1.101.3.4.3.2": { keyTypes: ["dsa"], hash: "sha256" },
};

export type SignatureOutcome = { ok: true } | { ok: false; reason: string };

/** Anything signed: a certificate, a CRL, a BasicOCSPResponse. */
export interface Signed {
  readonly signatureAlgorithm: AlgorithmId;
  /** The exact bytes the signature covers. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureUnusedBits?: number;
  /** The algorithm named inside the signed part (certificates and CRLs have one). */
  readonly tbsSignatureAlgorithm?: AlgorithmId;
}

const EMPTY = new Uint8Array();
const sameAlgorithm = (a: AlgorithmId, b: AlgorithmId) =>
  a.oid === b.oid && sameBytes(a.params ?? EMPTY, b.params ?? EMPTY);

/**
 * Verifies `signed` with `signer`'s public key. Never throws: a key node:crypto cannot load is
 * a failed check like any other, and so is a signature BIT STRING with unused bits or an
 * outer algorithm other than the signed one (OpenSSL's X509_verify and ASN1_item_verify
 * refuse those too, whatever the bytes: neither is covered by the signature).
 */
export function verifySignedBy(signed: Signed, signer: Certificate): SignatureOutcome {
  const call = signedByCall(signed, signer);
  return "ok" in call ? call : run(call);
}

/**
 * verifySignedBy with the public-key operation on libuv's thread pool, so that a process
 * checking many certificates keeps its main thread for the rest of the work. Never rejects.
 */
export function verifySignedByAsync(
  signed: Signed,
  signer: Certificate,
): Promise<SignatureOutcome> {
  const call = signedByCall(signed, signer);
  return "ok" in call ? Promise.resolve(call) : runAsync(call);
}

/**
 * verifySignedByAsync for many certificates, with one promise for all the outcomes (in the
 * order added) rather than one a check, which a batch of a thousand certificates would pay for
 * in promise reactions on the main thread. The checks go to the thread pool all at once when the
 * outcomes are asked for: handed over one at a time between other work, each wakes a pool thread
 * that then competes with this one for the CPU (on 2 cores, 1,000 checks finished ~10 ms later).
 * Never rejects.
 */
export class SignatureBatch {
  readonly #outcomes: SignatureOutcome[] = [];
  readonly #calls: { readonly i: number; readonly call: VerifyCall }[] = [];

  /** Adds a check of `signer`'s signature on `signed`; returns the outcome's index. */
  add(signed: Signed, signer: Certificate): number {
    const i = this.#outcomes.length;
    const call = signedByCall(signed, signer);
    if ("ok" in call) this.#outcomes.push(call);
    else {
      this.#outcomes.push({ ok: false, reason: "not checked" });
      this.#calls.push({ i, call });
    }
    return i;
  }

  /** Runs the checks added so far; every outcome, once all are known. */
  outcomes(): Promise<SignatureOutcome[]> {
    const calls = this.#calls.splice(0);
    let left = calls.length;
    return new Promise((resolve) => {
      if (left === 0) resolve(this.#outcomes);
      for (const { i, call } of calls) {
        runWith(call, (o) => {
          this.#outcomes[i] = o;
          if (--left === 0) resolve(this.#outcomes);
        });
      }
    });
  }
}

/** Verifies `signature` over `data` with `key` as the algorithm identifier says. */
export function verifySignature(
  alg: AlgorithmId,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): SignatureOutcome {
  const call = verifyCall(alg, data, signature, key);
  return "ok" in call ? call : run(call);
}

/** The arguments of one crypto.verify, once every check before it has passed. */
interface VerifyCall {
  readonly hash: string | null;
  readonly data: Uint8Array;
  readonly key: Parameters<typeof verify>[2];
  readonly signature: Uint8Array;
}

function signedByCall(signed: Signed, signer: Certificate): VerifyCall | SignatureOutcome {
  if (signed.signatureUnusedBits) {
    return { ok: false, reason: "the signature BIT STRING has unused bits" };
  }
  const inner = signed.tbsSignatureAlgorithm;
  if (inner && !sameAlgorithm(inner, signed.signatureAlgorithm)) {
    return {
      ok: false,
      reason: "the signature algorithm differs from the one the signed part names",
    };
  }
  let key: KeyObject;
  try {
    key = signer.publicKey;
  } catch (err) {
    return { ok: false, reason: `the signer's public key cannot be used: ${describe(err)}` };
  }
  return verifyCall(signed.signatureAlgorithm, signed.tbs, signed.signature, key);
}

function verifyCall(
  alg: AlgorithmId,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): VerifyCall | SignatureOutcome {
  const scheme = SCHEMES[alg.oid];
  if (!scheme) return { ok: false, reason: `unsupported signature algorithm ${alg.oid}` };
  const keyType = key.asymmetricKeyType as KeyType | undefined;
  if (!keyType || !scheme.keyTypes.includes(keyType)) {
    return {
      ok: false,
      reason: `a ${keyType ?? "unknown"} key cannot check ${alg.oid} signatures`,
    };
  }
  try {
    if (scheme.pss) {
      const p = pssParams(alg.params);
      const options = { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: p.saltLength };
      return { hash: p.hash, data, key: options as VerifyCall["key"], signature };
    }
    const dsa = keyType === "ec" || keyType === "dsa";
    return { hash: scheme.hash, data, key: dsa ? { key, dsaEncoding: "der" } : key, signature };
  } catch (err) {
    return failed(err);
  }
}

const failed = (err: unknown): SignatureOutcome => ({
  ok: false,
  reason: `signature check failed: ${describe(err)}`,
});

const outcome = (ok: boolean): SignatureOutcome =>
  ok ? { ok: true } : { ok: false, reason: "signature does not match the signed data" };

function run(c: VerifyCall): SignatureOutcome {
  try {
    return outcome(verify(c.hash, c.data, c.key, c.signature));
  } catch (err) {
    return failed(err);
  }
}

function runAsync(c: VerifyCall): Promise<SignatureOutcome> {
  return new Promise((resolve) => runWith(c, resolve));
}

/** Runs `c` on the thread pool and hands its outcome to `done`, once. */
function runWith(c: VerifyCall, done: (o: SignatureOutcome) => void): void {
  try {
    verify(c.hash, c.data, c.key, c.signature, (err, ok) => done(err ? failed(err) : outcome(ok)));
  } catch (err) {
    done(failed(err));
  }
}

const MGF1 = "1.2.840.113549.1.1.8";

/**
 * RSASSA-PSS-params (RFC 4055 §3.1), checked as OpenSSL checks them: present and a SEQUENCE,
 * mask generation MGF1 with its digest named, a non-negative salt length, trailer field 1;
 * the defaults are SHA-1, MGF1-SHA-1 and 20. node:crypto always runs MGF1 with the message
 * digest, so a different MGF1 digest is refused rather than silently replaced.
 */
function pssParams(params: Uint8Array | undefined): { hash: string; saltLength: number } {
  if (params?.[0] !== TAG.SEQUENCE) throw new Error("RSASSA-PSS parameters missing");
  const out = { hash: "sha1", mgfHash: "sha1", saltLength: 20 };
  const top = readTlv(params, 0, params.length);
  const algorithm = (algT: Tlv) => {
    const [oidT, paramT, extra] = children(params, algT);
    if (algT.tag !== TAG.SEQUENCE || oidT?.tag !== TAG.OID || extra)
      throw new Error("bad AlgorithmIdentifier");
    return { oid: decodeOid(contentOf(params, oidT)), param: paramT };
  };
  const hashName = (algT: Tlv) => {
    const d = digestByOid(algorithm(algT).oid);
    if (!d) throw new Error("unsupported PSS digest");
    return d.name;
  };
  let lastTag = 0;
  for (const f of children(params, top)) {
    const [inner, extra] = children(params, f);
    if (f.tag <= lastTag) throw new Error("RSASSA-PSS parameters out of order");
    if (!inner || extra) throw new Error("malformed RSASSA-PSS parameters");
    lastTag = f.tag;
    if (f.tag === 0xa0) out.hash = hashName(inner);
    else if (f.tag === 0xa1) {
      const mgf = algorithm(inner);
      if (mgf.oid !== MGF1 || !mgf.param) throw new Error("unsupported mask generation function");
      out.mgfHash = hashName(mgf.param);
    } else if (f.tag === 0xa2 || f.tag === 0xa3) {
      const c = contentOf(params, inner);
      if (inner.tag !== TAG.INTEGER || c.length > 2 || c[0]! & 0x80)
        throw new Error("RSASSA-PSS salt length or trailer field out of range");
      const v = c.reduce((n, b) => n * 256 + b, 0);
      if (f.tag === 0xa2) out.saltLength = v;
      else if (v !== 1) throw new Error(`RSASSA-PSS trailer field ${v} is not 1`);
    } else throw new Error("malformed RSASSA-PSS parameters");
  }
  if (out.mgfHash !== out.hash) {
    throw new Error(`RSASSA-PSS with MGF1-${out.mgfHash} over ${out.hash} is not supported`);
  }
  return out;
}
