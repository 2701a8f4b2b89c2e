#!/usr/bin/env node
"use strict";
// CommonJS, and one bundle per command (scripts/build.mjs): Node 20's fastest start.
require("./code-cache.cjs");
const { main } = require("../dist/bin/main.cjs");

// A reader that goes away (`ocspkit … | head -1`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ocspkit: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
