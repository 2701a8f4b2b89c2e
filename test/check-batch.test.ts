/**
 * `check` on batches: many CertIDs to a request for one responder and CA, kept-alive
 * connections, and the fall-back to one certificate a request when a responder will not answer
 * lists. The leaves are the bench's (bench/pki.ts: one `openssl ca` run issues them all, every
 * tenth revoked), so a hundred of them cost about a second.
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type BenchPki, makeBenchPki } from "../bench/pki.ts";
import { loadInputs } from "../src/check/inputs.ts";
import { checkCertificates } from "../src/check/run.ts";
import { encodeRequest, type OcspRequest, parseRequest } from "../src/ocsp/request.ts";
import { requestFromPath, startResponder } from "../src/responder/server.ts";
import { sendOcspRequest } from "../src/transport/http.ts";
import { loadCertificate } from "../src/x509/load.ts";
import { openTrustStore } from "../src/x509/store.ts";
import { runBuiltCli } from "./support/cli.ts";
import { signedResponse } from "./support/forge.ts";
import {
  ocspErrorResponse,
  REPO_ROOT,
  type Responder,
  runCommand,
  startOpensslResponder,
} from "./support/pki.ts";

const LEAVES = 120;

type Answer = (request: OcspRequest, der: Buffer) => Promise<Uint8Array>;

/**
 * A keep-alive loopback responder that hands every request to `answer`, and records each
 * request's bytes, how many CertIDs each held and how many connections were opened.
 */
async function startFront(answer: Answer) {
  const lists: number[] = [];
  const bodies: string[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const der = req.method === "GET" ? requestFromPath(req.url ?? "/")! : await body(req);
      const request = parseRequest(der);
      lists.push(request.requests.length);
      bodies.push(der.toString("hex"));
      const out = await answer(request, der);
      res.writeHead(200, {
        "Content-Type": "application/ocsp-response",
        "Content-Length": out.length,
      });
      res.end(out);
    })();
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    lists,
    bodies,
    connections: () => connections,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

describe("check in batches", () => {
  let bench: BenchPki;
  let files: string[];
  /** What index.txt says about each file, in order. */
  let want: string[];
  let openssl: Responder;
  /** ocspkit's own responder, in-process: quick enough to be asked a hundred times. */
  let ocspkit: { url: string; close(): Promise<void> };
  let common: string[];

  before(async () => {
    bench = await makeBenchPki(mkdtempSync(join(tmpdir(), "ocspkit-batch-")), LEAVES);
    const { pki } = bench;
    // Plus a certificate the index does not know.
    files = [...bench.leaves.map((l) => l.path), pki.leaves.unknown.cert];
    want = [...bench.leaves.map((l) => l.status), "unknown"];
    openssl = await startOpensslResponder(pki);
    ocspkit = await startResponder(
      {
        cas: [
          {
            caCert: loadCertificate(pki.intermediate.cert, "CA"),
            signerCert: loadCertificate(pki.ocspSigner.cert, "signer"),
            signerKey: createPrivateKey(readFileSync(pki.ocspSigner.key)),
            index: pki.index,
          },
        ],
      },
      { log: () => {} },
    );
    common = ["--json", "--issuer", pki.intermediate.cert, "--ca-file", pki.caFiles.root];
  });
  after(async () => {
    await openssl?.stop();
    await ocspkit?.close();
    bench?.pki.cleanup();
  });

  async function check(...args: string[]) {
    const { code, stdout, stderr } = await runBuiltCli("check", [...common, ...args]);
    assert.equal(stderr, "");
    const results = JSON.parse(stdout).results as Record<string, unknown>[];
    return { code, results, statuses: results.map((r) => r.status) };
  }

  test("50 certificates in one request get the statuses one request each gets (openssl)", async () => {
    const some = [...files.slice(0, 49), files.at(-1)!];
    const before = openssl.exchanges.length;
    const listed = await check("--url", openssl.url, ...some);
    const asked = openssl.exchanges.slice(before).map((e) => parseRequest(e.body).requests.length);
    assert.deepEqual(asked, [50], "one POST for all fifty");
    assert.deepEqual(listed.statuses, [...want.slice(0, 49), "unknown"]);
    assert.equal(listed.code, 1);

    // --method get asks one certificate a request (RFC 5019's cacheable form).
    const singly = await check("--url", openssl.url, "--method", "get", ...some);
    const gets = openssl.exchanges.slice(before + 1);
    assert.equal(gets.length, 50);
    assert.ok(gets.every((e) => e.method === "GET"));
    assert.deepEqual(singly.statuses, listed.statuses);
    const revocation = (r: Record<string, unknown>) => [r.revocationReason, r.revocationTime];
    assert.deepEqual(singly.results.map(revocation), listed.results.map(revocation));
    assert.deepEqual(
      singly.results.map((r) => r.serial),
      listed.results.map((r) => r.serial),
    );
  });

  test("a responder that answers only the first CertID of a list: asked one by one, remembered, over one connection", async () => {
    const firstOnly = await startFront(async (request, der) => {
      const first = encodeRequest({ requests: request.requests.slice(0, 1), extensions: [] });
      return sendOcspRequest(ocspkit.url, request.requests.length > 1 ? first : der);
    });
    try {
      // One list of all 121, refused; then each alone.
      const r = await check("--url", firstOnly.url, "--concurrency", "1", ...files);
      assert.deepEqual(r.statuses, want, "no unanswered certificate is reported good");
      assert.deepEqual(
        firstOnly.lists.filter((n) => n > 1),
        [files.length],
      );
      assert.equal(firstOnly.lists.filter((n) => n === 1).length, files.length);
      assert.equal(firstOnly.connections(), 1, "every request on one kept-alive connection");
    } finally {
      await firstOnly.stop();
    }
  });

  test("a list answered at more than the client takes: asked one by one", async () => {
    // A responder whose answers to lists outgrow the 100 KiB cap (as with large per-answer
    // extensions): the list fails as a whole, and each certificate still gets its status.
    const bulky = await startFront(async (request, der) =>
      request.requests.length > 1 ? new Uint8Array(101 * 1024) : sendOcspRequest(ocspkit.url, der),
    );
    try {
      const some = files.slice(0, 30);
      const r = await check("--url", bulky.url, "--concurrency", "1", ...some);
      assert.deepEqual(r.statuses, want.slice(0, 30));
      assert.deepEqual(bulky.lists, [30, ...some.map(() => 1)]);
    } finally {
      await bulky.stop();
    }
  });

  test("malformedRequest for a list: asked one by one", async () => {
    const strict = await startFront(async (request, der) =>
      request.requests.length > 1 ? ocspErrorResponse(1) : sendOcspRequest(ocspkit.url, der),
    );
    try {
      const some = files.slice(0, 30);
      const r = await check("--url", strict.url, "--concurrency", "4", ...some);
      assert.deepEqual(r.statuses, want.slice(0, 30));
      assert.equal(strict.lists.filter((n) => n === 1).length, 30);
      assert.ok(strict.connections() <= 4, `${strict.connections()} connections for 4 at once`);
    } finally {
      await strict.stop();
    }
  });

  test("one stale answer in a list spoils only itself: the others are asked alone", async () => {
    const { pki } = bench;
    const signer = loadCertificate(pki.ocspSigner.cert, "signer");
    const key = createPrivateKey(readFileSync(pki.ocspSigner.key));
    const day = 86_400_000;
    // A list's answer says "good" for all (a lie for the revoked ones), the first one stale.
    const staleFirst = await startFront(async (request, der) => {
      if (request.requests.length === 1) return sendOcspRequest(ocspkit.url, der);
      return signedResponse({
        responderId: { byKey: signer.keyHash() },
        producedAt: new Date(),
        responses: request.requests.map((q, i) => ({
          certId: q.certId,
          status: "good",
          thisUpdate: new Date(Date.now() - (i === 0 ? 3 * day : 0)),
          nextUpdate: new Date(Date.now() + (i === 0 ? -2 * day : day)),
        })),
        key,
        certs: [signer],
      });
    });
    try {
      const some = files.slice(0, 20);
      const r = await check("--url", staleFirst.url, ...some);
      assert.deepEqual(r.statuses, want.slice(0, 20));
      assert.deepEqual(
        staleFirst.lists.filter((n) => n > 1),
        [20],
      );
      assert.equal(staleFirst.lists.filter((n) => n === 1).length, 20);
    } finally {
      await staleFirst.stop();
    }
  });

  test("a --url that does not parse is a usage error (64) naming the option", async () => {
    for (const bad of ["http://[::1", "ftp://example/", "notaurl"]) {
      const c = await runBuiltCli("check", [...common, "--url", bad, ...files.slice(0, 2)]);
      assert.equal(c.code, 64);
      assert.match(c.stderr, /--url/);
      assert.equal(c.stdout, "");
    }
  });

  test("tryLater for a list: the list is asked once more, then each certificate is an error", async () => {
    const busy = await startFront(async () => ocspErrorResponse(3));
    try {
      const { pki } = bench;
      const results = await checkCertificates(loadInputs(files.slice(0, 5)).inputs, {
        issuers: [loadCertificate(pki.intermediate.cert, "issuer")],
        trust: openTrustStore({ caFile: pki.caFiles.root }),
        url: busy.url,
        retryDelayMs: 10,
      });
      assert.deepEqual(busy.lists, [5, 5]);
      for (const r of results) {
        assert.equal(r.status, "error");
        assert.match(String(r.error?.message), /trylater/);
      }
    } finally {
      await busy.stop();
    }
  });

  test("a leaf its issuer did not sign is an error beside the same leaf intact; the others are asked", async () => {
    // The last bytes of the file's DER are the signature's: one flipped, nothing else changed.
    const dir = mkdtempSync(join(tmpdir(), "ocspkit-batch-bad-"));
    const der = Buffer.from(loadCertificate(files[0]!, "leaf").der);
    der[der.length - 1]! ^= 0x01;
    const forged = join(dir, "forged.pem");
    writeFileSync(
      forged,
      `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`,
    );
    const front = await startFront(async (_request, body) => sendOcspRequest(ocspkit.url, body));
    try {
      const some = [files[0]!, forged, ...files.slice(1, 6), forged];
      const r = await check("--url", front.url, ...some);
      assert.deepEqual(r.statuses, [want[0], "error", ...want.slice(1, 6), "error"]);
      for (const i of [1, 7]) {
        assert.match(String(r.results[i]!.error), /did not issue this certificate/);
        assert.equal(
          r.results[i]!.serial,
          r.results[0]!.serial,
          "the same serial as the intact leaf",
        );
      }
      assert.deepEqual(front.lists, [6], "the forged copy is never asked about");
    } finally {
      await front.stop();
    }
  });

  test("the same inputs make the same requests (a responder's cache can answer them)", async () => {
    const front = await startFront(async (_request, body) => sendOcspRequest(ocspkit.url, body));
    try {
      const first = await check("--url", front.url, ...files);
      const once = [...front.bodies];
      const second = await check("--url", front.url, ...files);
      assert.deepEqual(second.statuses, first.statuses);
      assert.deepEqual(first.statuses, want);
      // One list of all 121, its CertIDs in input order whatever order the signatures came in.
      assert.equal(once.length, 1, "one list of 121");
      assert.deepEqual(front.bodies.slice(1), once);
    } finally {
      await front.stop();
    }
  });

  test("the ocspkit process ends once check is done, its output whole through a pipe read late", async () => {
    // bin/ocspkit.cjs exits at once after `check` rather than waiting to free its memory: the
    // JSON (each file named twice: more than a pipe holds) must still arrive whole when the
    // reader of the pipe comes late, as `ocspkit check … | jq` may.
    const argv = [process.execPath, join(REPO_ROOT, "bin", "ocspkit.cjs"), "check", ...common];
    const quoted = [...argv, "--url", ocspkit.url, ...files, ...files].map((a) => `'${a}'`);
    const { code, stdout, stderr } = await runCommand("bash", [
      "-c",
      `set -o pipefail; ${quoted.join(" ")} | (sleep 0.3; cat)`,
    ]);
    assert.ok(stdout.length > 64 * 1024, `${stdout.length} bytes: more than a pipe holds`);
    const results = JSON.parse(stdout).results as { status: string }[];
    assert.deepEqual(
      results.map((r) => r.status),
      [...want, ...want],
    );
    assert.equal(stderr, "");
    assert.equal(code, 1);
  });
});
