// Makes dist/bin/*.cjs.cache, the V8 code caches bin/code-cache.cjs loads the bundles with: the
// built CLI runs the commands whose start-up and batch speed the bench measures (`check`, and
// `ocsp` as a client with and without its text output) against the demo's PKI and responder,
// and writes, at exit, the bytecode of every function each run compiled. Commands not trained
// here run as fast as before: their bundles are compiled as usual.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { setUpDemo } from "../dist/demo/setup.js";

const run = promisify(execFile);
for (const f of readdirSync("dist/bin")) if (f.endsWith(".cache")) rmSync(join("dist/bin", f));

const dir = mkdtempSync(join(tmpdir(), "ocspkit-code-cache-"));
const demo = await setUpDemo({ dir: join(dir, "pki"), log: () => {} });
try {
  const f = demo.file;
  const leaves = demo.leaves.map((l) => f(`${l.name}.pem`));
  const trust = ["--issuer", f("intermediate.pem"), "--ca-file", f("root.pem")];
  const ossl = ["-issuer", f("intermediate.pem"), "-CAfile", f("root.pem")];
  const url = demo.responder.url;
  const trainings = [
    ["check", ...trust, "--url", url, ...leaves],
    ["check", ...trust, "--url", url, "--json", ...leaves],
    ["ocsp", ...ossl, "-url", url, "-cert", leaves[0]],
    ["ocsp", ...ossl, "-url", url, "-cert", leaves[1], "-resp_text"],
  ];
  // One after the other: each run starts from the caches the runs before it wrote.
  for (const args of trainings) {
    const env = { ...process.env, OCSPKIT_CODE_CACHE: "write" };
    try {
      await run(process.execPath, ["bin/ocspkit.cjs", ...args], { env });
    } catch (err) {
      // check exits 1 or 2 for the revoked and unknown leaves; anything else is a broken build.
      if (!(args[0] === "check" && [1, 2].includes(err.code))) throw err;
    }
  }
} finally {
  await demo.responder.close();
  rmSync(dir, { recursive: true, force: true });
}
