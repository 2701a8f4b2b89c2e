// `ocspkit staple HOST[:PORT]`: does the server staple an OCSP response, and is it any good?
// Exit 0 good staple, 1 revoked, 2 no staple, 3 invalid, stale, mismatched or unusable, or a
// server a TLS client would refuse (chain or name), unless --insecure.
import { isIP } from "node:net";
import { isoTime } from "../check/report.js";
import { OcspError } from "../errors.js";
import { checkStaple, fetchStaple, type Handshake, type StapleVerdict } from "../tls/staple.js";
import { nameOneline } from "../x509/name-oneline.js";
import { objectShortName } from "../x509/oids.js";
import { openTrustStore } from "../x509/store.js";
import { pemCertificate } from "../x509/text.js";
import { EXIT_USAGE, newCommand, paintFor, runParsed, seconds } from "./command.js";
import { caFileHint } from "./hints.js";
import type { Io } from "./io.js";

interface StapleOpts {
  servername?: string;
  caFile?: string;
  json?: boolean;
  insecure?: boolean;
  timeout: number;
}

const EXIT = { good: 0, revoked: 1, none: 2, unknown: 3, invalid: 3 } as const;

export async function stapleCommand(argv: readonly string[], io: Io): Promise<number> {
  const cmd = newCommand("staple", io)
    .description(
      "Connect over TLS asking for a stapled OCSP response and validate it against the served " +
        "certificate (signature, signer, CertID, time window).\n" +
        "Exit: 0 good staple, 1 revoked, 2 no staple, 3 invalid, stale or mismatched staple, " +
        "a server certificate that does not verify for the name (unless --insecure), or no " +
        "connection, 64 usage.",
    )
    .argument("<host[:port]>", "server (port 443 by default; [v6addr]:port for IPv6)")
    .option("--servername <name>", "SNI name (default: the host, unless it is an IP address)")
    .option("--ca-file <file>", "trust anchors for the staple's signer (default: the system's)")
    .option("--json", "print the result as one JSON object")
    .option("--insecure", "report the staple even when the server's chain or name does not verify")
    .option(
      "--timeout <duration>",
      "for the handshake and any download (30s, 2m, or seconds)",
      seconds,
      10,
    );
  return runParsed(cmd, argv, io, async ([target], raw) => {
    const o = raw as unknown as StapleOpts;
    const addr = parseTarget(target!);
    if (!addr) {
      io.err(`ocspkit staple: "${target}" is not HOST or HOST:PORT\n`);
      return EXIT_USAGE;
    }
    const trust = openTrustStore({ caFile: o.caFile });
    const servername = o.servername ?? (isIP(addr.host) ? undefined : addr.host);
    const base = { host: addr.host, port: addr.port, servername: servername ?? null };
    let handshake: Awaited<ReturnType<typeof fetchStaple>>;
    try {
      // The handshake's chain check (tlsChainTrusted) uses the same anchors as the staple's.
      const ca = o.caFile ? trust.anchors.map((c) => pemCertificate(c.der)) : undefined;
      handshake = await fetchStaple({ ...addr, servername, ca, timeoutMs: o.timeout * 1000 });
    } catch (err) {
      const error = err instanceof OcspError ? err : new OcspError("ERR_TRANSPORT", String(err));
      if (o.json) {
        const out = { ...base, stapled: null, status: "error", error: error.message };
        io.out(`${JSON.stringify(out, null, 2)}\n`);
      } else io.err(`ocspkit staple: ${error.message}\n`);
      return 3;
    }
    const checked = await checkStaple(handshake, { trust, timeoutMs: o.timeout * 1000 });
    const v = { ...checked, error: caFileHint(checked.error, !!o.caFile) };
    const tls = tlsProblem(handshake);
    const report = {
      ...base,
      protocol: handshake.protocol,
      tlsChainTrusted: !tls,
      ...(tls ? { tlsChainError: tls.code, tlsError: tls.message } : {}),
      tlsName: handshake.nameChecked ?? null,
      ...verdictJson(v),
    };
    if (o.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else {
      io.out(text(`${target}`, v, handshake.protocol, io));
      if (tls) io.out(`TLS: ${tls.message}${o.insecure ? " (--insecure: ignored)" : ""}\n`);
    }
    return tls && !o.insecure ? 3 : EXIT[v.status];
  });
}

/** Why a TLS client would refuse this server (chain first, as the handshake checks it). */
function tlsProblem(h: Handshake): { code: string; message: string } | undefined {
  if (!h.authorized) {
    const code = h.authorizationError ?? "UNABLE_TO_VERIFY";
    return { code, message: `the server's certificate chain does not verify: ${code}` };
  }
  if (h.nameError) {
    return {
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
      message: `the server's certificate is not valid for ${h.nameChecked}: ${h.nameError}`,
    };
  }
  return undefined;
}

function parseTarget(t: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(t);
  const bareV6 = !m && isIP(t) === 6 ? t : undefined;
  const host = bareV6 ?? m?.[1] ?? m?.[2];
  const port = Number(m?.[3] ?? 443);
  if (!host || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function verdictJson(v: StapleVerdict) {
  const t = (d: Date | undefined) => (d ? isoTime(d) : null);
  return {
    stapled: v.status !== "none",
    status: v.status === "invalid" ? "error" : v.status,
    subject: nameOneline(v.cert.subject, objectShortName),
    serial: v.cert.serialHex,
    ...(v.status === "revoked"
      ? { revocationReason: v.revocationReason ?? null, revocationTime: t(v.revocationTime) }
      : {}),
    thisUpdate: t(v.thisUpdate),
    nextUpdate: t(v.nextUpdate),
    responder: v.signer ? nameOneline(v.signer.subject, objectShortName) : null,
    checks: v.checks,
    ...(v.error ? { error: v.error.message, errorCode: v.error.code } : {}),
  };
}

function text(target: string, v: StapleVerdict, protocol: string | null, io: Io): string {
  const p = paintFor(io);
  const when = (d: Date | undefined) => (d ? isoTime(d) : "-");
  let out = `${target} (${protocol ?? "TLS"}): ${nameOneline(v.cert.subject, objectShortName)}, serial ${v.cert.serialHex}\n`;
  switch (v.status) {
    case "none":
      return `${out}${p.yellow("no staple")}: the server sent no OCSP response\n`;
    case "invalid":
      return `${out}${p.red("invalid staple")}: ${v.error?.message}\n`;
    default: {
      const color = v.status === "good" ? p.green : v.status === "revoked" ? p.red : p.yellow;
      out += `staple: ${color(v.status)}`;
      if (v.status === "unknown") out += " (the responder does not know this certificate)";
      if (v.status === "revoked") {
        out += `, ${v.revocationReason ?? "no reason given"}, revoked at ${when(v.revocationTime)}`;
      }
      out += `\n  this update ${when(v.thisUpdate)}, next update ${when(v.nextUpdate)}\n`;
      out += `  signed by ${v.signer ? nameOneline(v.signer.subject, objectShortName) : "?"}\n`;
      out += `  verified: ${v.checks.map((c) => c.name).join(", ")}\n`;
      return out;
    }
  }
}
