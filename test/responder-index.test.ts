/**
 * OpenSSL's index.txt as the responder reads it, checked against `openssl ocsp -index … -reqin
 * … -respout …` (OpenSSL 3.0, the oracle): for each index below both answer the same request,
 * and ocspkit's answer, built at OpenSSL's producedAt, must have the very same
 * tbsResponseData bytes (statuses, reasons, times, single extensions) or the same error status.
 * Then the reload rules of the status store, driven through `poll()` with explicit clocks.
 *
 *   node --import tsx --test test/responder-index.test.ts
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { digestByName } from "../src/ocsp/digests.js";
import { parseResponse } from "../src/ocsp/response.js";
import { ResponseSigner } from "../src/ocsp/response-builder.js";
import { Answerer } from "../src/responder/answer.js";
import { parseAttr, parseIndex, parseOpensslTime, serialKey } from "../src/responder/index-file.js";
import { IndexStore } from "../src/responder/store.js";
import { loadCertificate } from "../src/x509/load.js";
import { argv, makePki, openssl, type Pki, runCommand } from "./support/pki.js";
import { withinOneSecond } from "./support/wait.js";

let pki: Pki;
let dir: string;
let seq = 0;

before(async () => {
  pki = await makePki();
  dir = pki.dir;
});
after(() => pki?.cleanup());

const row = (type: string, rev: string, serial: string, name = `/CN=s${serial}`) =>
  `${type}\t271127030820Z\t${rev}\t${serial}\tunknown\t${name}\n`;

/** A request for `serials` under the intermediate, with OpenSSL's client. */
async function request(serials: string[], extra: string[] = []): Promise<string> {
  const file = join(dir, `req-${++seq}.der`);
  const args = serials.flatMap((s) => ["-serial", s]);
  await openssl(argv`ocsp -issuer ${pki.intermediate.cert} ${extra} ${args} -reqout ${file}`);
  return file;
}

interface Compared {
  status: number;
  statuses: string[];
}

/**
 * Both responders answer `req` from `indexText`; their answers must agree byte for byte in
 * tbsResponseData (ocspkit builds its answer at OpenSSL's producedAt).
 */
async function compare(indexText: string, req: string, extra: string[] = []): Promise<Compared> {
  const index = join(dir, `index-${++seq}.txt`);
  writeFileSync(index, indexText);
  writeFileSync(`${index}.attr`, "unique_subject = no\n");
  const respFile = `${index}.resp`;
  const run = async () => {
    const r = await runCommand("openssl", [
      ...argv`ocsp -index ${index} -rsigner ${pki.ocspSigner.cert} -rkey ${pki.ocspSigner.key}
              -CA ${pki.intermediate.cert} -reqin ${req} -respout ${respFile}`,
      ...extra,
    ]);
    return { r, theirs: parseResponse(readFileSync(respFile)) };
  };
  // OpenSSL reads the clock for thisUpdate and again for producedAt; ocspkit once. A second
  // that ticks over in between makes an answer no single clock reading reproduces: ask again.
  const sameSecond = (x: Awaited<ReturnType<typeof run>>) =>
    x.theirs.basic?.responses.every(
      (s) => s.thisUpdate.getTime() === x.theirs.basic!.producedAt.getTime(),
    ) ?? true;
  const { r, theirs } = await withinOneSecond("openssl's answer", run, sameSecond);
  const store = await IndexStore.open(index);
  const rcid = extra.includes("-rcid")
    ? digestByName(extra[extra.indexOf("-rcid") + 1]!)
    : undefined;
  const signer = new ResponseSigner({
    cert: loadCertificate(pki.ocspSigner.cert, "signer"),
    key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
  });
  const answerer = new Answerer(
    [{ caCert: loadCertificate(pki.intermediate.cert, "CA"), signer, source: store }],
    {
      dialect: "openssl",
      unknownIssuer: "unknown",
      nextUpdateSeconds: extra.includes("-nmin")
        ? 60 * Number(extra[extra.indexOf("-nmin") + 1])
        : undefined,
      responseCertIdDigest: rcid,
    },
  );
  const ours = await answerer.answer(readFileSync(req), theirs.basic?.producedAt ?? new Date());
  const mine = parseResponse(ours.der);
  const ctx = `index:\n${indexText}\nopenssl stderr:\n${r.stderr}\nocspkit problem: ${ours.problem}`;
  assert.equal(mine.status, theirs.status, `response status\n${ctx}`);
  if (theirs.basic) {
    assert.deepEqual(
      Buffer.from(mine.basic!.tbs).toString("hex"),
      Buffer.from(theirs.basic.tbs).toString("hex"),
      `tbsResponseData\n${ctx}`,
    );
  }
  return { status: theirs.status, statuses: theirs.basic?.responses.map((s) => s.status) ?? [] };
}

describe("index.txt rows, answered as openssl ocsp -index answers them", () => {
  test("the test PKI: every reason, hold instruction, invalidity date, unknown, high serial", async () => {
    const serials = pki.allLeaves.map((l) => l.serialHex);
    const req = await request(serials);
    const r = await compare(readFileSync(pki.index, "latin1"), req, ["-nmin", "5"]);
    assert.equal(r.status, 0);
    assert.equal(r.statuses.filter((s) => s === "revoked").length, 11);
  });

  test("with a nonce, SHA-256 CertIDs and -rcid", async () => {
    const req = await request(["0x2001", "0x3002"], ["-sha256"]);
    await compare(readFileSync(pki.index, "latin1"), req);
    await compare(readFileSync(pki.index, "latin1"), req, ["-rcid", "sha256"]);
    const noNonce = await request(["0x2001"], ["-no_nonce"]);
    await compare(readFileSync(pki.index, "latin1"), noNonce, ["-rcid", "sha384"]);
  });

  // Revocation columns that still give an answer (OpenSSL prints a complaint and carries on).
  const answered: [string, string][] = [
    ["no reason", "240119100404Z"],
    ["reason in other case", "240119100404Z,KEYCOMPROMISE"],
    ["unknown reason", "240119100404Z,bogus"],
    ["empty reason", "240119100404Z,"],
    ["no seconds", "2401191004Z,superseded"],
    ["zone offset", "240119100404+0130,superseded"],
    ["negative offset", "240119100404-0900,superseded"],
    ["year 1999", "991231235959Z"],
    ["year 1950", "500101000000Z"],
    ["leap day", "240229000000Z"],
    ["removeFromCRL is 8", "240119100404Z,removeFromCRL"],
    ["hold by short name", "240119100404Z,holdInstruction,holdInstructionCallIssuer"],
    ["hold by long name", "240119100404Z,holdInstruction,Hold Instruction None"],
    ["hold by OID", "240119100404Z,holdInstruction,1.2.840.10040.2.3"],
    ["hold with a bad OID", "240119100404Z,holdInstruction,notanoid"],
    ["hold without instruction", "240119100404Z,holdInstruction"],
    ["keyTime", "240119100404Z,keyTime,20200102030405Z"],
    ["keyTime with fraction", "240119100404Z,keyTime,20200102030405.25Z"],
    ["keyTime without seconds", "240119100404Z,keyTime,202001020304Z"],
    ["keyTime bad", "240119100404Z,keyTime,2020"],
    ["keyTime missing", "240119100404Z,keyTime"],
    ["CAkeyTime", "240119100404Z,CAkeyTime,20200102030405Z"],
    ["certificateHold without instruction", "240119100404Z,certificateHold"],
  ];
  test("revocation columns OpenSSL answers", async () => {
    const req = await request(["0x3000", "0x2001"], ["-no_nonce"]);
    for (const [what, rev] of answered) {
      await test(what, () => compare(row("R", rev, "3000") + row("V", "", "2001"), req));
    }
  });

  // Revocation dates OpenSSL cannot use: the whole answer becomes internalError.
  const failing = [
    "",
    "20240119100404Z",
    "240119100404",
    "240230100404Z",
    "241319100404Z",
    "24011910Z",
  ];
  test("revocation dates that make OpenSSL answer internalError", async () => {
    const req = await request(["0x3000"], ["-no_nonce"]);
    for (const rev of failing) {
      const r = await compare(row("R", `${rev},keyCompromise`, "3000"), req);
      assert.equal(r.status, 2, `"${rev}" should give internalError`);
    }
  });

  test("rows neither V nor R are left out of the answer; serials match without leading zeros", async () => {
    const req = await request(
      ["0x2001", "0x3001", "0x3002", "0x2FFF", "0", "0x0ABC"],
      ["-no_nonce"],
    );
    const text =
      row("E", "", "2001") +
      row("X", "", "3001") +
      row("", "", "3002") +
      row("V", "", "2fff") + // lower case: BN_bn2hex is upper case, so no match
      row("V", "", "00") +
      row("V", "", "00000ABC");
    const r = await compare(text, req);
    assert.deepEqual(r.statuses, ["unknown", "good", "good"]);
  });

  test("comments, a last line without newline, escaped tabs, CR", async () => {
    const req = await request(["0x2001", "0x2002", "0x2003", "0x2004"], ["-no_nonce"]);
    const text =
      "# a comment line\n" +
      row("V", "", "2001", "/CN=with\\\ttab") +
      "R\t271127030820Z\t240119100404Z,keyCompromise\r\t2003\tunknown\t/CN=cr\r\n" +
      "#\tV\t\t\t2004\n" +
      row("V", "", "2002").trimEnd();
    const r = await compare(text, req);
    assert.deepEqual(r.statuses, ["good", "unknown", "revoked", "unknown"]);
  });
});

describe("index.txt files OpenSSL refuses", () => {
  const refused: [string, string, string | undefined][] = [
    ["an empty line", `${row("V", "", "2001")}\n${row("V", "", "2002")}`, undefined],
    ["five fields", "V\t271127030820Z\t\t2001\tunknown\n", undefined],
    ["seven fields", "V\t271127030820Z\t\t2001\tunknown\t/CN=a\textra\n", undefined],
    ["a duplicate serial", row("V", "", "2001") + row("R", "240119100404Z", "002001"), undefined],
    ["a duplicate V subject", row("V", "", "2001", "/CN=a") + row("V", "", "2002", "/CN=a"), ""],
    [
      "a duplicate subject, attr yes",
      row("V", "", "1", "/CN=a") + row("V", "", "2", "/CN=a"),
      "unique_subject = yes\n",
    ],
  ];
  for (const [what, text, attr] of refused) {
    test(what, async () => {
      const index = join(dir, `refused-${++seq}.txt`);
      writeFileSync(index, text);
      if (attr !== undefined) writeFileSync(`${index}.attr`, attr);
      const r = await runCommand("openssl", [
        ...argv`ocsp -index ${index} -rsigner ${pki.ocspSigner.cert} -rkey ${pki.ocspSigner.key}
                -CA ${pki.intermediate.cert} -reqin ${await request(["1"], ["-no_nonce"])}`,
      ]);
      assert.equal(r.code, 1, "openssl refuses it (oracle)");
      assert.match(r.stderr, /Problem with index file/);
      await assert.rejects(IndexStore.open(index), /Problem with index file/);
    });
  }

  test("duplicate subjects are fine in R rows, or with unique_subject = no", () => {
    const text = row("R", "240119100404Z", "1", "/CN=a") + row("V", "", "2", "/CN=a");
    assert.equal(parseIndex(text, true).entries.size, 2);
    assert.equal(
      parseIndex(row("V", "", "1", "/CN=a") + row("V", "", "2", "/CN=a"), false).entries.size,
      2,
    );
  });
});

describe("pieces", () => {
  test("serialKey: BN_bn2hex without leading zeros", () => {
    assert.equal(serialKey(Uint8Array.of(0x20, 0x01)), "2001");
    assert.equal(serialKey(Uint8Array.of(0x00, 0x8a, 0x5c)), "8A5C");
    assert.equal(serialKey(Uint8Array.of(0x0a, 0xbc)), "ABC");
    assert.equal(serialKey(Uint8Array.of(0)), "");
    assert.equal(serialKey(Uint8Array.of(0xfb)), "-05");
    assert.equal(serialKey(Uint8Array.of(0xff, 0x00)), "-0100");
  });

  test("parseAttr: parse_yesno on unique_subject, default yes", () => {
    assert.equal(parseAttr("unique_subject = no\n"), false);
    assert.equal(parseAttr("unique_subject=False"), false);
    assert.equal(parseAttr("unique_subject = yes"), true);
    assert.equal(parseAttr("# nothing\n"), true);
    assert.equal(parseAttr("[other]\nunique_subject = no\n"), true);
  });

  test("parseOpensslTime: GeneralizedTime forms", () => {
    const iso = (s: string) => parseOpensslTime(s, true)?.toISOString();
    assert.equal(iso("20200102030405Z"), "2020-01-02T03:04:05.000Z");
    assert.equal(iso("202001020304Z"), "2020-01-02T03:04:00.000Z");
    assert.equal(iso("20200102030405.5Z"), "2020-01-02T03:04:05.000Z");
    assert.equal(iso("20200102030405+0100"), "2020-01-02T02:04:05.000Z");
    assert.equal(iso("20200229000000Z"), "2020-02-29T00:00:00.000Z");
    assert.equal(iso("00500101000000Z"), "0050-01-01T00:00:00.000Z");
    for (const bad of [
      "20210229000000Z",
      "2020010203Z",
      "20200102030405.Z",
      "20200102030405",
      "20200102030405+01",
    ]) {
      assert.equal(iso(bad), undefined, bad);
    }
  });
});

describe("status store reloads", () => {
  const pollMs = 300;
  const open = async (text: string, emptySettleMs?: number) => {
    const path = join(dir, `store-${++seq}.txt`);
    writeFileSync(path, text);
    const changes: string[][] = [];
    const logs: string[] = [];
    const store = await IndexStore.open(path, { pollMs, emptySettleMs, log: (m) => logs.push(m) });
    store.onChange((c) => changes.push([...c].sort()));
    return { path, store, changes, logs };
  };

  test("a rewritten file is taken once it has stood still for a poll", async () => {
    const { path, store, changes } = await open(row("V", "", "2001") + row("V", "", "2002"));
    writeFileSync(path, row("R", "240119100404Z,keyCompromise", "2001") + row("V", "", "2002"));
    await store.poll(1000);
    assert.equal(store.entry("2001")?.type, "V", "not before it settled");
    await store.poll(1000 + pollMs);
    assert.equal(store.entry("2001")?.type, "R");
    assert.deepEqual(changes, [["2001"]]);
  });

  test("a file cut mid-line is never believed: logged once, counted, taken once whole", async () => {
    const { path, store, logs } = await open(
      row("V", "", "2001") + row("R", "240119100404Z", "2002"),
    );
    writeFileSync(path, `${row("V", "", "2001")}R\t271127030820Z\t2401`);
    for (const t of [0, pollMs, 5000, 60_000]) await store.poll(t);
    assert.equal(store.entry("2002")?.type, "R", "the old file still answers");
    assert.equal(store.refusals.incomplete, 1);
    assert.equal(logs.filter((l) => /middle of a line/.test(l)).length, 1, logs.join("\n"));
    writeFileSync(path, `${row("V", "", "2001")}${row("R", "271127030820Z", "2401")}`);
    await store.poll(70_000);
    await store.poll(70_000 + pollMs);
    assert.equal(store.entry("2002"), undefined);
    assert.equal(store.entry("2401")?.type, "R");
  });

  test("a file emptied (0 bytes or no rows) is refused until it has stayed so for the settle time", async () => {
    for (const empty of ["", "# all rows gone\n"]) {
      const { path, store, logs } = await open(row("R", "240119100404Z", "2001"), 10_000);
      writeFileSync(path, empty);
      for (const t of [0, pollMs, 5000, 9000]) await store.poll(t);
      assert.equal(store.entry("2001")?.type, "R", "still the last good rows");
      assert.equal(store.refusals.emptied, 1);
      assert.match(logs.join("\n"), /has no rows where the last good one had 1/);
      await store.poll(10_500);
      assert.equal(store.entry("2001"), undefined, "empty for 10 s: believed");
      assert.match(logs.join("\n"), /stayed without rows for 10 s: loaded/);
    }
  });

  test("a missing or unreadable file keeps the last good data, logged once per change", async () => {
    const { path, store, logs } = await open(row("R", "240119100404Z", "2001"));
    renameSync(path, `${path}.away`);
    for (const t of [0, 500, 1500, 3000, 9000]) await store.poll(t);
    assert.equal(store.entry("2001")?.type, "R");
    assert.equal(store.refusals.missing, 1);
    assert.equal(
      logs.filter((l) => /cannot read .*no such file/i.test(l)).length,
      1,
      logs.join("\n"),
    );
    renameSync(`${path}.away`, path);
    await store.poll(10_000);
    await store.poll(10_000 + pollMs);
    assert.match(logs.at(-1)!, /readable again/);
    // A directory in its place: stat works, reading does not (as a permission error would,
    // which cannot be staged when the tests run as root).
    renameSync(path, `${path}.away`);
    mkdirSync(path);
    for (const t of [11_000, 11_500, 12_000, 12_500, 14_000]) await store.poll(t);
    assert.equal(store.entry("2001")?.type, "R");
    assert.equal(store.refusals.unreadable, 1);
    assert.equal(logs.filter((l) => /cannot read .*EISDIR/i.test(l)).length, 1, logs.join("\n"));
  });

  test("a file that fails to load leaves the previous one in service", async () => {
    const { path, store } = await open(row("R", "240119100404Z", "2001"));
    writeFileSync(path, `${row("V", "", "2001")}\n`);
    await store.poll(0);
    await store.poll(pollMs);
    assert.equal(store.entry("2001")?.type, "R");
    assert.equal(store.reloadErrors, 1);
  });

  test("openssl ca's rename dance: the file is briefly absent", async () => {
    const { path, store } = await open(row("V", "", "2001"));
    renameSync(path, `${path}.old`);
    await store.poll(0);
    assert.equal(store.entry("2001")?.type, "V");
    writeFileSync(path, row("R", "240119100404Z", "2001"));
    await store.poll(10);
    await store.poll(10 + pollMs);
    assert.equal(store.entry("2001")?.type, "R");
    rmSync(`${path}.old`);
  });
});
