// Section 3: the library's verify throughput in one process: parseResponse + verifyResponse
// over distinct responses, against the ceiling of doing nothing but the crypto.verify calls
// that verification cannot avoid (the response's signature and the signer's chain).
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type CertId, certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";
import { TrustStore } from "../src/verify/chain.js";
import { verifyResponse } from "../src/verify/response.js";
import type { Certificate } from "../src/x509/cert.js";
import { loadCertificate } from "../src/x509/load.js";
import { makeResponseFile } from "../test/support/pki.js";
import type { BenchPki } from "./pki.js";
import { fmt, fmtRatio, median, ratioOfRounds, type SectionResult } from "./report.js";

export interface VerifyConfig {
  readonly dir: string;
  readonly bench: BenchPki;
  /** Distinct responses cycled through. */
  readonly responses: number;
  /** Measured seconds per side, split over the rounds. */
  readonly seconds: number;
  readonly rounds: number;
}

/** Calls `step(i)` for i = 0, 1, … for `ms` milliseconds; returns calls per second. */
function rate(step: (i: number) => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let k = 0; k < 32; k++) step(n++);
    elapsed = performance.now() - t0;
  }
  return n / (elapsed / 1000);
}

/** A certificate's own signature checked with its issuer's key, as the chain check does it. */
function certCheck(cert: Certificate, issuerKey: KeyObject): () => boolean {
  return () => verify("sha256", cert.tbs, issuerKey, cert.signature);
}

export async function verifySection(c: VerifyConfig): Promise<SectionResult> {
  const { pki, leaves } = c.bench;
  const issuer = loadCertificate(pki.intermediate.cert, "intermediate");
  const root = loadCertificate(pki.root.cert, "root");
  const trust = new TrustStore([root]);
  const picked = leaves.filter((l) => l.status === "good").slice(0, c.responses);
  const cases: { id: CertId; der: Uint8Array }[] = [];
  for (const [i, leaf] of picked.entries()) {
    const id = certIdFor(issuer, loadCertificate(leaf.path, "leaf"), SHA1);
    const req = join(c.dir, `verify-${i}.req`);
    const resp = join(c.dir, `verify-${i}.resp`);
    writeFileSync(
      req,
      encodeRequest({ requests: [{ certId: id, extensions: [] }], extensions: [] }),
    );
    await makeResponseFile(pki, req, resp, { nmin: null, ndays: 1 });
    cases.push({ id, der: new Uint8Array(readFileSync(resp)) });
  }

  const library = (i: number) => {
    const k = cases[i % cases.length]!;
    const v = verifyResponse(parseResponse(k.der), { asked: [k.id], issuer, trust });
    if (!v.ok) throw new Error(`verifyResponse: ${v.reason}`);
  };
  // The ceiling: keys made once, signed bytes sliced once; only the signature checks remain.
  // The chain is signer → intermediate → root (the anchor's own signature is not checked).
  const signer = parseResponse(cases[0]!.der).basic!.certs[0]!;
  const signerKey = createPublicKey({ key: Buffer.from(signer.spki), format: "der", type: "spki" });
  const chainChecks = [certCheck(signer, issuer.publicKey), certCheck(issuer, root.publicKey)];
  const signed = cases.map((k) => parseResponse(k.der).basic!);
  const ceiling = (i: number) => {
    const b = signed[i % signed.length]!;
    const ok =
      verify("sha256", b.tbs, { key: signerKey, dsaEncoding: "der" }, b.signature) &&
      chainChecks.every((f) => f());
    if (!ok) throw new Error("crypto.verify: a signature did not check");
  };

  const sliceMs = (c.seconds * 1000) / c.rounds;
  rate(library, 500); // warm-up: JIT and key caches
  rate(ceiling, 500);
  const lib: number[] = [];
  const top: number[] = [];
  for (let r = 0; r < c.rounds; r++) {
    // Alternate which side goes first so that neither always follows the other.
    if (r % 2) top.push(rate(ceiling, sliceMs));
    lib.push(rate(library, sliceMs));
    if (!(r % 2)) top.push(rate(ceiling, sliceMs));
  }
  const ratio = ratioOfRounds(lib, top);
  return {
    title: "3. Library verify throughput (one process, one thread)",
    notes: [
      `${cases.length} distinct responses (openssl-signed, delegated EC P-256 signer, RSA-2048 CA chain), trust anchor = root`,
      "ceiling: the 3 crypto.verify calls they need (response ECDSA, signer cert RSA, intermediate cert RSA) with keys made once",
      `${c.rounds} alternating rounds of ${fmt(sliceMs / 1000)} s per side; medians`,
    ],
    tables: [
      {
        head: ["work", "responses/s", "ratio"],
        rows: [
          ["parseResponse + verifyResponse", fmt(median(lib)), fmtRatio(ratio)],
          ["bare crypto.verify ×3 (ceiling)", fmt(median(top)), fmtRatio(1)],
        ],
      },
    ],
    targets: [
      { text: "verify vs bare crypto.verify ceiling", measured: ratio, bound: 0.7, kind: "min" },
    ],
    data: { library: lib, ceiling: top, responses: cases.length },
  };
}
