/**
 * OpenSSL's own OCSP response-verification vectors (test/ocsp-tests of the OpenSSL sources, run
 * by its recipe 80-test_ocsp.t), read from ../shared/vectors/openssl-ocsp and never copied here.
 * Every case of MANIFEST.tsv must give the expected exit code with the command the manifest
 * describes, from `ocspkit ocsp` and from the system `openssl ocsp` alike, with the same verify
 * line; and the library (parseResponse + verifyBasic with the same settings) must reach the
 * same verdict, naming the check that failed.
 *
 *   node --import tsx --test test/vectors.test.ts     (after `npm run build`)
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parseResponse } from "../src/ocsp/response.js";
import { verifyBasic } from "../src/verify/basic.js";
import { TrustStore } from "../src/verify/chain.js";
import { loadCertificates } from "../src/x509/load.js";
import { runOcspkit } from "./support/cli.js";
import { type RunResult, runCommand, stripErrorStack } from "./support/pki.js";
import {
  OPENSSL_VECTORS,
  VECTORS_MANIFEST,
  vectorsMissing,
  vectorsPresent,
} from "./support/vectors.js";

const VECTORS = OPENSSL_VECTORS;
const MANIFEST = VECTORS_MANIFEST;
/** 2012-12-19 00:00 UTC: the recipe's check time, when the vectors' certificates were valid. */
const ATTIME = 1355875200;

interface Case {
  id: string;
  group: string;
  title: string;
  response: string;
  caFile: string;
  verifyOther: string;
  extraFlags: string[];
  expectedExit: number;
  reason: string;
}

function readManifest(): Case[] {
  const [header, ...rows] = readFileSync(MANIFEST, "utf8").trimEnd().split("\n");
  const cols = header!.split("\t");
  const col = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return i;
  };
  const c = {
    id: col("id"),
    group: col("group"),
    title: col("title"),
    response: col("response_file"),
    caFile: col("CAfile"),
    verifyOther: col("verify_other"),
    extra: col("extra_flags"),
    exit: col("expected_exit"),
    reason: col("reason"),
  };
  return rows.map((line) => {
    const f = line.split("\t");
    return {
      id: f[c.id]!,
      group: f[c.group]!,
      title: f[c.title]!,
      response: f[c.response]!,
      caFile: f[c.caFile]!,
      verifyOther: f[c.verifyOther]!,
      extraFlags: (f[c.extra] ?? "").split(/\s+/).filter(Boolean),
      expectedExit: Number(f[c.exit]),
      reason: f[c.reason]!,
    };
  });
}

const VERIFY_LINE = /^(Response verify OK|Response Verify Failure)$/m;
const CRASH = /ocspkit: internal error|^\s+at .+:\d+:\d+\)?$|node:internal/m;

if (!vectorsPresent()) {
  vectorsMissing("the 58 cases of MANIFEST.tsv");
} else {
  const cases = readManifest();
  const work = mkdtempSync(join(tmpdir(), "ocspkit-vectors-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  test("the manifest lists the recipe's 58 cases", () => {
    assert.equal(cases.length, 58);
  });

  describe("OpenSSL OCSP vectors (MANIFEST.tsv)", { concurrency: 4 }, () => {
    for (const c of cases) {
      test(`${c.id} ${c.group}: ${c.title}${c.extraFlags.length ? ` ${c.extraFlags.join(" ")}` : ""} → exit ${c.expectedExit}`, async () => {
        const der = Buffer.from(readFileSync(join(VECTORS, c.response), "utf8"), "base64");
        const respin = join(work, `${c.id}-${c.response}.der`);
        writeFileSync(respin, der);
        const args = [
          "ocsp",
          "-respin",
          respin,
          "-CAfile",
          join(VECTORS, c.caFile),
          "-verify_other",
          join(VECTORS, c.verifyOther),
          ...c.extraFlags,
          "-partial_chain",
          "-attime",
          String(ATTIME),
          "-no-CApath",
          "-no-CAstore",
        ];
        const [k, o] = await Promise.all([
          runOcspkit("ocsp", args.slice(1)),
          runCommand("openssl", args, { cwd: VECTORS }),
        ]);
        const ctx = `${c.reason}\n${show("openssl", o)}\n${show("ocspkit", k)}`;
        assert.equal(o.code, c.expectedExit, `openssl's exit code (the oracle)\n${ctx}`);
        assert.equal(k.code, c.expectedExit, `ocspkit's exit code\n${ctx}`);
        const line = c.expectedExit === 0 ? "Response verify OK" : "Response Verify Failure";
        assert.equal(VERIFY_LINE.exec(k.stderr)?.[0], line, `ocspkit's verify line\n${ctx}`);
        assert.equal(VERIFY_LINE.exec(o.stderr)?.[0], line, `openssl's verify line\n${ctx}`);
        assert.equal(k.stdout, stripErrorStack(o.stdout), `stdout\n${ctx}`);
        assert.doesNotMatch(k.stderr, CRASH, `ocspkit crashed\n${ctx}`);
        if (c.expectedExit !== 0) {
          const reason = k.stderr.split("\n").filter((l) => l && !VERIFY_LINE.test(l));
          assert.ok(reason.length > 0, `ocspkit says why it failed\n${ctx}`);
        }

        // The library, with what the command line asks for.
        const verdict = verifyBasic(parseResponse(new Uint8Array(der)).basic!, {
          certs: loadCertificates(join(VECTORS, c.verifyOther), "verify_other"),
          store: new TrustStore(loadCertificates(join(VECTORS, c.caFile), "CAfile")),
          flags: { noChecks: c.extraFlags.includes("-no_cert_checks") },
          chain: { at: new Date(ATTIME * 1000), partialChain: true },
        });
        assert.equal(
          verdict.ok,
          c.expectedExit === 0,
          `library verdict\n${JSON.stringify(verdict.checks)}`,
        );
        if (!verdict.ok) {
          const failed = verdict.checks.find((x) => !x.ok);
          assert.ok(failed && failed.detail.length > 0, "the failed check is named and explained");
        }
      });
    }
  });
}

function show(tool: string, r: RunResult): string {
  return `--- ${tool}: exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}
