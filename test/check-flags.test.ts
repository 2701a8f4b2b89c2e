/**
 * `ocspkit check --nonce` and `--max-age` through the BUILT CLI, run in this process (issue 12,
 * item 8): a responder that drops nonces, one that echoes them, and answers without nextUpdate
 * of various ages, all signed at test time by a CA made with the openssl CLI.
 */
import assert from "node:assert/strict";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { NONCE_OID } from "../src/ocsp/nonce.js";
import { parseRequest } from "../src/ocsp/request.js";
import type { Certificate, Extension } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { runOcspkit } from "./support/cli.js";
import { signedResponse } from "./support/forge.js";
import { argv, openssl } from "./support/pki.js";

const DAY = 86_400_000;

let dir: string;
let ca: Certificate;
let leaf: Certificate;
let caKey: KeyObject;
let caFile: string;
let leafFile: string;

interface Answer {
  /** Echo the request's nonce? */
  readonly echo: boolean;
  readonly ageMs: number;
  readonly nextUpdate: boolean;
}

/** A responder on 127.0.0.1 that signs each answer as `a` says. */
async function responder(a: Answer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const der =
        req.method === "POST"
          ? Buffer.concat(chunks)
          : Buffer.from(decodeURIComponent(req.url!.slice(1)), "base64");
      const nonce = parseRequest(der).extensions.filter((e) => e.oid === NONCE_OID);
      const extensions: Extension[] = a.echo ? nonce : [];
      const now = Date.now();
      const body = signedResponse({
        responderId: { byName: ca.subject },
        producedAt: new Date(now),
        responses: [
          {
            certId: certIdFor(ca, leaf, SHA1),
            status: "good",
            thisUpdate: new Date(now - a.ageMs),
            ...(a.nextUpdate ? { nextUpdate: new Date(now + DAY) } : {}),
          },
        ],
        extensions,
        key: caKey,
        certs: [],
      });
      res.writeHead(200, { "Content-Type": "application/ocsp-response" });
      res.end(Buffer.from(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, server };
}

async function check(a: Answer, ...args: string[]) {
  const { url, server } = await responder(a);
  try {
    const r = await runOcspkit(
      "check",
      argv`--json --url ${url} --issuer ${caFile} --ca-file ${caFile} ${args} ${leafFile}`,
    );
    const result = r.code === 64 ? undefined : JSON.parse(r.stdout).results[0];
    return { code: r.code, result, err: r.stderr };
  } finally {
    server.close();
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ocspkit-check-flags-"));
  const f = (n: string) => join(dir, n);
  const ec = argv`-algorithm EC -pkeyopt ec_paramgen_curve:P-256`;
  await openssl(argv`genpkey ${ec} -out ${f("ca.key")}`);
  await openssl(
    argv`req -x509 -new -key ${f("ca.key")} -subj ${"/CN=Flags CA"} -days 5
         -addext ${"basicConstraints=critical,CA:true"} -addext ${"keyUsage=keyCertSign,digitalSignature"}
         -out ${f("ca.pem")}`,
  );
  await openssl(argv`req -new -key ${f("ca.key")} -subj ${"/CN=leaf"} -out ${f("leaf.csr")}`);
  await openssl(
    argv`x509 -req -in ${f("leaf.csr")} -CA ${f("ca.pem")} -CAkey ${f("ca.key")} -set_serial 7
         -days 5 -out ${f("leaf.pem")}`,
  );
  caFile = f("ca.pem");
  leafFile = f("leaf.pem");
  ca = loadCertificate(caFile, "ca");
  leaf = loadCertificate(leafFile, "leaf");
  caKey = createPrivateKey(readFileSync(f("ca.key")));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("check --nonce and --max-age", () => {
  const fresh = { ageMs: 60_000, nextUpdate: true };

  test("--nonce: an answer that drops the nonce is an error, exit 3", async () => {
    const r = await check({ echo: false, ...fresh }, "--nonce");
    assert.equal(r.code, 3, r.err);
    assert.equal(r.result.status, "error");
    assert.equal(r.result.errorCode, "ERR_NONCE_MISSING");
    assert.match(r.result.error, /nonce/);
  });

  test("--nonce: an answer that echoes it is good; without --nonce none is required", async () => {
    const echoed = await check({ echo: true, ...fresh }, "--nonce");
    assert.equal(echoed.code, 0, JSON.stringify(echoed.result));
    assert.equal(echoed.result.status, "good");
    const plain = await check({ echo: false, ...fresh });
    assert.equal(plain.code, 0, JSON.stringify(plain.result));
  });

  test("--max-age: an answer without nextUpdate older than it is stale (default 14 days)", async () => {
    const old = { echo: false, ageMs: 15 * DAY, nextUpdate: false };
    const r = await check(old);
    assert.equal(r.code, 3);
    assert.equal(r.result.errorCode, "ERR_STALE");
    assert.match(r.result.error, /too old/);
    assert.equal((await check(old, "--max-age", "30d")).code, 0);
    assert.equal((await check({ ...old, ageMs: 2 * 3600_000 }, "--max-age", "1h")).code, 3);
    assert.equal((await check({ ...old, ageMs: 10 * DAY })).code, 0);
    // nextUpdate bounds an answer by itself: its age is not held against it.
    assert.equal((await check({ ...old, nextUpdate: true })).code, 0);
  });

  test("--max-age must be a positive duration", async () => {
    for (const bad of ["0", "-1", "3w", "abc", "1.5h"]) {
      const r = await check({ echo: false, ...fresh }, "--max-age", bad);
      assert.equal(r.code, 64, bad);
      assert.match(r.err, /--max-age/);
    }
  });
});
