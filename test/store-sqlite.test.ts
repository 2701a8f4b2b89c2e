/**
 * The SQLite status store through the built CLI: `db init|import|status`, `revoke`,
 * `unrevoke`, `serve --db sqlite:…` (changes by another process served within a second, the
 * --unassigned policies, bad rows), and the messages and exit codes of bad arguments and
 * unusable databases.
 *
 *   npm run build && node --import tsx --test test/store-sqlite.test.ts
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { parseResponse } from "../src/ocsp/response.js";
import { makePki, type Pki } from "./support/pki.js";
import {
  cli,
  cliProcess,
  initAndImport,
  serve,
  signerArgs,
  statusVia,
  within,
} from "./support/store.js";

let pki: Pki;
let seq = 0;

before(async () => {
  pki = await makePki();
});
after(() => pki?.cleanup());

/** The first database `filled` made through the CLI, which later ones copy. */
let template: Promise<string> | undefined;

/**
 * A new database with the test PKI's index.txt imported: `db init` and `db import` run once,
 * then a copy of that file each time (the CLI closes it, so its WAL is checkpointed).
 */
async function filled(): Promise<string> {
  template ??= (async () => {
    const path = join(pki.dir, "store-template.db");
    await initAndImport(pki, `sqlite:${path}`, pki.index);
    return path;
  })();
  const from = await template;
  const path = join(pki.dir, `store-${++seq}.db`);
  copyFileSync(from, path);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${path}-wal`);
  return `sqlite:${path}`;
}

const issuer = () => ["--issuer", pki.intermediate.cert];

describe("db commands on SQLite", () => {
  test("init and import are idempotent; status says what a row holds", async () => {
    const db = `sqlite:${join(pki.dir, `store-${++seq}.db`)}`;
    const init1 = await cli(["db", "init", "--db", db]);
    assert.equal(init1.code, 0, init1.stderr);
    assert.match(init1.stdout, /schema created \(version 1\)/);
    const init2 = await cli(["db", "init", "--db", db]);
    assert.match(init2.stdout, /schema already at version 1/);
    const args = ["db", "import", "--db", db, ...issuer(), "--index", pki.index];
    const first = await cli([...args, "--cert", pki.leaves.unknown.cert]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /16 rows read, 16 written/);
    assert.match(first.stdout, /certificates: 1 read, 1 written/);
    const again = await cli([...args, "--cert", pki.leaves.unknown.cert]);
    assert.match(again.stdout, /16 rows read, 0 written/);
    assert.match(again.stdout, /certificates: 1 read, 0 written/);

    const status = async (...a: string[]) => cli(["db", "status", "--db", db, ...issuer(), ...a]);
    // Read-only questions, asked at once.
    const [keyTime, holdRun, good, unknown, missing] = await Promise.all([
      status("--cert", pki.leaves.revokedKeyTime.cert, "--json"),
      status("--cert", pki.leaves.revokedHoldInstruction.cert, "--json"),
      status("--cert", pki.leaves.good.cert),
      status("--cert", pki.leaves.unknown.cert),
      status("--serial", "7777"),
    ]);
    assert.equal(keyTime.code, 1);
    const j = JSON.parse(keyTime.stdout);
    assert.equal(j.state, "revoked");
    assert.equal(j.reason, "keyCompromise");
    assert.equal(j.invalidityDate, "2020-01-02T03:04:05Z");
    const hold = JSON.parse(holdRun.stdout);
    assert.equal(hold.reason, "certificateHold");
    assert.equal(hold.holdInstruction, "1.2.840.10040.2.3");
    assert.equal(good.code, 0);
    assert.equal(unknown.code, 0, "added as a certificate");
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /serial 7777: not-found/);
  });

  test("revoke and unrevoke: hold may be lifted or made final, a revocation is final", async () => {
    const db = await filled();
    const good2 = ["--db", db, ...issuer(), "--cert", pki.leaves.good2.cert];
    let r = await cli(["revoke", ...good2, "--reason", "certificateHold"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /revoked serial [0-9A-F]+: certificateHold/);
    r = await cli(["revoke", ...good2, "--reason", "certificateHold"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /already revoked/);
    r = await cliProcess(["unrevoke", ...good2]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /is good again/);
    r = await cli([
      "revoke",
      ...good2,
      "--reason",
      "KEYCOMPROMISE",
      "--time",
      "2026-01-02T03:04:05Z",
      "--invalidity-date",
      "2025-12-01T00:00:00Z",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse((await cli(["db", "status", ...good2, "--json"])).stdout);
    assert.deepEqual(
      [j.state, j.reason, j.revocationTime, j.invalidityDate],
      ["revoked", "keyCompromise", "2026-01-02T03:04:05Z", "2025-12-01T00:00:00Z"],
    );
    r = await cli(["revoke", ...good2, "--reason", "superseded"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^ocspkit revoke: serial [0-9A-F]+ is already revoked \(keyCompromise since 2026-01-02T03:04:05Z\); a revocation is final\n$/,
    );
    r = await cli(["unrevoke", ...good2]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /only certificateHold can be undone/);
    // A serial the database has never seen is recorded as revoked.
    r = await cli(["revoke", "--db", db, ...issuer(), "--serial", "0a:bc:de"]);
    assert.equal(r.code, 0, r.stderr);
    const s = await cli(["db", "status", "--db", db, ...issuer(), "--serial", "ABCDE"]);
    assert.equal(s.code, 1);
    assert.match(s.stdout, /serial 0ABCDE: revoked/);
  });

  test("bad arguments: exit 64 and one sentence", async () => {
    const db = await filled();
    const cases: [string[], RegExp][] = [
      [["db"], /a subcommand is required/],
      [["db", "frobnicate"], /unknown subcommand "frobnicate"/],
      [["revoke", ...issuer(), "--serial", "11"], /--db is required \(or set OCSPKIT_DB\)/],
      [
        ["revoke", "--db", "mysql://x", ...issuer(), "--serial", "11"],
        /expected sqlite:PATH, postgres/,
      ],
      [["revoke", "--db", "sqlite:", ...issuer(), "--serial", "11"], /sqlite: needs a file path/],
      [
        ["revoke", "--db", db, ...issuer(), "--serial", "xyz"],
        /--serial "xyz" is not a hex number/,
      ],
      [["revoke", "--db", db, ...issuer()], /give either --cert FILE or --serial HEX/],
      [
        ["revoke", "--db", db, ...issuer(), "--serial", "1", "--reason", "bogus"],
        /--reason "bogus" is not one of/,
      ],
      [
        ["revoke", "--db", db, ...issuer(), "--serial", "1", "--time", "soon"],
        /--time "soon" is not an ISO 8601 time/,
      ],
      [
        ["revoke", "--db", db, "--issuer", pki.root.cert, "--cert", pki.leaves.good.cert],
        /not a certificate issued by the --issuer CA/,
      ],
      [
        ["revoke", "--db", db, "--issuer", join(pki.dir, "nope.pem"), "--serial", "1"],
        /cannot read CA certificate from .*nope\.pem: no such file/,
      ],
      [["db", "import", "--db", db, ...issuer()], /give --index FILE, --cert FILE\|DIR, or both/],
      [
        [
          "serve",
          "--db",
          db,
          "--index",
          pki.index,
          "--ca",
          pki.intermediate.cert,
          "--key",
          pki.intermediate.key,
        ],
        /give --index or --db, not both/,
      ],
      [
        [
          "serve",
          "--db",
          db,
          "--ca",
          pki.intermediate.cert,
          "--key",
          pki.intermediate.key,
          "--unassigned",
          "maybe",
        ],
        /--unassigned/,
      ],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const r = await cli(args, { OCSPKIT_DB: "" });
        assert.equal(r.code, 64, `${args.join(" ")}:\n${r.stderr}`);
        assert.match(r.stderr, message, args.join(" "));
        assert.doesNotMatch(r.stderr, /\bat .*\.cjs:\d+/, "no stack trace");
      }),
    );
  });

  test("a database that cannot be used: exit 1, naming it and the reason", async () => {
    const missing = `sqlite:${join(pki.dir, "missing.db")}`;
    const bare = join(pki.dir, `bare-${++seq}.db`);
    new Database(bare).close();
    const serveArgs = signerArgs(pki);
    const cases: [string[], RegExp][] = [
      [
        ["db", "status", "--db", missing, ...issuer(), "--serial", "1"],
        /database sqlite:.*missing\.db: cannot open: no such database \(create it with: ocspkit db init\)/,
      ],
      [
        ["revoke", "--db", `sqlite:${bare}`, ...issuer(), "--serial", "1"],
        /database sqlite:.*bare-\d+\.db: no ocspkit schema \(run: ocspkit db init --db sqlite:/,
      ],
      [
        ["serve", "--db", missing, ...serveArgs],
        /ocspkit serve: database sqlite:.*missing\.db: cannot open/,
      ],
      [["serve", "--db", `sqlite:${bare}`, ...serveArgs], /no ocspkit schema/],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const r = await cli(args);
        assert.equal(r.code, 1, `${args.join(" ")}:\n${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      }),
    );
  });

  test("import streams the file: rows across read chunks; a refused file writes nothing", async () => {
    // 40,000 rows (about 3 MB): several 1 MB read chunks and several write batches.
    const rows = Array.from(
      { length: 40_000 },
      (_, i) =>
        `${i % 7 ? "V" : "R"}\t301231235959Z\t${i % 7 ? "" : "200102030405Z,keyCompromise"}\t` +
        `${(0x10000000 + i).toString(16).toUpperCase().padStart(32, "0")}\tunknown\t/CN=leaf ${i}\n`,
    ).join("");
    const big = join(pki.dir, `big-${++seq}.txt`);
    // A last line without a newline is ignored, as OpenSSL does.
    writeFileSync(big, `# a comment\n${rows}V\t301231235959Z\t\tFF\tunknown\t/CN=unended`);
    const db = `sqlite:${join(pki.dir, `store-${++seq}.db`)}`;
    assert.equal((await cli(["db", "init", "--db", db])).code, 0);
    const args = ["db", "import", "--db", db, ...issuer()];
    const r = await cli([...args, "--index", big]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /40000 rows read, 40000 written/);
    const count = (file: string) => {
      const d = new Database(file.slice("sqlite:".length), { readonly: true });
      try {
        const q = "SELECT count(*) AS n, count(revoked_at) AS r FROM certificate_status";
        return d.prepare(q).get() as { n: number; r: number };
      } finally {
        d.close();
      }
    };
    assert.deepEqual(count(db), { n: 40_000, r: 5715 });

    // A serial or a 'V' subject seen before, even 40,000 rows on: OpenSSL refuses the file.
    const fresh = `sqlite:${join(pki.dir, `store-${++seq}.db`)}`;
    assert.equal((await cli(["db", "init", "--db", fresh])).code, 0);
    const dups: [string, RegExp][] = [
      ["V\t301231235959Z\t\t10000001\tunknown\t/CN=other\n", /serial number index:\(2,1,40000\)/],
      ["V\t301231235959Z\t\tAB\tunknown\t/CN=leaf 1\n", /name index:\(2,1,40000\)/],
    ];
    // And a line with five fields, named by its number.
    dups.push(["V\t301231235959Z\t\tAB\tunknown\n", /line 40001: 5 fields where 6 are needed/]);
    for (const [dup, message] of dups) {
      const bad = join(pki.dir, `bad-${++seq}.txt`);
      writeFileSync(bad, rows + dup);
      const refused = await cli([...args.slice(0, 2), "--db", fresh, ...issuer(), "--index", bad]);
      assert.equal(refused.code, 64, refused.stderr);
      assert.match(refused.stderr, /Problem with index file: .*bad-\d+\.txt/);
      assert.match(refused.stderr, message);
      assert.deepEqual(count(fresh), { n: 0, r: 0 });
    }
  });

  test("OCSPKIT_DB stands in for --db", async () => {
    const db = await filled();
    const r = await cliProcess(["db", "status", ...issuer(), "--cert", pki.leaves.good.cert], {
      OCSPKIT_DB: db,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: good/);
  });
});

describe("serve --db sqlite:", () => {
  const signer = () => signerArgs(pki);

  test("a revocation by another process is served within a second", async () => {
    const db = await filled();
    const s = await serve(["--db", db, ...signer()]);
    try {
      const leaf = pki.leaves.good2.cert;
      assert.equal((await statusVia(pki, s.url, [leaf])).statuses, "good");
      assert.equal((await statusVia(pki, s.url, [leaf])).statuses, "good", "now from the cache");
      const r = await cliProcess([
        "revoke",
        "--db",
        db,
        ...issuer(),
        "--cert",
        leaf,
        "--reason",
        "keyCompromise",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const ms = await within(
        1000,
        async () => (await statusVia(pki, s.url, [leaf])).statuses === "revoked",
      );
      process.stderr.write(`# sqlite: revoked served ${ms} ms after revoke exited\n`);
      const health = await fetch(`${s.url}healthz`);
      assert.equal(health.status, 200);
      const metrics = await (await fetch(`${s.url}metrics`)).text();
      assert.match(metrics, /ocsp_store_up\{store="sqlite:.*"\} 1/);
      assert.match(metrics, /ocsp_store_errors_total\{store="sqlite:.*"\} 0/);
    } finally {
      await s.stop();
    }
  });

  test("--unassigned: unknown, unauthorized, or revoked with the extended revoke extension", async () => {
    const db = await filled();
    const never = "7E57";
    const [unknown, unauthorized, revoked] = await Promise.all(
      ["unknown", "unauthorized", "revoked"].map((u) =>
        serve(["--db", db, ...signer(), "--unassigned", u]),
      ),
    );
    try {
      assert.equal((await statusVia(pki, unknown!.url, [never])).statuses, "unknown");
      assert.equal((await statusVia(pki, unauthorized!.url, [never])).statuses, "error 6");
      assert.equal(
        (await statusVia(pki, unauthorized!.url, [pki.leaves.good.cert])).statuses,
        "good",
        "a known serial is answered",
      );
      const r = await statusVia(pki, revoked!.url, [never, pki.leaves.good.cert]);
      assert.equal(r.statuses, "revoked,good");
      const basic = parseResponse(r.body).basic!;
      assert.equal(basic.responses[0]!.revocationTime!.toISOString(), "1970-01-01T00:00:00.000Z");
      assert.equal(basic.responses[0]!.revocationReason, 6);
      assert.ok(
        basic.extensions.some((e) => e.oid === "1.3.6.1.5.5.7.48.1.9"),
        "extended revoke",
      );
      const good = parseResponse((await statusVia(pki, revoked!.url, [pki.leaves.good.cert])).body);
      assert.ok(!good.basic!.extensions.some((e) => e.oid === "1.3.6.1.5.5.7.48.1.9"));
    } finally {
      await Promise.all([unknown, unauthorized, revoked].map((s) => s!.stop()));
    }
  });

  test("a bad row answers internalError for its serial only, and is logged once", async () => {
    const db = await filled();
    const path = db.slice("sqlite:".length);
    const s = await serve(["--db", db, ...signer()]);
    const direct = new Database(path);
    try {
      direct
        .prepare("UPDATE certificate_status SET revoked_at = 'last tuesday' WHERE serial = ?")
        .run(Buffer.from("3001", "hex"));
      direct
        .prepare("UPDATE certificate_status SET reason = 42 WHERE serial = ?")
        .run(Buffer.from("3002", "hex"));
      const ask = (...c: string[]) => statusVia(pki, s.url, c);
      await within(
        1000,
        async () => (await ask(pki.leaves.revoked.unspecified.cert)).statuses === "error 2",
      );
      assert.equal((await ask(pki.leaves.revoked.unspecified.cert)).statuses, "error 2");
      assert.equal((await ask(pki.leaves.revoked.keyCompromise.cert)).statuses, "error 2");
      direct
        .prepare("UPDATE certificate_status SET reason = 1 WHERE serial = ?")
        .run(Buffer.from("2002", "hex"));
      await within(1000, async () => (await ask(pki.leaves.good2.cert)).statuses === "error 2");
      assert.equal((await ask(pki.leaves.good.cert)).statuses, "good");
      assert.equal((await ask(pki.leaves.revoked.superseded.cert)).statuses, "revoked");
      const lines = s
        .stderr()
        .split("\n")
        .filter((l) => l.includes("bad row"));
      assert.equal(lines.length, 3, s.stderr());
      assert.match(
        lines.join("\n"),
        /serial 3001\): revocation time "last tuesday" does not parse/,
      );
      assert.match(lines.join("\n"), /serial 3002\): unknown revocation reason 42/);
      assert.match(lines.join("\n"), /serial 2002\): revocation details without a revocation time/);
    } finally {
      direct.close();
      await s.stop();
    }
  });
});
