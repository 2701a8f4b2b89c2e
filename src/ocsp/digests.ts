import { createHash } from "node:crypto";

/** A digest usable in a CertID: its OID and node:crypto's name for it. */
export interface Digest {
  readonly name: string;
  readonly oid: string;
}

const DIGESTS: readonly (Digest & { aliases?: string[] })[] = [
  { name: "sha1", oid: "1.3.14.3.2.26", aliases: ["sha-1"] },
  { name: "sha224", oid: "2.16.840.1.101.3.4.2.4", aliases: ["sha2-224", "sha-224"] },
  { name: "sha256", oid: "2.16.840.1.101.3.4.2.1", aliases: ["sha2-256", "sha-256"] },
  { name: "sha384", oid: "2.16.840.1.101.3.4.2.2", aliases: ["sha2-384", "sha-384"] },
  { name: "sha512", oid: "2.16.840.1.101.3.4.2.3", aliases: ["sha2-512", "sha-512"] },
  { name: "sha512-224", oid: "2.16.840.1.101.3.4.2.5", aliases: ["sha2-512/224", "sha512/224"] },
  { name: "sha512-256", oid: "2.16.840.1.101.3.4.2.6", aliases: ["sha2-512/256", "sha512/256"] },
  { name: "sha3-224", oid: "2.16.840.1.101.3.4.2.7" },
  { name: "sha3-256", oid: "2.16.840.1.101.3.4.2.8" },
  { name: "sha3-384", oid: "2.16.840.1.101.3.4.2.9" },
  { name: "sha3-512", oid: "2.16.840.1.101.3.4.2.10" },
  { name: "md5", oid: "1.2.840.113549.2.5" },
  { name: "ripemd160", oid: "1.3.36.3.2.1", aliases: ["ripemd", "rmd160", "ripemd-160"] },
  { name: "sm3", oid: "1.2.156.10197.1.401" },
];

/** The digest OpenSSL's `-<name>` flag selects, or undefined when it names none. */
export function digestByName(name: string): Digest | undefined {
  const n = name.toLowerCase();
  const d = DIGESTS.find((x) => x.name === n || x.aliases?.includes(n));
  return d && { name: d.name, oid: d.oid };
}

export function digestByOid(oid: string): Digest | undefined {
  const d = DIGESTS.find((x) => x.oid === oid);
  return d && { name: d.name, oid: d.oid };
}

export const SHA1: Digest = { name: "sha1", oid: "1.3.14.3.2.26" };

export function hash(d: Digest, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(d.name).update(data).digest());
}
