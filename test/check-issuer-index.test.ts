/**
 * `check` without --issuer finds each certificate's issuer among the other inputs through an
 * index by subject name: one look-up a certificate instead of a scan of every input, and still
 * the signature decides between CAs that share a name.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { findIssuer } from "../src/check/issuer.ts";
import { issue, newKey } from "../src/demo/issue.ts";
import { TrustStore } from "../src/verify/chain.ts";
import type { Certificate } from "../src/x509/cert.ts";
import { loadCertificate } from "../src/x509/load.ts";
import { SubjectIndex } from "../src/x509/subject-index.ts";
import { openssl } from "./support/pki.ts";

const noTrust = new TrustStore([], undefined);
const find = (cert: Certificate, pool: SubjectIndex) =>
  findIssuer(cert, [], { pool, trust: noTrust, downloads: new Map() });

describe("the issuer index of check's inputs", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ocspkit-issuer-index-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("each of 200 leaves gets its own CA among 400 inputs; the inputs are indexed once", async () => {
    const now = Date.now();
    const span = { notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86400_000) };
    const cas: Certificate[] = [];
    const leaves: Certificate[] = [];
    for (let i = 0; i < 200; i++) {
      const key = newKey();
      const ca = issue({ cn: `CA ${i}`, serial: BigInt(i + 1), key, ca: {}, ...span });
      cas.push(ca);
      leaves.push(
        issue({
          cn: `leaf ${i}`,
          serial: BigInt(i + 1000),
          key: newKey(),
          issuer: { cert: ca, key: key.privateKey },
          ...span,
        }),
      );
    }
    let loads = 0;
    // Leaves and CAs interleaved, as files of leaf + chain would be.
    const index = new SubjectIndex(() => {
      loads++;
      return leaves.flatMap((l, i) => [l, cas[i]!]);
    });
    for (let i = 0; i < leaves.length; i++) {
      // Only the one CA of that name is a candidate: no scan of the other 399 inputs.
      assert.deepEqual(index.bySubject(leaves[i]!.issuer), [cas[i]]);
      assert.equal(await find(leaves[i]!, index), cas[i]);
    }
    assert.equal(loads, 1);
    // A CA that is not among the inputs: no candidate, and the usual message.
    const stranger = issue({ cn: "CA 0", serial: 7n, key: newKey(), ca: {}, ...span });
    const orphan = issue({
      cn: "orphan",
      serial: 8n,
      key: newKey(),
      issuer: { cert: stranger, key: newKey().privateKey },
      ...span,
    });
    await assert.rejects(find(orphan, index), /issuer certificate not found/);
  });

  test("two CAs with the same name and no key identifiers: the signature picks", async () => {
    const run = (args: string[]) => openssl(args, { cwd: dir });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    for (const c of ["a", "b"]) {
      await run([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        `${c}.key`,
        "-subj",
        "/CN=Same CA",
        "-days",
        "3",
        "-addext",
        "subjectKeyIdentifier=none",
        "-addext",
        "authorityKeyIdentifier=none",
        "-addext",
        "basicConstraints=critical,CA:true",
        "-out",
        `${c}.pem`,
      ]);
      await run([
        "req",
        "-new",
        ...ec,
        "-keyout",
        `l${c}.key`,
        "-subj",
        `/CN=leaf ${c}`,
        "-out",
        `l${c}.csr`,
      ]);
      // A version 1 leaf: no authority key identifier to tell the two CAs apart.
      await run([
        "x509",
        "-req",
        "-in",
        `l${c}.csr`,
        "-CA",
        `${c}.pem`,
        "-CAkey",
        `${c}.key`,
        "-days",
        "2",
        "-out",
        `l${c}.pem`,
      ]);
    }
    const load = (f: string) => loadCertificate(join(dir, `${f}.pem`), "certificate");
    const [a, b, la, lb] = ["a", "b", "la", "lb"].map(load) as Certificate[];
    for (const order of [
      [a!, b!, la!, lb!],
      [lb!, b!, la!, a!],
    ]) {
      const index = new SubjectIndex(() => order);
      assert.equal(index.bySubject(la!.issuer).length, 2);
      assert.equal(await find(la!, index), a);
      assert.equal(await find(lb!, index), b);
    }
    // Only the wrong one of the two among the inputs: not taken for the issuer.
    await assert.rejects(
      find(lb!, new SubjectIndex(() => [a!, la!])),
      /issuer certificate not found/,
    );
  });
});
