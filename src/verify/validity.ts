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
  // Only a response read for printing holds such times; none of them is ever acceptable.
  if (Number.isNaN(thisUpdate.getTime()) || (nextUpdate && Number.isNaN(nextUpdate.getTime()))) {
    return ["status time unreadable"];
  }
  const problems: string[] = [];
  const nowSec = Math.floor(now.getTime() / 1000);
  const thisSec = Math.floor(thisUpdate.getTime() / 1000);
  if (thisSec > nowSec + skewSec) problems.push("status not yet valid");
  if (maxAgeSec >= 0 && thisSec <= nowSec - maxAgeSec) problems.push("status too old");
  if (!nextUpdate) return problems;
  if (Math.floor(nextUpdate.getTime() / 1000) <= nowSec - skewSec) problems.push("status expired");
  if (nextUpdate < thisUpdate) problems.push("nextUpdate before thisUpdate");
  return problems;
}
