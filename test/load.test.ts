/**
 * Reading files: `check`'s certificate files into one reused buffer (readFileTransient), every
 * byte of files larger than the buffer, only the file's own bytes after a larger one, the errors
 * readFile gives, and certificates that outlive the buffer they were read from; an encrypted
 * key given the wrong pass phrase, whichever way its decryption fails.
 */
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { loadInputs } from "../src/check/inputs.ts";
import { OcspError } from "../src/errors.ts";
import { loadPrivateKey } from "../src/x509/keys.ts";
import { readFile, readFileTransient } from "../src/x509/load.ts";
import { runBuiltCli } from "./support/cli.ts";
import { argv, getFreePort, makePki, ocspkitCommand, type Pki, runCommand } from "./support/pki.ts";

const ocspkit = ocspkitCommand();

describe("readFileTransient", () => {
  const dir = mkdtempSync(join(tmpdir(), "ocspkit-load-"));
  let pki: Pki;
  before(async () => {
    pki = await makePki();
  });

  test("a file larger than the buffer is read whole; a smaller one after it, only its bytes", () => {
    const big = join(dir, "big.bin");
    const small = join(dir, "small.bin");
    const bigBytes = randomBytes(300 * 1024);
    writeFileSync(big, bigBytes);
    writeFileSync(small, "seven b");
    assert.deepEqual(Buffer.from(readFileTransient(big, "x")), bigBytes);
    assert.equal(Buffer.from(readFileTransient(small, "x")).toString(), "seven b");
  });

  test("a missing file and a folder fail as readFile fails", () => {
    const folder = join(dir, "folder");
    mkdirSync(folder);
    for (const path of [join(dir, "absent.pem"), folder]) {
      const want = (() => {
        try {
          readFile(path, "certificate");
        } catch (err) {
          return err;
        }
      })();
      assert.ok(want instanceof OcspError);
      assert.throws(() => readFileTransient(path, "certificate"), {
        name: want.name,
        message: want.message,
      });
    }
    assert.throws(() => readFileTransient(join(dir, "absent.pem"), "certificate"), {
      message: /^cannot read certificate from .*absent\.pem: no such file$/,
    });
  });

  test("DER and PEM certificates read one after another keep their own bytes", async () => {
    const derA = join(dir, "a.der");
    const derB = join(dir, "b.der");
    const pemC = join(dir, "c.pem");
    const der = (pem: string) =>
      Buffer.from(readFileSync(pem, "latin1").replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    writeFileSync(derA, der(pki.leaves.good.cert));
    writeFileSync(derB, der(pki.leaves.good2.cert));
    writeFileSync(pemC, readFileSync(pki.intermediate.cert));
    const { inputs } = loadInputs([derA, derB, pemC]);
    assert.deepEqual(
      inputs.map((i) => i.certs[0]!.serialHex),
      [pki.leaves.good.serial, pki.leaves.good2.serial, pki.intermediate.serial],
    );
    assert.deepEqual(Buffer.from(inputs[0]!.certs[0]!.der), der(pki.leaves.good.cert));
    // The same through the shipped bundle (its own copy of the reader): nothing answers at the
    // --url, so each result is an error, but each names its own certificate.
    const url = `http://127.0.0.1:${await getFreePort()}/`;
    const r = await runBuiltCli("check", [derA, derB, pemC, "--url", url, "--json"]);
    assert.deepEqual(
      (JSON.parse(r.stdout).results as { serial: string }[]).map((x) => x.serial),
      [pki.leaves.good.serial, pki.leaves.good2.serial, pki.intermediate.serial],
    );
  });

  test("an encrypted key and a wrong pass phrase: said so, also when the padding happens to pass", async () => {
    const pem = createPrivateKey(readFileSync(pki.ocspSigner.key)).export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "s3cret",
    });
    const path = join(dir, "enc.key");
    writeFileSync(path, pem);
    // Most wrong pass phrases fail the CBC padding check (bad decrypt); about one in 256 passes
    // it and leaves the decoder garbage. One of each, found by trying.
    const failure = (pass: string) => {
      try {
        createPrivateKey({ key: pem, format: "pem", passphrase: pass });
        return "opened";
      } catch (err) {
        return (err as { code?: string }).code === "ERR_OSSL_BAD_DECRYPT" ? "padding" : "decoder";
      }
    };
    const found = new Map<string, string>();
    for (let i = 0; found.size < 2 && i < 20_000; i++) {
      const kind = failure(`wrong-${i}`);
      if (!found.has(kind)) found.set(kind, `wrong-${i}`);
    }
    assert.deepEqual([...found.keys()].sort(), ["decoder", "padding"]);
    for (const pass of found.values()) {
      assert.throws(() => loadPrivateKey(path, "the key", pass), {
        message: `cannot load the key from ${path}: wrong pass phrase`,
      });
      // The shipped program, whose bundle has its own copy of the key loader.
      const served = await runCommand(ocspkit[0]!, [
        ...ocspkit.slice(1),
        ...argv`serve --ca ${pki.intermediate.cert} --index ${pki.index}
                --signer ${pki.ocspSigner.cert} --key ${path} --key-pass ${`pass:${pass}`} --port 0`,
      ]);
      assert.equal(served.code, 1, served.stderr);
      assert.equal(
        served.stderr,
        `ocspkit serve: cannot load signer key from ${path}: wrong pass phrase\n`,
      );
    }
    assert.equal(loadPrivateKey(path, "the key", "s3cret").asymmetricKeyType, "ec");
  });
});
