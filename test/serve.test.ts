/**
 * `ocspkit serve` and its library entry `startResponder`: RFC 5019 GET and POST, HTTP caching,
 * the answer cache, OCSP error statuses, limits and timeouts, index reloads, metrics, access
 * logs, several CAs, workers and graceful shutdown. Responders listen on 127.0.0.1, port 0.
 *
 *   node --import tsx --test test/serve.test.ts
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeTlv, TAG } from "../src/der/der.js";
import { certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest, nonceExtension } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";
import { ResponseSigner } from "../src/ocsp/response-builder.js";
import {
  createOcspServer,
  listen,
  type RunningResponder,
  requestFromPath,
  startResponder,
} from "../src/responder/server.js";
import { OcspService } from "../src/responder/service.js";
import { IndexStore } from "../src/responder/store.js";
import type { Certificate } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { type ServerProcess, startProcess } from "./responder-process.js";
import { argv, makePki, ocspkitCommand, openssl, type Pki, runArgv } from "./support/pki.js";
import { eventually } from "./support/wait.js";

let pki: Pki;
let inter: Certificate;
const cert = (path: string) => loadCertificate(path, "certificate");
const key = (path: string) => createPrivateKey(readFileSync(path));

before(async () => {
  pki = await makePki();
  inter = cert(pki.intermediate.cert);
});
after(() => pki?.cleanup());

interface Reply {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP exchange on a fresh connection; `chunked` sends the body in two chunks, unannounced. */
function http(
  url: string,
  o: {
    method?: string;
    body?: Uint8Array;
    headers?: Record<string, string>;
    chunked?: boolean;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: o.method ?? (o.body ? "POST" : "GET"),
        headers: { "Content-Type": "application/ocsp-request", ...o.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ code: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    if (o.chunked && o.body) {
      const half = o.body.length >> 1;
      req.write(o.body.subarray(0, half));
      req.end(o.body.subarray(half));
    } else req.end(o.body);
  });
}

const requestFor = (leaf: string, nonce = false, issuer = inter) =>
  encodeRequest({
    requests: [{ certId: certIdFor(issuer, cert(leaf), SHA1), extensions: [] }],
    extensions: nonce ? [nonceExtension()] : [],
  });

/** A request for the good leaf padded with a non-critical extension to exactly `size` bytes. */
function requestOfSize(size: number): Uint8Array {
  const certId = certIdFor(inter, cert(pki.leaves.good.cert), SHA1);
  let pad = size;
  for (let i = 0; i < 4; i++) {
    const value = encodeTlv(TAG.OCTET_STRING, new Uint8Array(pad));
    const der = encodeRequest({
      requests: [{ certId, extensions: [] }],
      extensions: [{ oid: "1.3.6.1.4.1.55555.7", critical: false, value }],
    });
    if (der.length === size) return der;
    pad += size - der.length;
  }
  throw new Error(`no request of exactly ${size} bytes`);
}

const statusOf = (body: Buffer) => {
  const r = parseResponse(body);
  return r.status === 0 ? r.basic!.responses.map((s) => s.status).join(",") : `error ${r.status}`;
};

const getUrl = (base: string, der: Uint8Array, prefix = "") =>
  `${base}${prefix}${encodeURIComponent(Buffer.from(der).toString("base64"))}`;

let indexCopies = 0;

/** A responder for the test PKI's intermediate, on an index copy the test may rewrite. */
async function start(
  o: { index?: string; nextUpdateSeconds?: number; unknownIssuer?: "unknown"; log?: string[] } = {},
): Promise<RunningResponder & { index: string }> {
  const index = o.index ?? join(pki.dir, `serve-index-${++indexCopies}.txt`);
  if (!o.index) writeFileSync(index, readFileSync(pki.index));
  const r = await startResponder({
    cas: [
      {
        caCert: inter,
        signerCert: cert(pki.ocspSigner.cert),
        signerKey: key(pki.ocspSigner.key),
        index,
      },
    ],
    nextUpdateSeconds: o.nextUpdateSeconds,
    unknownIssuer: o.unknownIssuer,
    accessLog: o.log ? (l) => o.log!.push(l) : undefined,
  });
  return { ...r, index };
}

describe("answers", () => {
  let r: RunningResponder & { index: string };
  before(async () => {
    r = await start({ nextUpdateSeconds: 600 });
  });
  after(() => r?.close());

  test("POST: good and revoked, nextUpdate from the configuration, caching headers", async () => {
    const good = await http(r.url, { body: requestFor(pki.leaves.good.cert) });
    assert.equal(good.code, 200);
    assert.equal(good.headers["content-type"], "application/ocsp-response");
    const s = parseResponse(good.body).basic!.responses[0]!;
    assert.equal(s.status, "good");
    assert.equal(s.nextUpdate!.getTime() - s.thisUpdate.getTime(), 600_000);
    const maxAge = Number(/max-age=(\d+)/.exec(String(good.headers["cache-control"]))?.[1]);
    assert.ok(maxAge > 590 && maxAge <= 600, `max-age ${maxAge}`);
    assert.equal(good.headers.expires, s.nextUpdate!.toUTCString());
    assert.equal(good.headers["last-modified"], s.thisUpdate.toUTCString());
    assert.match(String(good.headers.etag), /^"[0-9a-f]{40}"$/);
    const revoked = await http(r.url, { body: requestFor(pki.leaves.revoked.keyCompromise.cert) });
    assert.equal(statusOf(revoked.body), "revoked");
  });

  test("GET under any path prefix, read back by openssl ocsp -respin", async () => {
    const der = requestFor(pki.leaves.revoked.superseded.cert);
    const res = await http(getUrl(r.url, der, "ocsp/v1/"));
    assert.equal(res.code, 200);
    const file = join(pki.dir, "serve-get.der");
    writeFileSync(file, res.body);
    const o = await openssl(
      argv`ocsp -respin ${file} -issuer ${pki.intermediate.cert} -cert ${pki.leaves.revoked.superseded.cert}
           -CAfile ${pki.caFiles.root} -no_nonce`,
    );
    assert.match(o.stdout, /: revoked\n.*\n.*\n\tReason: superseded\n/);
    assert.match(o.stderr, /Response verify OK/);
  });

  test("GET with the base64 '/' characters left unescaped", async () => {
    // Find a request whose base64 contains a '/', then send it raw.
    const der = requestFor(pki.leaves.good.cert);
    const b64 = Buffer.from(der).toString("base64");
    assert.deepEqual(requestFromPath(`/a/b/${b64}`), Buffer.from(der));
    const res = await http(`${r.url}x/${b64.replace(/\+/g, "%2B")}`);
    assert.equal(statusOf(res.body), "good");
  });

  test("304 on If-None-Match with the ETag of the cached answer", async () => {
    const url = getUrl(r.url, requestFor(pki.leaves.good2.cert));
    const first = await http(url);
    const again = await http(url, { headers: { "If-None-Match": String(first.headers.etag) } });
    assert.equal(again.code, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, first.headers.etag);
    const other = await http(url, { headers: { "If-None-Match": '"0000"' } });
    assert.equal(other.code, 200);
    assert.deepEqual(other.body, first.body, "served from the cache: the same bytes");
  });

  test("a nonce is echoed in a freshly signed answer that is not cached", async () => {
    const a = await http(r.url, { body: requestFor(pki.leaves.good.cert, true) });
    const b = await http(r.url, { body: requestFor(pki.leaves.good.cert, true) });
    const na = parseResponse(a.body).basic!.extensions[0]!.value;
    const nb = parseResponse(b.body).basic!.extensions[0]!.value;
    assert.notDeepEqual(na, nb);
    assert.equal(a.headers["cache-control"], "no-store");
    assert.equal(a.headers.etag, undefined);
  });

  test("a nonce over 32 bytes is malformedRequest (RFC 8954)", async () => {
    const der = encodeRequest({
      requests: [{ certId: certIdFor(inter, cert(pki.leaves.good.cert), SHA1), extensions: [] }],
      extensions: [nonceExtension(Buffer.alloc(33, 1))],
    });
    assert.equal(statusOf((await http(r.url, { body: der })).body), "error 1");
  });

  test("garbage, an empty body, a wrong content type, a GET without request: malformedRequest", async () => {
    const good = requestFor(pki.leaves.good.cert);
    for (const res of [
      await http(r.url, { body: Buffer.from("hello") }),
      await http(r.url, { body: Buffer.alloc(0), method: "POST" }),
      await http(r.url, { body: good, headers: { "Content-Type": "text/plain" } }),
      await http(`${r.url}not-base64!`),
      await http(r.url),
    ]) {
      assert.equal(res.code, 200);
      assert.equal(res.headers["content-type"], "application/ocsp-response");
      assert.deepEqual(res.body, Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
    }
  });

  test("a CA not served: unauthorized", async () => {
    const der = requestFor(pki.foreignLeaf.cert, false, cert(pki.foreignRoot.cert));
    assert.equal(statusOf((await http(r.url, { body: der })).body), "error 6");
  });

  test("methods other than GET, HEAD, POST: 405; /healthz", async () => {
    const put = await http(r.url, { method: "PUT", body: Buffer.from("x") });
    assert.equal(put.code, 405);
    assert.equal(put.headers.allow, "GET, HEAD, POST");
    const h = await http(`${r.url}healthz`);
    assert.equal(h.body.toString(), "ok\n");
  });

  test("cache hits and signing latency in /metrics", async () => {
    const der = requestFor(pki.leaves.revoked.CACompromise.cert);
    const before = await http(`${r.url}metrics`);
    const hits = (m: Buffer) => Number(/^ocsp_cache_hits_total (\d+)$/m.exec(m.toString())![1]);
    await http(r.url, { body: der });
    await http(r.url, { body: der });
    await http(r.url, { body: der });
    const m = await http(`${r.url}metrics`);
    assert.equal(hits(m.body) - hits(before.body), 2);
    assert.match(m.body.toString(), /^ocsp_responses_total\{status="successful"\} \d+$/m);
    assert.match(m.body.toString(), /^ocsp_sign_seconds_count \d+$/m);
    assert.match(m.body.toString(), /^ocsp_index_entries\{index=".*"\} 16$/m);
  });
});

describe("options", () => {
  test("unknownIssuer: unknown answers like OpenSSL; access log lines", async () => {
    const log: string[] = [];
    const r = await start({ unknownIssuer: "unknown", log });
    try {
      const der = requestFor(pki.foreignLeaf.cert, false, cert(pki.foreignRoot.cert));
      assert.equal(statusOf((await http(r.url, { body: der })).body), "unknown");
      await http(r.url, { body: requestFor(pki.leaves.good.cert) });
      await http(r.url, { body: requestFor(pki.leaves.good.cert) });
      const lines = log.map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.method, l.http, l.ocsp, l.cache]),
        [
          ["POST", 200, "successful", "miss"],
          ["POST", 200, "successful", "miss"],
          ["POST", 200, "successful", "hit"],
        ],
      );
      assert.deepEqual(lines[2].certs, [{ serial: "2001", status: "good" }]);
    } finally {
      await r.close();
    }
  });

  test("several CAs, each with its own signer and index", async () => {
    const foreignIndex = join(pki.dir, "foreign-index.txt");
    writeFileSync(
      foreignIndex,
      `R\t271127030820Z\t240101000000Z,superseded\t${pki.foreignLeaf.serial}\tunknown\t/CN=f\n`,
    );
    const r = await startResponder({
      cas: [
        {
          caCert: inter,
          signerCert: cert(pki.ocspSigner.cert),
          signerKey: key(pki.ocspSigner.key),
          index: pki.index,
        },
        {
          caCert: cert(pki.foreignRoot.cert),
          signerCert: cert(pki.foreignRoot.cert),
          signerKey: key(pki.foreignRoot.key),
          index: foreignIndex,
        },
      ],
    });
    try {
      const f = await http(r.url, {
        body: requestFor(pki.foreignLeaf.cert, false, cert(pki.foreignRoot.cert)),
      });
      const basic = parseResponse(f.body).basic!;
      assert.equal(basic.responses[0]!.status, "revoked");
      assert.ok(Buffer.from(basic.certs[0]!.der).equals(cert(pki.foreignRoot.cert).der));
      const g = await http(r.url, { body: requestFor(pki.leaves.good.cert) });
      const signer = parseResponse(g.body).basic!.certs[0]!.der;
      assert.ok(Buffer.from(signer).equals(cert(pki.ocspSigner.cert).der));
    } finally {
      await r.close();
    }
  });

  test("an index row OpenSSL cannot use: internalError, never an HTTP 500", async () => {
    const index = join(pki.dir, "bad-date-index.txt");
    writeFileSync(index, "R\t271127030820Z\tnot-a-date\t2001\tunknown\t/CN=x\n");
    const r = await start({ index });
    try {
      const res = await http(r.url, { body: requestFor(pki.leaves.good.cert) });
      assert.equal(res.code, 200);
      assert.equal(statusOf(res.body), "error 2");
    } finally {
      await r.close();
    }
  });
});

/**
 * A silent connection, one with half its headers and one with half its body, and one closed at
 * once: `connected` once all have been sent what they send; `closed` names those the server
 * has closed since.
 */
function stalledClients(port: number) {
  const sockets = {
    silent: connect(port, "127.0.0.1"),
    halfHeaders: connect(port, "127.0.0.1"),
    halfBody: connect(port, "127.0.0.1"),
  };
  const gone = new Set<string>();
  const sent = Object.entries(sockets).map(
    ([name, s]) =>
      new Promise<void>((resolve) => {
        s.on("error", () => {});
        s.on("close", () => gone.add(name));
        s.on("connect", () => {
          if (name === "halfHeaders") s.write("POST / HTTP/1.1\r\nHo", () => resolve());
          else if (name === "halfBody") {
            s.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0b", () => resolve());
          } else resolve();
        });
      }),
  );
  const closed = connect(port, "127.0.0.1", () => closed.end());
  const ended = new Promise<void>((resolve) => closed.on("close", () => resolve()));
  return {
    connected: Promise.all([...sent, ended]),
    closed: () => [...gone],
    destroy: () => {
      for (const s of Object.values(sockets)) s.destroy();
    },
  };
}

describe("limits: nobody waits for a slow, silent or greedy client", () => {
  let r: RunningResponder & { index: string };
  let port: number;
  before(async () => {
    r = await start();
    port = r.port;
  });
  after(() => r?.close());

  const answer = async () =>
    statusOf((await http(r.url, { body: requestFor(pki.leaves.good.cert) })).body);

  test("a 2 MB body is refused at once, from its Content-Length", async () => {
    const res = await http(r.url, { body: Buffer.alloc(2 * 1024 * 1024, 0x30) }).catch(
      (e: NodeJS.ErrnoException) => ({ code: e.code }),
    );
    assert.ok(
      "code" in res && (res.code === 413 || res.code === "EPIPE" || res.code === "ECONNRESET"),
    );
    // "At once": announced and never sent, the body cannot be what the answer waited for.
    const reply = await new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1", () =>
        s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`),
      );
      let got = "";
      s.on("data", (d) => {
        got += d.toString();
        if (got.includes("\r\n\r\n")) s.destroy();
      });
      s.on("close", () => resolve(got));
      s.on("error", () => resolve(got));
    });
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.equal(await answer(), "good");
  });

  // MAX_REQUEST_BYTES (64 KiB) is the largest body answered: "over 64 KiB" is refused.
  for (const chunked of [false, true]) {
    const how = chunked ? "chunked" : "with its Content-Length";
    test(`bodies of 64 KiB − 1 and 64 KiB are answered, 64 KiB + 1 is refused (${how})`, async () => {
      for (const [size, code] of [
        [64 * 1024 - 1, 200],
        [64 * 1024, 200],
        [64 * 1024 + 1, 413],
      ] as const) {
        const res = await http(r.url, { body: requestOfSize(size), chunked });
        assert.equal(res.code, code, `${size} bytes`);
        if (code === 200) assert.equal(statusOf(res.body), "good", `${size} bytes`);
      }
    });
  }

  test("a chunked body over 64 KiB is cut off as soon as it passes the limit", async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        const chunk = Buffer.alloc(0x4000, 0x41);
        for (let i = 0; i < 8; i++) s.write(`4000\r\n${chunk.toString()}\r\n`);
      });
      let got = "";
      s.on("data", (d) => {
        got += d.toString();
      });
      s.on("close", () => resolve(got));
      s.on("error", () => resolve(got));
    });
    assert.match(reply, /^HTTP\/1\.1 413 /);
  });

  test("silent, half-sent and trickling connections do not hold up another client", async () => {
    const stalled = stalledClients(port);
    await stalled.connected;
    const status = await answer();
    // Answered while every stalled connection is still open, so not after the server gave up
    // on them (its header timeout): nothing was waiting for them.
    assert.equal(status, "good");
    assert.deepEqual(stalled.closed(), [], "stalled connections closed before the answer");
    stalled.destroy();
  });
});

describe("index reloads", () => {
  test("a revocation written into index.txt is served once reloaded, cache or not", async () => {
    const r = await start();
    try {
      const der = requestFor(pki.leaves.good2.cert);
      assert.equal(statusOf((await http(r.url, { body: der })).body), "good");
      assert.equal(statusOf((await http(r.url, { body: der })).body), "good"); // cached now
      const text = readFileSync(r.index, "latin1").replace(
        /^V(\t\d+Z\t)(\t2002\t)/m,
        "R$1240601000000Z,keyCompromise$2",
      );
      writeFileSync(r.index, text);
      // The index is polled every 250 ms; the deadline only guards against a reload that never comes.
      await eventually(
        "the revocation to be served",
        async () =>
          statusOf((await http(r.url, { body: der })).body) === "revoked" ? true : undefined,
        { everyMs: 100 },
      );
    } finally {
      await r.close();
    }
  });
});

/** The responder without HTTP, for the test PKI's intermediate. */
async function service(nextUpdateSeconds: number): Promise<OcspService> {
  const store = await IndexStore.open(pki.index);
  const signer = new ResponseSigner({
    cert: cert(pki.ocspSigner.cert),
    key: key(pki.ocspSigner.key),
  });
  return new OcspService([{ caCert: inter, signer, source: store }], {
    dialect: "rfc",
    unknownIssuer: "unauthorized",
    nextUpdateSeconds,
  });
}

describe("the answer cache", () => {
  test("re-signed in the background past half-life, no longer served near nextUpdate", async () => {
    const svc = await service(100);
    try {
      const der = Buffer.from(requestFor(pki.leaves.good.cert));
      const k = der.toString("latin1");
      const t0 = Date.now() - 60_000; // answers signed a minute ago
      const first = await svc.compute(der, k, t0);
      assert.ok("etag" in first);
      assert.equal(svc.cached(k, t0 + 10_000), first, "fresh: served as is");
      assert.equal(svc.cached(k, t0 + 60_000), first, "past half-life: still served…");
      await new Promise((res) => setImmediate(res));
      const renewed = svc.cache.get(k)!;
      assert.notEqual(renewed, first, "…and replaced in the background");
      assert.ok(renewed.thisUpdate > first.thisUpdate);
      assert.equal(
        svc.cached(k, renewed.thisUpdate + 95_000),
        undefined,
        "not served near nextUpdate",
      );
    } finally {
      svc.close();
    }
  });

  test("HEAD gets the headers of GET without the body", async () => {
    const r = await start();
    try {
      const url = getUrl(r.url, requestFor(pki.leaves.good.cert));
      const get = await http(url);
      const head = await http(url, { method: "HEAD" });
      assert.equal(head.code, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers["content-length"], String(get.body.length));
      assert.equal(head.headers.etag, get.headers.etag);
    } finally {
      await r.close();
    }
  });
});

describe("timeouts", () => {
  test("a connection that sends nothing is closed after the header timeout", async () => {
    const svc = await service(3600);
    // The request timeout is far away: a 408 can only come from the header timeout.
    const h = createOcspServer(svc, {
      dialect: "rfc",
      timeouts: { headersMs: 500, requestMs: 600_000 },
    });
    const { port } = await listen(h.server, 0, "127.0.0.1");
    try {
      const t0 = Date.now();
      const got = await new Promise<string>((resolve) => {
        const s = connect(port, "127.0.0.1");
        let data = "";
        s.on("data", (d) => {
          data += d.toString();
        });
        s.on("close", () => resolve(data));
      });
      assert.match(got, /^HTTP\/1\.1 408 /);
      // Node checks the header timeout on a timer of its own; it never fires early.
      assert.ok(Date.now() - t0 >= 400, `closed after ${Date.now() - t0} ms, before the timeout`);
    } finally {
      await h.close();
    }
  });
});

describe("the ocspkit serve command", () => {
  const serve = (args: string[]) =>
    startProcess(
      [...ocspkitCommand(), "serve", ...args],
      [/listening on (http:\/\/127\.0\.0\.1:(\d+)\/)\n/],
    );
  const caArgs = () =>
    argv`--ca ${pki.intermediate.cert} --index ${pki.index} --signer ${pki.ocspSigner.cert}
         --key ${pki.ocspSigner.key} --port 0`;

  test("prints its URL, logs JSON lines, and on SIGTERM finishes what it has started", async () => {
    const p: ServerProcess = await serve([...caArgs(), "--access-log"]);
    const url = p.match[1]!;
    assert.equal(
      statusOf((await http(url, { body: requestFor(pki.leaves.good.cert) })).body),
      "good",
    );
    // A request in flight: headers sent, body still to come when SIGTERM arrives.
    const der = requestFor(pki.leaves.revoked.keyCompromise.cert);
    const pending = new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(url, {
        method: "POST",
        headers: { "Content-Type": "application/ocsp-request", "Content-Length": der.length },
        agent: false,
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ code: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on("error", reject);
      req.write(der.subarray(0, 10));
      setTimeout(() => {
        p.child.kill("SIGTERM");
        setTimeout(() => req.end(der.subarray(10)), 200);
      }, 100);
    });
    assert.equal(statusOf((await pending).body), "revoked");
    assert.equal(await p.exited, 0);
    const log = p
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(log.length, 2);
    assert.equal(log[1].certs[0].status, "revoked");
  });

  test("--workers 2: both answer on one port, /metrics adds them up", async () => {
    const p = await serve([...caArgs(), "--workers", "2"]);
    try {
      const url = p.match[1]!;
      for (let i = 0; i < 6; i++) {
        assert.equal(
          statusOf((await http(url, { body: requestFor(pki.leaves.good.cert) })).body),
          "good",
        );
      }
      const m = (await http(`${url}metrics`)).body.toString();
      assert.match(m, /^ocsp_responses_total\{status="successful"\} 6$/m);
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });

  test("usage errors exit 64, unreadable files 1", async () => {
    const run = (args: string[]) => runArgv([...ocspkitCommand(), "serve", ...args]);
    const noCa = await run(argv`--index ${pki.index} --key ${pki.ocspSigner.key}`);
    assert.equal(noCa.code, 64);
    assert.match(noCa.stderr, /--ca is required/);
    const counts = await run(
      argv`--ca ${pki.intermediate.cert} --ca ${pki.root.cert} --index ${pki.index} --key ${pki.ocspSigner.key}
           --key ${pki.ocspSigner.key} --key ${pki.root.key}`,
    );
    assert.equal(counts.code, 64);
    const missing = await run(
      argv`--ca ${pki.missing} --index ${pki.index} --key ${pki.ocspSigner.key}`,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read CA certificate/);
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--ca a\.pem --index a\/index\.txt/);
  });
});
