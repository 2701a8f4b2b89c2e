// `check`'s outputs: the JSON result objects (the contract scripts rely on), the table people
// read, and the exit code.
import type { CheckResult } from "./run.js";

export interface ResultJson {
  file: string;
  subject: string | null;
  serial: string | null;
  status: CheckResult["status"];
  revocationReason?: string | null;
  revocationTime?: string;
  thisUpdate: string | null;
  nextUpdate: string | null;
  responder: string | null;
  source: "OCSP" | "CRL" | null;
  error?: string;
  errorCode?: string;
  ocspError?: string;
}

/** Formatted times by instant; cleared when full, as a batch has only a few distinct ones. */
const isoTimes = new Map<number, string>();
const ISO_TIMES_MAX = 64;

/** ISO 8601 UTC to the second, as the times in certificates and answers are. */
export function isoTime(d: Date): string {
  // A batch's results share a few times (thisUpdate, nextUpdate): each is formatted once. An
  // invalid date is never stored, and throws as toISOString does.
  const ms = d.getTime();
  let iso = isoTimes.get(ms);
  if (iso === undefined) {
    iso = d.toISOString().replace(/\.\d{3}Z$/, "Z");
    if (isoTimes.size >= ISO_TIMES_MAX) isoTimes.clear();
    isoTimes.set(ms, iso);
  }
  return iso;
}

const isoOrNull = (d: Date | undefined) => (d ? isoTime(d) : null);

export function resultJson(r: CheckResult): ResultJson {
  const out: ResultJson = {
    file: r.file,
    subject: r.subject ?? null,
    serial: r.serial ?? null,
    status: r.status,
    thisUpdate: isoOrNull(r.thisUpdate),
    nextUpdate: isoOrNull(r.nextUpdate),
    responder: r.responder ?? null,
    source: r.source ?? null,
  };
  if (r.status === "revoked") {
    out.revocationReason = r.revocationReason ?? null;
    out.revocationTime = isoOrNull(r.revocationTime) ?? undefined;
  }
  if (r.error) {
    out.error = r.error.message;
    out.errorCode = r.error.code;
  }
  if (r.ocspError) out.ocspError = r.ocspError.message;
  return out;
}

/** 1 any revoked; else 3 any not checked; else 2 any unknown; else 0. */
export function exitCode(results: readonly Pick<CheckResult, "status">[]): number {
  const any = (s: CheckResult["status"]) => results.some((r) => r.status === s);
  if (any("revoked")) return 1;
  if (any("error") || results.length === 0) return 3;
  if (any("unknown")) return 2;
  return 0;
}

export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

/**
 * The table: one row a certificate, then one line a failure with its reason (a sentence does
 * not fit in a column).
 */
export function resultTable(results: readonly CheckResult[], paint: Paint): string {
  const shortTime = (d: Date | undefined) => (d ? isoTime(d).replace("T", " ") : "-");
  const head = ["CERTIFICATE", "SERIAL", "STATUS", "REASON", "REVOKED AT", "NEXT UPDATE", "SOURCE"];
  const rows = results.map((r) => [
    r.file === "-" && r.subject ? `- (${r.subject})` : r.file,
    r.serial ?? "-",
    r.status,
    r.status === "revoked" ? (r.revocationReason ?? "(none given)") : "-",
    r.status === "revoked" ? shortTime(r.revocationTime) : "-",
    shortTime(r.nextUpdate),
    r.source ?? "-",
  ]);
  const widths = head.map((h) => h.length);
  for (const row of rows) {
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i]!, c.length);
    });
  }
  const line = (cells: string[], color?: (s: string) => string) => {
    let out = "";
    cells.forEach((c, i) => {
      const padded = c.padEnd(widths[i]!);
      out += (i ? "  " : "") + (i === 2 && color ? color(padded) : padded);
    });
    return out.trimEnd();
  };
  const colorOf = (s: CheckResult["status"]) =>
    s === "good" ? paint.green : s === "revoked" ? paint.red : paint.yellow;
  let out = `${paint.bold(line(head))}\n`;
  results.forEach((r, i) => {
    out += `${line(rows[i]!, colorOf(r.status))}\n`;
  });
  const notes = results.flatMap((r) => {
    const lines: string[] = [];
    if (r.error) lines.push(`${r.file}: ${paint.red("error")}: ${r.error.message}`);
    if (r.ocspError && !r.error) {
      lines.push(paint.dim(`${r.file}: OCSP failed (${r.ocspError.message}); status from the CRL`));
    }
    return lines;
  });
  if (notes.length) out += `\n${notes.join("\n")}\n`;
  return out;
}
