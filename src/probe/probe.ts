// `probeResponder`: grades an OCSP responder. Inputs are checked, the planned exchanges asked
// (plan.ts), the CRL fetched when crl-agreement runs, then every chosen check reads the record
// (checks.ts). Not here: rendering (report.ts, html.ts) or option parsing (src/cli/probe.ts).
import { type Crl, parseCrl } from "../crl/crl.js";
import { describe, OcspError } from "../errors.js";
import { buildChain, isIssuerOf, type TrustStore } from "../verify/chain.js";
import type { Certificate } from "../x509/cert.js";
import { download } from "../x509/fetch-issuer.js";
import { nameOneline } from "../x509/name-oneline.js";
import {
  CHECK_IDS,
  CHECKS,
  type CheckResult,
  type CheckStatus,
  type CrlInput,
  PROFILES,
  type Profile,
  runChecks,
} from "./checks.js";
import { type Exchange, runPlan } from "./plan.js";

export interface ProbeOptions {
  /** The responder; default the OCSP URL in the AIA of `good` (or `revoked`). */
  readonly url?: string;
  readonly issuer: Certificate;
  readonly good?: Certificate;
  readonly revoked?: Certificate;
  /** A CRL already read, or the URL to fetch one from; default the certificates' CRL DP. */
  readonly crl?: Crl | string;
  /** Trust anchors the issuer must chain to, when the caller wants that checked. */
  readonly trust?: TrustStore;
  /** Default rfc5019. */
  readonly profile?: Profile;
  /** Per exchange, default 10 s. */
  readonly timeoutMs?: number;
  /** How many more times the main question is asked for `consistency`; default 4. */
  readonly repeat?: number;
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
}

export type Summary = Record<CheckStatus, number>;

export interface ProbeReport {
  readonly url: string;
  /** The issuer's subject, one line. */
  readonly issuer: string;
  readonly profile: Profile;
  readonly checks: readonly CheckResult[];
  readonly summary: Summary;
  /** Every exchange, in the order made. */
  readonly exchanges: readonly Exchange[];
  /** False when no request got an OCSP response at all. */
  readonly reachable: boolean;
}

const MAX_CRL_BYTES = 16 << 20;

/** The ids `only` and `skip` leave; an unknown id is a usage error. */
function selectChecks(only?: readonly string[], skip?: readonly string[]): Set<string> {
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!CHECK_IDS.includes(id)) {
      throw new OcspError("ERR_USAGE", `unknown check id "${id}" (known: ${CHECK_IDS.join(", ")})`);
    }
  }
  const chosen = new Set(only?.length ? only : CHECK_IDS);
  for (const id of skip ?? []) chosen.delete(id);
  return chosen;
}

/** The responder URL to probe: the one given, else the first OCSP URL of a known certificate. */
function responderUrl(o: Pick<ProbeOptions, "url" | "good" | "revoked">): string {
  const url = o.url ?? [o.good, o.revoked].flatMap((c) => c?.ocspUrls ?? [])[0];
  if (!url) {
    throw new OcspError(
      "ERR_USAGE",
      "no responder URL: give one, or a --good/--revoked certificate with an AIA OCSP URL",
    );
  }
  if (!/^https?:\/\//i.test(url)) {
    throw new OcspError("ERR_USAGE", `the responder URL ${url} is not http:// or https://`);
  }
  return url;
}

export async function probeResponder(o: ProbeOptions): Promise<ProbeReport> {
  const url = responderUrl(o);
  const ids = selectChecks(o.only, o.skip);
  for (const which of ["good", "revoked"] as const) {
    const cert = o[which];
    if (cert && !isIssuerOf(o.issuer, cert)) {
      throw new OcspError("ERR_INPUT", `the --${which} certificate was not issued by the issuer`);
    }
  }
  if (o.trust) {
    const chain = buildChain(o.issuer, o.trust, [], { at: new Date(), partialChain: true });
    if (!chain.ok) throw new OcspError("ERR_INPUT", `the issuer is not trusted: ${chain.error}`);
  }
  const profile = o.profile ?? "rfc5019";
  if (!PROFILES.includes(profile)) {
    throw new OcspError("ERR_USAGE", `unknown profile "${profile}" (${PROFILES.join(", ")})`);
  }
  const timeoutMs = o.timeoutMs ?? 10_000;
  const target = { url, issuer: o.issuer, good: o.good, revoked: o.revoked };
  const wanted = new Set(CHECKS.filter((d) => ids.has(d.id)).flatMap((d) => d.asks));
  const plan = await runPlan(target, { timeoutMs, repeat: o.repeat ?? 4, wanted });
  const crl = ids.has("crl-agreement") ? await crlInput(o, timeoutMs) : undefined;
  const checks = runChecks({ target, profile, plan, crl }, ids);
  const summary: Summary = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return {
    url,
    issuer: nameOneline(o.issuer.subject),
    profile,
    checks,
    summary,
    exchanges: plan.exchanges,
    reachable: plan.exchanges.some((x) => x.response),
  };
}

/** 0 nothing failed, 1 a check failed, 3 the responder could not be asked at all. */
export function probeExitCode(r: ProbeReport): number {
  if (!r.reachable) return 3;
  return r.summary.fail ? 1 : 0;
}

async function crlInput(o: ProbeOptions, timeoutMs: number): Promise<CrlInput | undefined> {
  if (o.crl && typeof o.crl !== "string") return { crl: o.crl, source: "--crl" };
  const url =
    o.crl ?? [o.good, o.revoked].flatMap((c) => c?.crlUrls ?? []).find((u) => /^https?:/i.test(u));
  if (!url) return undefined;
  try {
    const data = await download(url, "CRL", { timeoutMs, maxBytes: MAX_CRL_BYTES });
    return { crl: parseCrl(data, url), source: url };
  } catch (err) {
    return { error: describe(err) };
  }
}
