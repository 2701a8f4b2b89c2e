/**
 * Test PKI and OpenSSL helpers for the ocspkit differential tests.
 *
 * Everything is generated at test time with the system `openssl` CLI (3.0.x) in a temp
 * directory: no fixtures are checked in, no network beyond loopback is used.
 *
 * Layout (all PEM):
 *   root          RSA 2048 self-signed root CA ("ocspkit Test Root")
 *   intermediate  RSA 2048 CA issued by root, pathlen:0 ("ocspkit Test Intermediate")
 *   ocspSigner    EC P-256, issued by the intermediate, EKU OCSPSigning + id-pkix-ocsp-nocheck
 *   badSigner     EC P-256, issued by the intermediate, EKU clientAuth only (NOT OCSPSigning)
 *   foreignRoot   EC P-256 self-signed root of an unrelated hierarchy
 *   foreignLeaf   EC P-256 leaf issued by foreignRoot
 *   leaves        EC P-256 leaves issued by the intermediate, each with an AIA OCSP URL:
 *                 good/good2/highSerial (status V), one revoked leaf per reason, a revoked
 *                 leaf without reason, one "certificateHold" with a hold instruction, one
 *                 "keyTime" (keyCompromise + invalidity date), and `unknown` (not in index)
 *   index.txt     OpenSSL CA database (tab separated) + index.txt.attr
 *   CA files      root only, intermediate only, chain (intermediate+root), foreign root,
 *                 root+foreign root
 */
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------
// Process helpers
// ---------------------------------------------------------------------------

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; null if the process was killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface RunOptions {
  /** Kill the process (SIGKILL) after this many ms. Default 20000. */
  timeoutMs?: number;
  cwd?: string;
  /** Data written to stdin (stdin is closed right away if absent). */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

/** Runs `cmd args…` (no shell) and captures stdout/stderr as UTF-8 text. */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 20_000);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.stdin.on("error", () => {
      /* the child may exit before reading stdin */
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code,
        signal,
        timedOut,
      });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Runs a command given as an argv array (first element is the program). */
export function runArgv(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) throw new Error("runArgv: empty argv");
  return runCommand(cmd, rest, opts);
}

/** Runs `openssl args…`; rejects with a readable error if it exits non-zero. */
export async function openssl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runCommand("openssl", args, opts);
  if (r.code !== 0) {
    throw new Error(
      `openssl ${args.join(" ")} failed (code ${r.code}):\n${r.stderr}${r.stdout}`.trim(),
    );
  }
  return r;
}

/** A value spliced into {@link argv}: one argument, or several. */
export type ArgValue = string | number | readonly string[];

/**
 * Builds an argv array from a template: the literal text is split on whitespace, each
 * `${value}` is ONE argument (kept whole even with spaces; arrays are spread).
 *   argv`-issuer ${issuer} -cert ${certPath} ${extraArgs}`
 * A value glued to literal text (`x${v}` or `${v}x`) throws, to avoid silent mistakes.
 */
export function argv(strings: TemplateStringsArray, ...values: ArgValue[]): string[] {
  const out: string[] = [];
  strings.forEach((lit, i) => {
    if (i > 0 && lit.length > 0 && !/^\s/.test(lit)) {
      throw new Error(`argv: text glued after a value: ${JSON.stringify(lit)}`);
    }
    if (i < values.length && lit.length > 0 && !/\s$/.test(lit)) {
      throw new Error(`argv: text glued before a value: ${JSON.stringify(lit)}`);
    }
    out.push(...lit.split(/\s+/).filter((w) => w.length > 0));
    if (i < values.length) {
      const v = values[i] as ArgValue;
      if (typeof v === "string") out.push(v);
      else if (typeof v === "number") out.push(String(v));
      else out.push(...v);
    }
  });
  return out;
}

/** Repository root (test/support/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The command under test, as an argv prefix: `$OCSPKIT_CMD` split on whitespace, default
 * `node <repo>/bin/ocspkit.cjs`. Run it as `[...ocspkitCommand(), "ocsp", ...args]`.
 * `OCSPKIT_CMD=openssl` runs the suite openssl-vs-openssl (harness self-check).
 */
export function ocspkitCommand(): string[] {
  const env = process.env["OCSPKIT_CMD"]?.trim();
  if (env) return env.split(/\s+/);
  return [process.execPath, join(REPO_ROOT, "bin", "ocspkit.cjs")];
}

/** Runs a bounded number of async jobs at once. */
export async function pool<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------------------
// Output normalisation
// ---------------------------------------------------------------------------

const MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";
const DATE_RE = new RegExp(
  `\\b(?:${MONTHS}) [ \\d]\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\d{4}(?: GMT)?`,
  "g",
);

/**
 * Replaces OpenSSL's ASN1_TIME_print dates (`Nov  7 02:47:00 2025 GMT`, day padded with a
 * space, optional fractional seconds) by `<DATE>`.
 */
export function normalizeDates(s: string): string {
  return s.replace(DATE_RE, "<DATE>");
}

/**
 * Replaces the hex dump that follows `OCSP Nonce:` in -req_text/-resp_text/-text output
 * (OpenSSL prints the extension value on the next line, e.g. `0410E3B0C442…`).
 */
export function normalizeNonce(s: string): string {
  return s.replace(/(OCSP Nonce: ?\n[ \t]+)[0-9A-Fa-f:]+/g, "$1<NONCE>");
}

/**
 * Replaces the first `Signature Value:` hex block of an OCSP response print (the response's
 * own signature: it covers producedAt and the nonce, and ECDSA is randomised) by `<SIG>`.
 * Certificate signatures printed after it are left alone.
 */
export function normalizeResponseSignature(s: string): string {
  return s.replace(
    /(Signature Algorithm: [^\n]*\n(?:[ \t]+Signature Value:\n)?)((?:[ \t]+[0-9a-f]{2}(?::[0-9a-f]{2})*:?\n)+)/,
    "$1        <SIG>\n",
  );
}

/** An OpenSSL error-stack line: `80EB1C8D9E7F0000:error:0300008B:…`. */
export const ERROR_STACK_LINE = /^[0-9A-F]+:error:[0-9A-F]+:.*$/;

/** Removes OpenSSL error-stack lines (they may appear on stdout after a WARNING). */
export function stripErrorStack(s: string): string {
  return s
    .split("\n")
    .filter((l) => !ERROR_STACK_LINE.test(l))
    .join("\n");
}

// ---------------------------------------------------------------------------
// PKI
// ---------------------------------------------------------------------------

export interface KeyPair {
  /** PEM certificate path. */
  cert: string;
  /** PEM private key path. */
  key: string;
  /** Subject in OpenSSL "compat" one-line form, e.g. `/CN=ocspkit Test Root`. */
  subject: string;
  /** Serial in upper-case hex, no 0x, as in index.txt (even length, no sign byte). */
  serial: string;
}

export type CrlReason =
  | "unspecified"
  | "keyCompromise"
  | "CACompromise"
  | "affiliationChanged"
  | "superseded"
  | "cessationOfOperation"
  | "certificateHold"
  | "removeFromCRL";

export const CRL_REASONS: readonly CrlReason[] = [
  "unspecified",
  "keyCompromise",
  "CACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "removeFromCRL",
];

export interface Leaf extends KeyPair {
  name: string;
  /** `0x` + serial (what `openssl ocsp -serial` accepts as hex). */
  serialHex: string;
  /** Serial as a decimal string (what `openssl ocsp -serial` accepts without 0x). */
  serialDec: string;
  status: "good" | "revoked" | "unknown";
  /** CRL reason in the index (revoked leaves only; absent = no reason field). */
  reason?: string;
  /** Third column of the index row (revocation field), "" for V rows. */
  revocationField: string;
  /** Revocation time as written in the index (YYMMDDHHMMSSZ), revoked leaves only. */
  revokedAt?: string;
}

export interface Pki {
  dir: string;
  root: KeyPair;
  intermediate: KeyPair;
  /** Delegated OCSP signer (EKU OCSPSigning, ocspNoCheck), issued by the intermediate. */
  ocspSigner: KeyPair;
  /** Issued by the intermediate with EKU clientAuth only: must fail OCSP verification. */
  badSigner: KeyPair;
  foreignRoot: KeyPair;
  foreignLeaf: Leaf;
  leaves: {
    good: Leaf;
    good2: Leaf;
    /** Good leaf whose serial has the high bit set (DER needs a leading 00 byte). */
    highSerial: Leaf;
    /** One revoked leaf per CRL reason. */
    revoked: Record<CrlReason, Leaf>;
    /** Revoked, index field has a date but no reason (no revocationReason in response). */
    revokedNoReason: Leaf;
    /** Index reason `holdInstruction,holdInstructionReject`: certificateHold + hold instr ext. */
    revokedHoldInstruction: Leaf;
    /** Index reason `keyTime,<GeneralizedTime>`: keyCompromise + invalidityDate ext. */
    revokedKeyTime: Leaf;
    /** Issued by the intermediate but never entered in the index. */
    unknown: Leaf;
  };
  /** All leaves issued by the intermediate (including unknown). */
  allLeaves: Leaf[];
  index: string;
  indexAttr: string;
  /** intermediate + root, PEM concatenated (in that order). */
  chain: string;
  caFiles: {
    root: string;
    intermediate: string;
    /** intermediate + root */
    chain: string;
    foreign: string;
    /** root + foreign root */
    rootAndForeign: string;
  };
  /** A text file that is not a certificate. */
  notACert: string;
  /** A path that does not exist. */
  missing: string;
  /** The AIA OCSP URL placed in every leaf (placeholder, nothing listens there). */
  aiaUrl: string;
  /** Days of validity of leaves / signers (roots and intermediate get more). */
  leafDays: number;
  /** Removes the directory. */
  cleanup(): void;
}

const EXT_CNF = (aiaUrl: string) => `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder

[root_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[inter_ext]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ocsp_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[bad_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:${aiaUrl}
`;

/** `YYMMDDHHMMSSZ` (UTCTime) as used in index.txt. */
function utcTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return (
    p(d.getUTCFullYear() % 100) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds()) +
    "Z"
  );
}

function certInfo(certPath: string): { subject: string; serial: string; notAfter: Date } {
  const x = new X509Certificate(readFileSync(certPath));
  const subject = x.subject
    .split("\n")
    .filter((s) => s.length > 0)
    .map((s) => "/" + s)
    .join("");
  // Node gives the serial in upper-case hex, already even-length, possibly with a leading
  // 00 sign byte; index.txt uses BN_bn2hex (no sign byte).
  let serial = x.serialNumber.toUpperCase();
  while (serial.startsWith("00") && serial.length > 2) serial = serial.slice(2);
  return { subject, serial, notAfter: new Date(x.validTo) };
}

interface CertSpec {
  id: string;
  subject: string;
  /** "rsa" or "ec" */
  keyType: "rsa" | "ec";
  /** id of the issuer spec; absent = self-signed */
  issuer?: string;
  ext: string;
  serial: string; // hex without 0x
  days: number;
}

/**
 * `npm test` (test/support/run.mjs) names a folder for the run in OCSPKIT_TEST_RUN_DIR: the
 * first file to make the PKI's keys and certificates leaves a copy there, and the others copy
 * it into their own folders instead of making their own (every file still gets a private
 * copy to write into). Without the variable every file makes its own, as before.
 */
const sharedPki = () => {
  const run = process.env["OCSPKIT_TEST_RUN_DIR"];
  return run ? join(run, "pki") : undefined;
};

/** Copies the run's PKI files into `base`; false when there are none (yet). */
function copySharedPki(base: string): boolean {
  const shared = sharedPki();
  if (!shared || !existsSync(shared)) return false;
  cpSync(shared, base, { recursive: true });
  return true;
}

/** Offers the files just made in `base` to the rest of the run (the first file to finish wins). */
function shareMadePki(base: string): void {
  const shared = sharedPki();
  if (!shared || existsSync(shared)) return;
  const staging = `${shared}-${process.pid}`;
  cpSync(base, staging, { recursive: true });
  try {
    renameSync(staging, shared); // atomic: a reader sees all the files or none
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another file was first
  }
}

/**
 * Builds the test PKI in `dir` (default: a fresh temp dir). Takes well under a second on a
 * 2-core machine (RSA keys for root + intermediate, EC P-256 for the rest).
 */
export async function makePki(dir?: string): Promise<Pki> {
  const base = dir ?? mkdtempSync(join(tmpdir(), "ocspkit-pki-"));
  mkdirSync(base, { recursive: true });
  const f = (name: string) => join(base, name);
  const aiaUrl = "http://127.0.0.1:9/ocsp";
  const leafDays = 365;
  writeFileSync(f("ext.cnf"), EXT_CNF(aiaUrl));

  const genKey = (t: "rsa" | "ec") =>
    t === "rsa" ? argv`-newkey rsa:2048` : argv`-newkey ec -pkeyopt ec_paramgen_curve:P-256`;

  const issue = async (s: CertSpec) => {
    const key = f(`${s.id}.key`);
    const pem = f(`${s.id}.pem`);
    const serial = "0x" + s.serial;
    if (s.issuer === undefined) {
      await openssl(
        argv`req -x509 ${genKey(s.keyType)} -nodes -keyout ${key} -out ${pem} -subj ${s.subject}
             -days ${s.days} -set_serial ${serial} -config ${f("ext.cnf")} -extensions ${s.ext}`,
      );
    } else {
      const csr = f(`${s.id}.csr`);
      await openssl(
        argv`req -new ${genKey(s.keyType)} -nodes -keyout ${key} -out ${csr} -subj ${s.subject}
             -config ${f("ext.cnf")}`,
      );
      await openssl(
        argv`x509 -req -in ${csr} -CA ${f(`${s.issuer}.pem`)} -CAkey ${f(`${s.issuer}.key`)}
             -set_serial ${serial} -days ${s.days} -extfile ${f("ext.cnf")} -extensions ${s.ext}
             -out ${pem}`,
      );
    }
  };

  // Stage 2: everything issued by the intermediate.
  interface LeafPlan {
    id: string;
    name: string;
    serial: string;
    status: Leaf["status"];
    reason?: string;
    /** revocation field suffix after the date (",reason" or ",reason,extra") */
    revSuffix?: string;
  }
  const plans: LeafPlan[] = [
    { id: "leaf-good", name: "good", serial: "2001", status: "good" },
    { id: "leaf-good2", name: "good2", serial: "2002", status: "good" },
    { id: "leaf-high", name: "highSerial", serial: "8A5C3E91D2F40B67", status: "good" },
    { id: "leaf-unknown", name: "unknown", serial: "2FFF", status: "unknown" },
    {
      id: "leaf-rev-noreason",
      name: "revokedNoReason",
      serial: "3000",
      status: "revoked",
      revSuffix: "",
    },
    {
      id: "leaf-rev-holdinstr",
      name: "revokedHoldInstruction",
      serial: "3020",
      status: "revoked",
      reason: "holdInstruction",
      revSuffix: ",holdInstruction,holdInstructionReject",
    },
    {
      id: "leaf-rev-keytime",
      name: "revokedKeyTime",
      serial: "3021",
      status: "revoked",
      reason: "keyTime",
      revSuffix: ",keyTime,20200102030405Z",
    },
  ];
  CRL_REASONS.forEach((reason, i) => {
    plans.push({
      id: `leaf-rev-${reason}`,
      name: reason,
      serial: (0x3001 + i).toString(16).toUpperCase(),
      status: "revoked",
      reason,
      revSuffix: "," + reason,
    });
  });
  const specs: CertSpec[] = [
    {
      id: "ocsp-signer",
      subject: "/O=ocspkit tests/CN=ocspkit OCSP Signer",
      keyType: "ec",
      issuer: "intermediate",
      ext: "ocsp_ext",
      serial: "1F01",
      days: leafDays,
    },
    {
      id: "bad-signer",
      subject: "/O=ocspkit tests/CN=ocspkit Bad Signer",
      keyType: "ec",
      issuer: "intermediate",
      ext: "bad_ext",
      serial: "1F02",
      days: leafDays,
    },
    ...plans.map((p) => ({
      id: p.id,
      subject: `/O=ocspkit tests/CN=leaf ${p.name}`,
      keyType: "ec" as const,
      issuer: "intermediate",
      ext: "leaf_ext",
      serial: p.serial,
      days: leafDays,
    })),
  ];
  // The keys and certificates: made here, or copied from those made earlier in the same
  // `npm test` run (sharedPki), which every file would otherwise make again.
  if (!copySharedPki(base)) {
    // Stage 1: the two roots (and the intermediate's key can't exist before its CSR, so the
    // RSA keygen of root and intermediate are the slow parts; run roots in parallel).
    await Promise.all([
      issue({
        id: "root",
        subject: "/O=ocspkit tests/CN=ocspkit Test Root",
        keyType: "rsa",
        ext: "root_ext",
        serial: "01",
        days: 3650,
      }),
      issue({
        id: "foreign-root",
        subject: "/O=elsewhere/CN=ocspkit Foreign Root",
        keyType: "ec",
        ext: "root_ext",
        serial: "0F01",
        days: 3650,
      }),
    ]);
    await Promise.all([
      issue({
        id: "intermediate",
        subject: "/O=ocspkit tests/CN=ocspkit Test Intermediate",
        keyType: "rsa",
        issuer: "root",
        ext: "inter_ext",
        serial: "1000",
        days: 1825,
      }),
      issue({
        id: "foreign-leaf",
        subject: "/O=elsewhere/CN=foreign leaf",
        keyType: "ec",
        issuer: "foreign-root",
        ext: "leaf_ext",
        serial: "1A01",
        days: leafDays,
      }),
    ]);
    await pool(specs, 4, issue);
    shareMadePki(base);
  }

  const keyPair = (id: string): KeyPair => {
    const info = certInfo(f(`${id}.pem`));
    return {
      cert: f(`${id}.pem`),
      key: f(`${id}.key`),
      subject: info.subject,
      serial: info.serial,
    };
  };

  // Revocation times: fixed dates in the past (one per leaf so they can be told apart).
  const revBase = Date.UTC(2024, 0, 15, 10, 0, 0);
  const leaves = new Map<string, Leaf>();
  const indexRows: string[] = [];
  plans.forEach((p, i) => {
    const kp = keyPair(p.id);
    const info = certInfo(kp.cert);
    let revocationField = "";
    let revokedAt: string | undefined;
    if (p.status === "revoked") {
      revokedAt = utcTime(new Date(revBase + i * 86_400_000 + i * 61_000));
      revocationField = revokedAt + (p.revSuffix ?? "");
    }
    const leaf: Leaf = {
      ...kp,
      name: p.name,
      serialHex: "0x" + kp.serial,
      serialDec: BigInt("0x" + kp.serial).toString(10),
      status: p.status,
      revocationField,
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
      ...(revokedAt !== undefined ? { revokedAt } : {}),
    };
    leaves.set(p.name, leaf);
    if (p.status !== "unknown") {
      indexRows.push(
        [
          p.status === "good" ? "V" : "R",
          utcTime(info.notAfter),
          revocationField,
          kp.serial,
          "unknown",
          kp.subject,
        ].join("\t"),
      );
    }
  });
  // The signers are valid entries of the intermediate's database too.
  for (const id of ["ocsp-signer", "bad-signer"]) {
    const info = certInfo(f(`${id}.pem`));
    indexRows.push(
      ["V", utcTime(info.notAfter), "", info.serial, "unknown", info.subject].join("\t"),
    );
  }
  writeFileSync(f("index.txt"), indexRows.join("\n") + "\n");
  writeFileSync(f("index.txt.attr"), "unique_subject = no\n");

  const pem = (id: string) => readFileSync(f(`${id}.pem`), "utf8");
  writeFileSync(f("chain.pem"), pem("intermediate") + pem("root"));
  writeFileSync(f("ca-root.pem"), pem("root"));
  writeFileSync(f("ca-intermediate.pem"), pem("intermediate"));
  writeFileSync(f("ca-foreign.pem"), pem("foreign-root"));
  writeFileSync(f("ca-root-and-foreign.pem"), pem("root") + pem("foreign-root"));
  writeFileSync(f("notacert.txt"), "this is not a certificate\n");

  const get = (name: string): Leaf => {
    const l = leaves.get(name);
    if (!l) throw new Error(`no leaf ${name}`);
    return l;
  };
  const revoked = Object.fromEntries(CRL_REASONS.map((r) => [r, get(r)])) as Record<
    CrlReason,
    Leaf
  >;
  const foreignKp = keyPair("foreign-leaf");
  const foreignLeaf: Leaf = {
    ...foreignKp,
    name: "foreignLeaf",
    serialHex: "0x" + foreignKp.serial,
    serialDec: BigInt("0x" + foreignKp.serial).toString(10),
    status: "unknown",
    revocationField: "",
  };

  return {
    dir: base,
    root: keyPair("root"),
    intermediate: keyPair("intermediate"),
    ocspSigner: keyPair("ocsp-signer"),
    badSigner: keyPair("bad-signer"),
    foreignRoot: keyPair("foreign-root"),
    foreignLeaf,
    leaves: {
      good: get("good"),
      good2: get("good2"),
      highSerial: get("highSerial"),
      revoked,
      revokedNoReason: get("revokedNoReason"),
      revokedHoldInstruction: get("revokedHoldInstruction"),
      revokedKeyTime: get("revokedKeyTime"),
      unknown: get("unknown"),
    },
    allLeaves: [...leaves.values()],
    index: f("index.txt"),
    indexAttr: f("index.txt.attr"),
    chain: f("chain.pem"),
    caFiles: {
      root: f("ca-root.pem"),
      intermediate: f("ca-intermediate.pem"),
      chain: f("chain.pem"),
      foreign: f("ca-foreign.pem"),
      rootAndForeign: f("ca-root-and-foreign.pem"),
    },
    notACert: f("notacert.txt"),
    missing: f("does-not-exist.pem"),
    aiaUrl,
    leafDays,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------------------
// Responders
// ---------------------------------------------------------------------------

/** One HTTP exchange seen by a loopback responder. */
export interface RecordedExchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Bytes sent back (the DER OCSPResponse, or the raw body for fixed responders). */
  response: Buffer;
  /** stderr of `openssl ocsp -reqin` when it failed (the answer was then malformedRequest). */
  responderError?: string;
}

export interface Responder {
  /** e.g. `http://127.0.0.1:41234/` */
  url: string;
  host: string;
  port: number;
  /** `loopback`: node HTTP server on 127.0.0.1 that runs `openssl ocsp -reqin … -respout …`
   *  per request; `port`: `openssl ocsp -port` itself (listens on all interfaces). */
  transport: "loopback" | "port" | "fixed";
  /** The `openssl ocsp …` responder arguments (empty for fixed responders). */
  command: string[];
  /** Exchanges seen (loopback and fixed only; always empty for `port`). */
  exchanges: RecordedExchange[];
  stop(): Promise<void>;
}

export interface OpensslResponderOptions {
  /** -rsigner (default: pki.ocspSigner.cert) */
  rsigner?: string;
  /** -rkey (default: pki.ocspSigner.key, or the key next to rsigner when rsigner is a KeyPair cert) */
  rkey?: string;
  /** -CA (default: pki.intermediate.cert) */
  ca?: string;
  /** -index (default: pki.index) */
  index?: string;
  /** -nmin (default 5); null = don't pass it. */
  nmin?: number | null;
  /** -ndays (default: not passed). Without -nmin/-ndays the response has no nextUpdate. */
  ndays?: number;
  /** More responder args, e.g. ["-resp_no_certs"], ["-rother", chain], ["-rcid", "sha256"]. */
  extraArgs?: string[];
  /** Default: $OCSP_RESPONDER_TRANSPORT or "loopback". */
  transport?: "loopback" | "port";
  /** Port to use; default 0 (any free port). */
  port?: number;
}

/** The `openssl ocsp` responder argv (without -port / -reqin / -respout). */
export function responderArgs(pki: Pki, opts: OpensslResponderOptions): string[] {
  const rsigner = opts.rsigner ?? pki.ocspSigner.cert;
  const rkey =
    opts.rkey ??
    (opts.rsigner === undefined ? pki.ocspSigner.key : rsigner.replace(/\.pem$/, ".key"));
  const args = [
    "ocsp",
    "-index",
    opts.index ?? pki.index,
    "-rsigner",
    rsigner,
    "-rkey",
    rkey,
    "-CA",
    opts.ca ?? pki.intermediate.cert,
  ];
  const nmin = opts.nmin === undefined ? 5 : opts.nmin;
  if (nmin !== null) args.push("-nmin", String(nmin));
  if (opts.ndays !== undefined) args.push("-ndays", String(opts.ndays));
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/** Finds a free TCP port on 127.0.0.1 (bind to 0, read it, close). Racy: retry on collision. */
export function getFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createNetServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const addr = server.address();
      resolvePromise(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.closeAllConnections();
    server.close(() => resolvePromise());
  });
}

/** OCSPResponse with a non-successful status and no responseBytes (`30 03 0a 01 NN`). */
export function ocspErrorResponse(status: number): Buffer {
  return Buffer.from([0x30, 0x03, 0x0a, 0x01, status]);
}

function readBody(req: import("node:http").IncomingMessage): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolvePromise(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Decodes the request of `GET /<base64-url-encoded DER>` (RFC 6960 A.1). */
function getRequestDer(url: string): Buffer {
  const last = url.split("/").pop() ?? "";
  return Buffer.from(decodeURIComponent(last), "base64");
}

let exchangeSeq = 0;

/**
 * Starts an OpenSSL OCSP responder for `pki` and resolves once it accepts connections.
 *
 * transport "loopback" (default): a node HTTP server bound to 127.0.0.1 answers each
 *   request by running `openssl ocsp -index … -rsigner … -rkey … -CA … [-nmin N] -reqin REQ
 *   -respout RESP` (the very same make_ocsp_response code path as `openssl ocsp -port`),
 *   and records every exchange. An unparsable request gets malformedRequest(1), as the
 *   real server does.
 * transport "port": runs `openssl ocsp … -port 0` itself and reads the port from the
 *   `ACCEPT [::]:PORT PID=N` line it prints on stdout. OpenSSL 3.0 binds the wildcard
 *   address (it has no option to bind 127.0.0.1 only); opt in with
 *   OCSP_RESPONDER_TRANSPORT=port. With opts.port, a collision is retried on a fresh port.
 */
export async function startOpensslResponder(
  pki: Pki,
  opts: OpensslResponderOptions = {},
): Promise<Responder> {
  const transport =
    opts.transport ?? (process.env["OCSP_RESPONDER_TRANSPORT"] === "port" ? "port" : "loopback");
  const baseArgs = responderArgs(pki, opts);
  if (transport === "port") return startPortResponder(baseArgs, opts.port ?? 0);

  const work = join(pki.dir, "responder-tmp");
  mkdirSync(work, { recursive: true });
  // Self-check: the responder arguments must work before we pretend to be a responder
  // (otherwise every answer would silently be malformedRequest).
  const probeReq = join(work, `probe-${process.pid}-${++exchangeSeq}.der`);
  await openssl(
    argv`ocsp -issuer ${opts.ca ?? pki.intermediate.cert} -serial 1 -no_nonce -reqout ${probeReq}`,
  );
  await openssl([...baseArgs, "-reqin", probeReq, "-respout", `${probeReq}.resp`]);
  rmSync(probeReq, { force: true });
  rmSync(`${probeReq}.resp`, { force: true });
  const exchanges: RecordedExchange[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = req.method === "GET" ? getRequestDer(req.url ?? "/") : await readBody(req);
      const n = ++exchangeSeq;
      const reqFile = join(work, `req-${process.pid}-${n}.der`);
      const respFile = join(work, `resp-${process.pid}-${n}.der`);
      writeFileSync(reqFile, body);
      const r = await runCommand("openssl", [...baseArgs, "-reqin", reqFile, "-respout", respFile]);
      let response: Buffer;
      try {
        response = r.code === 0 ? readFileSync(respFile) : ocspErrorResponse(1);
      } catch {
        response = ocspErrorResponse(1);
      }
      rmSync(reqFile, { force: true });
      rmSync(respFile, { force: true });
      exchanges.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        response,
        ...(r.code === 0 ? {} : { responderError: r.stderr }),
      });
      res.writeHead(200, {
        "Content-Type": "application/ocsp-response",
        "Content-Length": response.length,
        Connection: "close",
      });
      res.end(response);
    })().catch((e: unknown) => {
      res.writeHead(500, { Connection: "close" });
      res.end(String(e));
    });
  });
  const port = await listen(server, opts.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}/`,
    host: "127.0.0.1",
    port,
    transport: "loopback",
    command: baseArgs,
    exchanges,
    stop: () => closeServer(server),
  };
}

async function startPortResponder(baseArgs: string[], wantPort: number): Promise<Responder> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = attempt === 0 ? wantPort : await getFreePort();
    const child = spawn("openssl", [...baseArgs, "-port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const accepted = await new Promise<number | null>((resolvePromise) => {
      const timer = setTimeout(() => resolvePromise(null), 10_000);
      const check = () => {
        // ACCEPT comes first (stdout); the responder is ready (certs, key and index loaded)
        // once it logs "waiting for OCSP client connections..." (stderr).
        const m = /ACCEPT .*:(\d+)(?: PID=\d+)?\s*$/m.exec(stdout);
        if (m && stderr.includes("waiting for OCSP client connections")) {
          clearTimeout(timer);
          resolvePromise(Number(m[1]));
        }
      };
      child.stdout.on("data", (b: Buffer) => {
        stdout += b.toString();
        check();
      });
      child.stderr.on("data", (b: Buffer) => {
        stderr += b.toString();
        check();
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolvePromise(null);
      });
    });
    if (accepted !== null && accepted > 0) {
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          await exited;
        }
      };
      return {
        url: `http://127.0.0.1:${accepted}/`,
        host: "127.0.0.1",
        port: accepted,
        transport: "port",
        command: baseArgs,
        exchanges: [],
        stop,
      };
    }
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    if (!/in use|bind/i.test(stderr)) {
      throw new Error(`openssl responder did not start:\n${stdout}${stderr}`);
    }
  }
  throw new Error("openssl responder: could not find a free port");
}

/**
 * A loopback HTTP server that answers every request with fixed bytes (e.g. an OCSPResponse
 * with status unauthorized(6), garbage, or an HTTP error), for responder-error cases.
 */
export async function startFixedResponder(
  body: Buffer,
  opts: { httpStatus?: number; contentType?: string } = {},
): Promise<Responder> {
  const exchanges: RecordedExchange[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((reqBody) => {
      exchanges.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: reqBody,
        response: body,
      });
      res.writeHead(opts.httpStatus ?? 200, {
        "Content-Type": opts.contentType ?? "application/ocsp-response",
        "Content-Length": body.length,
        Connection: "close",
      });
      res.end(body);
    });
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}/`,
    host: "127.0.0.1",
    port,
    transport: "fixed",
    command: [],
    exchanges,
    stop: () => closeServer(server),
  };
}

/**
 * Produces a DER OCSPResponse offline with the OpenSSL responder code (no network):
 * `openssl ocsp -index … -reqin REQ -respout OUT`. `request` is a DER OCSPRequest path.
 */
export async function makeResponseFile(
  pki: Pki,
  request: string,
  out: string,
  opts: OpensslResponderOptions = {},
): Promise<void> {
  await openssl([...responderArgs(pki, opts), "-reqin", request, "-respout", out]);
}
