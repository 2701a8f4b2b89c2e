// The `openssl ocsp` command line, read as OpenSSL 3.0's apps/ocsp.c reads it: order-sensitive
// (-issuer before -cert, digests before -cert), certificates loaded as they are named, the
// same messages for the same mistakes. Responder-only options are kept raw for ocsp-responder.ts.

import { appendFileSync, writeFileSync } from "node:fs";
import { describe, OcspError } from "../errors.js";
import { type CertId, certIdFor, parseSerial } from "../ocsp/certid.js";
import { type Digest, digestByName, SHA1 } from "../ocsp/digests.js";
import type { VerifyFlags } from "../verify/basic.js";
import type { Certificate } from "../x509/cert.js";
import { loadCertificate } from "../x509/load.js";
import type { Io } from "./io.js";
import { type ArgKind, readOptions } from "./openssl-args.js";

export const PROG = "ocsp";

/** Thrown to stop with an exit code after the messages are written. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Standard output, or the -out file, created (emptied) when opened as OpenSSL does. */
export class Output {
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
  write(s: string | Uint8Array): void {
    if (this.path) appendFileSync(this.path, s);
    else this.io.out(s);
  }
}

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

/** What is wrong with a -url that OSSL_HTTP_parse_url refuses (OpenSSL's own line says only that). */
function urlProblem(url: string): string {
  const scheme = /^([a-z][\w+.-]*):\/\//i.exec(url)?.[1];
  return scheme && !/^https?$/i.test(scheme)
    ? `the URL scheme "${scheme}" is not http or https`
    : `"${url}" is not a URL of the form http[s]://host[:port][/path]`;
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

export function parseArgs(argv: readonly string[], io: Io): Options {
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
        // OCSP_NOEXPLICIT skips only the trust-settings check; ocspkit loads no trust settings.
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
