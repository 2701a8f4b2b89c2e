/**
 * Bad input never crashes the responder and never makes it lie: valid requests with random
 * mutations (flipped, replaced, inserted, deleted bytes, truncations), in-process and over HTTP,
 * always get an OCSP response that parses, with an error status or, when successful, with
 * exactly the index's status for each certificate it names. And the RFC 5019 GET decoding finds
 * every request again whatever path it sits under.
 *
 *   node --import tsx --test test/responder.property.test.ts
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import "./support/seed.js";
import { type CertId, certIdFor, sameIssuer } from "../src/ocsp/certid.js";
import { digestByName, SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest, nonceExtension } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";
import { ResponseSigner } from "../src/ocsp/response-builder.js";
import { Answerer } from "../src/responder/answer.js";
import { parseIndex, serialKey } from "../src/responder/index-file.js";
import { type RunningResponder, requestFromPath, startResponder } from "../src/responder/server.js";
import { IndexStore } from "../src/responder/store.js";
import type { Certificate } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { makePki, type Pki } from "./support/pki.js";

let pki: Pki;
let seeds: Uint8Array[];
/** What the index says about a CertID: unknown unless the intermediate issued it. */
let expected: (certId: CertId) => string;

before(async () => {
  pki = await makePki();
  const inter = loadCertificate(pki.intermediate.cert, "CA");
  const id = (path: string, digest = SHA1) =>
    certIdFor(inter, loadCertificate(path, "leaf"), digest);
  const one = (ids: ReturnType<typeof id>[], nonce: boolean) =>
    encodeRequest({
      requests: ids.map((certId) => ({ certId, extensions: [] })),
      extensions: nonce ? [nonceExtension()] : [],
    });
  const L = pki.leaves;
  seeds = [
    one([id(L.good.cert)], false),
    one([id(L.revokedKeyTime.cert)], true),
    one([id(L.good.cert), id(L.revoked.superseded.cert), id(L.unknown.cert)], true),
    one([id(L.revokedHoldInstruction.cert, digestByName("sha256")!)], false),
  ];
  const index = parseIndex(readFileSync(pki.index, "latin1"), false);
  const issuers = ["sha1", "sha256", "sha384", "sha512", "sha224"].map((d) =>
    certIdFor(inter, Uint8Array.of(1), digestByName(d)!),
  );
  expected = (certId) => {
    if (!issuers.some((i) => sameIssuer(i, certId))) return "unknown";
    const e = index.entries.get(serialKey(certId.serial));
    return !e ? "unknown" : e.type === "V" ? "good" : "revoked";
  };
});
after(() => pki?.cleanup());

/** An edit at a position (taken modulo the length), with what it needs. */
const edit = <K extends string, A>(kind: K, arg: fc.Arbitrary<A>) =>
  fc.record({ kind: fc.constant(kind), at: fc.nat(), arg });

const mutation = fc.oneof(
  edit("flip", fc.integer({ min: 0, max: 7 })),
  edit("set", fc.integer({ min: 0, max: 255 })),
  edit("cut", fc.constant(0)),
  edit("insert", fc.uint8Array({ minLength: 1, maxLength: 8 })),
  edit("delete", fc.integer({ min: 1, max: 8 })),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const m of ms) {
    const at = b.length ? m.at % (b.length + 1) : 0;
    if (m.kind === "flip" && at < b.length) b[at] = b[at]! ^ (1 << m.arg);
    else if (m.kind === "set" && at < b.length) b[at] = m.arg;
    else if (m.kind === "cut") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Buffer.concat([b.subarray(0, at), m.arg, b.subarray(at)]);
    else if (m.kind === "delete") b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.arg)]);
  }
  return b;
}

const mutatedRequest = () =>
  fc
    .tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([i, ms]) => mutate(seeds[i % seeds.length]!, ms));

/** The answer parses; an error carries no body; a success states exactly the index's statuses. */
function checkAnswer(der: Uint8Array): number {
  const r = parseResponse(der);
  assert.ok([0, 1, 2, 6].includes(r.status), `status ${r.status}`);
  if (r.status !== 0) {
    assert.equal(r.basic, undefined);
    return r.status;
  }
  for (const s of r.basic!.responses) assert.equal(s.status, expected(s.certId));
  return 0;
}

describe("mutated requests", () => {
  test("in-process: every dialect answers, parses, and tells the truth", async () => {
    const inter = loadCertificate(pki.intermediate.cert, "CA");
    const signer = new ResponseSigner({
      cert: loadCertificate(pki.ocspSigner.cert, "signer") as Certificate,
      key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
    });
    const store = await IndexStore.open(pki.index);
    const cas = [{ caCert: inter, signer, source: store }];
    const rfc = new Answerer(cas, {
      dialect: "rfc",
      unknownIssuer: "unauthorized",
      nextUpdateSeconds: 60,
    });
    const openssl = new Answerer(cas, { dialect: "openssl", unknownIssuer: "unknown" });
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(mutatedRequest(), async (der) => {
        seen.add(checkAnswer((await rfc.answer(der)).der));
        checkAnswer((await openssl.answer(der)).der);
      }),
      { numRuns: 1500 },
    );
    assert.ok(seen.has(0) && seen.has(1), `statuses seen: ${[...seen]}`);
  });

  describe("over HTTP", () => {
    let r: RunningResponder;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    before(async () => {
      r = await startResponder({
        cas: [
          {
            caCert: loadCertificate(pki.intermediate.cert, "CA"),
            signerCert: loadCertificate(pki.ocspSigner.cert, "signer"),
            signerKey: createPrivateKey(readFileSync(pki.ocspSigner.key)),
            index: pki.index,
          },
        ],
      });
    });
    after(async () => {
      agent.destroy();
      await r?.close();
    });

    const post = (body: Uint8Array) =>
      new Promise<{ code: number; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(
          r.url,
          { method: "POST", agent, headers: { "Content-Type": "application/ocsp-request" } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ code: res.statusCode!, body: Buffer.concat(chunks) }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });

    test("always HTTP 200 with an OCSP answer; still serving afterwards", async () => {
      await fc.assert(
        fc.asyncProperty(mutatedRequest(), async (der) => {
          const res = await post(der);
          assert.equal(res.code, 200);
          checkAnswer(res.body);
        }),
        { numRuns: 300 },
      );
      const ok = await post(seeds[0]!);
      assert.equal(parseResponse(ok.body).basic?.responses[0]?.status, "good");
    });
  });
});

describe("GET paths", () => {
  test("the request is found under any prefix, escaped or not", () => {
    const prefix = fc.array(fc.stringMatching(/^[a-z0-9.-]{1,8}$/), { maxLength: 3 });
    fc.assert(
      fc.property(fc.nat(), prefix, fc.boolean(), (i, parts, escaped) => {
        const der = seeds[i % seeds.length]!;
        const b64 = Buffer.from(der).toString("base64");
        const path = `/${parts.map((p) => `${p}/`).join("")}${escaped ? encodeURIComponent(b64) : b64}`;
        assert.deepEqual(requestFromPath(path), Buffer.from(der));
      }),
    );
  });

  test("a path that holds no request finds none", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const der = requestFromPath(`/${s}`);
        if (der) assert.equal(der[0], 0x30);
      }),
    );
  });
});
