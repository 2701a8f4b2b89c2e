// The ceiling for a Node responder: a bare node:http server that reads the request and answers
// with fixed bytes (the very OCSP response the responders send), doing no OCSP work at all.
// Plain JavaScript, so that it runs without the tsx loader:
//   node bench/fixed-server.mjs RESPONSE.der
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const body = readFileSync(process.argv[2] ?? "");
// A flat header array is node:http's cheapest form (no per-call object walk).
const headers = ["Content-Type", "application/ocsp-response", "Content-Length", `${body.length}`];
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
// A normal exit on a signal, so that `node --cpu-prof` can write its profile.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}/\n`);
});
