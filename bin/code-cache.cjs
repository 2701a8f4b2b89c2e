"use strict";
// Loads the CLI's bundles (dist/bin/*.cjs) with V8's code cache, made at build time by a
// training run (scripts/code-cache.mjs): a short command would otherwise spend a tenth of its
// instructions parsing and compiling the functions it calls. Node 20 has no compile cache of its
// own (module.enableCompileCache came in Node 22).
//
// A cache is used only for the exact source it was made from: it starts with the source's
// SHA-256, because V8 itself checks only the source's length. V8 refuses a cache made by another
// V8 or with other flags, and then the bundle is compiled as usual. Nothing is written at run
// time, except when the build's training run asks for it with OCSPKIT_CODE_CACHE=write.
const { createHash } = require("node:crypto");
const { readFileSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");

const BUNDLES = join(__dirname, "..", "dist", "bin");
const HASH_BYTES = 32;
const compiled = [];

const plainLoad = Module._extensions[".js"];
Module._extensions[".cjs"] = (module, filename) => {
  if (dirname(filename) !== BUNDLES) return plainLoad(module, filename);
  const source = readFileSync(filename, "utf8");
  const hash = createHash("sha256").update(source).digest();
  let cache;
  try {
    const file = readFileSync(`${filename}.cache`);
    if (file.subarray(0, HASH_BYTES).equals(hash)) cache = file.subarray(HASH_BYTES);
  } catch {
    // No cache (a build without training, or a cache removed): compile as usual.
  }
  const script = new Script(Module.wrap(source), { filename, cachedData: cache });
  compiled.push({ filename, script, hash });
  const wrapper = script.runInThisContext();
  const require = Module.createRequire(filename);
  wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
};

if (process.env.OCSPKIT_CODE_CACHE === "write") {
  // At exit, so that the cache holds every function the run compiled, not only the top level.
  process.on("exit", () => {
    // V8 takes a cache only under the flags it was made with, and a command may change them as
    // it runs (check turns the optimizing compiler off once its inputs are read): back to the
    // default, which every run starts with.
    require("node:v8").setFlagsFromString("--turbofan");
    for (const { filename, script, hash } of compiled) {
      writeFileSync(`${filename}.cache`, Buffer.concat([hash, script.createCachedData()]));
    }
  });
}
