// X509_NAME_hash: ocspkit finds system CA certificates by the same hashed file names OpenSSL
// uses, so its hash must equal `openssl x509 -subject_hash` for every kind of name.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { nameHash } from "../src/verify/names.js";
import { parseCertificates } from "../src/x509/load.js";

const dir = mkdtempSync(join(tmpdir(), "ocspkit-names-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SUBJECTS = [
  "/C=US/O=Test/CN=Root",
  "/CN=  Mixed   CASE  spaces  ",
  "/O=Caf\u00e9 \u00c9lan/CN=\u6e2c\u8a66",
  "/DC=org/DC=example/CN=a+OU=b",
  "/CN=x/emailAddress=Admin@Example.ORG",
];

for (const [i, subj] of SUBJECTS.entries()) {
  test(`nameHash matches openssl -subject_hash for ${JSON.stringify(subj)}`, () => {
    const pem = join(dir, `c${i}.pem`);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, `k${i}.pem`),
        "-out",
        pem,
        "-days",
        "1",
        "-subj",
        subj,
        "-utf8",
        "-multivalue-rdn",
      ],
      { stdio: "pipe" },
    );
    const want = execFileSync("openssl", ["x509", "-in", pem, "-noout", "-subject_hash"])
      .toString()
      .trim();
    const cert = parseCertificates(readFileSync(pem))[0]!;
    assert.equal(nameHash(cert.subject), want);
  });
}
