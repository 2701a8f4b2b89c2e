// `ocspkit demo`'s engine: a throw-away PKI (root, intermediate, delegated responder, leaves,
// one revoked) written to a folder, and ocspkit's responder answering for it on a free
// loopback port. No network, no openssl binary. It prints nothing: src/cli/demo.ts tells the
// story and asks the questions.
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadInputs } from "../check/inputs.js";
import { type CheckResult, checkCertificates } from "../check/run.js";
import { describe, OcspError } from "../errors.js";
import { type RunningResponder, startResponder } from "../responder/server.js";
import type { Certificate } from "../x509/cert.js";
import { openTrustStore } from "../x509/store.js";
import { pemCertificate } from "../x509/text.js";
import { type Issuer, issue, type KeyPair, newKey } from "./issue.js";

export interface DemoOptions {
  /** Where to write the PKI (created, must be empty); default a fresh temp folder. */
  readonly dir?: string;
  /** Where the responder's log lines go. */
  readonly log?: (message: string) => void;
}

export interface Leaf {
  readonly name: string;
  readonly serial: bigint;
  readonly expect: "good" | "revoked" | "unknown";
  readonly note: string;
}

const LEAVES: readonly Leaf[] = [
  { name: "leaf-good", serial: 0x1001n, expect: "good", note: "good" },
  { name: "leaf-revoked", serial: 0x1002n, expect: "revoked", note: "revoked: keyCompromise" },
  { name: "leaf-unknown", serial: 0x1003n, expect: "unknown", note: "never entered in index.txt" },
];

const DAY = 86_400_000;

/** A `YYMMDDHHMMSSZ` time, as OpenSSL's index.txt writes it. */
const indexTime = (d: Date) => `${d.toISOString().replace(/[-T:]/g, "").slice(2, 14)}Z`;

const pemKey = (k: KeyPair) => k.privateKey.export({ type: "pkcs8", format: "pem" }) as string;

/** `mkdir -p`, a level at a time: Node's recursive mkdir spins forever under /proc. */
function makeFolder(dir: string): void {
  const parent = dirname(dir);
  if (parent !== dir && !statSync(parent, { throwIfNoEntry: false })) makeFolder(parent);
  mkdirSync(dir);
}

/** The demo's PKI on disk and its responder, running until `close`. */
export interface Demo {
  readonly dir: string;
  /** When the demo started (ms since the epoch). */
  readonly started: number;
  /** Path of a file in the demo's folder. */
  file(name: string): string;
  /** The leaves, in order, each in `<name>.pem` (the leaf, then the intermediate). */
  readonly leaves: readonly Leaf[];
  readonly responder: RunningResponder;
}

/**
 * Writes the PKI and starts the responder. Throws OcspError ERR_USAGE when `dir` is not
 * empty and ERR_INPUT when it cannot be made or the responder cannot start.
 */
export async function setUpDemo(o: DemoOptions = {}): Promise<Demo> {
  const started = Date.now();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "ocspkit-demo-"));
  let entries: string[];
  try {
    const found = statSync(dir, { throwIfNoEntry: false });
    if (found && !found.isDirectory()) throw new Error("it is a file, not a folder");
    if (!found) makeFolder(dir);
    entries = readdirSync(dir);
  } catch (err) {
    throw new OcspError("ERR_INPUT", `cannot make the PKI in ${dir}: ${describe(err)}`);
  }
  if (entries.length) {
    throw new OcspError("ERR_USAGE", `${dir} is not empty; give an empty or new folder`);
  }
  const f = (name: string) => join(dir, name);
  const notBefore = new Date(started - DAY);
  const notAfter = new Date(started + 90 * DAY);

  const rootKey = newKey();
  const root = issue({
    cn: "ocspkit demo Root CA",
    serial: 1n,
    notBefore,
    notAfter: new Date(started + 3650 * DAY),
    key: rootKey,
    ca: {},
  });
  const interKey = newKey();
  const inter: Issuer = {
    cert: issue({
      cn: "ocspkit demo Intermediate CA",
      serial: 2n,
      notBefore,
      notAfter: new Date(started + 1825 * DAY),
      key: interKey,
      issuer: { cert: root, key: rootKey.privateKey },
      ca: { pathLen: 0 },
    }),
    key: interKey.privateKey,
  };
  const responderKey = newKey();
  const responderCert = issue({
    cn: "ocspkit demo OCSP Responder",
    serial: 3n,
    notBefore,
    notAfter,
    key: responderKey,
    issuer: inter,
    ocspSigning: true,
  });

  // The index comes first: the leaves must name the responder's port, known once it listens.
  const revokedAt = indexTime(new Date(started - 2 * DAY));
  const rows = LEAVES.filter((l) => l.expect !== "unknown").map((l) =>
    [
      l.expect === "revoked" ? "R" : "V",
      indexTime(notAfter),
      l.expect === "revoked" ? `${revokedAt},keyCompromise` : "",
      l.serial.toString(16).toUpperCase().padStart(4, "0"),
      "unknown",
      `/O=ocspkit demo/CN=${l.name}`,
    ].join("\t"),
  );
  writeFileSync(f("index.txt"), `${rows.join("\n")}\n`);
  writeFileSync(f("index.txt.attr"), "unique_subject = no\n");
  const write = (name: string, ...certs: Certificate[]) =>
    writeFileSync(f(name), certs.map((c) => pemCertificate(c.der)).join(""));
  write("root.pem", root);
  write("intermediate.pem", inter.cert);
  write("responder.pem", responderCert);
  writeFileSync(f("responder.key"), pemKey(responderKey), { mode: 0o600 });

  let responder: RunningResponder;
  try {
    responder = await startResponder(
      {
        host: "127.0.0.1",
        port: 0,
        cas: [
          {
            caCert: inter.cert,
            signerCert: responderCert,
            signerKey: responderKey.privateKey,
            index: f("index.txt"),
          },
        ],
        unknownIssuer: "unauthorized",
      },
      { log: o.log },
    );
  } catch (err) {
    throw new OcspError("ERR_INPUT", `cannot start the responder: ${(err as Error).message}`);
  }
  try {
    for (const l of LEAVES) {
      const key = newKey();
      const cert = issue({
        cn: l.name,
        serial: l.serial,
        notBefore,
        notAfter,
        key,
        issuer: inter,
        ocspUrl: responder.url,
      });
      // Leaf first, then its issuer: `check` finds the issuer in the same file.
      write(`${l.name}.pem`, cert, inter.cert);
      writeFileSync(f(`${l.name}.key`), pemKey(key), { mode: 0o600 });
    }
  } catch (err) {
    await responder.close();
    throw err;
  }
  return { dir, started, file: f, leaves: LEAVES, responder };
}

/** `check` on the demo's leaves, trusting its root: one result per leaf, in order. */
export function checkDemoLeaves(demo: Demo): Promise<CheckResult[]> {
  const files = demo.leaves.map((l) => demo.file(`${l.name}.pem`));
  return checkCertificates(loadInputs(files).inputs, {
    trust: openTrustStore({ caFile: demo.file("root.pem") }),
  });
}
