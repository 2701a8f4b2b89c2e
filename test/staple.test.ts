/**
 * `ocspkit staple` against `openssl s_server -status_file` on 127.0.0.1 (port 0): a good, a
 * revoked, a mismatched, a tampered, a stale and no staple; answers made by OpenSSL's responder.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { certIdFor } from "../src/ocsp/certid.ts";
import { SHA1 } from "../src/ocsp/digests.ts";
import { loadCertificate } from "../src/x509/load.ts";
import { runBuiltCli } from "./support/cli.ts";
import { signedResponse } from "./support/forge.ts";
import { argv, type KeyPair, makePki, makeResponseFile, openssl, type Pki } from "./support/pki.ts";

/** The built `staple` in-process (test/support/cli.ts). */
async function staple(...args: string[]) {
  const r = await runBuiltCli("staple", args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

/** `openssl s_server` serving `leaf` (and the chain), stapling `statusFile` when given. */
async function sServer(pki: Pki, leaf: KeyPair, statusFile?: string) {
  const args = argv`s_server -accept 127.0.0.1:0 -cert ${leaf.cert} -key ${leaf.key}
                    -cert_chain ${pki.chain}`;
  if (statusFile) args.push("-status_file", statusFile);
  const child: ChildProcess = spawn("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  let seen = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`s_server did not start: ${seen}`));
    }, 10_000);
    const onData = (b: Buffer) => {
      seen += b.toString();
      const m = /ACCEPT .*:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", () => reject(new Error(`s_server exited: ${seen}`)));
  });
  return {
    target: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once("exit", () => r());
        child.kill();
      }),
  };
}

describe("staple", () => {
  let pki: Pki;
  const files: Record<string, string> = {};
  before(async () => {
    pki = await makePki();
    for (const [name, leaf] of [
      ["good", pki.leaves.good],
      ["revoked", pki.leaves.revoked.keyCompromise],
      ["good2", pki.leaves.good2],
    ] as const) {
      const req = join(pki.dir, `${name}.req`);
      await openssl(
        argv`ocsp -issuer ${pki.intermediate.cert} -cert ${leaf.cert} -no_nonce -reqout ${req}`,
      );
      files[name] = join(pki.dir, `${name}.resp`);
      await makeResponseFile(pki, req, files[name]!);
    }
    const tampered = Buffer.from(readFileSync(files.good!));
    tampered[tampered.length - 1]! ^= 1;
    files.tampered = join(pki.dir, "tampered.resp");
    writeFileSync(files.tampered, tampered);
    const cert = loadCertificate(pki.leaves.good.cert, "cert");
    const signer = loadCertificate(pki.ocspSigner.cert, "signer");
    const day = 86_400_000;
    files.stale = join(pki.dir, "stale.resp");
    writeFileSync(
      files.stale,
      signedResponse({
        responderId: { byKey: signer.keyHash() },
        producedAt: new Date(Date.now() - 3 * day),
        responses: [
          {
            certId: certIdFor(loadCertificate(pki.intermediate.cert, "ca"), cert, SHA1),
            status: "good",
            thisUpdate: new Date(Date.now() - 3 * day),
            nextUpdate: new Date(Date.now() - 2 * day),
          },
        ],
        key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
        certs: [signer],
      }),
    );
  });
  after(() => pki.cleanup());

  const cases: [string, () => KeyPair, string | undefined, number, RegExp][] = [
    ["a good staple", () => pki.leaves.good, "good", 0, /staple: good/],
    [
      "a revoked staple",
      () => pki.leaves.revoked.keyCompromise,
      "revoked",
      1,
      /revoked, keyCompromise/,
    ],
    ["no staple", () => pki.leaves.good, undefined, 2, /no staple/],
    ["a staple for another certificate", () => pki.leaves.good, "good2", 3, /another certificate/],
    ["a tampered staple", () => pki.leaves.good, "tampered", 3, /invalid staple: .*signature/],
    ["a stale staple", () => pki.leaves.good, "stale", 3, /invalid staple: .*expired/],
  ];
  for (const [name, leaf, file, code, text] of cases) {
    test(`${name}: exit ${code}`, async () => {
      const server = await sServer(pki, leaf(), file && files[file]);
      try {
        const r = await staple(server.target, "--ca-file", pki.caFiles.root);
        assert.equal(r.code, code, r.out + r.err);
        assert.match(r.out, text);
        const j = await staple(server.target, "--ca-file", pki.caFiles.root, "--json");
        assert.equal(j.code, code);
        const o = JSON.parse(j.out);
        assert.equal(o.stapled, file !== undefined);
        assert.equal(o.serial, leaf().serial);
        assert.equal(o.status, ["good", "revoked", "none", "error"][code]);
        if (code === 3) assert.ok(o.error && o.errorCode, j.out);
        if (code === 1) assert.equal(o.revocationReason, "keyCompromise");
      } finally {
        await server.stop();
      }
    });
  }

  test("an untrusted signer: the staple is invalid (wrong --ca-file)", async () => {
    const server = await sServer(pki, pki.leaves.good, files.good);
    try {
      const r = await staple(server.target, "--ca-file", pki.caFiles.foreign);
      assert.equal(r.code, 3);
      assert.match(r.out, /invalid staple/);
    } finally {
      await server.stop();
    }
  });

  test("no server, bad targets and options", async () => {
    const r = await staple("127.0.0.1:9", "--ca-file", pki.caFiles.root, "--timeout", "3");
    assert.equal(r.code, 3);
    assert.match(r.err, /^ocspkit staple: TLS connection to 127\.0\.0\.1:9 failed/);
    for (const args of [
      [],
      ["host:99999"],
      ["a:b:c"],
      ["h", "--timeout", "0"],
      ["h", "--ca-file", pki.missing],
    ]) {
      const u = await staple(...args);
      assert.equal(u.code, 64, `${args.join(" ")}: ${u.err}`);
      assert.match(u.err, /^ocspkit staple: /);
    }
  });
});
