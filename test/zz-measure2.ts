import { createPrivateKey, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { certIdFor } from "../src/ocsp/certid.js";
import { SHA1 } from "../src/ocsp/digests.js";
import { encodeRequest } from "../src/ocsp/request.js";
import { ResponseSigner } from "../src/ocsp/response-builder.js";
import { OcspService } from "../src/responder/service.js";
import { IndexStore } from "../src/responder/store.js";
import { loadCertificate } from "../src/x509/load.js";
import { makePki } from "./support/pki.js";

const pki = await makePki();
const inter = loadCertificate(pki.intermediate.cert, "c");
const leaf = loadCertificate(pki.leaves.good.cert, "c");
const store = await IndexStore.open(pki.index);
const mb = Number(process.argv[3] ?? 2);
const svc = new OcspService(
  [
    {
      caCert: inter,
      signer: new ResponseSigner({
        cert: loadCertificate(pki.ocspSigner.cert, "c"),
        key: createPrivateKey(readFileSync(pki.ocspSigner.key)),
      }),
      store,
    },
  ],
  { dialect: "rfc", unknownIssuer: "unauthorized", nextUpdateSeconds: 3600 },
  { cacheBytes: mb * 1024 * 1024 },
);
const base = certIdFor(inter, leaf, SHA1);
const N = Number(process.argv[2] ?? 20000);
const r0 = process.memoryUsage().rss;
for (let i = 1; i <= N; i++) {
  const der = Buffer.from(
    encodeRequest({
      requests: [
        { certId: { ...base, serial: Buffer.from([1, ...randomBytes(15)]) }, extensions: [] },
      ],
      extensions: [],
    }),
  );
  svc.compute(der, der.toString("latin1"), Date.now());
  if (i % 5000 === 0) {
    const m = process.memoryUsage();
    console.log(
      i,
      "rss+",
      ((m.rss - r0) / 1e6).toFixed(1),
      "heap",
      (m.heapUsed / 1e6).toFixed(1),
      "heapTotal",
      (m.heapTotal / 1e6).toFixed(1),
      "ext",
      (m.external / 1e6).toFixed(1),
      "cache",
      svc.cache.size,
    );
  }
}
svc.close();
pki.cleanup();
