#!/usr/bin/env node
"use strict";
// CommonJS, and one bundle per command (scripts/build.mjs): Node 20's fastest start.
require("./code-cache.cjs");
const { exitsOnReturn, main } = require("../dist/bin/main.cjs");

// A reader that goes away (`ocspkit … | head -1`) is not an error worth a stack trace. Output
// that cannot be written (a full disk, a closed terminal) is lost: one line says so, and the exit
// is EX_IOERR rather than the status of results nobody got.
const EX_IOERR = 74;
for (const [stream, name] of [
  [process.stdout, "standard output"],
  [process.stderr, "standard error"],
]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    if (stream !== process.stderr) {
      try {
        require("node:fs").writeSync(2, `ocspkit: cannot write to ${name}: ${err.message}\n`);
      } catch {
        // Standard error is gone too: the exit code is all that is left.
      }
    }
    process.exit(EX_IOERR);
  });
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
    // A batch's process ends holding tens of megabytes of heap, which a natural exit frees piece
    // by piece. A command that leaves nothing running (src/cli/commands.ts says which) leaves
    // only its output, which may still be queued for a pipe: the process exits once an empty
    // write after it on each stream is done, so after every byte.
    if (exitsOnReturn(argv)) {
      let streams = 2;
      // A write that failed is the error handler's to report.
      const flushed = (err) => !err && --streams === 0 && process.exit();
      process.stdout.write("", flushed);
      process.stderr.write("", flushed);
    }
  },
  (err) => {
    process.stderr.write(`ocspkit: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
