// The hand-written DER decoders (src/ocsp/decode.ts) sit on measured hot paths: the client's
// start-up and the responder's per-request decode. Here they are held to @peculiar/asn1-ocsp,
// the project's reference ASN.1 library: for random well-formed requests and responses encoded
// by asn1-ocsp both read the same fields, and for any mutation of those bytes that ocspkit still
// accepts, asn1-ocsp reads the same thing too (ocspkit may refuse more: it is strict DER).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  id_pkix_ocsp_basic,
  OCSPRequest,
  OCSPResponse,
  Request,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  TBSRequest,
} from "@peculiar/asn1-ocsp";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  CRLReason,
  Extension,
  Name,
  RelativeDistinguishedName,
} from "@peculiar/asn1-x509";
import fc from "fast-check";
import "./support/seed.js";
import { parseRequest } from "../src/ocsp/request.js";
import { parseResponse } from "../src/ocsp/response.js";

const hex = (b: ArrayBuffer | ArrayBufferView | { buffer: ArrayBuffer }) =>
  Buffer.from(
    b instanceof ArrayBuffer
      ? new Uint8Array(b)
      : "byteOffset" in b
        ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
        : new Uint8Array(b.buffer),
  ).toString("hex");

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** A minimal positive INTEGER's contents, as serial numbers are. */
const serial = bytes(1, 20).map((b) => {
  const v = b[0] === 0 ? Uint8Array.of(1, ...b.subarray(1)) : b;
  return v[0]! & 0x80 ? Uint8Array.of(0, ...v) : v;
});

/** Whole seconds: GeneralizedTime as DER profiles it (RFC 5280 §4.1.2.5.2) has no fraction. */
const time = fc
  .integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2090, 0, 1) / 1000 })
  .map((s) => new Date(s * 1000));

const hashAlg = fc.constantFrom(
  "1.3.14.3.2.26",
  "2.16.840.1.101.3.4.2.1",
  "2.16.840.1.101.3.4.2.3",
);

const certId = fc.record({ alg: hashAlg, name: bytes(20, 20), key: bytes(20, 20), serial }).map(
  (c) =>
    new CertID({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: c.alg, parameters: null }),
      issuerNameHash: new OctetString(c.name),
      issuerKeyHash: new OctetString(c.key),
      serialNumber: c.serial.slice().buffer,
    }),
);

const extension = fc
  .record({
    oid: fc.constantFrom("1.3.6.1.5.5.7.48.1.2", "1.3.6.1.5.5.7.48.1.3", "2.5.29.21"),
    critical: fc.boolean(),
    value: bytes(1, 40),
  })
  .map(
    (e) =>
      new Extension({
        extnID: e.oid,
        critical: e.critical,
        // The value must itself be DER: an OCTET STRING around the random bytes.
        extnValue: new OctetString(AsnConvert.serialize(new OctetString(e.value))),
      }),
  );

const status = fc.oneof(
  fc.constant(new CertStatus({ good: null })),
  fc.constant(new CertStatus({ unknown: null })),
  fc
    .record({ at: time, reason: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }) })
    .map(
      (r) =>
        new CertStatus({
          revoked: new RevokedInfo({
            revocationTime: r.at,
            revocationReason: r.reason === undefined ? undefined : new CRLReason(r.reason),
          }),
        }),
    ),
);

const single = fc
  .record({
    id: certId,
    status,
    thisUpdate: time,
    nextUpdate: fc.option(time, { nil: undefined }),
    exts: fc.array(extension, { maxLength: 2 }),
  })
  .map(
    (s) =>
      new SingleResponse({
        certID: s.id,
        certStatus: s.status,
        thisUpdate: s.thisUpdate,
        nextUpdate: s.nextUpdate,
        singleExtensions: s.exts.length ? s.exts : undefined,
      }),
  );

const cn = (v: string) =>
  new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: "2.5.4.3", value: new AttributeValue({ utf8String: v }) }),
    ]),
  ]);

const responderId = fc.oneof(
  bytes(20, 20).map((k) => new ResponderID({ byKey: new OctetString(k) })),
  fc.stringMatching(/^[A-Za-z0-9 ]{1,20}$/).map((v) => new ResponderID({ byName: cn(v) })),
);

const response = fc
  .record({
    rid: responderId,
    producedAt: time,
    responses: fc.array(single, { minLength: 1, maxLength: 4 }),
    exts: fc.array(extension, { maxLength: 2 }),
    signature: bytes(1, 64),
  })
  .map((r) => {
    const basic = new BasicOCSPResponse({
      tbsResponseData: new ResponseData({
        responderID: r.rid,
        producedAt: r.producedAt,
        responses: r.responses,
        responseExtensions: r.exts.length ? r.exts : undefined,
      }),
      signatureAlgorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }),
      signature: r.signature.slice().buffer,
    });
    return new Uint8Array(
      AsnConvert.serialize(
        new OCSPResponse({
          responseStatus: 0,
          responseBytes: new ResponseBytes({
            responseType: id_pkix_ocsp_basic,
            response: new OctetString(AsnConvert.serialize(basic)),
          }),
        }),
      ),
    );
  });

const request = fc
  .record({
    ids: fc.array(certId, { minLength: 1, maxLength: 4 }),
    exts: fc.array(extension, { maxLength: 2 }),
  })
  .map(
    (r) =>
      new Uint8Array(
        AsnConvert.serialize(
          new OCSPRequest({
            tbsRequest: new TBSRequest({
              requestList: r.ids.map((id) => new Request({ reqCert: id })),
              requestExtensions: r.exts.length ? r.exts : undefined,
            }),
          }),
        ),
      ),
  );

const certIdView = (c: CertID) => ({
  alg: c.hashAlgorithm.algorithm,
  name: hex(c.issuerNameHash),
  key: hex(c.issuerKeyHash),
  serial: hex(c.serialNumber),
});
const extView = (e: Extension) => ({
  oid: e.extnID,
  critical: e.critical,
  value: hex(e.extnValue),
});

/** The fields both libraries must agree on, as asn1-ocsp reads them. */
function referenceResponse(der: Uint8Array) {
  const r = AsnConvert.parse(der, OCSPResponse);
  const b = AsnConvert.parse(r.responseBytes!.response, BasicOCSPResponse);
  const d = b.tbsResponseData;
  return {
    status: r.responseStatus,
    byKey: d.responderID.byKey ? hex(d.responderID.byKey) : undefined,
    byName: d.responderID.byName ? hex(AsnConvert.serialize(d.responderID.byName)) : undefined,
    producedAt: d.producedAt.getTime(),
    responses: d.responses.map((s) => ({
      id: certIdView(s.certID),
      status: s.certStatus.revoked ? "revoked" : s.certStatus.good === null ? "good" : "unknown",
      revocationTime: s.certStatus.revoked?.revocationTime.getTime(),
      reason: s.certStatus.revoked?.revocationReason?.reason,
      thisUpdate: s.thisUpdate.getTime(),
      nextUpdate: s.nextUpdate?.getTime(),
      exts: (s.singleExtensions ?? []).map(extView),
    })),
    exts: (d.responseExtensions ?? []).map(extView),
    signature: hex(b.signature),
  };
}

function oursResponse(der: Uint8Array) {
  const r = parseResponse(der);
  const b = r.basic!;
  const ext = (e: { oid: string; critical: boolean; value: Uint8Array }) => ({
    oid: e.oid,
    critical: e.critical,
    value: hex(e.value),
  });
  return {
    status: r.status,
    byKey: b.responderId.byKey ? hex(b.responderId.byKey) : undefined,
    byName: b.responderId.byName ? hex(b.responderId.byName) : undefined,
    producedAt: b.producedAt.getTime(),
    responses: b.responses.map((s) => ({
      id: {
        alg: s.certId.hashAlgorithm,
        name: hex(s.certId.issuerNameHash),
        key: hex(s.certId.issuerKeyHash),
        serial: hex(s.certId.serial),
      },
      status: s.status,
      revocationTime: s.revocationTime?.getTime(),
      reason: s.revocationReason,
      thisUpdate: s.thisUpdate.getTime(),
      nextUpdate: s.nextUpdate?.getTime(),
      exts: s.extensions.map(ext),
    })),
    exts: b.extensions.map(ext),
    signature: hex(b.signature),
  };
}

function referenceRequest(der: Uint8Array) {
  const t = AsnConvert.parse(der, OCSPRequest).tbsRequest;
  return {
    ids: t.requestList.map((q) => certIdView(q.reqCert)),
    exts: (t.requestExtensions ?? []).map(extView),
  };
}

function oursRequest(der: Uint8Array) {
  const r = parseRequest(der);
  return {
    ids: r.requests.map((q) => ({
      alg: q.certId.hashAlgorithm,
      name: hex(q.certId.issuerNameHash),
      key: hex(q.certId.issuerKeyHash),
      serial: hex(q.certId.serial),
    })),
    exts: r.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: hex(e.value) })),
  };
}

/** Flip, set, cut or insert bytes: the mutations a wire or an attacker makes. */
const mutate = (der: Uint8Array) =>
  fc
    .tuple(
      fc.nat(der.length - 1),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom("set", "cut", "insert"),
    )
    .map(([at, v, kind]) => {
      if (kind === "cut") return der.subarray(0, at);
      if (kind === "insert") return Uint8Array.of(...der.subarray(0, at), v, ...der.subarray(at));
      const out = der.slice();
      out[at] = v;
      return out;
    });

/** When ocspkit accepts bytes, asn1-ocsp must read them the same way. */
function agreesWhenAccepted(
  der: Uint8Array,
  ours: (d: Uint8Array) => unknown,
  reference: (d: Uint8Array) => unknown,
): void {
  let mine: unknown;
  try {
    mine = ours(der);
  } catch {
    return; // refused: always allowed, strict DER refuses more than asn1js does
  }
  assert.deepEqual(mine, reference(der));
}

describe("DER decoders agree with @peculiar/asn1-ocsp", () => {
  test("random well-formed responses read the same", () => {
    fc.assert(
      fc.property(response, (der) => assert.deepEqual(oursResponse(der), referenceResponse(der))),
      { numRuns: 300 },
    );
  });

  test("random well-formed requests read the same", () => {
    fc.assert(
      fc.property(request, (der) => assert.deepEqual(oursRequest(der), referenceRequest(der))),
      { numRuns: 300 },
    );
  });

  test("a mutated response that ocspkit accepts reads the same in asn1-ocsp", () => {
    fc.assert(
      fc.property(
        response.chain((der) => mutate(der)),
        (der) => agreesWhenAccepted(der, oursResponse, referenceResponse),
      ),
      { numRuns: 400 },
    );
  });

  test("a mutated request that ocspkit accepts reads the same in asn1-ocsp", () => {
    fc.assert(
      fc.property(
        request.chain((der) => mutate(der)),
        (der) => agreesWhenAccepted(der, oursRequest, referenceRequest),
      ),
      { numRuns: 400 },
    );
  });
});
