/**
 * OpenSSL's OCSP_check_validity: thisUpdate no more than `skewSec` in the future (and, when
 * `maxAgeSec` >= 0, newer than that), nextUpdate later than `skewSec` ago and not before
 * thisUpdate. The boundaries are X509_cmp_time's, which counts "equal" as "earlier": a
 * nextUpdate of exactly now - skew has expired. Returns the problems found, empty when the
 * times are acceptable.
 */
export function statusTimeProblems(
  thisUpdate: Date,
  nextUpdate: Date | undefined,
  skewSec: number,
  maxAgeSec = -1,
  now: Date = new Date(),
): string[] {
  const problems: string[] = [];
  // Only a response read for printing holds such times; none of them is ever acceptable.
  if ([thisUpdate, nextUpdate].some((d) => d && Number.isNaN(d.getTime()))) {
    return ["status time unreadable"];
  }
  const nowSec = Math.floor(now.getTime() / 1000);
  const sec = (d: Date) => Math.floor(d.getTime() / 1000);
  if (sec(thisUpdate) > nowSec + skewSec) problems.push("status not yet valid");
  if (maxAgeSec >= 0 && sec(thisUpdate) <= nowSec - maxAgeSec) problems.push("status too old");
  if (!nextUpdate) return problems;
  if (sec(nextUpdate) <= nowSec - skewSec) problems.push("status expired");
  if (nextUpdate < thisUpdate) problems.push("nextUpdate before thisUpdate");
  return problems;
}
