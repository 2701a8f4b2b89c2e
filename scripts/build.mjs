// The CLI build: one CommonJS bundle per command plus a small dispatcher, and each module a
// command imports lazily (the text printers, the responder) as a bundle of its own, so that a
// query loads only the code it runs. Measured on Node 20 (README, "Bundling"): CommonJS bundles
// start faster than ESM chunks, and an unsplit bundle of every command starts slower still.
//
// tsc (the library's ESM and types) runs beside it, and the man page (scripts/man.mjs, which
// needs only the bundles) is written while tsc finishes: on 2 cores the build takes the time of
// tsc rather than the sum. The code caches (scripts/code-cache.mjs) come after, in package.json.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { build, transform } from "esbuild";

/** `node ARGS…` to the end; rejects on a failure, whose output is already on the terminal. */
function node(args) {
  const child = spawn(process.execPath, args, { stdio: "inherit" });
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("exit", (code, signal) =>
      code === 0 ? done() : fail(new Error(`node ${args.join(" ")}: ${signal ?? `exit ${code}`}`)),
    );
  });
}
const tsc = node([resolve("node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
// Awaited at the end, but a failure is not left unhandled meanwhile.
tsc.catch(() => {});

// The commands are src/cli/commands.ts's list (its types stripped, as tsc is still running):
// command <name> lives in src/cli/<name>.ts and becomes dist/bin/<name>.cjs.
const list = await transform(readFileSync("src/cli/commands.ts", "utf8"), { loader: "ts" });
const { COMMANDS } = await import(`data:text/javascript,${encodeURIComponent(list.code)}`);
const commands = [...COMMANDS.keys()].map((name) => resolve("src/cli", `${name}.ts`));
if (commands.length === 0) throw new Error("no commands in src/cli/commands.ts");
const { version } = JSON.parse(readFileSync("package.json", "utf8"));

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
  outdir: "dist/bin",
  outExtension: { ".js": ".cjs" },
  // Less for V8 to scan at start-up; identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // A dynamic import stays a require of a separate bundle, made only when it runs.
  supported: { "dynamic-import": false },
  define: { __OCSPKIT_VERSION__: JSON.stringify(version) },
  // The database drivers are runtime dependencies (better-sqlite3 is a native addon), required
  // only by the commands given --db.
  external: ["better-sqlite3", "pg"],
};

/** Every module reached by a dynamic import becomes `./<name>.cjs` beside the importer. */
function separateLazyModules(found) {
  return {
    name: "separate-lazy-modules",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (a) => {
        if (a.kind !== "dynamic-import") return undefined;
        const source = resolve(dirname(a.importer), a.path.replace(/\.js$/, ".ts"));
        const name = basename(source, ".ts");
        const other = [...found].find((f) => f !== source && basename(f, ".ts") === name);
        if (other) throw new Error(`two lazy modules named ${name}: ${other}, ${source}`);
        found.add(source);
        return { path: `./${name}.cjs`, external: true };
      });
    },
  };
}

/**
 * commander requires node:child_process when it loads, for executable subcommands, which
 * ocspkit does not have: a stand-in requires it only if one is ever run (~2 ms of every start).
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.importer.includes("/node_modules/commander/")
        ? { path: "child_process", namespace: "lazy-child-process" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents:
        'module.exports = new Proxy({}, { get: (_, k) => require("node:child_process")[k] });',
      loader: "js",
    }));
  },
};

const built = new Set();
let pending = [resolve("src/cli/main.ts"), ...commands];
while (pending.length) {
  const found = new Set(built);
  // Named entries: every bundle lands flat in dist/bin, where the requires expect it.
  const entryPoints = Object.fromEntries(pending.map((p) => [basename(p, ".ts"), p]));
  await build({ ...common, entryPoints, plugins: [separateLazyModules(found), lazyChildProcess] });
  for (const p of pending) built.add(p);
  pending = [...found].filter((f) => !built.has(f));
}
await node(["scripts/man.mjs"]);
await tsc;
