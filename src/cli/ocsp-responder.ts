// `ocspkit ocsp -index …`: OpenSSL's responder (apps/ocsp.c), option for option. Offline with
// -reqin/-respout, a server with -port. The order of checks, the messages and the exit codes
// are OpenSSL 3.0's; the server itself is ocspkit's (concurrent, keep-alive, timeouts, no
// hang on a half-sent request), and it keeps serving after a malformed request where
// OpenSSL's exits unless -ignore_err: one bad client must not stop the responder.

import { writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { whyNotDer } from "../der/error.js";
import { describe, OcspError } from "../errors.js";
import { decodeRequest } from "../ocsp/decode.js";
import { type Digest, digestByName } from "../ocsp/digests.js";
import { encodeRequest, withNewNonce } from "../ocsp/request.js";
import { parseResponse } from "../ocsp/response.js";
import { type PssSalt, ResponseSigner, type SignerOptions } from "../ocsp/response-builder.js";
import { OCSP_STATUS, responseStatusName } from "../ocsp/status.js";
import { Answerer, type AnswerPolicy, type ServedCa } from "../responder/answer.js";
import { createOcspServer, type Exchange, listen } from "../responder/server.js";
import { OcspService } from "../responder/service.js";
import { signerProblem, signerWarning } from "../responder/signer-check.js";
import { IndexStore } from "../responder/store.js";
import {
  clusterMetrics,
  failAsWorker,
  isWorker,
  serveAsWorker,
  startWorkers,
  stopSignal,
} from "../responder/workers.js";
import type { Certificate } from "../x509/cert.js";
import { loadPrivateKeyAsking, matchingKey, passphrase } from "../x509/keys.js";
import { loadCertificate, loadCertificates, readFile } from "../x509/load.js";
import type { Io } from "./io.js";
import { Exit, type Options, Output, PROG } from "./ocsp-options.js";
import { passphrasePrompt } from "./prompt.js";

export async function responderCommand(o: Options, io: Io): Promise<number> {
  const code = await runOrExit(o, io);
  // A -multi worker that cannot start has said why; it must end, or the primary waits forever.
  return isWorker && code !== 0 ? failAsWorker(`a worker could not start (exit ${code})`) : code;
}

async function runOrExit(o: Options, io: Io): Promise<number> {
  try {
    return await run(o, io);
  } catch (err) {
    if (err instanceof Exit) return err.code;
    if (err instanceof OcspError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

interface Setup {
  readonly cas: ServedCa[];
  readonly policy: AnswerPolicy;
  /** The -CA file of each of `cas`, and the -rsigner file, for messages. */
  readonly caFiles: string[];
  readonly signerFile: string;
}

async function run(o: Options, io: Io): Promise<number> {
  const last = (name: string) => o.responder.get(name)?.at(-1);
  const index = last("index");
  const serving = o.port !== undefined && !o.reqin;
  // Without -index there is nothing to answer from: -port alone is only usage to OpenSSL too.
  if (index === undefined || (!o.reqin && !o.respin && !serving)) {
    io.err(`${PROG}: Use -help for summary.\n`);
    return 1;
  }
  const out = new Output(io, o.out);
  let request: Uint8Array | undefined;
  if (o.reqin) {
    request = readFile(o.reqin, "OCSP request");
    try {
      decodeRequest(request);
    } catch (err) {
      io.err(`Error reading OCSP request\n${o.reqin}: ${whyNotDer(request, err)}\n`);
      return 1;
    }
  }
  const setup = await load(o, io, index);
  if (!request && !serving) {
    io.err("Need an OCSP request for this operation!\n");
    return 1;
  }
  if (request) {
    // -nonce with -reqin: the request's nonce is replaced by a new one before it is answered.
    if (o.nonce === 2) request = encodeRequest(withNewNonce(decodeRequest(request)));
    const a = await new Answerer(setup.cas, setup.policy).answer(request);
    const status = await report(o, out, { request, response: a.der, status: a.status });
    return status === OCSP_STATUS.successful || o.ignoreErr ? 0 : 1;
  }
  return serve(o, io, out, setup);
}

/** Loads signer, CAs and index in OpenSSL's order, with its messages. */
async function load(o: Options, io: Io, index: string): Promise<Setup> {
  const all = (name: string) => o.responder.get(name) ?? [];
  const last = (name: string) => all(name).at(-1);
  const rsignerFile = last("rsigner");
  let rsigner: Certificate | undefined;
  let cas: Certificate[] = [];
  let caFiles: string[] = [];
  let rother: Certificate[] = [];
  let signerOptions: Omit<SignerOptions, "cert" | "key"> = {};
  let key: SignerOptions["key"] | undefined;
  const digest = (name: string | undefined, usage: boolean): Digest | undefined => {
    if (name === undefined) return undefined;
    const d = digestByName(name);
    if (d) return d;
    io.err(`${PROG}: Unknown option or message digest: ${name}\n`);
    if (usage) io.err(`${PROG}: Use -help for summary.\n`);
    throw new Exit(1);
  };
  const rcid = digest(last("rcid"), true);
  const rmd = digest(last("rmd"), false);
  if (rsignerFile) {
    try {
      rsigner = loadCertificate(rsignerFile, "responder certificate");
    } catch (err) {
      io.err(`${describe(err)}\nError loading responder certificate\n`);
      throw new Exit(1);
    }
    // OpenSSL takes the last -CA file; every one given is served here.
    const loaded = all("CA").map((f) => ({ f, certs: loadCertificates(f, "CA certificates") }));
    cas = loaded.flatMap((l) => l.certs);
    caFiles = loaded.flatMap((l) => l.certs.map(() => l.f));
    const other = last("rother");
    if (other) rother = loadCertificates(other, "responder other certificates");
    const pass = last("passin");
    const keyFile = last("rkey") ?? rsignerFile;
    key = matchingKey(
      await loadPrivateKeyAsking(
        keyFile,
        "responder private key",
        pass === undefined ? undefined : passphrase(pass),
        passphrasePrompt("-passin"),
      ),
      keyFile,
      rsigner,
      rsignerFile,
    );
    signerOptions = {
      digest: rmd?.name,
      pss: pssOption(all("rsigopt"), io),
      byKey: o.responder.has("resp_key_id"),
      noCerts: o.responder.has("resp_no_certs"),
      otherCerts: rother,
      corruptSignature: o.responder.has("badsig"),
    };
  }
  if (!key || !rsigner || !rsignerFile || !cas.length) {
    io.err("Responder mode requires certificate, key, and CA.\n");
    throw new Exit(1);
  }
  const signer = new ResponseSigner({ cert: rsigner, key, ...signerOptions });
  const source = await IndexStore.open(index, { log: (m) => io.err(`${PROG}: ${m}\n`) });
  const ndays = last("ndays");
  const nmin = last("nmin");
  const nextUpdateSeconds =
    ndays === undefined && nmin === undefined
      ? undefined
      : Number(ndays ?? 0) * 86400 + Number(nmin ?? 0) * 60;
  return {
    cas: cas.map((caCert) => ({ caCert, signer, source })),
    policy: {
      dialect: "openssl",
      unknownIssuer: "unknown",
      nextUpdateSeconds,
      responseCertIdDigest: rcid,
    },
    caFiles,
    signerFile: rsignerFile,
  };
}

/** The -rsigopt settings node:crypto can honour: RSA-PSS and its salt length. */
function pssOption(sigopts: readonly string[], io: Io): SignerOptions["pss"] {
  let pss = false;
  let salt: PssSalt = "max";
  let mgf1: string | undefined;
  for (const opt of sigopts) {
    const [name, value = ""] = opt.split(/:(.*)/s);
    if (name === "rsa_padding_mode" && (value === "pss" || value === "pkcs1"))
      pss = value === "pss";
    else if (name === "rsa_pss_saltlen" && /^(digest|max|auto|-[123]|\d+)$/.test(value)) {
      salt =
        value === "digest" || value === "-1"
          ? "digest"
          : /^\d+$/.test(value)
            ? Number(value)
            : "max";
    } else if (name === "rsa_mgf1_md") mgf1 = value;
    else {
      io.err(`parameter error "${opt}"\n`);
      throw new Exit(1);
    }
  }
  if (mgf1 !== undefined) {
    // node:crypto's PSS uses the signing digest for MGF1; say so rather than sign otherwise.
    io.err(`parameter error "rsa_mgf1_md:${mgf1}": MGF1 always uses the -rmd digest here\n`);
    throw new Exit(1);
  }
  return pss ? { saltLength: salt } : undefined;
}

/** What OpenSSL prints and writes for each request answered (-req_text … -resp_text). */
async function report(o: Options, out: Output, x: Exchange): Promise<number> {
  if (o.reqText && x.request) {
    const { requestTextBytes } = await import("../ocsp/text.js");
    try {
      out.write(requestTextBytes(decodeRequest(x.request, true)));
    } catch {
      // an undecodable request has no text form
    }
  }
  if (o.reqout && x.request) writeFileSync(o.reqout, x.request);
  if (o.respout) writeFileSync(o.respout, x.response);
  if (x.status !== OCSP_STATUS.successful) {
    out.write(`Responder Error: ${responseStatusName(x.status)} (${x.status})\n`);
    if (!o.ignoreErr) return x.status;
  }
  if (o.respText)
    out.write((await import("../ocsp/text.js")).responseTextBytes(parseResponse(x.response)));
  return x.status;
}

async function serve(o: Options, io: Io, out: Output, setup: Setup): Promise<number> {
  const multi = Number(o.responder.get("multi")?.at(-1) ?? 0);
  const port = Number(o.port);
  if (!Number.isInteger(port) || port > 65535) {
    io.err(`${PROG}: invalid port ${o.port}\n`);
    return 1;
  }
  // OpenSSL starts with a signer no client accepts; so does this dialect, with a warning.
  if (!isWorker) for (const w of signerNotes(setup)) io.err(`${PROG}: warning: ${w}\n`);
  if (multi > 1 && !isWorker) {
    // A port in use is found here once, not by every worker.
    if (port) {
      const probe = createServer();
      await bind(probe, port).catch((err: unknown) => acceptFailed(io, err));
      await new Promise((resolve) => probe.close(resolve));
    }
    // Workers start from this same command line; OpenSSL's -multi logs to syslog, not stderr.
    const workers = await startWorkers(multi, (m) => io.err(`${PROG}: ${m}\n`)).catch(
      (err: unknown) => acceptFailed(io, err),
    );
    io.out(`ACCEPT ${acceptName(workers.port, "::")} PID=${process.pid}\n`);
    await stopSignal();
    await workers.close();
    return 0;
  }
  const quiet = multi > 1;
  const svc = new OcspService(setup.cas, setup.policy);
  let answered = 0;
  const limit = Number(o.responder.get("nrequest")?.at(-1) ?? Number.POSITIVE_INFINITY);
  let reachedLimit: () => void = () => {};
  const limitReached = new Promise<void>((resolve) => {
    reachedLimit = resolve;
  });
  const timeoutMs = o.timeoutSec ? o.timeoutSec * 1000 : undefined;
  const http = createOcspServer(svc, {
    dialect: "openssl",
    timeouts: timeoutMs ? { headersMs: timeoutMs, requestMs: timeoutMs } : undefined,
    metrics: isWorker ? clusterMetrics : undefined,
    onRequest: quiet
      ? undefined
      : (req) =>
          io.err(
            `${PROG}: Received request, 1st line: ${req.method} ${req.url} HTTP/${req.httpVersion}\n`,
          ),
    onExchange: (x) => {
      if (x.status === OCSP_STATUS.malformedRequest && !quiet) {
        io.err(`${PROG}: Error parsing DER-encoded request content: ${x.problem}\n`);
      }
      void report(o, out, x).catch((err: unknown) => io.err(`${PROG}: ${describe(err)}\n`));
      if (++answered >= limit) reachedLimit();
    },
  });
  const address = await bind(http.server, port).catch((err: unknown) =>
    isWorker ? failAsWorker(describe(err)) : acceptFailed(io, err),
  );
  if (isWorker) {
    serveAsWorker({ url: "", port: address.port, close: () => http.close() }, () => svc.snapshot());
    return new Promise<number>(() => {});
  }
  io.out(`ACCEPT ${acceptName(address.port, address.address)} PID=${process.pid}\n`);
  io.err(`${PROG}: waiting for OCSP client connections...\n`);
  await Promise.race([limitReached, stopSignal()]);
  await http.close();
  return 0;
}

/** Every interface, as OpenSSL's -port binds: IPv6 and IPv4 when the system has IPv6. */
async function bind(server: Server, port: number): Promise<AddressInfo> {
  try {
    return await listen(server, port, "::");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EAFNOSUPPORT") throw err;
    return listen(server, port, "0.0.0.0");
  }
}

/** Why answers of this setup would be rejected by clients, or expire with their signer. */
function signerNotes(setup: Setup): string[] {
  const now = new Date();
  const notes = setup.cas.map((c, i) =>
    signerProblem(
      {
        ca: c.caCert,
        signer: c.signer.cert,
        caFile: setup.caFiles[i]!,
        signerFile: setup.signerFile,
      },
      now,
    ),
  );
  notes.push(
    signerWarning(setup.cas[0]!.signer.cert, setup.signerFile, setup.policy.nextUpdateSeconds, now),
  );
  return [...new Set(notes.filter((n): n is string => n !== undefined))];
}

function acceptFailed(io: Io, err: unknown): never {
  io.err(`${PROG}: Error starting accept: ${describe(err)}\n`);
  throw new Exit(1);
}

const acceptName = (port: number, address: string) =>
  `${address.includes(":") ? `[${address}]` : address}:${port}`;
