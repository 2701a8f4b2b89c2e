// The probe's rules (../shared/PROBE.md): one function per check id, each reading the recorded
// exchanges and returning pass, fail, warn or skip with one sentence saying what was seen against
// what the rule (named in `spec`) requires. Which outcome a finding gets may depend on the
// profile: `rfc` (RFC 6960 alone), `rfc5019` (the lightweight profile, the default) or `cabf`
// (the Baseline Requirements). Checks send nothing: the planner asked every question already.
import { type Crl, crlStatus } from "../crl/crl.js";
import { children, contentOf, encodeTlv, readTlv, TAG, type Tlv } from "../der/der.js";
import { encodeOid } from "../der/oid.js";
import { describe } from "../errors.js";
import { type CertId, sameCertId } from "../ocsp/certid.js";
import { OCSP_RESPONSE_TYPE } from "../ocsp/media-types.js";
import { checkNonce } from "../ocsp/nonce.js";
import { reasonName } from "../ocsp/reasons.js";
import type { SingleResponse } from "../ocsp/response.js";
import { OCSP_STATUS_NAME } from "../ocsp/status.js";
import { type AlgorithmId, type Certificate, KEY_USAGE, OID, serialToHex } from "../x509/cert.js";
import { nameOneline } from "../x509/name-oneline.js";
import { oidName } from "../x509/oids.js";
import { basicOf, signerFacts, singleFor } from "./answers.js";
import { type Exchange, header, type Plan, type Target } from "./plan.js";

export type Profile = "rfc" | "rfc5019" | "cabf";
export const PROFILES: readonly Profile[] = ["rfc", "rfc5019", "cabf"];
export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export interface CheckResult {
  readonly id: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly spec: string;
  /** The time of the exchange the check is about, when it is about one. */
  readonly ms?: number;
}

/** The CRL to compare with, as the caller could get it (or why not). */
export type CrlInput = { readonly crl: Crl; readonly source: string } | { readonly error: string };

export interface ProbeContext {
  readonly target: Target;
  readonly profile: Profile;
  readonly plan: Plan;
  readonly crl?: CrlInput;
}

type Outcome = { status: CheckStatus; detail: string; ms?: number };

export interface CheckDef {
  readonly id: string;
  readonly spec: string;
  readonly group: "HTTP" | "Robustness" | "Request handling" | "Signature" | "Time" | "Status";
  readonly run: (c: ProbeContext) => Outcome;
  /** The planned exchanges it reads beyond the main POST ("repeat" for the repeats). */
  readonly asks: readonly string[];
}

const pass = (detail: string, ms?: number): Outcome => ({ status: "pass", detail, ms });
const fail = (detail: string, ms?: number): Outcome => ({ status: "fail", detail, ms });
const warn = (detail: string, ms?: number): Outcome => ({ status: "warn", detail, ms });
const skip = (detail: string): Outcome => ({ status: "skip", detail });
/** A finding that fails under the listed profiles and only warns under the others. */
const under =
  (...profiles: Profile[]) =>
  (c: ProbeContext, detail: string, ms?: number): Outcome =>
    profiles.includes(c.profile) ? fail(detail, ms) : warn(detail, ms);
const lightweight = under("rfc5019", "cabf");
const baseline = under("cabf");

const SKEW_SEC = 300;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SHORT_CACHE_SEC = 300;

function ex(c: ProbeContext, name: string): Exchange | undefined {
  return c.plan.exchanges.find((x) => x.name === name);
}

/** The exchange asking about the main question's subject. */
const mainExchange = (c: ProbeContext) => ex(c, "post")!;
const mainId = (c: ProbeContext) => mainExchange(c).asked[0]!;

/** Exchanges for the known certificates, when given. */
function knownExchange(c: ProbeContext, which: "good" | "revoked"): Exchange | undefined {
  if (!c.target[which]) return undefined;
  return c.plan.subject === which ? mainExchange(c) : ex(c, which);
}

/** Successful answers to the issuer's own questions (the foreign one is judged on its own). */
function ownAnswers(c: ProbeContext): Exchange[] {
  return c.plan.exchanges.filter((x) => basicOf(x) && x.name !== "foreign-issuer");
}

/** RFC 6960's name for an OCSPResponseStatus. */
const statusName = (n: number) => OCSP_STATUS_NAME[n] ?? `status ${n}`;
const round = (ms: number) => Math.round(ms);
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const span = (ms: number) =>
  Math.abs(ms) >= 2 * DAY ? `${(ms / DAY).toFixed(1)} days` : `${(ms / HOUR).toFixed(1)} hours`;

/** Why an exchange brought no usable OCSP answer, or undefined when it did. */
function httpProblem(x: Exchange | undefined): string | undefined {
  if (!x) return "no such exchange was made";
  if (x.failure) {
    if (x.goneAfter) return `no connection: the responder stopped listening after "${x.goneAfter}"`;
    return x.failure.message;
  }
  const r = x.reply!;
  if (r.status !== 200) return `HTTP ${r.status}`;
  const ct = (header(r, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct !== OCSP_RESPONSE_TYPE) return `content type "${ct || "(none)"}"`;
  if (x.parseError) return `a body that is not an OCSP response (${x.parseError})`;
  return undefined;
}

/**
 * An exchange refused because the responder had stopped listening: that is reported where it
 * happened (a warning on the exchange that went first), never as a wrong answer here.
 */
function gone(x: Exchange | undefined): Outcome | undefined {
  if (!x?.goneAfter) return undefined;
  return warn(`not asked: the responder stopped listening after "${x.goneAfter}"`);
}

/** What an answer says, in a few words: the OCSP status, or each SingleResponse's status. */
function said(x: Exchange): string {
  const r = x.response!;
  if (r.status !== 0) return statusName(r.status);
  const singles = basicOf(x)?.responses ?? [];
  return singles.length ? singles.map((s) => s.status).join(", ") : "no status";
}

/** The status an answer gives for `id` (or its OCSP error), for comparisons. */
function verdictFor(x: Exchange, id: CertId): string {
  const r = x.response!;
  if (r.status !== 0) return statusName(r.status);
  const s = singleFor(x, id);
  if (!s) return "no status";
  if (s.status !== "revoked") return s.status;
  return `revoked at ${s.revocationTime?.toISOString()} (${reasonOf(s)})`;
}

const reasonOf = (s: SingleResponse) =>
  s.revocationReason === undefined ? "no reason" : reasonName(s.revocationReason);

/** Compared with the POST: undefined when the GET says the same. */
function differsFromPost(c: ProbeContext, x: Exchange): string | undefined {
  const post = mainExchange(c);
  if (httpProblem(post)) return undefined;
  const a = verdictFor(post, mainId(c));
  const b = verdictFor(x, mainId(c));
  return a === b ? undefined : `it says ${b} where the POST says ${a}`;
}

function httpPost(c: ProbeContext): Outcome {
  const x = mainExchange(c);
  const p = httpProblem(x);
  if (p) return fail(`a DER POST got ${p}; HTTP 200 application/ocsp-response is required`, x.ms);
  return pass(`HTTP 200 application/ocsp-response: ${said(x)}`, x.ms);
}

function httpGet(c: ProbeContext): Outcome {
  const x = ex(c, "get")!;
  const g = gone(x);
  if (g) return g;
  const p = httpProblem(x) ?? differsFromPost(c, x);
  if (p) return lightweight(c, `GET ${x.url.length > 60 ? "{url}/{request}" : x.url}: ${p}`, x.ms);
  return pass(`HTTP 200, the same answer as the POST: ${said(x)}`, x.ms);
}

function getEncoding(c: ProbeContext): Outcome {
  if (httpProblem(ex(c, "get"))) return skip("GET does not work at all (see http-get)");
  const raw = ex(c, "get-raw")!;
  const slash = ex(c, "get-slash")!;
  const b64 = Buffer.from(mainExchange(c).request).toString("base64");
  const special = [...new Set(b64.match(/[+/=]/g) ?? [])].join(" ");
  const note = special ? `(the base64 holds ${special})` : "(this base64 holds no + / =)";
  const rawProblem = httpProblem(raw) ?? differsFromPost(c, raw);
  if (rawProblem) {
    const detail = `the base64 sent without %-escapes ${note} got ${rawProblem}`;
    return raw.goneAfter ? warn(detail, raw.ms) : lightweight(c, detail, raw.ms);
  }
  const slashProblem = httpProblem(slash) ?? differsFromPost(c, slash);
  if (slashProblem) {
    const detail = `the request after a base URL ending in "/" (a "//" path) got ${slashProblem}`;
    return warn(detail, slash.ms);
  }
  return pass(`escaped, unescaped ${note} and after a "//" path: all answered alike`);
}

function getSize(c: ProbeContext): Outcome {
  const b64 = Buffer.from(mainExchange(c).request).toString("base64");
  const n = c.target.url.replace(/\/$/, "").length + 1 + b64.length;
  return n <= 255
    ? pass(`URL + base64 of a SHA-1 request is ${n} bytes (at most 255)`)
    : lightweight(c, `URL + base64 of a SHA-1 request is ${n} bytes; RFC 5019 wants at most 255`);
}

function latency(c: ProbeContext): Outcome {
  const timed = c.plan.exchanges.filter(
    (x) => !x.goneAfter && x.failure?.kind !== "refused" && x.failure?.kind !== "unsent",
  );
  if (!timed.length) return skip("no exchange reached the responder");
  const ms = timed.map((x) => x.ms).sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!;
  const stats = `p50 ${round(pct(50))} ms, p95 ${round(pct(95))} ms, max ${round(ms.at(-1)!)} ms over ${ms.length} exchanges`;
  const late = timed.filter((x) => x.failure?.kind === "timeout" || x.ms > 10_000);
  if (late.length) {
    const names = late.map((x) => `"${x.name}"`).join(", ");
    return fail(`${names} took longer than 10 s or than --timeout; ${stats}`, ms.at(-1));
  }
  return pass(stats, pct(95));
}

/** Cache-Control directives, lower-cased. */
function cacheControl(x: Exchange): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header(x.reply, "cache-control") ?? "").split(",")) {
    const [k, v] = part.trim().toLowerCase().split("=");
    if (k) out.set(k, (v ?? "").replace(/"/g, ""));
  }
  return out;
}

function httpDate(x: Exchange, name: string): Date | undefined {
  const v = header(x.reply, name);
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function cacheHeaders(c: ProbeContext): Outcome {
  const x = ex(c, "get")!;
  const s = httpProblem(x) ? undefined : singleFor(x, mainId(c));
  if (!s) return skip("no successful GET answer to look at (see http-get)");
  if (!s.nextUpdate) {
    return warn(
      "the answer has no nextUpdate to check the caching headers against (see time-fields)",
    );
  }
  const problems: string[] = [];
  const left = (s.nextUpdate.getTime() - x.at.getTime()) / 1000;
  const cc = cacheControl(x);
  const maxAge = cc.get("max-age");
  if (maxAge === undefined) problems.push("no Cache-Control max-age");
  else if (Number(maxAge) > left + 2) {
    problems.push(`max-age ${maxAge} s outlives nextUpdate (${Math.floor(left)} s away)`);
  }
  const expires = httpDate(x, "expires");
  if (!expires) problems.push("no Expires");
  else if (expires.getTime() > s.nextUpdate.getTime() + 1000)
    problems.push("Expires after nextUpdate");
  const lastModified = httpDate(x, "last-modified");
  if (!lastModified) problems.push("no Last-Modified");
  else if (Math.abs(lastModified.getTime() - s.thisUpdate.getTime()) > SKEW_SEC * 1000) {
    problems.push("Last-Modified far from thisUpdate");
  }
  if (!header(x.reply, "etag")) problems.push("no ETag");
  if (problems.length) return lightweight(c, `on a successful GET: ${problems.join(", ")}`, x.ms);
  return pass(`max-age ${maxAge} s, Expires, Last-Modified and ETag agree with the answer`, x.ms);
}

function conditionalGet(c: ProbeContext): Outcome {
  const x = ex(c, "get-conditional");
  if (!x) {
    return httpProblem(ex(c, "get"))
      ? skip("no successful GET answer to revalidate (see http-get)")
      : warn("the GET answer has no ETag to revalidate with (see cache-headers)");
  }
  if (x.reply?.status === 304)
    return pass("If-None-Match with the ETag got 304 Not Modified", x.ms);
  const p = httpProblem(x) ?? differsFromPost(c, x) ?? (basicOf(x) ? undefined : said(x));
  if (p) return lightweight(c, `If-None-Match with the ETag got ${p}`, x.ms);
  return pass("If-None-Match got a full, valid 200 answer (304 would save the bytes)", x.ms);
}

function errorNoCache(c: ProbeContext): Outcome {
  // Unknown answers for the CA's own serials are ordinary signed answers; the foreign issuer's
  // stand in for unauthorized, and an error must never outlive the fault behind it.
  const errors = c.plan.exchanges.filter(
    (x) =>
      x.response &&
      (x.response.status !== 0 ||
        (x.name === "foreign-issuer" && basicOf(x)?.responses.some((s) => s.status === "unknown"))),
  );
  if (!errors.length) return skip("no error, unauthorized or unknown answer came back");
  for (const x of errors) {
    const cc = cacheControl(x);
    const age = Number(cc.get("s-maxage") ?? cc.get("max-age") ?? 0);
    const expires = httpDate(x, "expires");
    const date = httpDate(x, "date") ?? x.at;
    const expiresIn = expires ? (expires.getTime() - date.getTime()) / 1000 : 0;
    const longest = Math.max(age, expiresIn);
    if (longest > SHORT_CACHE_SEC && !cc.has("no-store") && !cc.has("no-cache")) {
      return lightweight(
        c,
        `the ${said(x)} answer to "${x.name}" may be cached for ${Math.round(longest)} s; at most ${SHORT_CACHE_SEC} s is safe`,
        x.ms,
      );
    }
  }
  return pass(
    `${errors.length} error or unknown answer(s), none cacheable beyond ${SHORT_CACHE_SEC} s`,
  );
}

type Grade = { status: CheckStatus; detail: string };

/** How a responder took a request it should refuse; `http4xx` grades an HTTP 4xx refusal. */
function refusal(x: Exchange, http4xx: CheckStatus): Grade {
  const f = x.failure;
  if (f) {
    if (x.goneAfter)
      return {
        status: "warn",
        detail: `no connection: the responder stopped listening after "${x.goneAfter}"`,
      };
    if (f.kind === "timeout") return { status: "fail", detail: "no answer: it hung" };
    if (f.kind === "dropped") return { status: "fail", detail: "the connection was dropped" };
    return { status: "fail", detail: f.message };
  }
  const code = x.reply!.status;
  if (code >= 500) return { status: "fail", detail: `HTTP ${code}` };
  if (code >= 400) return { status: http4xx, detail: `HTTP ${code}` };
  if (code !== 200) return { status: "warn", detail: `HTTP ${code}` };
  const r = x.response;
  if (!r)
    return {
      status: "fail",
      detail: `HTTP 200 with ${x.parseError ? "a body that is not an OCSP response" : "no OCSP response"}`,
    };
  if (r.status === 1) {
    return r.responseType
      ? { status: "fail", detail: "malformedRequest carrying responseBytes" }
      : { status: "pass", detail: "malformedRequest" };
  }
  if (r.status === 0)
    return { status: "fail", detail: "a successful answer, as if it were a valid request" };
  if (r.status === 2) return { status: "fail", detail: "internalError" };
  return { status: "warn", detail: statusName(r.status) };
}

const RANK: Record<CheckStatus, number> = { fail: 3, warn: 2, pass: 1, skip: 0 };
const worst = (gs: Grade[]) => gs.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));

function malformedRequest(c: ProbeContext): Outcome {
  const xs = [ex(c, "garbage")!, ex(c, "truncated")!];
  const gs = xs.map((x) => refusal(x, "warn"));
  const detail = xs.map((x, i) => `${x.name}: ${gs[i]!.detail}`).join("; ");
  const w = worst(gs).status;
  return {
    status: w,
    detail:
      w === "pass" ? detail : `${detail} (malformedRequest without responseBytes is required)`,
    ms: Math.max(...xs.map((x) => x.ms)),
  };
}

function oversizeRequest(c: ProbeContext): Outcome {
  const x = ex(c, "oversize")!;
  const g = refusal(x, "pass");
  if (g.detail === "the connection was dropped") {
    return warn("a 100 KB body was refused by dropping the connection, not with an answer", x.ms);
  }
  if (g.status === "pass" && x.ms > 5000)
    return warn(`a 100 KB body was refused (${g.detail}) but took ${secs(x.ms)}`, x.ms);
  return { status: g.status, detail: `a 100 KB body got ${g.detail}`, ms: x.ms };
}

/** The public keys that signed answers to the issuer's own questions. */
function ownSignerKeys(c: ProbeContext): Set<string> {
  const keys = new Set<string>();
  for (const x of ownAnswers(c)) {
    const f = signerFacts(basicOf(x)!, c.target.issuer, x.at);
    if (f.signer && typeof f.authorization === "string")
      keys.add(Buffer.from(f.signer.spki).toString("hex"));
  }
  return keys;
}

function unknownIssuer(c: ProbeContext): Outcome {
  const x = ex(c, "foreign-issuer")!;
  const p = httpProblem(x);
  if (p)
    return warn(`a CertID of an issuer it does not serve got ${p}; unauthorized is expected`, x.ms);
  const r = x.response!;
  if (r.status === 6) return pass("unauthorized", x.ms);
  const bs = basicOf(x);
  if (!bs) return warn(`${statusName(r.status)}; unauthorized is expected`, x.ms);
  const vouched = bs.responses.find((s) => s.status !== "unknown");
  if (vouched || !bs.responses.length) {
    return fail(
      `${vouched ? vouched.status : "no status"} for an issuer it does not serve; unauthorized (or unknown) is required`,
      x.ms,
    );
  }
  const f = signerFacts(bs, c.target.issuer, x.at);
  if (!f.signer) return fail(`unknown, but ${f.signatureProblem}`, x.ms);
  const own = ownSignerKeys(c);
  const key = Buffer.from(f.signer.spki).toString("hex");
  // The key of the CA's other answers, or one the CA stands behind; never another CA's.
  if (own.has(key) || typeof f.authorization === "string") {
    return pass("unknown, signed with the responder's own key", x.ms);
  }
  return fail("unknown, signed with a key that signs none of the responder's other answers", x.ms);
}

function sha1CertId(c: ProbeContext): Outcome {
  const x = mainExchange(c);
  const answered = !httpProblem(x) && !!singleFor(x, mainId(c));
  if (c.plan.subject === "random") {
    return answered
      ? pass(`answered: ${said(x)}`, x.ms)
      : skip("needs --good or --revoked: an unassigned serial may fairly be refused");
  }
  if (answered) return pass(`answered: ${said(x)}`, x.ms);
  return fail(`a SHA-1 CertID got ${httpProblem(x) ?? said(x)}; an answer is required`, x.ms);
}

function sha256CertId(c: ProbeContext): Outcome {
  const x = ex(c, "sha256")!;
  const id = x.asked[0]!;
  const p = httpProblem(x);
  if (p) return warn(`a SHA-256 CertID got ${p}`, x.ms);
  const bs = basicOf(x);
  if (!bs) return warn(`a SHA-256 CertID got ${said(x)}`, x.ms);
  if (!bs.responses.some((s) => sameCertId(s.certId, id))) {
    return warn("a SHA-256 CertID was answered without that CertID (see certid-echo)", x.ms);
  }
  return pass(`answered: ${said(x)}`, x.ms);
}

/** Which parts of `got` differ from `want`. */
function certIdDiff(got: CertId, want: CertId): string {
  const parts: string[] = [];
  if (got.hashAlgorithm !== want.hashAlgorithm) {
    parts.push(`algorithm ${oidName(got.hashAlgorithm)} for ${oidName(want.hashAlgorithm)}`);
  }
  if (!Buffer.from(got.issuerNameHash).equals(want.issuerNameHash)) parts.push("issuerNameHash");
  if (!Buffer.from(got.issuerKeyHash).equals(want.issuerKeyHash)) parts.push("issuerKeyHash");
  if (!Buffer.from(got.serial).equals(want.serial)) {
    parts.push(`serial ${serialToHex(got.serial)} for ${serialToHex(want.serial)}`);
  }
  return parts.join(", ");
}

function certIdEcho(c: ProbeContext): Outcome {
  const answers = c.plan.exchanges.filter((x) => basicOf(x));
  if (!answers.length) return skip("no successful answer to compare");
  for (const x of answers) {
    const singles = basicOf(x)!.responses;
    if (!singles.length)
      return fail(`the successful answer to "${x.name}" holds no SingleResponse`, x.ms);
    for (const s of singles) {
      if (!x.asked.some((id) => sameCertId(id, s.certId))) {
        const diff = certIdDiff(s.certId, x.asked[0]!);
        return fail(
          `the answer to "${x.name}" names a CertID that was not asked (${diff}); it must echo the request's`,
          x.ms,
        );
      }
    }
  }
  return pass(`all ${answers.length} successful answers echo the CertIDs asked, byte for byte`);
}

function multiCertId(c: ProbeContext): Outcome {
  const x = ex(c, "two-certids")!;
  const g = refusal(x, "warn");
  if (g.status === "pass") return pass("refused cleanly with malformedRequest", x.ms);
  const bs = basicOf(x);
  if (!bs)
    return {
      status: g.status === "fail" ? "fail" : "warn",
      detail: `two CertIDs in one request got ${g.detail}`,
      ms: x.ms,
    };
  const distinct = bs.responses.filter(
    (s, i, all) => all.findIndex((o) => sameCertId(o.certId, s.certId)) === i,
  );
  if (distinct.length >= 2) return pass(`${distinct.length} SingleResponses for 2 CertIDs`, x.ms);
  return fail(
    `${distinct.length} SingleResponse for 2 CertIDs; one each (or malformedRequest) is required`,
    x.ms,
  );
}

function nonceEcho(c: ProbeContext): Outcome {
  const x = ex(c, "nonce-32")!;
  const g = gone(x);
  if (g) return g;
  const p = httpProblem(x);
  if (p) return fail(`a request with a 32-byte nonce got ${p}`, x.ms);
  const bs = basicOf(x);
  if (!bs) return fail(`a request with a 32-byte nonce was refused: ${said(x)}`, x.ms);
  const n = checkNonce(x.requestExtensions, bs.extensions);
  if (n === "match") return pass("the 32-byte nonce is echoed exactly", x.ms);
  if (n === "missing")
    return warn("the nonce is not echoed (no replay protection for clients)", x.ms);
  return fail("the answer carries a different nonce than the request's", x.ms);
}

function nonceOversize(c: ProbeContext): Outcome {
  const x = ex(c, "nonce-129")!;
  const g = refusal(x, "warn");
  const bs = basicOf(x);
  if (!bs) return { status: g.status, detail: `a 129-byte nonce got ${g.detail}`, ms: x.ms };
  const n = checkNonce(x.requestExtensions, bs.extensions);
  if (n === "mismatch") return fail("a 129-byte nonce got an answer with a different nonce", x.ms);
  return pass(n === "match" ? "echoed" : "ignored (answered without a nonce)", x.ms);
}

/** Signer facts for each of the issuer's own answers. */
function signed(c: ProbeContext) {
  return ownAnswers(c).map((x) => ({ x, f: signerFacts(basicOf(x)!, c.target.issuer, x.at) }));
}

function signature(c: ProbeContext): Outcome {
  const all = signed(c);
  if (!all.length) return skip("no successful answer to verify");
  const bad = all.find((a) => !a.f.signer);
  if (bad) return fail(`the answer to "${bad.x.name}": ${bad.f.signatureProblem}`);
  return pass(`${all.length} answers verify`);
}

function signerAuthorized(c: ProbeContext): Outcome {
  const all = signed(c).filter((a) => a.f.signer);
  if (!all.length) return skip("no answer with a verified signature");
  const bad = all.find((a) => typeof a.f.authorization !== "string");
  if (bad) {
    const a = bad.f.authorization as { problem: string };
    return fail(`"${bad.x.name}" is signed by ${nameOf(bad.f.signer!)}: ${a.problem}`);
  }
  const kinds = new Set(all.map((a) => a.f.authorization));
  return pass(
    kinds.has("delegate")
      ? "a delegated responder the issuer authorised (id-kp-OCSPSigning)"
      : "the issuer itself",
  );
}

const nameOf = (cert: Certificate) => nameOneline(cert.subject);

/** What is wrong with one delegated signer, given the latest nextUpdate it signed. */
function delegateFindings(c: ProbeContext, cert: Certificate, lastNext: number): Outcome[] {
  const problems: Outcome[] = [];
  const ku = cert.keyUsage;
  if (ku && !ku.has(KEY_USAGE.digitalSignature)) {
    problems.push(fail("its keyUsage lacks digitalSignature"));
  }
  if (!ku) {
    problems.push(lightweight(c, "it has no keyUsage (BR 7.1.2.8 wants digitalSignature)"));
  }
  if (!cert.extension(OID.ocspNoCheck)) {
    problems.push(lightweight(c, "it lacks id-pkix-ocsp-nocheck"));
  }
  if (cert.basicConstraints?.ca) problems.push(lightweight(c, "it is a CA certificate"));
  const left = cert.notAfter.getTime() - Date.now();
  if (lastNext && cert.notAfter.getTime() < lastNext) {
    const when = cert.notAfter.toISOString();
    problems.push(lightweight(c, `it expires (${when}) before the answers' nextUpdate`));
  } else if (left < 30 * DAY) {
    problems.push(warn(`it expires in ${span(left)}`));
  }
  return problems;
}

function delegateProfile(c: ProbeContext): Outcome {
  const all = signed(c).filter((a) => typeof a.f.authorization === "string");
  if (!all.length) return skip("no answer from an authorised signer (see signer-authorized)");
  const byCert = new Map<string, { cert: Certificate; lastNext: number }>();
  for (const { x, f } of all) {
    if (f.authorization !== "delegate") continue;
    const k = Buffer.from(f.signer!.der).toString("hex");
    const next = basicOf(x)!.responses.map((s) => s.nextUpdate?.getTime() ?? 0);
    const seen = byCert.get(k)?.lastNext ?? 0;
    byCert.set(k, { cert: f.signer!, lastNext: Math.max(seen, ...next) });
  }
  if (!byCert.size) return pass("answers are signed by the issuer itself (no delegated signer)");
  const found = [...byCert.values()].map(({ cert, lastNext }) => ({
    name: nameOf(cert),
    problems: delegateFindings(c, cert, lastNext),
  }));
  const bad = found.filter((d) => d.problems.length);
  if (!bad.length) {
    const names = found.map((d) => d.name).join("; ");
    return pass(`${names}: digitalSignature, nocheck, not a CA, valid through nextUpdate`);
  }
  const status = bad.some((d) => d.problems.some((p) => p.status === "fail")) ? "fail" : "warn";
  const detail = bad
    .map((d) => `the delegated signer ${d.name}: ${d.problems.map((p) => p.detail).join("; ")}`)
    .join(". ");
  return { status, detail };
}

function responderId(c: ProbeContext): Outcome {
  const all = signed(c).filter((a) => a.f.signer);
  if (!all.length) return skip("no answer with a verified signature");
  const bad = all.find((a) => !a.f.responderIdMatches);
  if (bad) {
    const id = basicOf(bad.x)!.responderId;
    const what = id.byName
      ? `byName ${nameOneline(id.byName)}`
      : `byKey ${Buffer.from(id.byKey ?? []).toString("hex")}`;
    return fail(
      `"${bad.x.name}": ResponderID ${what} does not name the signer ${nameOf(bad.f.signer!)}`,
    );
  }
  const id = basicOf(all[0]!.x)!.responderId;
  return pass(`${id.byName ? "byName" : "byKey"} names the signer`);
}

const OIDS = {
  rsaSha1: "1.2.840.113549.1.1.5",
  md5: "1.2.840.113549.1.1.4",
  md2: "1.2.840.113549.1.1.2",
  ecdsaSha1: "1.2.840.10045.4.1",
  dsaSha1: "1.2.840.10040.4.3",
  pss: "1.2.840.113549.1.1.10",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
} as const;
const RSA_PKCS1 = new Map([
  ["1.2.840.113549.1.1.11", "sha256"],
  ["1.2.840.113549.1.1.12", "sha384"],
  ["1.2.840.113549.1.1.13", "sha512"],
  ["1.2.840.113549.1.1.14", "sha224"],
]);
const ECDSA = new Map([
  ["1.2.840.10045.4.3.2", "prime256v1"],
  ["1.2.840.10045.4.3.3", "secp384r1"],
  ["1.2.840.10045.4.3.4", "secp521r1"],
  ["1.2.840.10045.4.3.1", ""],
]);
const NULL = "0500";

/** BR 7.1.3.2.1: RSASSA-PSS parameters, byte for byte, for SHA-256, -384 and -512. */
function brPssParams(hashOid: string, salt: number): string {
  const seq = (...p: Uint8Array[]) => encodeTlv(TAG.SEQUENCE, Buffer.concat(p));
  const h = seq(encodeTlv(TAG.OID, encodeOid(hashOid)), Uint8Array.of(5, 0));
  const mgf = seq(encodeTlv(TAG.OID, encodeOid("1.2.840.113549.1.1.8")), h);
  return Buffer.from(
    seq(
      encodeTlv(0xa0, h),
      encodeTlv(0xa1, mgf),
      encodeTlv(0xa2, encodeTlv(TAG.INTEGER, Uint8Array.of(salt))),
    ),
  ).toString("hex");
}
const BR_PSS = new Set([
  brPssParams(OIDS.sha256, 32),
  brPssParams(OIDS.sha384, 48),
  brPssParams(OIDS.sha512, 64),
]);

/** Why an algorithm is weak or malformed, and whether the Baseline Requirements' encodings hold. */
function algorithmProblems(
  alg: AlgorithmId,
  signer: Certificate | undefined,
): { weak?: string; form?: string; br?: string } {
  const params = alg.params ? Buffer.from(alg.params).toString("hex") : undefined;
  const name = oidName(alg.oid);
  if ([OIDS.rsaSha1, OIDS.md5, OIDS.md2, OIDS.ecdsaSha1, OIDS.dsaSha1].includes(alg.oid as never)) {
    return { weak: `${name} is a SHA-1 or MD5 signature` };
  }
  if (alg.oid === OIDS.pss) {
    if (!params || params === "3000") return { weak: "RSASSA-PSS with its SHA-1 defaults" };
    return BR_PSS.has(params)
      ? {}
      : { br: "RSASSA-PSS parameters are not one of BR 7.1.3.2.1's encodings" };
  }
  const rsa = RSA_PKCS1.get(alg.oid);
  if (rsa) {
    if (params !== NULL) return { form: `${name} without its NULL parameters` };
    return rsa === "sha224" ? { br: `${name} is not allowed by BR 7.1.3.2.1` } : {};
  }
  const curve = ECDSA.get(alg.oid);
  if (curve !== undefined) {
    if (params !== undefined) return { form: `${name} with parameters, which must be absent` };
    const have = signer?.publicKey.asymmetricKeyDetails?.namedCurve;
    if (!curve) return { br: `${name} is not allowed by BR 7.1.3.2.2` };
    if (have && have !== curve)
      return { br: `${name} with a ${have} key (BR 7.1.3.2.2 pairs each curve with one hash)` };
    return {};
  }
  return { br: `${name} is not an algorithm BR 7.1.3.2 allows` };
}

function signatureAlgorithm(c: ProbeContext): Outcome {
  const all = signed(c);
  if (!all.length) return skip("no successful answer to look at");
  const seen = new Map<string, string>();
  for (const { x, f } of all) {
    const alg = basicOf(x)!.signatureAlgorithm;
    const key = alg.oid + Buffer.from(alg.params ?? []).toString("hex");
    if (seen.has(key)) continue;
    seen.set(key, oidName(alg.oid));
    const p = algorithmProblems(alg, f.signer);
    if (p.weak) return fail(`${p.weak}; BR 7.1.3.2 and current practice forbid it`);
    if (p.form) return lightweight(c, p.form);
    if (p.br) return baseline(c, p.br);
  }
  return pass([...seen.values()].join(", "));
}

/** Every GeneralizedTime in `der` whose text is not YYYYMMDDHHMMSSZ. */
function oddTimes(der: Uint8Array, t: Tlv, out: string[]): string[] {
  if (t.tag === 0x18) {
    const s = Buffer.from(contentOf(der, t)).toString("latin1");
    if (!/^\d{14}Z$/.test(s)) out.push(s);
  } else if (t.tag & 0x20) {
    for (const k of children(der, t)) oddTimes(der, k, out);
  }
  return out;
}

function timeFields(c: ProbeContext): Outcome {
  const answers = c.plan.exchanges.filter((x) => basicOf(x));
  if (!answers.length) return skip("no successful answer to look at");
  for (const x of answers) {
    const bs = basicOf(x)!;
    const now = x.at.getTime();
    const odd = oddTimes(bs.tbs, readTlv(bs.tbs, 0), []);
    if (odd.length)
      return lightweight(
        c,
        `"${x.name}": GeneralizedTime ${odd[0]} (UTC "Z", no fractions, is required)`,
      );
    for (const s of bs.responses) {
      if (s.thisUpdate.getTime() > now + SKEW_SEC * 1000)
        return fail(`"${x.name}": thisUpdate ${s.thisUpdate.toISOString()} is in the future`);
      if (!s.nextUpdate)
        return lightweight(c, `"${x.name}": no nextUpdate (RFC 5019 requires one)`);
      if (s.nextUpdate.getTime() <= now)
        return fail(`"${x.name}": nextUpdate ${s.nextUpdate.toISOString()} has passed`);
      if (s.nextUpdate < s.thisUpdate) return fail(`"${x.name}": nextUpdate before thisUpdate`);
      if (bs.producedAt < s.thisUpdate)
        return lightweight(
          c,
          `"${x.name}": producedAt ${bs.producedAt.toISOString()} before thisUpdate ${s.thisUpdate.toISOString()}`,
        );
    }
  }
  return pass(
    `${answers.length} answers: thisUpdate ≤ now, nextUpdate ahead, producedAt ≥ thisUpdate, times in Z`,
  );
}

/** The main answer's SingleResponse, for the BR's time rules. */
function mainSingle(c: ProbeContext): { x: Exchange; s: SingleResponse } | undefined {
  for (const x of [mainExchange(c), ...ownAnswers(c)]) {
    const s = basicOf(x) && singleFor(x, mainId(c));
    if (s) return { x, s };
  }
  return undefined;
}

function validityPeriod(c: ProbeContext): Outcome {
  const m = mainSingle(c);
  if (!m) return skip("no successful answer to look at");
  const { s } = m;
  if (!s.nextUpdate)
    return baseline(c, "no nextUpdate; the Baseline Requirements want 8 hours to 10 days");
  const d = s.nextUpdate.getTime() - s.thisUpdate.getTime();
  if (d < 8 * HOUR)
    return baseline(
      c,
      `nextUpdate − thisUpdate is ${span(d)}; the Baseline Requirements want at least 8 hours`,
    );
  if (d > 10 * DAY)
    return baseline(
      c,
      `nextUpdate − thisUpdate is ${span(d)}; the Baseline Requirements allow at most 10 days`,
    );
  return pass(`nextUpdate − thisUpdate is ${span(d)} (8 hours to 10 days)`);
}

function freshness(c: ProbeContext): Outcome {
  const m = mainSingle(c);
  if (!m) return skip("no successful answer to look at");
  const { x, s } = m;
  const age = x.at.getTime() - s.thisUpdate.getTime();
  if (age > 4 * DAY)
    return baseline(c, `thisUpdate is ${span(age)} old; at most 4 days is allowed`);
  if (!s.nextUpdate) return baseline(c, "no nextUpdate to measure what is left");
  const left = s.nextUpdate.getTime() - x.at.getTime();
  if (left < 8 * HOUR)
    return baseline(
      c,
      `nextUpdate is ${span(left)} away; answers must be renewed 8 hours before it`,
    );
  return pass(`thisUpdate ${span(age)} old, nextUpdate ${span(left)} away`);
}

/** The answered exchange about a known certificate, or the outcome when there is none. */
function answeredAbout(c: ProbeContext, which: "good" | "revoked"): Exchange | Outcome {
  const x = knownExchange(c, which);
  if (!x) return skip(`no --${which} certificate given`);
  const p = httpProblem(x);
  if (p) return gone(x) ?? fail(`the --${which} certificate's question got ${p}`, x.ms);
  return x;
}

function knownGood(c: ProbeContext): Outcome {
  const x = answeredAbout(c, "good");
  if (!("asked" in x)) return x;
  const v = verdictFor(x, x.asked[0]!);
  return v === "good" ? pass("good", x.ms) : fail(`the --good certificate reads ${v}`, x.ms);
}

/** BR 7.2.2 CRLReasons (omitted for unspecified). */
const BR_REASONS = new Set([1, 3, 4, 5, 9]);

function knownRevoked(c: ProbeContext): Outcome {
  const x = answeredAbout(c, "revoked");
  if (!("asked" in x)) return x;
  const s = basicOf(x) && singleFor(x, x.asked[0]!);
  if (s?.status !== "revoked")
    return fail(`the --revoked certificate reads ${verdictFor(x, x.asked[0]!)}`, x.ms);
  if (s.revocationTime && s.revocationTime.getTime() > x.at.getTime() + SKEW_SEC * 1000) {
    return fail(
      `revoked, but revocationTime ${s.revocationTime.toISOString()} is in the future`,
      x.ms,
    );
  }
  const r = s.revocationReason;
  if (r !== undefined && !BR_REASONS.has(r)) {
    return baseline(
      c,
      `revoked with reason ${reasonName(r)} (${r}), which BR 7.2.2 does not allow`,
      x.ms,
    );
  }
  return pass(`revoked at ${s.revocationTime?.toISOString()}, ${reasonOf(s)}`, x.ms);
}

function unassignedSerial(c: ProbeContext): Outcome {
  const x = c.plan.subject === "random" ? mainExchange(c) : ex(c, "random-serial")!;
  const p = httpProblem(x);
  if (p) return warn(`a random serial got ${p}`, x.ms);
  const v = verdictFor(x, x.asked[0]!);
  if (v === "good")
    return baseline(c, "a serial the CA never issued reads good; BR 4.9.9 forbids it", x.ms);
  return pass(`a random serial reads ${v}`, x.ms);
}

function consistency(c: ProbeContext): Outcome {
  const xs = c.plan.exchanges.filter(
    (x) => !x.goneAfter && (x.name === "post" || x.name === "get" || x.name.startsWith("repeat-")),
  );
  const notes: string[] = [];
  for (const m of ["POST", "GET"] as const) {
    const mine = xs.filter((x) => x.method === m);
    const bad = mine.filter((x) => httpProblem(x));
    if (bad.length && bad.length < mine.length) {
      return fail(
        `${m} failed ${bad.length} of ${mine.length} times ("${bad[0]!.name}": ${httpProblem(bad[0])})`,
      );
    }
    if (bad.length) notes.push(`${m} failed every time`);
  }
  const ok = xs.filter((x) => !httpProblem(x));
  if (!ok.length) return skip("no answer to compare");
  const says = new Set(ok.map((x) => verdictFor(x, mainId(c))));
  if (says.size > 1)
    return fail(`${ok.length} answers to the same question disagree: ${[...says].join(" / ")}`);
  return pass(
    `${ok.length} answers agree: ${[...says][0]}${notes.length ? ` (${notes.join(", ")})` : ""}`,
  );
}

function crlAgreement(c: ProbeContext): Outcome {
  if (!c.crl) return skip("no --crl given and the certificates name no CRL");
  if ("error" in c.crl) return warn(`the CRL could not be used: ${c.crl.error}`);
  const { crl, source } = c.crl;
  const found: string[] = [];
  for (const which of ["good", "revoked"] as const) {
    const cert = c.target[which];
    const x = knownExchange(c, which);
    if (!cert || !x) continue;
    const s = basicOf(x) && singleFor(x, x.asked[0]!);
    if (!s) continue;
    let byCrl: ReturnType<typeof crlStatus>;
    try {
      byCrl = crlStatus(crl, { cert, issuer: c.target.issuer });
    } catch (err) {
      return warn(`the CRL from ${source} could not be used: ${describe(err)}`);
    }
    if (byCrl.status !== s.status) {
      return fail(
        `the --${which} certificate reads ${s.status} by OCSP and ${byCrl.status} by the CRL`,
        x.ms,
      );
    }
    if (s.status === "revoked") {
      const t1 = Math.floor((s.revocationTime?.getTime() ?? 0) / 1000);
      const t2 = Math.floor((byCrl.revocationTime?.getTime() ?? 0) / 1000);
      if (t1 !== t2)
        return fail(
          `revocation times differ: OCSP ${s.revocationTime?.toISOString()}, CRL ${byCrl.revocationTime?.toISOString()}`,
        );
      const r1 = s.revocationReason === undefined ? "unspecified" : reasonName(s.revocationReason);
      const r2 = byCrl.revocationReason ?? "unspecified";
      if (r1 !== r2) return fail(`reasons differ: OCSP ${r1}, CRL ${r2}`);
    }
    found.push(`--${which} ${s.status}`);
  }
  if (!found.length) return skip("no OCSP status of a known certificate to compare");
  return pass(`OCSP and the CRL from ${source} agree: ${found.join(", ")}`);
}

/** Every check, in the order of ../shared/PROBE.md. */
export const CHECKS: readonly CheckDef[] = (
  [
    ["http-post", "HTTP", "RFC 6960 A.1", httpPost, []],
    ["http-get", "HTTP", "RFC 5019 §5; BR 4.9.9", httpGet, ["get"]],
    [
      "get-encoding",
      "HTTP",
      "RFC 6960 A.1; Boulder, EJBCA",
      getEncoding,
      ["get", "get-raw", "get-slash"],
    ],
    ["get-size", "HTTP", "RFC 5019 §5", getSize, []],
    ["latency", "HTTP", "BR 4.10.2", latency, []],
    ["cache-headers", "HTTP", "RFC 5019 §6.2", cacheHeaders, ["get"]],
    [
      "conditional-get",
      "HTTP",
      "RFC 9110/9111; Boulder, cfssl",
      conditionalGet,
      ["get", "get-conditional"],
    ],
    ["error-no-cache", "HTTP", "Boulder and EJBCA practice", errorNoCache, ["foreign-issuer"]],
    [
      "malformed-request",
      "Robustness",
      "RFC 6960 §2.3, §4.2.1",
      malformedRequest,
      ["garbage", "truncated"],
    ],
    [
      "oversize-request",
      "Robustness",
      "robustness; Boulder caps at 10 KB",
      oversizeRequest,
      ["oversize"],
    ],
    [
      "unknown-issuer",
      "Request handling",
      "RFC 5019 §2.2.3; BR 4.9.9",
      unknownIssuer,
      ["foreign-issuer"],
    ],
    ["sha1-certid", "Request handling", "RFC 5019 §2.1.1", sha1CertId, []],
    ["sha256-certid", "Request handling", "RFC 9919", sha256CertId, ["sha256"]],
    [
      "certid-echo",
      "Request handling",
      "RFC 6960 §3.2 (1)",
      certIdEcho,
      ["sha256", "random-serial", "two-certids", "nonce-32"],
    ],
    [
      "multi-certid",
      "Request handling",
      "RFC 6960 §4.2.2.3; RFC 5019 §2.1.1",
      multiCertId,
      ["two-certids"],
    ],
    ["nonce-echo", "Request handling", "RFC 9654", nonceEcho, ["nonce-32"]],
    ["nonce-oversize", "Robustness", "RFC 9654 §2.1", nonceOversize, ["nonce-129"]],
    ["signature", "Signature", "RFC 6960 §3.2 (2)", signature, []],
    ["signer-authorized", "Signature", "RFC 6960 §4.2.2.2", signerAuthorized, []],
    ["delegate-profile", "Signature", "RFC 6960 §4.2.2.2.1; BR 7.1.2.8", delegateProfile, []],
    ["responder-id", "Signature", "RFC 6960 §4.2.1, §4.2.2.3", responderId, []],
    ["signature-algorithm", "Signature", "BR 7.1.3.2", signatureAlgorithm, []],
    ["time-fields", "Time", "RFC 6960 §4.2.2.1; RFC 5019 §2.2.4", timeFields, []],
    ["validity-period", "Time", "BR 4.9.9", validityPeriod, []],
    ["freshness", "Time", "BR 4.9.9", freshness, []],
    ["known-good", "Status", "RFC 6960 §2.2", knownGood, []],
    ["known-revoked", "Status", "RFC 6960 §2.2; BR 7.2.2, 7.3", knownRevoked, ["revoked"]],
    ["unassigned-serial", "Status", "BR 4.9.9", unassignedSerial, ["random-serial"]],
    ["consistency", "Status", "stability of a responder fleet", consistency, ["get", "repeat"]],
    ["crl-agreement", "Status", "consistency with the CRL", crlAgreement, ["revoked"]],
  ] as const
).map(([id, group, spec, run, asks]) => ({ id, group, spec, run, asks }));

export const CHECK_IDS: readonly string[] = CHECKS.map((d) => d.id);

/** Runs the chosen checks; a check that throws is a failed check naming the fault, never a pass. */
export function runChecks(c: ProbeContext, ids: ReadonlySet<string>): CheckResult[] {
  return CHECKS.filter((d) => ids.has(d.id)).map((d) => {
    let o: Outcome;
    try {
      o = d.run(c);
    } catch (err) {
      o = fail(`the check could not be completed: ${describe(err)}`);
    }
    return {
      id: d.id,
      status: o.status,
      detail: o.detail,
      spec: d.spec,
      ...(o.ms === undefined ? {} : { ms: round(o.ms) }),
    };
  });
}
