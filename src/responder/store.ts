// The certificate status store: one index.txt, re-read when it changes. A file is only taken
// once it has stood still for a poll interval, did not change while it was read, and ends
// with a whole line, so a half-written index is never served; one that fails to parse leaves
// the previous one in service, as OpenSSL's responder does. A file that suddenly has no rows
// at all is more likely a fault (a truncation, a full disk) than a CA that revoked nothing
// and issued nothing: it is only taken once it has stayed so for a settle time. Every
// refusal, and a file that cannot be read, is logged once and counted.

import type { BigIntStats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { describe, OcspError } from "../errors.js";
import type { Certificate } from "../x509/cert.js";
import { type IndexData, type IndexEntry, parseAttr, parseIndex, serialKey } from "./index-file.js";
import type { ChangeListener, SourceStats, StatusRecord, StatusSource } from "./status.js";

export interface StoreOptions {
  /** How often the file is checked, in ms (default 250). */
  readonly pollMs?: number;
  /** Where reload notes and problems go. */
  readonly log?: (message: string) => void;
  /** How long a file must stay without rows before it replaces one with rows (default 10 s). */
  readonly emptySettleMs?: number;
}

export const DEFAULT_EMPTY_SETTLE_MS = 10_000;

/**
 * A file that cannot be read must stay so this long before it is reported: `openssl ca`
 * renames index.txt away for a moment before it renames the new one in.
 */
const ACCESS_GRACE_MS = 1000;

/** Why a check did not load the file; the keys of `refusals`. */
type Refusal = "incomplete" | "emptied" | "missing" | "unreadable";

export class IndexStore implements StatusSource {
  readonly path: string;
  #data: IndexData;
  #loaded: string;
  #pending?: { readonly signature: string; readonly since: number };
  #timer?: NodeJS.Timeout;
  #busy = false;
  readonly #listeners: ChangeListener[] = [];
  readonly #log: (message: string) => void;
  readonly #pollMs: number;
  readonly #emptySettleMs: number;
  /** The problem last logged (reason and file version), so that each is logged once. */
  #noted?: string;
  #accessSince?: number;
  reloads = 0;
  reloadErrors = 0;
  readonly refusals: Record<Refusal, number> = {
    incomplete: 0,
    emptied: 0,
    missing: 0,
    unreadable: 0,
  };

  private constructor(path: string, data: IndexData, signature: string, o: StoreOptions) {
    this.path = path;
    this.#data = data;
    this.#loaded = signature;
    this.#log = o.log ?? (() => {});
    this.#pollMs = o.pollMs ?? 250;
    this.#emptySettleMs = o.emptySettleMs ?? DEFAULT_EMPTY_SETTLE_MS;
  }

  /** Reads the file now; throws an OcspError when OpenSSL would refuse it too. */
  static async open(path: string, o: StoreOptions = {}): Promise<IndexStore> {
    let text: string;
    let signature: string;
    try {
      signature = await signatureOf(path);
      text = await readFile(path, "latin1");
    } catch (err) {
      throw indexProblem(path, err);
    }
    const data = await parse(path, text);
    const store = new IndexStore(path, data, signature, o);
    store.#report(data);
    return store;
  }

  get size(): number {
    return this.#data.entries.size;
  }

  get name(): string {
    return this.path;
  }

  /** The row of a serial key (see serialKey). */
  entry(key: string): IndexEntry | undefined {
    return this.#data.entries.get(key);
  }

  /** One index file holds one CA's certificates: `issuer` is the caller's business. */
  lookup(_issuer: Certificate, serials: readonly Uint8Array[]): StatusRecord[] {
    return serials.map((s) => recordOf(this.#data.entries.get(serialKey(s))));
  }

  /** Registers `listener`; changes are seen by {@link poll}. */
  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Registers `listener` and starts checking the file for changes. */
  subscribe(listener: ChangeListener): void {
    this.onChange(listener);
    this.#timer ??= setInterval(() => void this.poll(), this.#pollMs).unref();
  }

  stats(): SourceStats {
    return {
      kind: "index",
      entries: this.size,
      reloads: this.reloads,
      reloadErrors: this.reloadErrors,
      refusals: this.refusals,
    };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One check; exposed so that tests need not wait for the timer. */
  async poll(now = Date.now()): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#check(now);
    } finally {
      this.#busy = false;
    }
  }

  async #check(now: number): Promise<void> {
    let signature: string;
    let text: string;
    try {
      signature = await signatureOf(this.path);
      if (signature === this.#loaded) {
        this.#readable();
        this.#pending = undefined;
        this.#noted = undefined;
        return;
      }
      if (this.#pending?.signature !== signature) {
        this.#pending = { signature, since: now };
        return;
      }
      text = await readFile(this.path, "latin1");
      if ((await signatureOf(this.path)) !== signature) return;
    } catch (err) {
      this.#accessProblem(err, now);
      return;
    }
    this.#readable();
    if (text.length && !text.endsWith("\n")) {
      this.#refuse(
        "incomplete",
        signature,
        `${this.path} ends in the middle of a line; still answering from the last good index until the line is whole`,
      );
      return;
    }
    let data: IndexData;
    try {
      data = await parse(this.path, text);
    } catch (err) {
      this.#pending = undefined;
      this.#loaded = signature;
      this.reloadErrors++;
      this.#log(`error reloading updated index: ${this.path}: ${describe(err)}`);
      return;
    }
    if (!data.entries.size && this.#data.entries.size) {
      if (now - this.#pending.since < this.#emptySettleMs) {
        this.#refuse(
          "emptied",
          signature,
          `${this.path} has no rows where the last good one had ${this.#data.entries.size}; still answering from that one unless it stays empty for ${this.#emptySettleMs / 1000} s`,
        );
        return;
      }
      this.#log(
        `${this.path} has stayed without rows for ${this.#emptySettleMs / 1000} s: loaded; every certificate now reads unknown`,
      );
    }
    this.#pending = undefined;
    this.#loaded = signature;
    this.#noted = undefined;
    const changed = diff(this.#data, data);
    this.#data = data;
    this.reloads++;
    this.#report(data);
    if (changed.size) for (const l of this.#listeners) l(changed);
  }

  /** Logs and counts a refused reload, once per file version and reason. */
  #refuse(reason: Refusal, version: string, message: string): void {
    const note = `${reason}|${version}`;
    if (this.#noted === note) return;
    this.#noted = note;
    this.refusals[reason]++;
    this.#log(message);
  }

  #accessProblem(err: unknown, now: number): void {
    this.#accessSince ??= now;
    if (now - this.#accessSince < ACCESS_GRACE_MS) return;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "missing" : "unreadable";
    this.#refuse(
      reason,
      code ?? "",
      `cannot read ${this.path} (${describe(err)}); still answering from the last good index`,
    );
  }

  /** The file can be read again: a later access problem is news. */
  #readable(): void {
    this.#accessSince = undefined;
    if (this.#noted?.startsWith("missing") || this.#noted?.startsWith("unreadable")) {
      this.#log(`${this.path} is readable again`);
      this.#noted = undefined;
    }
  }

  #report(data: IndexData): void {
    if (!data.problems.length) return;
    const shown = data.problems.slice(0, 5).join("; ");
    const more = data.problems.length > 5 ? ` (and ${data.problems.length - 5} more)` : "";
    this.#log(`${this.path}: rows answered without all their details: ${shown}${more}`);
  }
}

function recordOf(entry: IndexEntry | undefined): StatusRecord {
  if (!entry) return { state: "not-found" };
  if (entry.type === "V") return { state: "good" };
  if (entry.type === "E") return { state: "expired" };
  if (entry.type !== "R") return { state: "other" };
  const { time, ...rest } = entry.revocation!;
  // OpenSSL answers internalError for a revocation date it cannot read.
  if (!time) return { state: "unusable", problem: "unusable revocation date" };
  return { state: "revoked", revocation: { time, ...rest } };
}

/** The whole file at once, as `openssl ca` would take it, each row's expiry column kept. */
async function parse(path: string, text: string): Promise<IndexData> {
  const unique = await uniqueSubjectOf(path);
  try {
    return parseIndex(text, unique);
  } catch (err) {
    throw indexProblem(path, err);
  }
}

/** load_index's `unique_subject`, from `<index>.attr`; yes when there is no such file. */
export async function uniqueSubjectOf(path: string): Promise<boolean> {
  try {
    return parseAttr(await readFile(`${path}.attr`, "latin1"));
  } catch {
    return true;
  }
}

/** The error for an index file that cannot be read or parsed, worded as OpenSSL's. */
export const indexProblem = (path: string, err: unknown) =>
  new OcspError(
    "ERR_INPUT",
    `Problem with index file: ${path} (could not load/parse file): ${describe(err)}`,
  );

function diff(old: IndexData, now: IndexData): Set<string> {
  const changed = new Set<string>();
  for (const [k, e] of now.entries) if (old.entries.get(k)?.raw !== e.raw) changed.add(k);
  for (const k of old.entries.keys()) if (!now.entries.has(k)) changed.add(k);
  return changed;
}

/** Identity and version of the file and of its .attr companion. */
async function signatureOf(path: string): Promise<string> {
  const main = await stat(path, { bigint: true });
  let attr = "-";
  try {
    attr = describeStat(await stat(`${path}.attr`, { bigint: true }));
  } catch {
    // absent
  }
  return `${describeStat(main)}|${attr}`;
}

const describeStat = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
