/**
 * Strict, total parsing: truncated, over-long, trailing-garbage, indefinite-length, wrong-tag,
 * absurdly nested or oversized input is an error with a message — a DerError from the DER
 * layer, an OcspError from the request and response parsers — and never another exception or
 * a hang. Also the content rules of the universal types, names as OpenSSL compares them, and
 * the time boundaries OpenSSL uses.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, test } from "node:test";
import { checkDer, DerError, encodeLength, encodeTlv, MAX_DEPTH, TAG } from "../src/der/der.js";
import { decodeOid, encodeOid, MAX_OID_ARC_BYTES } from "../src/der/oid.js";
import { encodeGeneralizedTime, parseTimeText } from "../src/der/time.js";
import { OcspError } from "../src/errors.js";
import { type CertId, encodeInteger } from "../src/ocsp/certid.js";
import { encodeRequest, nonceExtension, parseRequest } from "../src/ocsp/request.js";
import { MAX_RESPONSE_BYTES, parseResponse } from "../src/ocsp/response.js";
import { canonicalEncoding, sameName } from "../src/verify/names.js";
import { verifySignature } from "../src/verify/signature.js";
import { statusTimeProblems } from "../src/verify/validity.js";
import {
  encodeBasic,
  encodeOcspResponse,
  encodeTbs,
  fromTree,
  type Node,
  pssAlgorithm,
  seq,
  signTbs,
  toTree,
} from "./support/forge.js";

const bytes = (...b: number[]) => Uint8Array.from(b);
const tlv = (tag: number, ...content: number[]) => encodeTlv(tag, Uint8Array.from(content));
const text = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** Runs `fn` and requires it to fail with `type`, a message, and within `ms`. */
function refuses(
  fn: () => unknown,
  type: typeof DerError | typeof OcspError,
  pattern?: RegExp,
  ms = 1000,
) {
  const t0 = performance.now();
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.stack ?? e}`);
    assert.ok(e.message.length > 0);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
  assert.ok(performance.now() - t0 < ms, `took ${(performance.now() - t0).toFixed(0)} ms`);
}

describe("checkDer: the encoding", () => {
  test("one well-formed value is accepted", () => {
    const t = checkDer(seq(tlv(TAG.INTEGER, 5), tlv(TAG.NULL)));
    assert.equal(t.tag, TAG.SEQUENCE);
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty input", bytes(), /unexpected end/],
    ["a tag without a length", bytes(0x30), /missing length/],
    ["truncated content", bytes(0x30, 0x05, 0x02, 0x01), /truncated/],
    ["a length beyond the input", bytes(0x04, 0x84, 0x7f, 0xff, 0xff, 0xff), /truncated/],
    ["a length of more than four bytes", bytes(0x04, 0x85, 1, 0, 0, 0, 0), /length too large/],
    ["a truncated long-form length", bytes(0x04, 0x82, 0x01), /truncated length/],
    ["indefinite length", bytes(0x30, 0x80, 0x05, 0x00, 0x00, 0x00), /indefinite/],
    ["a long form for a short length", bytes(0x04, 0x81, 0x01, 0xaa), /non-minimal length/],
    [
      "a length with a leading zero byte",
      bytes(0x04, 0x82, 0x00, 0x81, ...new Array(0x81).fill(0)),
      /non-minimal length/,
    ],
    ["trailing garbage", bytes(0x05, 0x00, 0xff), /1 trailing bytes/],
    ["a multi-byte tag", bytes(0x1f, 0x81, 0x00, 0x00), /multi-byte tags/],
    ["an end-of-contents marker", bytes(0x30, 0x02, 0x00, 0x00), /end-of-contents/],
    ["a SEQUENCE without the constructed bit", bytes(0x10, 0x00), /constructed bit/],
    [
      "a constructed OCTET STRING (BER)",
      bytes(0x24, 0x03, 0x04, 0x01, 0xaa),
      /constructed encoding/,
    ],
    ["an empty INTEGER", bytes(0x02, 0x00), /INTEGER without content/],
    ["an INTEGER padded with 00", bytes(0x02, 0x02, 0x00, 0x05), /non-minimal INTEGER/],
    ["an INTEGER padded with FF", bytes(0x02, 0x02, 0xff, 0x85), /non-minimal INTEGER/],
    ["a padded ENUMERATED", bytes(0x0a, 0x02, 0x00, 0x01), /non-minimal INTEGER/],
    ["a two-byte BOOLEAN", bytes(0x01, 0x02, 0x00, 0xff), /BOOLEAN/],
    ["a NULL with content", bytes(0x05, 0x01, 0x00), /NULL with content/],
    ["an empty BIT STRING", bytes(0x03, 0x00), /unused-bits octet/],
    ["a BIT STRING with 8 unused bits", bytes(0x03, 0x02, 0x08, 0xff), /unused bits/],
    ["an empty OID", bytes(0x06, 0x00), /OBJECT IDENTIFIER: empty/],
    ["an OID arc starting with 0x80", bytes(0x06, 0x03, 0x2a, 0x80, 0x01), /non-minimal arc/],
    ["an OID ending inside an arc", bytes(0x06, 0x02, 0x2a, 0x86), /truncated arc/],
    ["a BMPString of odd length", bytes(0x1e, 0x03, 0x00, 0x41, 0x00), /BMPString/],
    ["a UniversalString of 3 bytes", bytes(0x1c, 0x03, 0x00, 0x00, 0x41), /UniversalString/],
    ["a GeneralizedTime with month 13", encodeTlv(0x18, text("20261301000000Z")), /invalid time/],
    ["a GeneralizedTime on 30 February", encodeTlv(0x18, text("20260230000000Z")), /invalid time/],
    ["a GeneralizedTime at 24:00", encodeTlv(0x18, text("20261127240000Z")), /invalid time/],
    ["a GeneralizedTime with 61 seconds", encodeTlv(0x18, text("20261127000061Z")), /invalid time/],
    [
      "a GeneralizedTime with an offset",
      encodeTlv(0x18, text("20261127000000+0100")),
      /malformed time/,
    ],
    ["a GeneralizedTime without seconds", encodeTlv(0x18, text("202611270000Z")), /malformed time/],
    ["a UTCTime with letters", encodeTlv(0x17, text("2611x7000000Z")), /malformed time/],
  ];
  for (const [name, der, pattern] of cases) {
    test(`refuses ${name}`, () => refuses(() => checkDer(der), DerError, pattern));
  }
  test(`nesting: ${MAX_DEPTH} levels are read, one more is refused`, () => {
    const nest = (n: number) => {
      let v = tlv(TAG.NULL);
      for (let i = 1; i < n; i++) v = seq(v);
      return v;
    };
    checkDer(nest(MAX_DEPTH));
    refuses(() => checkDer(nest(MAX_DEPTH + 2)), DerError, /nesting deeper/);
  });
  test("absurd inputs fail fast: a megabyte of nesting, of indefinite lengths, of tiny values", () => {
    const n = 1 << 20;
    // SEQUENCE { SEQUENCE { … NULL … } }, about 250 000 levels deep, every length minimal.
    const sizes = [2];
    while (sizes.at(-1)! < n - 8)
      sizes.push(sizes.at(-1)! + encodeLength(sizes.at(-1)!).length + 1);
    const nested = new Uint8Array(sizes.at(-1)!);
    let at = 0;
    for (let k = sizes.length - 1; k > 0; k--) {
      const header = [TAG.SEQUENCE, ...encodeLength(sizes[k - 1]!)];
      nested.set(header, at);
      at += header.length;
    }
    nested.set([TAG.NULL, 0], at);
    refuses(() => checkDer(nested), DerError, /nesting deeper/);
    refuses(
      () => checkDer(new Uint8Array(n).fill(0x30).map((b, i) => (i % 2 ? 0x80 : b))),
      DerError,
    );
    const flat = encodeTlv(
      TAG.SEQUENCE,
      new Uint8Array(n - 8).map((_, i) => (i % 2 ? 0 : 5)),
    );
    assert.equal(checkDer(flat).tag, TAG.SEQUENCE);
  });
});

describe("OIDs and times", () => {
  test("OID arcs up to the bound are read; a longer arc is refused before any arithmetic", () => {
    const arc = (n: number) => [...new Array(n - 1).fill(0xff), 0x7f];
    assert.match(decodeOid(bytes(0x69, ...arc(MAX_OID_ARC_BYTES))), /^2\.25\.\d+$/);
    const t0 = performance.now();
    const huge = new Uint8Array(1 << 20).fill(0xff);
    huge[0] = 0x2a;
    huge[huge.length - 1] = 0x7f;
    refuses(() => decodeOid(huge), DerError, /arc too long/);
    refuses(
      () => checkDer(encodeTlv(TAG.OID, bytes(0x2a, ...arc(MAX_OID_ARC_BYTES + 1)))),
      DerError,
    );
    assert.ok(performance.now() - t0 < 500);
  });
  test("encodeOid and decodeOid agree", () => {
    for (const oid of [
      "1.3.6.1.5.5.7.48.1.1",
      "2.5.29.37",
      "0.9.2342.19200300.100.1.1",
      "2.25.329800735698586629295641978511506172918",
    ]) {
      assert.equal(decodeOid(encodeOid(oid)), oid);
    }
  });
  test("an OID read again, or inside other bytes, reads as itself; a spoilt one is still refused", () => {
    // decodeOid remembers the encodings it has read: the same answer each time, wherever the
    // bytes sit, and nothing remembered for one encoding answers for another.
    const oids = ["2.5.29.19", "2.5.29.15", "1.3.6.1.5.5.7.1.1", "1.2.840.113549.1.1.11"];
    for (let round = 0; round < 2; round++) {
      for (const oid of oids) {
        const c = encodeOid(oid);
        assert.equal(decodeOid(c), oid);
        const framed = bytes(0x30, ...c, 0x05);
        assert.equal(decodeOid(framed, 1, 1 + c.length), oid);
        const spoilt = Uint8Array.from(c);
        spoilt[spoilt.length - 1]! |= 0x80;
        refuses(() => decodeOid(spoilt), DerError, /truncated arc/);
        const other = Uint8Array.from(c);
        other[other.length - 1]! ^= 1;
        assert.notEqual(decodeOid(other), oid);
        assert.equal(decodeOid(encodeOid(decodeOid(other))), decodeOid(other));
      }
    }
  });
  test("four-digit years below 100 are not read as 19xx, fractions are kept", () => {
    const t = parseTimeText(0x18, text("00050101000000Z"), 0);
    assert.equal(t.date.getUTCFullYear(), 5);
    const f = parseTimeText(0x18, text("20261127031218.25Z"), 0);
    assert.equal(f.date.getUTCMilliseconds(), 250);
    assert.equal(f.fraction, ".25");
    assert.equal(parseTimeText(0x17, text("491231235959Z"), 0).date.getUTCFullYear(), 2049);
    assert.equal(parseTimeText(0x17, text("500101000000Z"), 0).date.getUTCFullYear(), 1950);
  });
  test("statusTimeProblems draws OpenSSL's boundaries (X509_cmp_time: equal counts as earlier)", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const s = (sec: number) => new Date(+now + sec * 1000);
    assert.deepEqual(statusTimeProblems(s(300), s(900), 300, -1, now), []);
    assert.deepEqual(statusTimeProblems(s(301), s(900), 300, -1, now), ["status not yet valid"]);
    assert.deepEqual(statusTimeProblems(s(-900), s(-299), 300, -1, now), []);
    assert.deepEqual(statusTimeProblems(s(-900), s(-300), 300, -1, now), ["status expired"]);
    assert.deepEqual(statusTimeProblems(s(-99), undefined, 300, 100, now), []);
    assert.deepEqual(statusTimeProblems(s(-100), undefined, 300, 100, now), ["status too old"]);
    assert.deepEqual(statusTimeProblems(s(0), s(-1), 300, -1, now), [
      "nextUpdate before thisUpdate",
    ]);
  });
});

// A response and a request to damage, signed by a throw-away key (parsing never looks at who).
const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const certId: CertId = {
  hashAlgorithm: "1.3.14.3.2.26",
  issuerNameHash: new Uint8Array(20).fill(1),
  issuerKeyHash: new Uint8Array(20).fill(2),
  serial: encodeInteger(0x1001n),
};
const now = new Date("2026-11-27T00:00:00Z");
const tbs = encodeTbs({
  responderId: { byKey: new Uint8Array(20).fill(3) },
  producedAt: now,
  responses: [{ certId, status: { revokedAt: now, reason: 1 }, thisUpdate: now, nextUpdate: now }],
  extensions: [nonceExtension(new Uint8Array(16))],
});
const { algorithm, signature } = signTbs(tbs, privateKey);
const basic = encodeBasic({ tbs, algorithm, signature });
const RESPONSE = encodeOcspResponse(basic);
const REQUEST = encodeRequest({
  requests: [{ certId, extensions: [] }],
  extensions: [nonceExtension(new Uint8Array(16))],
});

/** `der` with the node at `path` (child indexes; "inner" steps into an OCTET STRING) edited. */
function edit(
  der: Uint8Array,
  path: (number | "inner")[],
  change: (n: Node, parent: Node) => void,
) {
  const tree = toTree(der);
  let parent = tree;
  let node = tree;
  for (const step of path) {
    parent = node;
    node = step === "inner" ? node.inner! : node.kids![step]!;
  }
  change(node, parent);
  return fromTree(tree);
}
/** Paths into RESPONSE: OCSPResponse → [0] → ResponseBytes → OCTET STRING → BasicOCSPResponse. */
const BASIC = [1, 0, 1, "inner"] as const;
const TBS = [...BASIC, 0] as const;
const SINGLE = [...TBS, 2, 0] as const;
const extra = (n: Node) => n.kids!.push({ tag: TAG.INTEGER, content: bytes(7) });

describe("parseResponse", () => {
  test("reads the undamaged response", () => {
    const r = parseResponse(RESPONSE);
    assert.equal(r.basic!.responses[0]!.status, "revoked");
    assert.equal(r.basic!.responses[0]!.revocationReason, 1);
  });
  const damaged: [string, () => Uint8Array, RegExp?][] = [
    ["truncated by one byte", () => RESPONSE.subarray(0, -1), /truncated/],
    ["with trailing garbage", () => Buffer.concat([RESPONSE, bytes(0)]), /trailing/],
    [
      "with an indefinite length",
      () => bytes(0x30, 0x80, ...RESPONSE.subarray(2), 0, 0),
      /indefinite/,
    ],
    ["with another outer tag", () => bytes(0x31, ...RESPONSE.subarray(1)), /OCSPResponse/],
    ["with an INTEGER for the status", () => edit(RESPONSE, [0], (n) => (n.tag = TAG.INTEGER))],
    [
      "with a SET for the BasicOCSPResponse",
      () => edit(RESPONSE, [...BASIC], (n) => (n.tag = TAG.SET)),
      /BasicOCSPResponse/,
    ],
    ["with a field after the last one", () => edit(RESPONSE, [], extra)],
    ["with a field after the certificates' place", () => edit(RESPONSE, [...BASIC], extra)],
    ["with an extra field in a CertID", () => edit(RESPONSE, [...SINGLE, 0], extra)],
    ["with an extra field in a SingleResponse", () => edit(RESPONSE, [...SINGLE], extra)],
    [
      "with a padded serial",
      () => edit(RESPONSE, [...SINGLE, 0, 3], (n) => (n.content = bytes(0, 0x10, 0x01))),
    ],
    ["with an empty serial", () => edit(RESPONSE, [...SINGLE, 0, 3], (n) => (n.content = bytes()))],
    [
      "with thisUpdate in month 13",
      () => edit(RESPONSE, [...SINGLE, 2], (n) => (n.content = text("20261301000000Z"))),
    ],
    ["with a UTCTime for producedAt", () => edit(RESPONSE, [...TBS, 1], (n) => (n.tag = 0x17))],
    [
      "with a ResponderID that is not a Name",
      () =>
        encodeOcspResponse(
          encodeBasic({
            tbs: seq(encodeTlv(0xa1, seq(seq())), encodeGeneralizedTime(now), seq()),
            algorithm,
            signature,
          }),
        ),
    ],
    [
      "nested a thousand deep",
      () => {
        let v = RESPONSE;
        for (let i = 0; i < 1000; i++) v = seq(v);
        return v;
      },
      /nesting/,
    ],
  ];
  for (const [name, make, pattern] of damaged) {
    test(`refuses a response ${name}`, () =>
      refuses(() => parseResponse(make()), OcspError, pattern));
  }
  test("refuses more than a megabyte before reading it", () => {
    const big = encodeTlv(TAG.SEQUENCE, new Uint8Array(MAX_RESPONSE_BYTES));
    refuses(() => parseResponse(big), OcspError, /exceeds 1 MiB/, 50);
  });
  test("every prefix of the response is refused", () => {
    for (let i = 0; i < RESPONSE.length; i++) {
      assert.throws(() => parseResponse(RESPONSE.subarray(0, i)), OcspError);
    }
  });
  test("the error carries ERR_RESPONSE_MALFORMED and the DER fault", () => {
    try {
      parseResponse(RESPONSE.subarray(0, 10));
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof OcspError);
      assert.equal(e.code, "ERR_RESPONSE_MALFORMED");
      assert.ok(e.cause instanceof DerError);
    }
  });
});

describe("parseRequest", () => {
  test("reads the undamaged request", () => {
    assert.equal(parseRequest(REQUEST).requests.length, 1);
  });
  const damaged: [string, () => Uint8Array][] = [
    ["truncated", () => REQUEST.subarray(0, -3)],
    ["with trailing garbage", () => Buffer.concat([REQUEST, bytes(5, 0)])],
    ["with another outer tag", () => bytes(0xa0, ...REQUEST.subarray(1))],
    ["with a field after the TBSRequest", () => edit(REQUEST, [], extra)],
    ["with an extra field in the CertID", () => edit(REQUEST, [0, 0, 0, 0], extra)],
    [
      "with a requestor name that is not a Name",
      () =>
        edit(REQUEST, [0], (n) => {
          const notAName = { tag: TAG.SEQUENCE, kids: [{ tag: TAG.NULL, content: bytes() }] };
          n.kids!.unshift({ tag: 0xa1, kids: [{ tag: 0xa4, kids: [notAName] }] });
        }),
    ],
  ];
  for (const [name, make] of damaged) {
    test(`refuses a request ${name}`, () => refuses(() => parseRequest(make()), OcspError));
  }
});

describe("names, as X509_NAME_cmp compares them", () => {
  const name = (...rdns: [number, string][][]) =>
    seq(
      ...rdns.map((rdn) =>
        encodeTlv(
          TAG.SET,
          Buffer.concat(
            rdn.map(([tag, v]) =>
              seq(encodeTlv(TAG.OID, encodeOid("2.5.4.3")), encodeTlv(tag, text(v))),
            ),
          ),
        ),
      ),
    );
  test("case, string type and white space do not matter", () => {
    assert.ok(sameName(name([[0x0c, "OCSP  Signer"]]), name([[0x13, " ocsp signer  "]])));
    const bmp = seq(
      encodeTlv(
        TAG.SET,
        seq(encodeTlv(TAG.OID, encodeOid("2.5.4.3")), encodeTlv(0x1e, bytes(0, 0x41))),
      ),
    );
    assert.ok(sameName(bmp, name([[0x0c, "a"]])));
  });
  test("other text, other attributes or other order do", () => {
    assert.ok(!sameName(name([[0x0c, "OCSP Signer"]]), name([[0x0c, "OCSP Signer 2"]])));
    assert.ok(!sameName(name([[0x0c, "a"]], [[0x0c, "b"]]), name([[0x0c, "b"]], [[0x0c, "a"]])));
    assert.ok(!sameName(name([[0x0c, "a"]]), name([[0x04, "a"]])));
    assert.ok(!sameName(name([[0x0c, "é"]]), name([[0x0c, "É"]])), "only ASCII folds");
  });
  test("a multi-valued RDN matches in any order", () => {
    assert.ok(
      sameName(
        name([
          [0x0c, "a"],
          [0x13, "b"],
        ]),
        name([
          [0x13, "B"],
          [0x0c, "A"],
        ]),
      ),
    );
  });
  test("an unreadable name matches nothing but its own bytes", () => {
    const bad = name([[0x0c, "\xff\xfe"]]);
    assert.equal(canonicalEncoding(bad), undefined);
    assert.ok(sameName(bad, bad));
    assert.ok(!sameName(bad, name([[0x0c, "x"]])));
  });
});

describe("signature parameters never throw", () => {
  const { privateKey: rsa, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const data = bytes(1, 2, 3);
  const sig = sign("sha256", data, { key: rsa, padding: 6, saltLength: 32 });
  const pss = "1.2.840.113549.1.1.10";
  test("the full parameters verify", () => {
    const params = fromTree(toTree(pssAlgorithm("sha256", 32)).kids![1]!);
    assert.deepEqual(verifySignature({ oid: pss, params }, data, sig, publicKey), { ok: true });
  });
  for (const [name, params] of [
    ["garbage", bytes(0x30, 0x03, 0xa0, 0x01, 0xff)],
    ["a primitive field", bytes(0x30, 0x03, 0x82, 0x01, 0x20)],
    ["an unknown field", bytes(0x30, 0x05, 0xa7, 0x03, 0x02, 0x01, 0x01)],
    [
      "fields out of order",
      bytes(0x30, 0x0a, 0xa2, 0x03, 0x02, 0x01, 0x20, 0xa2, 0x03, 0x02, 0x01, 0x20),
    ],
    ["a negative salt length", bytes(0x30, 0x05, 0xa2, 0x03, 0x02, 0x01, 0xff)],
    ["an unknown digest", bytes(0x30, 0x07, 0xa0, 0x05, 0x30, 0x03, 0x06, 0x01, 0x2a)],
  ] as const) {
    test(`RSA-PSS parameters with ${name} are a failed check`, () => {
      const r = verifySignature({ oid: pss, params }, data, sig, publicKey);
      assert.equal(r.ok, false);
    });
  }
});
