// -proxy, -no_proxy and the http_proxy environment: both tools go through a recording HTTP
// proxy on loopback (or around it) and must agree on stdout, exit code and the path taken.
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  makePki,
  normalizeDates,
  ocspkitCommand,
  type Pki,
  type Responder,
  runCommand,
  startOpensslResponder,
} from "./support/pki.js";

interface Proxy {
  url: string;
  seen: string[];
  server: Server;
}

/** A forward proxy for plain HTTP: takes absolute-URI request lines, as RFC 9112 §3.2.2 says. */
async function startProxy(): Promise<Proxy> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? "");
    const fwd = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe("proxies", () => {
  let pki: Pki;
  let responder: Responder;
  let proxy: Proxy;

  before(async () => {
    pki = await makePki();
    responder = await startOpensslResponder(pki, {});
    proxy = await startProxy();
  });
  after(async () => {
    await responder?.stop();
    proxy?.server.close();
    pki?.cleanup();
  });

  const base = () => [
    "ocsp",
    "-issuer",
    pki.intermediate.cert,
    "-cert",
    pki.leaves.good.cert,
    "-CAfile",
    pki.caFiles.chain,
    "-url",
    responder.url,
  ];

  async function both(extra: string[], env: NodeJS.ProcessEnv = process.env) {
    const [cmd, ...pre] = ocspkitCommand();
    proxy.seen.length = 0;
    const o = await runCommand("openssl", [...base(), ...extra], { env });
    const viaProxyOpenssl = proxy.seen.length;
    proxy.seen.length = 0;
    const k = await runCommand(cmd!, [...pre, ...base(), ...extra], { env });
    const viaProxyOcspkit = proxy.seen.length;
    assert.equal(k.code, o.code, `exit codes: openssl ${o.code}, ocspkit ${k.code}\n${k.stderr}`);
    assert.equal(normalizeDates(k.stdout), normalizeDates(o.stdout));
    assert.equal(viaProxyOcspkit, viaProxyOpenssl, "both tools take the same route");
    return { viaProxy: viaProxyOcspkit, stdout: k.stdout };
  }

  test("-proxy host:port sends the absolute URI to the proxy", async () => {
    const r = await both(["-proxy", proxy.url]);
    assert.equal(r.viaProxy, 1);
    assert.match(r.stdout, /: good\n/);
  });

  test("-proxy http://host:port/ignored-path", async () => {
    assert.equal((await both(["-proxy", `http://${proxy.url}/ignored`])).viaProxy, 1);
  });

  test("-no_proxy naming the responder's host bypasses the proxy", async () => {
    assert.equal((await both(["-proxy", proxy.url, "-no_proxy", "127.0.0.1"])).viaProxy, 0);
  });

  test("http_proxy from the environment is used", async () => {
    const env = { ...process.env, http_proxy: `http://${proxy.url}`, no_proxy: "" };
    assert.equal((await both([], env)).viaProxy, 1);
  });

  test("no_proxy in the environment wins over http_proxy", async () => {
    const env = {
      ...process.env,
      http_proxy: `http://${proxy.url}`,
      no_proxy: "localhost,127.0.0.1",
    };
    assert.equal((await both([], env)).viaProxy, 0);
  });

  test("a dead proxy is a transport error in both tools", async () => {
    await both(["-proxy", "127.0.0.1:1"]);
  });
});
