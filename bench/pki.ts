// The bench PKI: test/support's makePki (root, intermediate, delegated EC OCSP signer, a few
// leaves) plus `count` leaves issued by `openssl ca` from the intermediate, as a CA would issue
// them: X.509 v3 with the usual server-certificate extensions (key usages, key identifiers,
// AIA OCSP URL, a DNS name), one PEM file each. The leaves share one key, and their requests
// are signed in-process, so that one `openssl ca` run issues them all (a few seconds; one
// `openssl req` per leaf would take tens). One leaf in ten is then marked revoked in index.txt.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeTlv, TAG } from "../src/der/der.js";
import { encodeOid } from "../src/der/oid.js";
import { encodeAlgorithm, signBytes } from "../src/ocsp/sign.js";
import { makePki, openssl, type Pki } from "../test/support/pki.js";

export interface BenchLeaf {
  readonly path: string;
  /** Upper-case hex, as in index.txt. */
  readonly serial: string;
  readonly status: "good" | "revoked";
}

export interface BenchPki {
  readonly pki: Pki;
  readonly leaves: readonly BenchLeaf[];
  readonly leafKey: LeafKey;
}

/** The leaves' shared key: `rsa` (RSA-2048, the larger files) or `ec` (P-256). */
export type LeafKey = "rsa" | "ec";

/** One leaf in this many is revoked, so that answers are not all alike. */
const REVOKED_EVERY = 10;
const FIRST_SERIAL = 0x4b000000;
/** Revocation time of the revoked leaves in index.txt. */
const REVOKED_AT = "260101000000Z";

const seq = (...parts: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));

function name(org: string, cn: string): Uint8Array {
  const rdn = (oid: string, v: string) =>
    encodeTlv(TAG.SET, seq(encodeTlv(TAG.OID, encodeOid(oid)), encodeTlv(0x0c, Buffer.from(v))));
  return seq(rdn("2.5.4.10", org), rdn("2.5.4.3", cn));
}

function caConfig(pki: Pki, leafDir: string): string {
  return `[ca]
default_ca = bench
[bench]
database = ${pki.index}
new_certs_dir = ${leafDir}
serial = ${join(pki.dir, "bench-serial")}
certificate = ${pki.intermediate.cert}
private_key = ${pki.intermediate.key}
default_md = sha256
default_days = 365
policy = policy_any
unique_subject = no
copy_extensions = none
x509_extensions = leaf_ext
[policy_any]
organizationName = optional
commonName = supplied
[leaf_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${pki.aiaUrl}
subjectAltName = DNS:bench.example
`;
}

export async function makeBenchPki(
  dir: string,
  count: number,
  leafKey: LeafKey = "rsa",
): Promise<BenchPki> {
  const pki = await makePki(dir);
  const { privateKey, publicKey } =
    leafKey === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const csrDir = join(dir, "csr");
  const leafDir = join(dir, "leaves");
  mkdirSync(csrDir, { recursive: true });
  mkdirSync(leafDir, { recursive: true });
  const csrs: string[] = [];
  for (let i = 0; i < count; i++) {
    // PKCS#10 CertificationRequestInfo: version 0, subject, key, no attributes.
    const info = seq(
      encodeTlv(TAG.INTEGER, Uint8Array.of(0)),
      name("ocspkit bench", `bench leaf ${i}`),
      spki,
      Uint8Array.of(0xa0, 0),
    );
    const { algorithm, signature } = signBytes(privateKey, info, "sha256");
    const der = seq(
      info,
      encodeAlgorithm(algorithm),
      encodeTlv(TAG.BIT_STRING, Buffer.concat([Uint8Array.of(0), signature])),
    );
    const path = join(csrDir, `${i}.csr`);
    writeFileSync(
      path,
      `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`,
    );
    csrs.push(path);
  }
  const config = join(dir, "bench-ca.cnf");
  writeFileSync(config, caConfig(pki, leafDir));
  writeFileSync(join(pki.dir, "bench-serial"), `${FIRST_SERIAL.toString(16).toUpperCase()}\n`);
  await openssl(
    ["ca", "-config", config, "-batch", "-notext", "-out", "/dev/null", "-infiles", ...csrs],
    {
      timeoutMs: 300_000,
    },
  );

  const leaves: BenchLeaf[] = [];
  const revoked = new Set<string>();
  for (let i = 0; i < count; i++) {
    const serial = (FIRST_SERIAL + i).toString(16).toUpperCase();
    const status = i % REVOKED_EVERY === REVOKED_EVERY - 1 ? "revoked" : "good";
    if (status === "revoked") revoked.add(serial);
    leaves.push({ path: join(leafDir, `${serial}.pem`), serial, status });
  }
  // What `openssl ca -revoke` writes, without a process per revoked certificate.
  const rows = readFileSync(pki.index, "utf8")
    .split("\n")
    .map((row) => {
      const f = row.split("\t");
      if (f[0] !== "V" || !revoked.has(f[3]!)) return row;
      return ["R", f[1], `${REVOKED_AT},keyCompromise`, ...f.slice(3)].join("\t");
    });
  writeFileSync(pki.index, rows.join("\n"));
  return { pki, leaves, leafKey };
}
