import { type KeyObject, verify } from "node:crypto";
import { children, contentOf, readTlv, TAG } from "../der/der.js";
import { decodeOid } from "../der/oid.js";
import { digestByOid } from "../ocsp/digests.js";
import type { AlgorithmId } from "../x509/cert.js";

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

/** Verifies `signature` over `data` with `key` as the algorithm identifier says. */
export function verifySignature(
  alg: AlgorithmId,
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): SignatureOutcome {
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
    let hash = scheme.hash;
    let options: Parameters<typeof verify>[2] = key;
    if (scheme.pss) {
      const p = pssParams(alg.params);
      hash = p.hash;
      options = {
        key,
        padding: 6, // RSA_PKCS1_PSS_PADDING
        saltLength: p.saltLength,
        mgf1HashAlgorithm: p.mgfHash,
      } as Parameters<typeof verify>[2];
    } else if (keyType === "ec" || keyType === "dsa") {
      options = { key, dsaEncoding: "der" };
    }
    const ok = verify(hash, data, options, signature);
    return ok ? { ok: true } : { ok: false, reason: "signature does not match the signed data" };
  } catch (err) {
    return { ok: false, reason: `signature check failed: ${(err as Error).message}` };
  }
}

/** RSASSA-PSS-params (RFC 4055 §3.1), with its SHA-1 / MGF1-SHA-1 / salt 20 defaults. */
function pssParams(params: Uint8Array | undefined): {
  hash: string;
  mgfHash: string;
  saltLength: number;
} {
  const out = { hash: "sha1", mgfHash: "sha1", saltLength: 20 };
  if (!params || params[0] === TAG.NULL) return out;
  const top = readTlv(params, 0);
  const hashName = (algSeq: Uint8Array) => {
    const oidT = children(algSeq, readTlv(algSeq, 0))[0]!;
    const d = digestByOid(decodeOid(contentOf(algSeq, oidT)));
    if (!d) throw new Error("unsupported PSS digest");
    return d.name;
  };
  for (const f of children(params, top)) {
    const inner = children(params, f)[0]!;
    const innerBytes = params.subarray(inner.start, inner.end);
    if (f.tag === 0xa0) out.hash = hashName(innerBytes);
    else if (f.tag === 0xa1) {
      const mgf = children(innerBytes, readTlv(innerBytes, 0))[1];
      if (mgf) out.mgfHash = hashName(innerBytes.subarray(mgf.start, mgf.end));
    } else if (f.tag === 0xa2) {
      out.saltLength = Number.parseInt(Buffer.from(contentOf(params, inner)).toString("hex"), 16);
    }
  }
  return out;
}
