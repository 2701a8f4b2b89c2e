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

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
    // A batch's process ends holding tens of megabytes of heap, which a natural exit frees piece
    // by piece: ~16 ms of a 1,000-certificate `check` on 2 cores. `check` leaves nothing running
    // once it returns, only its output, which may still be queued for a pipe: the process
    // exits once an empty write after it on each stream is done, so after every byte.
    if (argv[0] === "check") {
      let streams = 2;
      const flushed = () => --streams === 0 && process.exit();
      process.stdout.write("", flushed);
      process.stderr.write("", flushed);
    }
  },
  (err) => {
    process.stderr.write(`ocspkit: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
