// The probe report for people (grouped, failures first, a summary line) and for scripts (the
// JSON contract of issue 10). Colour comes from the caller's Paint, so nothing here knows
// whether it writes to a terminal.
import type { Paint } from "../check/report.js";
import { CHECKS, type CheckResult, type CheckStatus } from "./checks.js";
import type { ProbeReport } from "./probe.js";

export interface ProbeJson {
  url: string;
  issuer: string;
  profile: string;
  checks: { id: string; status: CheckStatus; detail: string; spec: string; ms?: number }[];
  summary: { pass: number; fail: number; warn: number; skip: number };
}

export function probeJson(r: ProbeReport): ProbeJson {
  return {
    url: r.url,
    issuer: r.issuer,
    profile: r.profile,
    checks: r.checks.map((c) => ({
      id: c.id,
      status: c.status,
      detail: c.detail,
      spec: c.spec,
      ...(c.ms === undefined ? {} : { ms: c.ms }),
    })),
    summary: { ...r.summary },
  };
}

const ORDER: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

/** The checks grouped as CHECKS groups them; groups holding failures first, failures first in each. */
export function groupChecks(r: ProbeReport): { group: string; checks: CheckResult[] }[] {
  const groupOf = new Map(CHECKS.map((d) => [d.id, d.group]));
  const groups = new Map<string, CheckResult[]>();
  for (const c of r.checks) {
    const g = groupOf.get(c.id)!;
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const worst = (cs: CheckResult[]) => Math.min(...cs.map((c) => ORDER[c.status]));
  return [...groups]
    .map(([group, checks]) => ({
      group,
      checks: checks.sort((a, b) => ORDER[a.status] - ORDER[b.status]),
    }))
    .sort((a, b) => worst(a.checks) - worst(b.checks));
}

export function summaryLine(r: ProbeReport): string {
  const s = r.summary;
  return `${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.skip} skip`;
}

export function probeText(r: ProbeReport, p: Paint): string {
  const label: Record<CheckStatus, string> = {
    fail: p.red("FAIL"),
    warn: p.yellow("WARN"),
    pass: p.green("PASS"),
    skip: p.dim("SKIP"),
  };
  const width = Math.max(...r.checks.map((c) => c.id.length), 0);
  let out = `${p.bold(`ocspkit probe ${r.url}`)}\nissuer ${r.issuer}, profile ${r.profile}\n`;
  if (!r.reachable) out += p.red("no OCSP response came back to any request\n");
  for (const g of groupChecks(r)) {
    out += `\n${p.bold(g.group)}\n`;
    for (const c of g.checks) {
      const ms = c.ms === undefined ? "" : p.dim(` ${c.ms} ms`);
      out += `  ${label[c.status]}  ${c.id.padEnd(width)}  ${c.detail}${ms} ${p.dim(`[${c.spec}]`)}\n`;
    }
  }
  const line = summaryLine(r);
  out += `\n${r.summary.fail ? p.red(line) : p.green(line)}\n`;
  return out;
}
