// The probe report as one self-contained HTML page, for sending to a CA or an auditor: the
// checks' table, every exchange decoded in OpenSSL's text form (collapsed), and a latency chart
// in inline SVG. No script, no external asset; every text from the responder is escaped.

import { describe } from "../errors.js";
import { hex } from "../hex.js";
import { parseRequest } from "../ocsp/request.js";
import { requestText, responseText } from "../ocsp/text.js";
import type { CheckStatus } from "./checks.js";
import { type Exchange, header } from "./plan.js";
import type { ProbeReport } from "./probe.js";
import { groupChecks, summaryLine } from "./report.js";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const COLOURS: Record<CheckStatus, string> = {
  fail: "#c62828",
  warn: "#b26a00",
  pass: "#2e7d32",
  skip: "#757575",
};

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th.group{background:#f3f3f3}td:first-child,td:last-child{white-space:nowrap}.st{font-weight:bold;text-transform:uppercase}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:12px}
details{margin:.4em 0}summary{cursor:pointer}code{font-size:12px}
${Object.entries(COLOURS)
  .map(([s, c]) => `.${s}{color:${c}}`)
  .join("")}`;

/** The first `max` bytes as spaced hex, for a body that did not decode. */
function hexDump(b: Uint8Array, max = 64): string {
  const h = hex(b.subarray(0, max)).replace(/(..)/g, "$1 ").trim();
  return b.length > max ? `${h} … (${b.length} bytes)` : h;
}

function requestPart(x: Exchange): string {
  try {
    return requestText(parseRequest(x.request));
  } catch (err) {
    return `not an OCSP request (${describe(err)}):\n${hexDump(x.request)}\n`;
  }
}

function responsePart(x: Exchange): string {
  if (x.failure) return `no answer: ${x.failure.message}\n`;
  const r = x.reply!;
  const heads = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`)
    .join("\n");
  let body: string;
  if (x.response) {
    try {
      body = responseText(x.response);
    } catch (err) {
      body = `(cannot print: ${describe(err)})`;
    }
  } else if (x.parseError) body = `not an OCSP response (${x.parseError}):\n${hexDump(r.body)}`;
  else body = r.body.length ? hexDump(r.body) : "(empty body)";
  return `HTTP ${r.status}\n${heads}\n\n${body}`;
}

function exchangeHtml(x: Exchange): string {
  const outcome = x.failure
    ? x.failure.kind
    : `HTTP ${x.reply!.status}${header(x.reply, "content-type") ? ` ${header(x.reply, "content-type")}` : ""}`;
  return (
    `<details><summary><code>${escapeHtml(x.name)}</code> ${escapeHtml(x.purpose)}: ` +
    `${escapeHtml(outcome)}, ${Math.round(x.ms)} ms</summary>` +
    `<p>${x.method} <code>${escapeHtml(x.url.length > 200 ? `${x.url.slice(0, 200)}…` : x.url)}</code></p>` +
    `<pre>${escapeHtml(requestPart(x))}</pre><pre>${escapeHtml(responsePart(x))}</pre></details>`
  );
}

/** Horizontal bars, one per exchange, scaled to the slowest. */
function latencyChart(xs: readonly Exchange[]): string {
  const bar = 16;
  const labelW = 130;
  const w = 560;
  const max = Math.max(1, ...xs.map((x) => x.ms));
  const rows = xs.map((x, i) => {
    const y = i * (bar + 4);
    const len = Math.max(1, Math.round((x.ms / max) * (w - labelW - 70)));
    const colour = x.failure ? COLOURS.fail : COLOURS.pass;
    const name = escapeHtml(x.name);
    return (
      `<text x="0" y="${y + 12}" font-size="11">${name}</text>` +
      `<rect x="${labelW}" y="${y}" width="${len}" height="${bar}" fill="${colour}"><title>${name}: ${Math.round(x.ms)} ms</title></rect>` +
      `<text x="${labelW + len + 4}" y="${y + 12}" font-size="11">${Math.round(x.ms)} ms</text>`
    );
  });
  const h = xs.length * (bar + 4);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="latency of each exchange">${rows.join("")}</svg>`;
}

export function probeHtml(r: ProbeReport): string {
  const rows = groupChecks(r)
    .map(
      (g) =>
        `<tr><th class="group" colspan="5">${escapeHtml(g.group)}</th></tr>` +
        g.checks
          .map(
            (c) =>
              `<tr id="check-${escapeHtml(c.id)}"><td><code>${escapeHtml(c.id)}</code></td>` +
              `<td class="st ${c.status}">${c.status}</td><td>${escapeHtml(c.detail)}</td>` +
              `<td>${escapeHtml(c.spec)}</td><td>${c.ms === undefined ? "" : `${c.ms} ms`}</td></tr>`,
          )
          .join(""),
    )
    .join("");
  const title = `ocspkit probe: ${r.url}`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${escapeHtml(title)}</h1>` +
    `<p>Issuer <b>${escapeHtml(r.issuer)}</b>, profile <b>${escapeHtml(r.profile)}</b>. ` +
    `<span class="${r.summary.fail ? "fail" : "pass"}">${escapeHtml(summaryLine(r))}</span>` +
    `${r.reachable ? "" : ' <span class="fail">No OCSP response came back to any request.</span>'}</p>` +
    `<table><thead><tr><th>check</th><th>status</th><th>detail</th><th>source</th><th>time</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    `<h2>Latency</h2>${latencyChart(r.exchanges)}` +
    `<h2>Exchanges</h2>${r.exchanges.map(exchangeHtml).join("")}` +
    "</body></html>\n"
  );
}
