// The responders under test, each started as its own process on 127.0.0.1 (openssl binds every
// interface; only loopback traffic is ever sent to it), and a check that each one answers
// the bench's request correctly before any load is put on it.
import { join } from "node:path";
import { type CertId, sameCertId } from "../src/ocsp/certid.js";
import { parseResponse } from "../src/ocsp/response.js";
import { sendOcspRequest } from "../src/transport/http.js";
import { getFreePort, type Pki, REPO_ROOT, responderArgs } from "../test/support/pki.js";
import { signerArgs } from "../test/support/store.js";
import { startService } from "./proc.js";

export interface Running {
  readonly url: string;
  /** CPU seconds the responder's processes have used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** How long answers stay valid (nextUpdate), the same for every responder. */
export const NEXT_UPDATE_SECONDS = 86_400;

const NODE = process.execPath;
/** The CLI under test: bin/ocspkit.cjs, or the private copy run.ts makes of the build. */
export const cli = { bin: join(REPO_ROOT, "bin", "ocspkit.cjs") };

async function listening(argv: string[], ready: RegExp, cpu?: number): Promise<Running> {
  const svc = startService(argv, cpu);
  try {
    const m = await svc.waitFor(ready);
    return {
      url: `http://127.0.0.1:${m[1]}/`,
      cpuSeconds: () => svc.cpuSeconds(),
      stop: () => svc.stop(),
    };
  } catch (err) {
    await svc.stop();
    throw err;
  }
}

/** `ocspkit serve` for the test CA, with the delegated EC signer, from `store` (its index). */
export function startOcspkit(
  pki: Pki,
  workers: number,
  cpu?: number,
  store: readonly string[] = ["--index", pki.index],
): Promise<Running> {
  return listening(
    [
      NODE,
      cli.bin,
      "serve",
      ...store,
      ...signerArgs(pki),
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--next-update",
      String(NEXT_UPDATE_SECONDS),
      "--workers",
      String(workers),
    ],
    /listening on http:\/\/127\.0\.0\.1:(\d+)\//,
    cpu,
  );
}

/**
 * `openssl ocsp -index … -port 0 -multi 2`. It prints `ACCEPT [::]:PORT` once its socket is
 * bound; the forked workers accept from the backlog. With -multi, openssl moves into a process
 * group of its own and its parent only notes SIGTERM while it waits for its workers, so a
 * shell in between answers SIGTERM by killing openssl's whole group.
 */
export function startOpenssl(pki: Pki, cpu?: number): Promise<Running> {
  const args = responderArgs(pki, { nmin: null, ndays: NEXT_UPDATE_SECONDS / 86_400 });
  const shell = 'openssl "$@" & p=$!; trap "kill -KILL -$p; exit 0" TERM INT HUP; wait $p';
  return listening(
    ["sh", "-c", shell, "sh", ...args, "-port", "0", "-multi", "2"],
    /^ACCEPT \S*:(\d+)/m,
    cpu,
  );
}

/** `cfssl ocspserve` over a file of pre-signed answers; cfssl needs a port picked for it. */
export async function startCfssl(responses: string, cpu?: number): Promise<Running> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await getFreePort();
    try {
      return await listening(
        [
          "cfssl",
          "ocspserve",
          "-address",
          "127.0.0.1",
          "-port",
          String(port),
          "-responses",
          responses,
        ],
        /Now listening on 127\.0\.0\.1:(\d+)/,
        cpu,
      );
    } catch (err) {
      last = err; // most likely the port was taken in between: try another
    }
  }
  throw last;
}

/** The bare node:http server answering `response` (a DER file) to everything. */
export function startFixed(response: string, cpu?: number): Promise<Running> {
  return listening(
    [NODE, join(REPO_ROOT, "bench", "fixed-server.mjs"), response],
    /listening on http:\/\/127\.0\.0\.1:(\d+)\//,
    cpu,
  );
}

/**
 * Sends `der` once and throws unless the answer is a successful response with a status for
 * `id`: a responder that answers malformedRequest fast must not look fast.
 */
export async function expectAnswer(
  url: string,
  der: Uint8Array,
  id: CertId,
  method: "GET" | "POST",
): Promise<void> {
  const resp = parseResponse(await sendOcspRequest(url, der, { method, timeoutMs: 10_000 }));
  if (resp.status !== 0) throw new Error(`${method} ${url}: response status ${resp.status}`);
  const single = resp.basic?.responses.find((r) => sameCertId(r.certId, id));
  if (!single) throw new Error(`${method} ${url}: no status for the certificate asked about`);
}
