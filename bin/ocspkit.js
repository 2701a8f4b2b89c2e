#!/usr/bin/env node
// One esbuild bundle (with a chunk per command) starts ~50 ms faster than tsc's many files.
import { main } from "../dist/bin/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ocspkit: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
