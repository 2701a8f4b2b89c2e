/**
 * Differential: for one index.txt, `serve --index`, `serve --db sqlite:…` and `serve --db
 * postgres://…` (each after `db import`) give the OpenSSL client the same answers, dates and
 * signatures aside. Two CA databases: the test PKI's (every reason, hold instruction, invalidity
 * date, high serial) and one written by `openssl ca` itself (-revoke with -crl_reason,
 * -crl_hold, -crl_compromise). The PostgreSQL leg is skipped loudly without a database, and
 * fails under CI=true.
 *
 *   npm run build && node --import tsx --test test/store.diff.test.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makePki, type Pki } from "./support/pki.js";
import {
  ask,
  initAndImport,
  opensslCa,
  type PgSchema,
  pgSchema,
  pgSkip,
  serve,
  signerArgs,
  statuses,
} from "./support/store.js";

let pki: Pki;
const schemas: PgSchema[] = [];
const pgSkipped = await pgSkip();

before(async () => {
  pki = await makePki();
});
after(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
  pki?.cleanup();
});

/** The same answers from every store filled from `index`. */
async function compare(index: string, certs: readonly string[]): Promise<string> {
  const sqlite = `sqlite:${join(pki.dir, `diff-${Math.random().toString(36).slice(2)}.db`)}`;
  const dbs = [sqlite];
  if (!pgSkipped) {
    const s = await pgSchema();
    schemas.push(s);
    dbs.push(s.url);
  }
  for (const db of dbs) await initAndImport(pki, db, index);
  const signer = signerArgs(pki);
  const servers = await Promise.all([
    serve(["--index", index, ...signer]),
    ...dbs.map((db) => serve(["--db", db, ...signer])),
  ]);
  try {
    const [reference, ...others] = await Promise.all(servers.map((s) => ask(pki, s.url, certs)));
    assert.match(reference!, /Response verify OK/);
    for (const [i, text] of others.entries()) {
      assert.equal(text, reference, `${dbs[i]} answers as serve --index does`);
    }
    return reference!;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

test("the test PKI's index: every reason, hold instruction, invalidity date, unknown", async () => {
  const certs = [...pki.allLeaves.map((l) => l.cert), pki.ocspSigner.cert];
  const text = await compare(pki.index, certs);
  const got = statuses(text);
  assert.equal(got.length, certs.length);
  assert.ok(got.includes("good") && got.includes("revoked") && got.includes("unknown"), got.join());
  assert.match(text, /Invalidity Date/);
  assert.match(text, /Hold Instruction Code/i);
});

test("an index written by openssl ca (-revoke, -crl_hold, -crl_compromise)", async () => {
  const ca = await opensslCa(pki);
  const text = await compare(ca.index, [...ca.leaves, pki.leaves.unknown.cert]);
  assert.deepEqual(statuses(text), ["good", "revoked", "revoked", "revoked", "revoked", "unknown"]);
});
