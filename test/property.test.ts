/**
 * Property tests (fast-check): random mutations of valid OCSP responses, requests and
 * certificates never make a parser or verifier throw anything but its own error, and a
 * response verifies only while its signed bytes and signature are the ones the signer made.
 * The same mutations and invariants drive `npm run fuzz` (test/support/forge.ts), which runs
 * 100 000 of them; here a few hundred keep the suite quick.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import "./support/seed.js";
import { parseResponse } from "../src/ocsp/response.js";
import { verifyBasic } from "../src/verify/basic.js";
import { verifyResponse } from "../src/verify/response.js";
import { loadCertificate } from "../src/x509/load.js";
import {
  buildCorpus,
  type Corpus,
  exercise,
  MUTATION_OPS,
  type Mutation,
  makeExtraSigners,
  mutate,
} from "./support/forge.js";
import { makePki, type Pki } from "./support/pki.js";

let pki: Pki;
let corpus: Corpus;
let certs: Uint8Array[];
let pool: Uint8Array[];

before(async () => {
  pki = await makePki();
  corpus = buildCorpus(pki, await makeExtraSigners(pki));
  certs = [pki.ocspSigner.cert, pki.intermediate.cert, pki.root.cert].map(
    (p) => loadCertificate(p, "certificate").der,
  );
  pool = [...corpus.responses, ...corpus.requests, ...certs];
});

after(() => pki?.cleanup());

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(...MUTATION_OPS),
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  value: fc.nat(255),
  count: fc.nat(63),
});
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

/** Holds `exercise`'s invariants for every mutated original drawn from `originals()`. */
function survivesMutation(originals: () => readonly Uint8Array[], numRuns: number) {
  fc.assert(
    fc.property(fc.nat(), mutations, (pick, ms) => {
      const list = originals();
      let input = list[pick % list.length]!;
      for (const m of ms) input = mutate(input, m, pool);
      const o = exercise(input, corpus.target);
      if (o.problem) throw new Error(o.problem);
    }),
    { numRuns },
  );
}

const signedResponses = () => corpus.responses.filter((r) => parseResponse(r).basic);

/** verifyBasic and verifyResponse on `der` as the corpus originals are checked; false if unreadable. */
function verifies(der: Uint8Array): boolean {
  let resp: ReturnType<typeof parseResponse>;
  try {
    resp = parseResponse(der);
  } catch {
    return false;
  }
  const basic = resp.basic && verifyBasic(resp.basic, corpus.target.verify);
  const strict = verifyResponse(resp, {
    asked: corpus.target.asked,
    issuer: corpus.target.issuer,
    trust: corpus.target.verify.store,
    now: corpus.target.now,
  });
  assert.equal(
    strict.ok && !basic?.ok,
    false,
    "the strict check never passes what OpenSSL's fails",
  );
  return !!basic?.ok || strict.ok;
}

/** `der` with one byte of the range [start, start+length) changed. */
function flipWithin(der: Uint8Array, start: number, length: number, at: number, xor: number) {
  const out = der.slice();
  out[start + (at % length)]! ^= xor;
  return out;
}

describe("mutations never crash, and never verify", () => {
  test("the originals verify (every signer, all three statuses)", () => {
    for (const r of signedResponses()) {
      assert.deepEqual(exercise(r, corpus.target), { parsed: true, verified: true });
    }
  });
  test("mutated responses", () => survivesMutation(() => corpus.responses, 500));
  test("mutated requests", () => survivesMutation(() => corpus.requests, 150));
  test("mutated certificates", () => survivesMutation(() => certs, 150));
  test("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (input) => {
        const o = exercise(input, corpus.target);
        if (o.problem) throw new Error(o.problem);
      }),
      { numRuns: 300 },
    );
  });
  test("any change to the signed bytes fails verification", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (pick, at, xor) => {
        const list = signedResponses();
        const der = list[pick % list.length]!;
        const tbs = parseResponse(der).basic!.tbs;
        const start = Buffer.from(der).indexOf(Buffer.from(tbs));
        assert.equal(verifies(flipWithin(der, start, tbs.length, at, xor)), false);
      }),
      { numRuns: 300 },
    );
  });
  test("any change to the signature fails verification", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (pick, at, xor) => {
        const list = signedResponses();
        const der = list[pick % list.length]!;
        const sig = parseResponse(der).basic!.signature;
        const start = Buffer.from(der).indexOf(Buffer.from(sig));
        assert.equal(verifies(flipWithin(der, start, sig.length, at, xor)), false);
      }),
      { numRuns: 300 },
    );
  });
});
