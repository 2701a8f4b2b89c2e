// `ocspkit demo`: a throw-away PKI (root, intermediate, delegated responder, leaves, one
// revoked), ocspkit's responder on a free loopback port, then `check` on the leaves and the
// same questions in `openssl ocsp` syntax, with their output. No network, no openssl binary.
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { captureIo, paintFor } from "../check/cli.js";
import { loadInputs } from "../check/inputs.js";
import { exitCode, resultTable } from "../check/report.js";
import { checkCertificates } from "../check/run.js";
import type { Io } from "../cli/io.js";
import { ocspCommand } from "../cli/ocsp.js";
import { describe } from "../errors.js";
import { type RunningResponder, startResponder } from "../responder/server.js";
import type { Certificate } from "../x509/cert.js";
import { openTrustStore } from "../x509/store.js";
import { pemCertificate } from "../x509/text.js";
import { type Issuer, issue, type KeyPair, newKey } from "./issue.js";

export interface DemoOptions {
  /** Where to write the PKI (created, must be empty); default a fresh temp folder. */
  readonly dir?: string;
  /** Keep the responder running until this resolves (Ctrl-C), for trying things by hand. */
  readonly serveUntil?: () => Promise<void>;
  /** How ocspkit is run where the user is (`ocspkit`, `npx ocspkit`), in the commands shown. */
  readonly command?: string;
  /** Said first when `command` is not plain `ocspkit`: how to put it on the PATH. */
  readonly commandNote?: string;
}

interface Leaf {
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

export async function runDemo(io: Io, o: DemoOptions = {}): Promise<number> {
  const started = Date.now();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "ocspkit-demo-"));
  const ocspkit = o.command ?? "ocspkit";
  let entries: string[];
  try {
    const found = statSync(dir, { throwIfNoEntry: false });
    if (found && !found.isDirectory()) throw new Error("it is a file, not a folder");
    if (!found) makeFolder(dir);
    entries = readdirSync(dir);
  } catch (err) {
    io.err(`ocspkit demo: cannot make the PKI in ${dir}: ${describe(err)}\n`);
    return 1;
  }
  if (entries.length) {
    io.err(`ocspkit demo: ${dir} is not empty; give an empty or new folder\n`);
    return 64;
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
      { log: (m) => io.err(`responder: ${m}\n`) },
    );
  } catch (err) {
    io.err(`ocspkit demo: cannot start the responder: ${(err as Error).message}\n`);
    return 1;
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
    io.out(
      "ocspkit demo: a throw-away PKI and OCSP responder, all on this machine\n\n" +
        `PKI in ${dir}\n` +
        "  root.pem              ocspkit demo Root CA (the trust anchor)\n" +
        "  intermediate.pem      ocspkit demo Intermediate CA\n" +
        "  responder.pem/.key    delegated OCSP responder (id-kp-OCSPSigning, issued by the intermediate)\n" +
        LEAVES.map((l) => `  ${`${l.name}.pem`.padEnd(22)}${l.note}\n`).join("") +
        "                        (each leaf file holds the leaf, then the intermediate)\n" +
        "  index.txt             OpenSSL's CA database, which the responder answers from\n" +
        `Responder: ${responder.url} (ocspkit's responder, on loopback)\n\n` +
        (o.commandNote ? `${o.commandNote}\n\n` : ""),
    );
    const leafFiles = LEAVES.map((l) => f(`${l.name}.pem`));
    const results = await checkCertificates(loadInputs(leafFiles).inputs, {
      trust: openTrustStore({ caFile: f("root.pem") }),
    });
    io.out(
      `$ ${ocspkit} check --ca-file ${f("root.pem")} ${leafFiles.join(" ")}\n` +
        resultTable(results, paintFor(io)) +
        `(exit code ${exitCode(results)}: 1 = a certificate is revoked)\n\n`,
    );
    io.out("The same questions in `openssl ocsp` syntax (ocspkit ocsp is a drop-in):\n");
    for (const l of LEAVES) {
      const args = [
        "-issuer",
        f("intermediate.pem"),
        "-cert",
        f(`${l.name}.pem`),
        "-CAfile",
        f("root.pem"),
        "-url",
        responder.url,
      ];
      const run = captureIo();
      await ocspCommand(args, run.io);
      io.out(`$ ${ocspkit} ocsp ${args.join(" ")}\n${run.all()}\n`);
    }
    const wrong = LEAVES.filter((l, i) => results[i]!.status !== l.expect);
    io.out(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. ` +
        `The files stay in ${dir}; remove it when done.\n` +
        (o.serveUntil
          ? `The responder keeps running at ${responder.url}; Ctrl-C stops it.\n`
          : `The responder has stopped; \`${ocspkit} demo --serve\` keeps one running to try things by hand.\n`),
    );
    if (wrong.length) {
      io.err(`ocspkit demo: unexpected status for ${wrong.map((l) => l.name).join(", ")}\n`);
      return 1;
    }
    if (o.serveUntil) await o.serveUntil();
    return 0;
  } finally {
    await responder.close();
  }
}
