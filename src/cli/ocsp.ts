// `ocspkit ocsp`: the `openssl ocsp` client, option for option and line for line. The sequence
// below follows OpenSSL 3.0's apps/ocsp.c so that output order and exit codes agree; every
// step is a library call. OpenSSL's error-stack lines are replaced by one line of our own.

import { appendFileSync, writeFileSync } from "node:fs";
import { whyNotDer } from "../der/error.js";
import { describe, OcspError } from "../errors.js";
import { type CertId, certIdFor, parseSerial, sameCertId } from "../ocsp/certid.js";
import { BASIC_RESPONSE_OID } from "../ocsp/decode.js";
import { type Digest, digestByName, SHA1 } from "../ocsp/digests.js";
import { checkNonce, NONCE_OID } from "../ocsp/nonce.js";
import { reasonName } from "../ocsp/reasons.js";
import { encodeRequest, nonceExtension, type OcspRequest, parseRequest } from "../ocsp/request.js";
import {
  type BasicResponse,
  parseBasicResponse,
  parseResponseEnvelope,
  responseStatusName,
} from "../ocsp/response.js";
import { signRequest } from "../ocsp/signed-request.js";
import { proxyFor, sendOcspRequest } from "../transport/http.js";
import { type Verdict, type VerifyFlags, verifyBasic } from "../verify/basic.js";
import type { ChainOptions } from "../verify/chain.js";
import { statusTimeProblems } from "../verify/validity.js";
import type { Certificate } from "../x509/cert.js";
import { gmtTime } from "../x509/gmt.js";
import { keyMatches, loadPrivateKey } from "../x509/keys.js";
import { loadCertificate, loadCertificates, readFile } from "../x509/load.js";
import { openTrustStore } from "../x509/store.js";
import type { Io } from "./io.js";
import { ArgError, type ArgKind, readOptions } from "./openssl-args.js";
import { passphrasePrompt } from "./prompt.js";

const PROG = "ocsp";

const OPTIONS: Record<string, ArgKind> = {
  help: "-",
  // OpenSSL's option parser takes -h for -help.
  h: "-",
  ignore_err: "-",
  CAfile: "<",
  CApath: "<",
  CAstore: "s",
  "no-CAfile": "-",
  "no-CApath": "-",
  "no-CAstore": "-",
  timeout: "p",
  resp_no_certs: "-",
  multi: "p",
  no_certs: "-",
  badsig: "-",
  CA: "<",
  nmin: "p",
  nrequest: "p",
  reqin: "s",
  signer: "<",
  sign_other: "<",
  index: "<",
  ndays: "p",
  rsigner: "<",
  rkey: "<",
  passin: "s",
  rother: "<",
  rmd: "s",
  rsigopt: "s",
  header: "s",
  rcid: "s",
  url: "s",
  host: "s",
  port: "u",
  out: ">",
  noverify: "-",
  nonce: "-",
  no_nonce: "-",
  no_signature_verify: "-",
  resp_key_id: "-",
  no_cert_verify: "-",
  text: "-",
  req_text: "-",
  resp_text: "-",
  no_chain: "-",
  no_cert_checks: "-",
  no_explicit: "-",
  trust_other: "-",
  no_intern: "-",
  respin: "s",
  VAfile: "<",
  verify_other: "<",
  path: "s",
  cert: "<",
  serial: "s",
  // OpenSSL reads it with opt_long: a negative leeway is accepted (and fails every status).
  validity_period: "M",
  status_age: "p",
  signkey: "s",
  reqout: "s",
  respout: "s",
  issuer: "<",
  proxy: "s",
  no_proxy: "s",
  // X.509 verification parameters (OPT_V_OPTIONS) that change an OCSP verdict.
  attime: "M",
  partial_chain: "-",
  no_check_time: "-",
  verify_depth: "n",
  check_ss_sig: "-",
  x509_strict: "-",
  ignore_critical: "-",
  purpose: "s",
  verify_name: "s",
  auth_level: "n",
  policy: "s",
  explicit_policy: "-",
  inhibit_any: "-",
  inhibit_map: "-",
  policy_check: "-",
  crl_check: "-",
  crl_check_all: "-",
  extended_crl: "-",
  use_deltas: "-",
  policy_print: "-",
  issuer_checks: "-",
  trusted_first: "-",
  suiteB_128_only: "-",
  suiteB_128: "-",
  suiteB_192: "-",
  allow_proxy_certs: "-",
  no_alt_chains: "-",
  verify_hostname: "s",
  verify_email: "s",
  verify_ip: "s",
  // Provider selection (OPT_PROV_OPTIONS): node:crypto brings its own algorithms.
  provider: "s",
  "provider-path": "s",
  propquery: "s",
};

/** Verification parameters accepted because they cannot change what ocspkit decides here. */
const HARMLESS_V = new Set([
  "trusted_first",
  "issuer_checks",
  "policy_print",
  "x509_strict",
  "verify_depth",
  "auth_level",
  "provider",
  "provider-path",
  "propquery",
]);
const RESPONDER = new Set([
  "index",
  "CA",
  "rsigner",
  "rkey",
  "rother",
  "resp_no_certs",
  "resp_key_id",
  "nmin",
  "ndays",
  "nrequest",
  "multi",
  "badsig",
  "rmd",
  "rsigopt",
  "rcid",
  "passin",
]);

/** Thrown to stop with an exit code after the messages are written. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Query {
  readonly name: string;
  readonly id: CertId;
}

/** Every `openssl ocsp` option as parsed; responder-only ones are kept raw in `responder`. */
export interface Options {
  issuers: Certificate[];
  queries: Query[];
  /** The responder, from -url or -host (and -port); host kept as given for the Host header. */
  scheme: "http" | "https";
  host?: string;
  path: string;
  headers: [string, string][];
  timeoutSec?: number;
  proxy?: string;
  noProxy?: string;
  out?: string;
  nonce: 0 | 1 | 2;
  noverify: boolean;
  ignoreErr: boolean;
  reqText: boolean;
  respText: boolean;
  reqin?: string;
  respin?: string;
  reqout?: string;
  respout?: string;
  caFile?: string;
  caPath?: string;
  noCaFile: boolean;
  noCaPath: boolean;
  verifyOther?: string;
  flags: VerifyFlags;
  nsec: number;
  maxAge: number;
  attime?: number;
  partialChain: boolean;
  noCheckTime: boolean;
  ignoreCritical: boolean;
  signer?: string;
  signkey?: string;
  signOther?: string;
  noCerts: boolean;
  /** Responder options (-index, -CA, -rsigner, …) by name, each with its values in order. */
  responder: Map<string, string[]>;
  /** -port: the responder's port, or the client's when a request is being sent. */
  port?: string;
}

/** OSSL_HTTP_parse_url's accepted forms: [http[s]://][userinfo@]host[:port][/path] (userinfo unused). */
function parseUrl(url: string): Pick<Options, "scheme" | "host" | "port" | "path"> | undefined {
  const m =
    /^(?:(https?):\/\/)?(?:[^/?#@]*@)?(\[[^\]]+\]|[^/:?#@[\]]+)(?::(\d{1,5}))?([/?].*)?$/i.exec(
      url,
    );
  if (!m) return undefined;
  const [, scheme = "http", host, port, path = "/"] = m;
  return {
    scheme: scheme.toLowerCase() as "http" | "https",
    host,
    port,
    path: path.startsWith("/") ? path : `/${path}`,
  };
}

/** What is wrong with a -url that OSSL_HTTP_parse_url refuses (OpenSSL's own line says only that). */
function urlProblem(url: string): string {
  const scheme = /^([a-z][\w+.-]*):\/\//i.exec(url)?.[1];
  return scheme && !/^https?$/i.test(scheme)
    ? `the URL scheme "${scheme}" is not http or https`
    : `"${url}" is not a URL of the form http[s]://host[:port][/path]`;
}

/** The URL to connect to and the Host header OpenSSL sends (-url: no port; -host: verbatim). */
function responderTarget(o: Options): { url: string; hostHeader: string } | undefined {
  if (!o.host) return undefined;
  const hasPort = /:\d+$/.test(o.host) && !o.host.endsWith("]");
  const authority = o.port && !hasPort ? `${o.host}:${o.port}` : o.host;
  // OpenSSL sends "-path ocsp" as "/ocsp".
  const path = o.path.startsWith("/") ? o.path : `/${o.path}`;
  return { url: `${o.scheme}://${authority}${path}`, hostHeader: o.host };
}

function parseArgs(argv: readonly string[], io: Io): Options {
  const o: Options = {
    issuers: [],
    queries: [],
    scheme: "http",
    path: "/",
    headers: [],
    nonce: 1,
    noverify: false,
    ignoreErr: false,
    reqText: false,
    respText: false,
    noCaFile: false,
    noCaPath: false,
    flags: {},
    nsec: 300,
    maxAge: -1,
    partialChain: false,
    noCheckTime: false,
    ignoreCritical: false,
    noCerts: false,
    responder: new Map(),
  };
  const flags: { -readonly [K in keyof VerifyFlags]: VerifyFlags[K] } = {};
  let issuer: Certificate | undefined;
  let digest: Digest | undefined;
  let trailingDigest = false;
  const usage = (msg: string): never => {
    io.err(`${msg}\n${PROG}: Use -help for summary.\n`);
    throw new Exit(1);
  };
  const fail = (msg: string): never => {
    io.err(`${msg}\n`);
    throw new Exit(1);
  };
  const load = (path: string, what: string) => {
    try {
      return loadCertificate(path, what);
    } catch (err) {
      return fail(`Unable to load ${what}: ${describe(err)}`);
    }
  };

  for (const { name, value, known } of readOptions(PROG, argv, OPTIONS)) {
    const v = value!;
    if (!known) {
      const d = digestByName(name);
      if (!d) usage(`${PROG}: Unknown option or message digest: ${name}`);
      if (trailingDigest) usage(`${PROG}: Digest must be before -cert or -serial`);
      digest = d;
      trailingDigest = true;
      continue;
    }
    if (RESPONDER.has(name)) {
      o.responder.set(name, [...(o.responder.get(name) ?? []), v]);
      continue;
    }
    switch (name) {
      case "help":
      case "h":
        io.err(HELP); // OpenSSL prints its summary on stderr too
        throw new Exit(0);
      case "url": {
        const u = parseUrl(v);
        if (!u) fail(`${PROG} Error parsing -url argument\nocspkit: ${urlProblem(v)}`);
        Object.assign(o, u);
        break;
      }
      case "host":
        o.host = v;
        o.scheme = "http";
        break;
      case "port":
        o.port = v;
        break;
      case "path":
        o.path = v;
        break;
      case "header": {
        const eq = v.indexOf("=");
        if (eq < 0) usage("Missing = in header key=value");
        o.headers.push([v.slice(0, eq), v.slice(eq + 1)]);
        break;
      }
      case "timeout":
        o.timeoutSec = Number(v);
        break;
      case "proxy":
        o.proxy = v;
        break;
      case "no_proxy":
        o.noProxy = v;
        break;
      case "out":
        o.out = v;
        break;
      case "ignore_err":
        o.ignoreErr = true;
        break;
      case "noverify":
        o.noverify = true;
        break;
      case "nonce":
        o.nonce = 2;
        break;
      case "no_nonce":
        o.nonce = 0;
        break;
      case "no_signature_verify":
        flags.noSignature = true;
        break;
      case "no_cert_verify":
        flags.noCertVerify = true;
        break;
      case "no_chain":
        flags.noChain = true;
        break;
      case "no_cert_checks":
        flags.noChecks = true;
        break;
      case "no_explicit":
        flags.noExplicit = true;
        break;
      case "trust_other":
        flags.trustOther = true;
        break;
      case "no_intern":
        flags.noIntern = true;
        break;
      case "text":
        o.reqText = o.respText = true;
        break;
      case "req_text":
        o.reqText = true;
        break;
      case "resp_text":
        o.respText = true;
        break;
      case "reqin":
        o.reqin = v;
        break;
      case "respin":
        o.respin = v;
        break;
      case "reqout":
        o.reqout = v;
        break;
      case "respout":
        o.respout = v;
        break;
      case "signer":
        o.signer = v;
        break;
      case "signkey":
        o.signkey = v;
        break;
      case "sign_other":
        o.signOther = v;
        break;
      case "no_certs":
        o.noCerts = true;
        break;
      case "VAfile":
        o.verifyOther = v;
        flags.trustOther = true;
        break;
      case "verify_other":
        o.verifyOther = v;
        break;
      case "CAfile":
        o.caFile = v;
        break;
      case "CApath":
        o.caPath = v;
        break;
      case "no-CAfile":
        o.noCaFile = true;
        break;
      case "no-CApath":
        o.noCaPath = true;
        break;
      case "no-CAstore":
        break;
      case "validity_period":
        o.nsec = Number(v);
        break;
      case "status_age":
        o.maxAge = Number(v);
        break;
      case "attime":
        o.attime = Number(v);
        break;
      case "partial_chain":
        o.partialChain = true;
        break;
      case "no_check_time":
        o.noCheckTime = true;
        break;
      case "ignore_critical":
        o.ignoreCritical = true;
        break;
      case "issuer":
        issuer = load(v, "issuer certificate");
        o.issuers.push(issuer);
        break;
      case "cert": {
        const cert = load(v, "certificate");
        digest ??= SHA1;
        if (!issuer) fail("No issuer certificate specified");
        o.queries.push({ name: v, id: certIdFor(issuer!, cert, digest) });
        trailingDigest = false;
        break;
      }
      case "serial": {
        digest ??= SHA1;
        if (!issuer) fail("No issuer certificate specified");
        const serial = parseSerial(v);
        if (!serial) fail(`Error converting serial number ${v}`);
        o.queries.push({ name: v, id: certIdFor(issuer!, serial!, digest) });
        trailingDigest = false;
        break;
      }
      default:
        if (HARMLESS_V.has(name)) break;
        fail(`ocspkit: option -${name} is not supported yet`);
    }
  }
  if (trailingDigest) usage(`${PROG}: Digest must be before -cert or -serial`);
  o.flags = flags;
  return o;
}

function chainOptions(o: Options): ChainOptions {
  return {
    at: o.attime !== undefined ? new Date(o.attime * 1000) : new Date(),
    partialChain: o.partialChain,
    ignoreTime: o.noCheckTime,
    ignoreCritical: o.ignoreCritical,
  };
}

function writeDer(path: string, der: Uint8Array): void {
  try {
    writeFileSync(path, der);
  } catch (err) {
    throw new OcspError("ERR_INPUT", `Can't open "${path}" for writing: ${describe(err)}`);
  }
}

export async function ocspCommand(argv: readonly string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (err instanceof Exit) return err.code;
    if (err instanceof ArgError) {
      io.err(`${err.message}\n${PROG}: Use -help for summary.\n`);
      return 1;
    }
    if (err instanceof OcspError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const o = parseArgs(argv, io);
  if (o.responder.has("index") || (o.port && !o.queries.length && !o.reqin)) {
    const { responderCommand } = await import("../responder/openssl-mode.js");
    return responderCommand(o, io, passphrasePrompt("-passin"));
  }
  let req: OcspRequest | undefined = o.queries.length
    ? {
        version: 0,
        requests: o.queries.map((q) => ({ certId: q.id, extensions: [] })),
        extensions: [],
      }
    : undefined;
  let reqDer: Uint8Array | undefined;
  if (!req && !o.reqin && !o.respin) {
    io.err(`${PROG}: Use -help for summary.\n`);
    return 1;
  }
  const out = new Output(io, o.out);
  let nonce = o.nonce;
  if (!req && nonce !== 2) nonce = 0;
  if (!req && o.reqin) {
    const der = readFile(o.reqin, "OCSP request");
    try {
      req = parseRequest(der);
      reqDer = der;
    } catch (err) {
      io.err(`Error reading OCSP request\n${o.reqin}: ${whyNotDer(der, err)}\n`);
      return 1;
    }
  }
  const target = responderTarget(o);
  if (!req && (o.signer || o.reqout || target || nonce)) {
    io.err("Need an OCSP request for this operation!\n");
    return 1;
  }
  if (req && nonce) {
    // A request read with -reqin keeps its other extensions; its nonce is replaced, as OpenSSL does.
    const others = req.extensions.filter((e) => e.oid !== NONCE_OID);
    req = { ...req, extensions: [...others, nonceExtension()] };
    reqDer = undefined;
  }
  if (req && o.signer) {
    const signer = loadCertificate(o.signer, "signer certificate");
    const key = loadPrivateKey(o.signkey ?? o.signer, "signer private key");
    if (!keyMatches(key, signer)) {
      io.err(
        `Error signing OCSP request\nocspkit: the key in ${o.signkey ?? o.signer} does not match the -signer certificate ${o.signer}\n`,
      );
      return 1;
    }
    const others = o.signOther ? loadCertificates(o.signOther, "signer certificates") : [];
    reqDer = signRequest(req, signer, key, o.noCerts ? [] : [signer, ...others]);
    req = parseRequest(reqDer);
  }
  if (req && !reqDer) reqDer = encodeRequest(req);
  if (o.reqText && req) out.write((await import("../ocsp/text.js")).requestText(req));
  if (o.reqout && reqDer) writeDer(o.reqout, reqDer);

  let respDer: Uint8Array;
  if (target && reqDer) {
    try {
      const empty = o.headers.find(([, v]) => v === "");
      // OpenSSL connects and then sends nothing for such a header; say why instead.
      if (empty) throw new Error(`header "${empty[0]}" has an empty value`);
      const headers = o.headers.some(([k]) => k.toLowerCase() === "host")
        ? o.headers
        : [...o.headers, ["Host", target.hostHeader] as [string, string]];
      respDer = await sendOcspRequest(target.url, reqDer, {
        headers,
        timeoutMs: o.timeoutSec ? o.timeoutSec * 1000 : undefined,
        proxy: proxyFor(target.url, o.proxy, o.noProxy),
      });
    } catch (err) {
      io.err(`Error querying OCSP responder\n${describe(err)}\n`);
      return 1;
    }
  } else if (o.respin) {
    respDer = readFile(o.respin, "OCSP response");
  } else {
    return 0;
  }

  // Two steps, as OpenSSL decodes: the envelope (status) first, the signed part only after
  // -respout and the status line, so both still happen when the signed part is malformed.
  let envelope: ReturnType<typeof parseResponseEnvelope>;
  try {
    envelope = parseResponseEnvelope(respDer);
  } catch (err) {
    const source = target ? "the responder's answer" : o.respin;
    io.err(
      `${target ? "Error querying OCSP responder" : "Error reading OCSP response"}\n${source}: ${whyNotDer(respDer, err)}\n`,
    );
    return 1;
  }
  if (o.respout) writeDer(o.respout, respDer);
  const { status, responseType, responseDer } = envelope;
  if (status !== 0) {
    out.write(`Responder Error: ${responseStatusName(status)} (${status})\n`);
    if (!o.ignoreErr) return 1;
  }
  let basicError: unknown;
  let bs: BasicResponse | undefined;
  if (responseDer && responseType === BASIC_RESPONSE_OID) {
    try {
      bs = parseBasicResponse(responseDer);
    } catch (err) {
      basicError = err;
    }
  }
  if (o.respText) {
    const text = await import("../ocsp/text.js");
    out.write(
      basicError
        ? text.responseHeaderText(envelope)
        : text.responseText({ status, responseType, basic: bs }),
    );
  }

  let store: ReturnType<typeof openTrustStore>;
  let verifyOther: Certificate[] = [];
  store = openTrustStore({
    caFile: o.caFile,
    caPath: o.caPath,
    noCaFile: o.noCaFile,
    noCaPath: o.noCaPath,
  });
  if (o.verifyOther) verifyOther = loadCertificates(o.verifyOther, "validator certificates");
  if (!bs) {
    io.err(`Error parsing response${basicError ? `\n${describe(basicError)}` : ""}\n`);
    return 1;
  }

  let code = 0;
  if (!o.noverify) {
    if (req) {
      const n = checkNonce(req.extensions, bs.extensions);
      if (n === "missing") io.err("WARNING: no nonce in response\n");
      else if (n === "mismatch") {
        io.err("Nonce Verify error\n");
        return 1;
      }
    }
    const chain = chainOptions(o);
    let verdict: Verdict = verifyBasic(bs, { certs: verifyOther, store, flags: o.flags, chain });
    if (!verdict.ok && o.issuers.length) {
      const second = verifyBasic(bs, {
        certs: o.issuers,
        store,
        flags: { trustOther: true },
        chain,
      });
      if (second.ok) verdict = second;
    }
    if (verdict.ok) io.err("Response verify OK\n");
    else {
      io.err(`Response Verify Failure\nocspkit: ${verdict.reason}\n`);
      code = 1;
    }
  }
  if (req && !summary(out, io, bs, o)) code = 1;
  return code;
}

/** print_ocsp_summary: one block per certificate asked about, in the order asked. */
function summary(out: Output, io: Io, bs: BasicResponse, o: Options): boolean {
  let allFound = true;
  for (const q of o.queries) {
    out.write(`${q.name}: `);
    const s = bs.responses.find((r) => sameCertId(r.certId, q.id));
    if (!s) {
      out.write("ERROR: No Status found.\n");
      allFound = false;
      continue;
    }
    const problems = statusTimeProblems(s.thisUpdate, s.nextUpdate, o.nsec, o.maxAge);
    if (problems.length) {
      out.write("WARNING: Status times invalid.\n");
      io.err(`ocspkit: ${q.name}: ${problems.join(", ")}\n`);
    }
    out.write(`${s.status}\n\tThis Update: ${gmtTime(s.thisUpdate)}\n`);
    if (s.nextUpdate) out.write(`\tNext Update: ${gmtTime(s.nextUpdate)}\n`);
    if (s.status !== "revoked") continue;
    if (s.revocationReason !== undefined)
      out.write(`\tReason: ${reasonName(s.revocationReason)}\n`);
    out.write(`\tRevocation Time: ${gmtTime(s.revocationTime!)}\n`);
  }
  return allFound;
}

/** Standard output, or the -out file, created (emptied) when opened as OpenSSL does. */
class Output {
  constructor(
    readonly io: Io,
    readonly path?: string,
  ) {
    if (path) {
      try {
        writeFileSync(path, "");
      } catch (err) {
        throw new OcspError("ERR_INPUT", `Can't open "${path}" for writing: ${describe(err)}`);
      }
    }
  }
  write(s: string): void {
    if (this.path) appendFileSync(this.path, s);
    else this.io.out(s);
  }
}

// OpenSSL 3.0's summary, line for line, so that the drop-in documents itself the same way;
// the options ocspkit refuses rather than ignore are marked.
const HELP = `Usage: ocsp [options]

General options:
 -help                   Display this summary
 -ignore_err             Ignore error on OCSP request or response and continue running
 -CAfile infile          Trusted certificates file
 -CApath infile          Trusted certificates directory
 -CAstore uri            Trusted certificates store URI [not in ocspkit yet]
 -no-CAfile              Do not load the default certificates file
 -no-CApath              Do not load certificates from the default certificates directory
 -no-CAstore             Do not load certificates from the default certificates store

Responder options:
 -timeout +int           Connection timeout (in seconds) to the OCSP responder
 -resp_no_certs          Don't include any certificates in response
 -multi +int             run multiple responder processes
 -no_certs               Don't include any certificates in signed request
 -badsig                 Corrupt last byte of loaded OCSP response signature (for test)
 -CA infile              CA certificate
 -nmin +int              Number of minutes before next update
 -nrequest +int          Number of requests to accept (default unlimited)
 -reqin val              File with the DER-encoded request
 -signer infile          Certificate to sign OCSP request with
 -sign_other infile      Additional certificates to include in signed request
 -index infile           Certificate status index file
 -ndays +int             Number of days before next update
 -rsigner infile         Responder certificate to sign responses with
 -rkey infile            Responder key to sign responses with
 -passin val             Responder key pass phrase source
 -rother infile          Other certificates to include in response
 -rmd val                Digest Algorithm to use in signature of OCSP response
 -rsigopt val            OCSP response signature parameter in n:v form
 -header val             key=value header to add
 -rcid val               Use specified algorithm for cert id in response
 -*                      Any supported digest algorithm (sha1,sha256, ... )

Client options:
 -url val                Responder URL
 -host val               TCP/IP hostname:port to connect to
 -port nonneg            Port to run responder on
 -path val               Path to use in OCSP request
 -proxy val              [http[s]://]host[:port][/path] of HTTP(S) proxy to use; path is ignored
 -no_proxy val           List of addresses of servers not to use HTTP(S) proxy for
                         Default from environment variable 'no_proxy', else 'NO_PROXY', else none
 -out outfile            Output filename
 -noverify               Don't verify response at all
 -nonce                  Add OCSP nonce to request
 -no_nonce               Don't add OCSP nonce to request
 -no_signature_verify    Don't check signature on response
 -resp_key_id            Identify response by signing certificate key ID
 -no_cert_verify         Don't check signing certificate
 -text                   Print text form of request and response
 -req_text               Print text form of request
 -resp_text              Print text form of response
 -no_chain               Don't chain verify response
 -no_cert_checks         Don't do additional checks on signing certificate
 -no_explicit            Do not explicitly check the chain, just verify the root
 -trust_other            Don't verify additional certificates
 -no_intern              Don't search certificates contained in response for signer
 -respin val             File with the DER-encoded response
 -VAfile infile          Validator certificates file
 -verify_other infile    Additional certificates to search for signer
 -cert infile            Certificate to check
 -serial val             Serial number to check
 -validity_period ulong  Maximum validity discrepancy in seconds
 -signkey val            Private key to sign OCSP request with
 -reqout val             Output file for the DER-encoded request
 -respout val            Output file for the DER-encoded response
 -issuer infile          Issuer certificate
 -status_age +int        Maximum status age in seconds

Validation options:
 -policy val             adds policy to the acceptable policy set [not in ocspkit yet]
 -purpose val            certificate chain purpose [not in ocspkit yet]
 -verify_name val        verification policy name [not in ocspkit yet]
 -verify_depth int       chain depth limit
 -auth_level int         chain authentication security level
 -attime intmax          verification epoch time
 -verify_hostname val    expected peer hostname [not in ocspkit yet]
 -verify_email val       expected peer email [not in ocspkit yet]
 -verify_ip val          expected peer IP address [not in ocspkit yet]
 -ignore_critical        permit unhandled critical extensions
 -issuer_checks          (deprecated)
 -crl_check              check leaf certificate revocation [not in ocspkit yet]
 -crl_check_all          check full chain revocation [not in ocspkit yet]
 -policy_check           perform rfc5280 policy checks [not in ocspkit yet]
 -explicit_policy        set policy variable require-explicit-policy [not in ocspkit yet]
 -inhibit_any            set policy variable inhibit-any-policy [not in ocspkit yet]
 -inhibit_map            set policy variable inhibit-policy-mapping [not in ocspkit yet]
 -x509_strict            disable certificate compatibility work-arounds
 -extended_crl           enable extended CRL features [not in ocspkit yet]
 -use_deltas             use delta CRLs [not in ocspkit yet]
 -policy_print           print policy processing diagnostics
 -check_ss_sig           check root CA self-signatures [not in ocspkit yet]
 -trusted_first          search trust store first (default)
 -suiteB_128_only        Suite B 128-bit-only mode [not in ocspkit yet]
 -suiteB_128             Suite B 128-bit mode allowing 192-bit algorithms [not in ocspkit yet]
 -suiteB_192             Suite B 192-bit-only mode [not in ocspkit yet]
 -partial_chain          accept chains anchored by intermediate trust-store CAs
 -no_alt_chains          (deprecated) [not in ocspkit yet]
 -no_check_time          ignore certificate validity time
 -allow_proxy_certs      allow the use of proxy certificates [not in ocspkit yet]

Provider options:
 -provider-path val      Provider load path (must be before 'provider' argument if required)
 -provider val           Provider to load (can be specified multiple times)
 -propquery val          Property query used when fetching algorithms
`;
