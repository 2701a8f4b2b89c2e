// What every section hands back, plain-text tables, and the few statistics used. The machine
// is shared and noisy, so figures are medians over interleaved rounds and every comparison
// is a ratio of figures taken in the same run.

export interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Target {
  readonly text: string;
  /** The measured ratio (or value); undefined when a side of it could not be measured. */
  readonly measured?: number;
  readonly bound: number;
  /** "min": measured must be >= bound; "max": measured must be <= bound. */
  readonly kind: "min" | "max";
  readonly unit?: string;
}

export interface SectionResult {
  readonly title: string;
  readonly notes: readonly string[];
  readonly tables: readonly Table[];
  readonly targets: readonly Target[];
  /** The raw figures, for bench/results.json. */
  readonly data: unknown;
}

/** One line saying why something failed: the first line that names an error, else the first. */
export function reason(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split("\n").filter(Boolean);
  return (lines.find((l) => /error|not available/i.test(l)) ?? lines[0] ?? "failed").trim();
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The median of per-round ratios: rounds run side by side in time, so a burst of load from
 * elsewhere on the machine moves both sides of one round together.
 */
export const ratioOfRounds = (a: readonly number[], b: readonly number[]): number =>
  median(a.map((x, i) => x / b[i]!));

/** Significant-ish digits: 12345 → "12,345", 12.3456 → "12.3", 0.01234 → "0.0123". */
export function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export const fmtRatio = (r: number | undefined): string =>
  r === undefined || !Number.isFinite(r) ? "–" : `${r.toFixed(2)}×`;

export function renderTable(t: Table): string {
  const widths = t.head.map((h, i) =>
    Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)),
  );
  // The first column is text (left-aligned), the others figures (right-aligned).
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(t.head), line(widths.map((w) => "-".repeat(w))), ...t.rows.map(line)].join("\n");
}

export function targetMet(t: Target): boolean | undefined {
  if (t.measured === undefined) return undefined;
  return t.kind === "min" ? t.measured >= t.bound : t.measured <= t.bound;
}

export function targetsTable(targets: readonly Target[]): Table {
  return {
    head: ["target", "measured", "bound", "verdict"],
    rows: targets.map((t) => {
      const met = targetMet(t);
      const show = (v: number, digits: number) =>
        t.unit ? `${fmt(v)} ${t.unit}` : `${v.toFixed(digits)}×`;
      return [
        t.text,
        // A third decimal, so that 0.848 does not print as the 0.85 it misses.
        t.measured === undefined ? "unavailable" : show(t.measured, 3),
        `${t.kind === "min" ? "≥" : "≤"} ${show(t.bound, 2)}`,
        met === undefined ? "n/a" : met ? "met" : "MISSED",
      ];
    }),
  };
}

export function renderSection(s: SectionResult): string {
  return [
    `== ${s.title}`,
    ...s.notes.map((n) => `   ${n}`),
    "",
    ...s.tables.flatMap((t) => [renderTable(t), ""]),
  ].join("\n");
}
