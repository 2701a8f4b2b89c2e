/**
 * The status stores' pure parts: database URLs, how a row reads (strictly), serial keys, and
 * the revoke/unrevoke rules.
 *
 *   node --import tsx --test test/store-rows.test.ts
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Refused, reasonCode, revokeWrite, unrevokeWrite } from "../src/store/revocation.js";
import { parseIsoTime, recordOf, type StatusRow, serialBytes } from "../src/store/rows.js";
import { parseDatabaseUrl } from "../src/store/url.js";

const row = (o: Partial<StatusRow> = {}): StatusRow => ({
  serial: Uint8Array.of(0x10),
  notAfter: "2030-01-01T00:00:00Z",
  revokedAt: null,
  reason: null,
  invalidityDate: null,
  holdInstruction: null,
  version: "7",
  ...o,
});

describe("database URLs", () => {
  test("sqlite and postgres, the password never shown, the schema taken out", () => {
    assert.deepEqual(parseDatabaseUrl("sqlite:a/b.db"), {
      kind: "sqlite",
      path: "a/b.db",
      name: "sqlite:a/b.db",
    });
    assert.equal((parseDatabaseUrl("sqlite:///tmp/x.db") as { path: string }).path, "/tmp/x.db");
    const pg = parseDatabaseUrl("postgresql://u:secret@db:5432/ocsp?schema=ca1&sslmode=disable");
    assert.equal(pg.kind, "postgres");
    if (pg.kind !== "postgres") return;
    assert.equal(pg.schema, "ca1");
    assert.equal(pg.connectionString, "postgresql://u:secret@db:5432/ocsp?sslmode=disable");
    assert.doesNotMatch(pg.name, /secret/);
    assert.match(pg.name, /u:\*\*\*@db/);
  });

  test("anything else is a usage error naming the value, without its password", () => {
    for (const [url, why] of [
      ["mysql://root:pw@x/db", /expected sqlite:PATH/],
      ["sqlite:", /needs a file path/],
      ["postgres://x/db?schema=a;drop", /not a plain identifier/],
      ["index.txt", /expected sqlite:PATH/],
    ] as const) {
      assert.throws(
        () => parseDatabaseUrl(url),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "ERR_USAGE");
          assert.match(e.message, why);
          assert.doesNotMatch(e.message, /pw@/);
          return true;
        },
      );
    }
  });
});

describe("rows", () => {
  test("times: ISO 8601 with a zone, nothing guessed", () => {
    assert.equal(parseIsoTime("2026-01-02T03:04:05Z")?.toISOString(), "2026-01-02T03:04:05.000Z");
    assert.equal(
      parseIsoTime("2026-01-02 03:04:05+01:00")?.toISOString(),
      "2026-01-02T02:04:05.000Z",
    );
    for (const bad of [
      "2026-01-02T03:04:05",
      "2026-02-30T00:00:00Z",
      "yesterday",
      "2026-01-02T24:00:00Z",
    ]) {
      assert.equal(parseIsoTime(bad), undefined, bad);
    }
  });

  test("what a row says", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    assert.deepEqual(recordOf(undefined, now), { state: "not-found" });
    assert.deepEqual(recordOf(row(), now), { state: "good" });
    assert.deepEqual(recordOf(row({ notAfter: "2026-01-01T00:00:00Z" }), now), {
      state: "expired",
    });
    const r = recordOf(
      row({ revokedAt: "2026-02-03T04:05:06Z", reason: 1, invalidityDate: "2026-01-01T00:00:00Z" }),
      now,
    );
    assert.equal(r.state, "revoked");
    if (r.state === "revoked") {
      assert.equal(r.revocation.reason, 1);
      assert.equal(
        Buffer.from(r.revocation.invalidityDate!).toString("latin1", 2),
        "20260101000000Z",
      );
    }
    const bad: [Partial<StatusRow>, RegExp][] = [
      [{ revokedAt: "garbage" }, /revocation time "garbage" does not parse/],
      [{ revokedAt: "2026-02-03T04:05:06Z", reason: 7 }, /unknown revocation reason 7/],
      [{ revokedAt: "2026-02-03T04:05:06Z", holdInstruction: "not an oid" }, /not an OID/],
      [{ revokedAt: "2026-02-03T04:05:06Z", invalidityDate: "soon" }, /invalidity date/],
      [{ reason: 1 }, /revocation details without a revocation time/],
      [{ notAfter: "never" }, /not_after "never" does not parse/],
    ];
    for (const [o, why] of bad) {
      const got = recordOf(row(o), now);
      assert.equal(got.state, "unusable", JSON.stringify(o));
      if (got.state === "unusable") assert.match(got.problem, why);
    }
  });

  test("serials are kept as minimal INTEGER contents", () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    assert.equal(hex(serialBytes(Uint8Array.of(0, 0, 0x10))), "10");
    assert.equal(hex(serialBytes(Uint8Array.of(0, 0x80))), "0080");
    assert.equal(hex(serialBytes(Uint8Array.of(0xff, 0xff, 0x80))), "80");
    assert.equal(hex(serialBytes(Uint8Array.of(0))), "00");
  });
});

describe("revoke and unrevoke", () => {
  const when = { time: new Date("2026-03-01T00:00:00Z") };
  test("reasons by OpenSSL's names, any case", () => {
    assert.equal(reasonCode("keycompromise"), 1);
    assert.equal(reasonCode("CACompromise"), 2);
    assert.equal(reasonCode("removeFromCRL"), 8);
    assert.equal(reasonCode("bogus"), undefined);
  });

  test("a revocation is final, a hold is not", () => {
    assert.equal(
      revokeWrite(undefined, "10", { ...when, reason: 1 })?.fields.revokedAt,
      "2026-03-01T00:00:00Z",
    );
    const revoked = row({ revokedAt: "2026-02-01T00:00:00Z", reason: 1 });
    assert.equal(
      revokeWrite(revoked, "10", { ...when, reason: 1 }),
      undefined,
      "same reason: no change",
    );
    assert.throws(() => revokeWrite(revoked, "10", { ...when, reason: 4 }), Refused);
    const held = row({ revokedAt: "2026-02-01T00:00:00Z", reason: 6 });
    assert.equal(revokeWrite(held, "10", { ...when, reason: 1 })?.fields.reason, 1);
    assert.equal(unrevokeWrite(held, "10").fields.revokedAt, null);
    assert.throws(() => unrevokeWrite(revoked, "10"), /only certificateHold can be undone/);
    assert.throws(() => unrevokeWrite(row(), "10"), /is not revoked/);
    assert.throws(() => unrevokeWrite(undefined, "10"), /is not in the database/);
  });
});
