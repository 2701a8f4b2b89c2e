/**
 * sendOcspRequest's connections: one per exchange, closed, by default (as `openssl ocsp`), and
 * kept alive in a ConnectionPool for batches, including a reused connection the server had
 * dropped.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { ConnectionPool, sendOcspRequest } from "../src/transport/http.ts";

const ANSWER = Buffer.from("answer");

/** A loopback server whose `handle` answers or drops each request (the nth on its connection). */
async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse, nth: number) => void,
) {
  const sockets: Socket[] = [];
  const requestsOn = new Map<Socket, number>();
  const headers: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    const nth = (requestsOn.get(req.socket) ?? 0) + 1;
    requestsOn.set(req.socket, nth);
    req.resume();
    req.on("end", () => handle(req, res, nth));
  });
  server.on("connection", (s: Socket) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    sockets,
    headers,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function answer(res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "application/ocsp-response" });
  res.end(ANSWER);
}

describe("connections", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer((_req, res) => answer(res));
  });
  after(() => server.stop());

  test("by default each exchange has its own connection, closed after it", async () => {
    const n = server.sockets.length;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(Buffer.from(await sendOcspRequest(server.url, ANSWER)), ANSWER);
    }
    assert.equal(server.sockets.length - n, 3);
    assert.equal(server.headers.at(-1)!.connection, "close");
  });

  test("a pool keeps connections alive, at most maxSockets at once, and close() drops them", async () => {
    const n = server.sockets.length;
    const pool = new ConnectionPool(2);
    try {
      for (let i = 0; i < 3; i++) await sendOcspRequest(server.url, ANSWER, { pool });
      assert.equal(server.sockets.length - n, 1);
      assert.equal(server.headers.at(-1)!.connection, "keep-alive");
      await Promise.all(
        Array.from({ length: 6 }, () => sendOcspRequest(server.url, ANSWER, { pool })),
      );
      assert.equal(server.sockets.length - n, 2);
    } finally {
      pool.close();
    }
    const mine = server.sockets.slice(n);
    await Promise.all(
      mine.map((s) => (s.closed ? undefined : new Promise((r) => s.once("close", r)))),
    );
  });
});

test("a kept-alive connection the server drops is replaced; a new one that fails is an error", async () => {
  // Drops the second request on every connection, as a server closing an idle connection
  // just as it is reused does.
  const dropping = await startServer((req, res, nth) => {
    if (nth === 2) req.socket.destroy();
    else answer(res);
  });
  const pool = new ConnectionPool(1);
  try {
    await sendOcspRequest(dropping.url, ANSWER, { pool });
    const again = await sendOcspRequest(dropping.url, ANSWER, { pool, timeoutMs: 5000 });
    assert.deepEqual(Buffer.from(again), ANSWER);
    assert.equal(dropping.sockets.length, 2);
  } finally {
    pool.close();
    await dropping.stop();
  }

  const refusing = await startServer((req) => req.socket.destroy());
  const pool2 = new ConnectionPool(1);
  try {
    await assert.rejects(sendOcspRequest(refusing.url, ANSWER, { pool: pool2 }), {
      code: "ERR_TRANSPORT",
      message: /cannot reach 127\.0\.0\.1:\d+: socket hang up/,
    });
    assert.equal(refusing.sockets.length, 1, "a fresh connection's failure is not retried");
  } finally {
    pool2.close();
    await refusing.stop();
  }
});
