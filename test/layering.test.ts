/**
 * The house as drawn from its imports (README, Architecture): nothing outside src/cli/ imports
 * src/cli/, there are no import cycles (static, type-only and dynamic imports alike), and
 * cli/ocsp.ts stays a thin layer. Imports are read with a small scanner, not a dependency:
 * `from "./x.js"`, `import("./x.js")` and `import "./x.js"`, relative specifiers only.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { REPO_ROOT } from "./support/pki.ts";

const SRC = resolve(REPO_ROOT, "src");

const IMPORT_FORMS = [
  /\bfrom\s+"(\.{1,2}\/[^"]+)"/g,
  /\bimport\s*\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g,
  /^\s*import\s+"(\.{1,2}\/[^"]+)"/gm,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** The modules a source text imports, as paths relative to src/ ("cli/ocsp.ts"). */
function importsOf(file: string, text: string): string[] {
  const found = new Set<string>();
  for (const form of IMPORT_FORMS) {
    for (const m of text.matchAll(form)) {
      const target = resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts"));
      found.add(relative(SRC, target));
    }
  }
  return [...found];
}

const graph = new Map<string, string[]>(
  sourceFiles(SRC).map((f) => [relative(SRC, f), importsOf(f, readFileSync(f, "utf8"))]),
);

/** Every cycle's first sighting, as a path "a.ts -> b.ts -> a.ts". */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (m: string): void => {
    state.set(m, "open");
    stack.push(m);
    for (const next of g.get(m) ?? []) {
      if (state.get(next) === "open") {
        found.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of [...g.keys()].sort()) if (!state.has(m)) visit(m);
  return found;
}

describe("layering", () => {
  test("the scanner reads every module, and every import it finds exists", () => {
    assert.ok(graph.size > 50, `only ${graph.size} modules under src/`);
    assert.ok(graph.get("cli/main.ts")?.includes("cli/commands.ts"));
    assert.ok(graph.get("cli/commands.ts")?.includes("cli/ocsp.ts"), "dynamic imports are read");
    for (const [m, imports] of graph) {
      for (const i of imports) assert.ok(existsSync(join(SRC, i)), `${m} imports missing ${i}`);
    }
  });

  test("the cycle finder finds a cycle", () => {
    const g = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    assert.deepEqual(cycles(g), ["a.ts -> b.ts -> c.ts -> a.ts"]);
  });

  test("no module outside src/cli/ imports from src/cli/", () => {
    const wrong = [...graph].flatMap(([m, imports]) =>
      m.startsWith("cli/")
        ? []
        : imports.filter((i) => i.startsWith("cli/")).map((i) => `${m} -> ${i}`),
    );
    assert.deepEqual(wrong, []);
  });

  test("no import cycles, static or dynamic", () => {
    assert.deepEqual(cycles(graph), []);
  });

  test("cli/ocsp.ts is under 400 lines", () => {
    const lines = readFileSync(join(SRC, "cli", "ocsp.ts"), "utf8").split("\n").length;
    assert.ok(lines < 400, `cli/ocsp.ts has ${lines} lines`);
  });
});
