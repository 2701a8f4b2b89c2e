// Durations as people write them on a command line: `90s`, `15m`, `8h`, `3d`, `1h30m` (whole
// numbers), or a bare number of seconds, which may have a fraction (what the options took
// before, so scripts keep working).
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const v = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  if (!/^(\d+[smhd])+$/.test(v)) return undefined;
  let total = 0;
  for (const [, n, unit] of v.matchAll(/(\d+)([smhd])/g)) {
    total += Number(n) * UNIT_SECONDS[unit!]!;
  }
  return total;
}

export const DURATION_FORMS = "90s, 15m, 8h, 3d, or a number of seconds";
