// Kept apart from text.ts so the everyday summary lines do not load the full printers.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `ASN1_TIME_print` layout: "Nov 27 02:47:53 2026 GMT" (day as `%2d`). `fraction` is the
 * fractional-seconds text of a GeneralizedTime including its dot (e.g. ".5"), which
 * OpenSSL prints right after the seconds. OpenSSL 3.0 says "GMT" even for times written
 * with a +hhmm offset, since it has converted them to GMT by then.
 */
export function gmtTime(d: Date, fraction = ""): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, " ");
  const clock = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${clock}${fraction} ${d.getUTCFullYear()} GMT`;
}
