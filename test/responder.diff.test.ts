/**
 * `ocspkit ocsp -index … -port 0` against OpenSSL's responder: the OpenSSL client asks both the
 * same questions and must print the same (dates, nonces and signatures aside), with the same
 * exit code and verify line. OpenSSL's side is test/support's loopback wrapper around
 * `openssl ocsp -index … -reqin … -respout …` (OpenSSL's make_ocsp_response, on 127.0.0.1).
 * ocspkit's side is the real server: like `openssl ocsp -port`, it binds every interface; the
 * tests only ever talk to it over loopback.
 *
 * Then what OpenSSL's server gets wrong and ocspkit's must not: silent and half-sent
 * connections, garbage, -nrequest, and an index changed by `openssl ca -revoke` while serving.
 *
 *   node --import tsx --test test/responder.diff.test.ts
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseResponse } from "../src/ocsp/response.js";
import { sendOcspRequest } from "../src/transport/http.js";
import { type ServerProcess, startProcess } from "./responder-process.js";
import {
  argv,
  makePki,
  normalizeDates,
  normalizeNonce,
  type OpensslResponderOptions,
  ocspkitCommand,
  openssl,
  type Pki,
  type Responder,
  responderArgs,
  runArgv,
  startOpensslResponder,
  stripErrorStack,
} from "./support/pki.js";
import { eventually } from "./support/wait.js";

let pki: Pki;

before(async () => {
  pki = await makePki();
});
after(() => pki?.cleanup());

/** `ocspkit ocsp <responder args> -port 0`, ready once it says so as OpenSSL's does. */
function startOcspkit(args: string[], cwd?: string): Promise<ServerProcess> {
  return startProcess(
    [...ocspkitCommand(), ...args, "-port", "0"],
    [/^ACCEPT \[?[:\d.a-f]*\]?:(\d+) PID=\d+$/m, /ocsp: waiting for OCSP client connections\.\.\./],
    { cwd },
  );
}

const urlOf = (p: ServerProcess) => `http://127.0.0.1:${p.match[1]}/`;

interface Pair {
  openssl: Responder;
  ocspkit: ServerProcess;
}

/** One OpenSSL and one ocspkit responder with the same options, for a describe block. */
function usePair(options: (p: Pki) => OpensslResponderOptions): () => Pair {
  let pair: Pair | undefined;
  before(async () => {
    const opts = options(pki);
    const [o, k] = await Promise.all([
      startOpensslResponder(pki, opts),
      startOcspkit(responderArgs(pki, opts)),
    ]);
    pair = { openssl: o, ocspkit: k };
  });
  after(async () => {
    await pair?.openssl.stop();
    await pair?.ocspkit.stop();
  });
  return () => pair!;
}

const VERIFY =
  /^(Response verify OK|Response Verify Failure|WARNING: no nonce in response|Nonce Verify error)$/gm;

/** Dates, nonces and the response's own signature (also after RSA-PSS parameters) aside. */
function norm(s: string): string {
  const text = normalizeNonce(normalizeDates(stripErrorStack(s)));
  const certs = text.indexOf("\nCertificate:");
  const head = certs < 0 ? text : text.slice(0, certs);
  const hex = /^\s+[0-9a-f]{2}(:[0-9a-f]{2})*:?$/;
  return (
    head
      .split("\n")
      .filter((l) => !hex.test(l))
      .join("\n") + (certs < 0 ? "" : text.slice(certs))
  );
}

/** The OpenSSL client, run against both responders; everything it shows must agree. */
async function ask(pair: Pair, client: string[]): Promise<string> {
  const run = (url: string) => runArgv(["openssl", "ocsp", ...client, "-url", url]);
  const [o, k] = await Promise.all([run(pair.openssl.url), run(urlOf(pair.ocspkit))]);
  const ctx = `openssl ocsp ${client.join(" ")}\n--- OpenSSL's responder:\n${o.stdout}${o.stderr}\n--- ocspkit's:\n${k.stdout}${k.stderr}`;
  assert.equal(norm(k.stdout), norm(o.stdout), `stdout differs\n${ctx}`);
  assert.equal(k.code, o.code, `exit code differs\n${ctx}`);
  assert.deepEqual(k.stderr.match(VERIFY), o.stderr.match(VERIFY), `verify line differs\n${ctx}`);
  return o.stdout;
}

describe("delegated signer, -nmin 5", () => {
  const pair = usePair(() => ({}));
  const L = () => pki.leaves;
  const to = () => argv`-issuer ${pki.intermediate.cert} -CAfile ${pki.caFiles.root}`;

  test("good, with a nonce", async () => {
    const out = await ask(pair(), argv`${to()} -cert ${L().good.cert}`);
    assert.match(out, /: good\n\tThis Update: .*\n\tNext Update: /);
  });

  test("every revocation reason, hold instruction and invalidity date, in one request", async () => {
    const certs = [
      ...Object.values(L().revoked),
      L().revokedNoReason,
      L().revokedHoldInstruction,
      L().revokedKeyTime,
    ].flatMap((l) => ["-cert", l.cert]);
    const out = await ask(pair(), argv`${to()} ${certs} -no_nonce -resp_text`);
    assert.equal(out.match(/^\S.*: revoked$/gm)?.length, 11);
    assert.match(out, /Hold Instruction Code/);
    assert.match(out, /Invalidity Date/);
  });

  test("unknown serial, high serial, several certificates", async () => {
    const out = await ask(
      pair(),
      argv`${to()} -serial ${L().unknown.serialHex} -serial ${L().highSerial.serialDec}
           -cert ${L().good2.cert}`,
    );
    assert.match(out, /: unknown\n/);
  });

  test("SHA-256 CertID, and a SHA-384 one after it", async () => {
    await ask(
      pair(),
      argv`${to()} -sha256 -cert ${L().good.cert} -sha384 -cert ${L().revoked.superseded.cert}`,
    );
  });

  test("with -resp_text, nonce echoed", async () => {
    const out = await ask(pair(), argv`${to()} -cert ${L().good.cert} -resp_text`);
    assert.match(out, /OCSP Nonce/);
  });

  test("an issuer not served: unknown, and the signer cannot vouch for it", async () => {
    await ask(
      pair(),
      argv`-issuer ${pki.foreignRoot.cert} -cert ${pki.foreignLeaf.cert} -CAfile ${pki.caFiles.rootAndForeign}`,
    );
  });
});

describe("other responder options", () => {
  const L = () => pki.leaves;
  const cases: [string, (p: Pki) => OpensslResponderOptions, (p: Pki) => string[]][] = [
    [
      "-resp_key_id -resp_no_certs -ndays 2",
      () => ({ nmin: null, ndays: 2, extraArgs: ["-resp_key_id", "-resp_no_certs"] }),
      (p) => argv`-VAfile ${p.ocspSigner.cert} -resp_text`,
    ],
    ["-rother", (p) => ({ extraArgs: ["-rother", p.chain] }), () => ["-resp_text"]],
    ["-rcid sha256: nothing matches", () => ({ extraArgs: ["-rcid", "sha256"] }), () => []],
    ["-badsig", () => ({ extraArgs: ["-badsig"] }), () => []],
    ["no -nmin/-ndays: no nextUpdate", () => ({ nmin: null }), () => ["-resp_text"]],
    [
      "the CA signs, RSA-PSS with SHA-384",
      (p) => ({
        rsigner: p.intermediate.cert,
        rkey: p.intermediate.key,
        extraArgs: ["-rmd", "sha384", "-rsigopt", "rsa_padding_mode:pss"],
      }),
      () => ["-resp_text"],
    ],
  ];
  for (const [name, opts, client] of cases) {
    describe(name, () => {
      const pair = usePair(opts);
      test("answers as OpenSSL does", async () => {
        await ask(
          pair(),
          argv`-issuer ${pki.intermediate.cert} -CAfile ${pki.caFiles.root} -cert ${L().good.cert}
               -cert ${L().revoked.keyCompromise.cert} ${client(pki)}`,
        );
      });
    });
  }
});

describe("-CA with two certificates: both issuers are served", () => {
  const pair = usePair((p) => ({ ca: p.chain }));
  test("answers as OpenSSL does", async () => {
    await ask(
      pair(),
      argv`-issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert} -issuer ${pki.root.cert}
           -serial 0x1000 -CAfile ${pki.caFiles.root}`,
    );
  });
});

describe("offline: -reqin … -respout …", () => {
  let reqs: { plain: string; nonce: string; empty: string };
  let encryptedKey: string;
  before(async () => {
    const f = (n: string) => join(pki.dir, n);
    reqs = { plain: f("off-plain.der"), nonce: f("off-nonce.der"), empty: f("off-empty.der") };
    const all = pki.allLeaves.flatMap((l) => ["-serial", l.serialHex]);
    await openssl(
      argv`ocsp -issuer ${pki.intermediate.cert} ${all} -no_nonce -reqout ${reqs.plain}`,
    );
    await openssl(
      argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert} -reqout ${reqs.nonce}`,
    );
    // An OCSPRequest with an empty requestList: it parses, and is answered malformedRequest.
    writeFileSync(reqs.empty, Buffer.from("30043002 3000".replace(/ /g, ""), "hex"));
    encryptedKey = f("signer-encrypted.key");
    await openssl(
      argv`pkey -in ${pki.ocspSigner.key} -aes256 -passout pass:s3cret -out ${encryptedKey}`,
    );
  });

  const cases: [string, () => string[]][] = [
    ["-resp_text, every status", () => argv`-reqin ${reqs.plain} -resp_text -nmin 10`],
    ["-text with a nonce", () => argv`-reqin ${reqs.nonce} -text`],
    ["a request naming no certificate", () => argv`-reqin ${reqs.empty}`],
    ["… with -ignore_err -resp_text", () => argv`-reqin ${reqs.empty} -ignore_err -resp_text`],
    [
      "-rkey encrypted, -passin pass:",
      () => argv`-reqin ${reqs.nonce} -rkey ${encryptedKey} -passin pass:s3cret -resp_text`,
    ],
    [
      "-passin with the wrong pass phrase",
      () => argv`-reqin ${reqs.nonce} -rkey ${encryptedKey} -passin pass:nope`,
    ],
  ];
  for (const [name, args] of cases) {
    test(name, async () => {
      const base = argv`ocsp -index ${pki.index} -rsigner ${pki.ocspSigner.cert} -rkey ${pki.ocspSigner.key}
                        -CA ${pki.intermediate.cert}`;
      const [o, k] = await Promise.all([
        runArgv(["openssl", ...base, ...args()]),
        runArgv([...ocspkitCommand(), ...base, ...args()]),
      ]);
      const ctx = `openssl:\n${o.stdout}${o.stderr}\nocspkit:\n${k.stdout}${k.stderr}`;
      assert.equal(norm(k.stdout), norm(o.stdout), `stdout differs\n${ctx}`);
      assert.equal(k.code, o.code, `exit code differs\n${ctx}`);
    });
  }
});

describe("ocspkit's server where OpenSSL's fails", () => {
  let k: ServerProcess;
  let req: Buffer;
  before(async () => {
    k = await startOcspkit([...responderArgs(pki, {}), "-nrequest", "1000"]);
    const file = join(pki.dir, "diff-good.der");
    await openssl(
      argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good.cert} -no_nonce -reqout ${file}`,
    );
    req = readFileSync(file);
  });
  after(() => k?.stop());

  // The timeouts here only guard against a hang; they are not what a test measures.
  const asked = async () => {
    const resp = parseResponse(await sendOcspRequest(urlOf(k), req, { timeoutMs: 15_000 }));
    return { status: resp.basic?.responses[0]?.status };
  };

  test("prints ACCEPT on stdout and the waiting line on stderr, as OpenSSL does", () => {
    assert.match(k.stdout(), /^ACCEPT (\[::\]|0\.0\.0\.0):\d+ PID=\d+\n/);
    assert.match(k.stderr(), /^ocsp: waiting for OCSP client connections\.\.\.\n/);
  });

  test("a silent connection, a half-sent request and a closed one do not hold up others", async () => {
    const port = Number(k.match[1]);
    const gone: string[] = [];
    const silent = connect(port, "127.0.0.1");
    const half = connect(port, "127.0.0.1");
    const sent = [
      once(silent, "connect"),
      new Promise<void>((resolve) =>
        half.on("connect", () =>
          half.write(
            "POST / HTTP/1.0\r\nContent-Type: application/ocsp-request\r\nContent-Length: 70\r\n\r\n0D",
            () => resolve(),
          ),
        ),
      ),
    ];
    silent.on("close", () => gone.push("silent"));
    half.on("close", () => gone.push("half"));
    const closed = connect(port, "127.0.0.1", () => closed.end());
    await Promise.all([...sent, once(closed, "close")]);
    const r = await asked();
    assert.equal(r.status, "good");
    // Answered while both stalled connections are still open: not after the server gave up on
    // them (its timeouts), so nothing waited for them.
    assert.deepEqual(gone, [], "stalled connections closed before the answer");
    silent.destroy();
    half.destroy();
  });

  test("garbage gets malformedRequest, reported as OpenSSL reports it, and serving goes on", async () => {
    const resp = parseResponse(
      await sendOcspRequest(urlOf(k), Buffer.from("hello"), { timeoutMs: 15_000 }),
    );
    assert.equal(resp.status, 1);
    await eventually("the Responder Error line", () =>
      k.stdout().includes("Responder Error") ? true : undefined,
    );
    assert.match(k.stdout(), /^Responder Error: malformedrequest \(1\)$/m);
    assert.equal((await asked()).status, "good");
  });

  test("-nrequest N: exits 0 after N answers", async () => {
    const p = await startOcspkit([...responderArgs(pki, {}), "-nrequest", "2"]);
    await sendOcspRequest(urlOf(p), req, { timeoutMs: 15_000 });
    await sendOcspRequest(urlOf(p), Buffer.from("x"), { timeoutMs: 15_000 });
    assert.equal(await p.exited, 0);
  });

  test("-multi 2: two processes answer; SIGTERM stops them all", async () => {
    const p = await startProcess(
      [...ocspkitCommand(), ...responderArgs(pki, {}), "-port", "0", "-multi", "2"],
      [/^ACCEPT \[?[:\d.a-f]*\]?:(\d+) PID=\d+$/m],
    );
    for (let i = 0; i < 4; i++) {
      const resp = parseResponse(await sendOcspRequest(urlOf(p), req, { timeoutMs: 15_000 }));
      assert.equal(resp.basic?.responses[0]?.status, "good");
    }
    assert.equal(await p.stop(), 0);
  });
});

describe("an index changed by openssl ca -revoke while serving", () => {
  test("the revocation is served once the index is reloaded", async () => {
    const dir = join(pki.dir, "ca-revoke");
    mkdirSync(join(dir, "certs"), { recursive: true });
    const index = join(dir, "index.txt");
    copyFileSync(pki.index, index);
    writeFileSync(`${index}.attr`, "unique_subject = no\n");
    writeFileSync(join(dir, "serial"), "4000\n");
    const cnf = join(dir, "ca.cnf");
    writeFileSync(
      cnf,
      `[ca]\ndefault_ca = ca\n[ca]\ndatabase = ${index}\ncertificate = ${pki.intermediate.cert}\n` +
        `private_key = ${pki.intermediate.key}\nnew_certs_dir = ${join(dir, "certs")}\n` +
        `serial = ${join(dir, "serial")}\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n`,
    );
    const k = await startOcspkit(responderArgs(pki, { index }));
    try {
      const client = argv`ocsp -issuer ${pki.intermediate.cert} -cert ${pki.leaves.good2.cert}
                          -CAfile ${pki.caFiles.root} -url ${urlOf(k)}`;
      assert.match((await openssl(client)).stdout, /: good\n/);
      await openssl(
        argv`ca -config ${cnf} -revoke ${pki.leaves.good2.cert} -crl_reason keyCompromise`,
      );
      // The index is polled every 250 ms; the deadline only guards against no reload at all.
      const out = await eventually(
        "the revocation to be served",
        async () => {
          const o = (await openssl(client)).stdout;
          return /: revoked\n/.test(o) ? o : undefined;
        },
        { everyMs: 100 },
      );
      assert.match(out, /: revoked\n\t.*\n\t.*\n\tReason: keyCompromise\n/);
    } finally {
      await k.stop();
    }
  });
});
