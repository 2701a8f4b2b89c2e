// The responder's status seam: what a store of certificate statuses (OpenSSL's index.txt, a
// SQLite file, a PostgreSQL database) tells the answer builder, and how it says that something
// changed. It says what the store holds, never what to answer: a serial the store has never
// seen is "not-found", and the answer builder's policy decides what that becomes.

import type { Certificate } from "../x509/cert.js";

/** A revocation as a store records it. */
export interface RevocationRecord {
  readonly time: Date;
  /** CRLReason code; absent when the store names none. */
  readonly reason?: number;
  /** Hold instruction OID, for certificateHold. */
  readonly holdInstruction?: string;
  /** The invalidity date as a DER GeneralizedTime. */
  readonly invalidityDate?: Uint8Array;
}

export type StatusRecord =
  | { readonly state: "good" }
  /** Past its notAfter (index.txt's 'E' rows) and never revoked. */
  | { readonly state: "expired" }
  | { readonly state: "revoked"; readonly revocation: RevocationRecord }
  /** A row whose state the store cannot name (index.txt rows other than V, R, E). */
  | { readonly state: "other" }
  | { readonly state: "not-found" }
  /** A row that cannot be read (a revocation time that does not parse, an unknown reason). */
  | { readonly state: "unusable"; readonly problem: string };

/** Keys (see serialKey) of serials whose record may have changed. */
export type ChangeListener = (serials: ReadonlySet<string>) => void;

/** Gauges and counters of one store, for /metrics. */
export interface SourceStats {
  /** "index" for index.txt files, "database" for SQLite and PostgreSQL. */
  readonly kind: "index" | "database";
  /** Rows held (index files only: a database is not counted). */
  readonly entries?: number;
  readonly reloads?: number;
  readonly reloadErrors?: number;
  /** Index files not taken or not readable, by reason. */
  readonly refusals?: Readonly<Record<string, number>>;
  /** Lookups or change checks that failed. */
  readonly errors?: number;
  /** Why the store cannot answer now; absent while it can. */
  readonly down?: string;
}

export interface StatusSource {
  /** The store as people name it: the index path, or the database URL without its password. */
  readonly name: string;
  /**
   * The record of each serial (INTEGER contents) issued by `issuer`, in order. A store that
   * cannot answer now throws {@link StoreUnavailable}; the answer is then tryLater.
   */
  lookup(
    issuer: Certificate,
    serials: readonly Uint8Array[],
  ): readonly StatusRecord[] | Promise<readonly StatusRecord[]>;
  /** Calls `listener` with the serials whose records changed, once watching has started. */
  subscribe(listener: ChangeListener): void;
  stats(): SourceStats;
  close(): void | Promise<void>;
}

/** The store cannot be asked now (its database is unreachable); worth asking again later. */
export class StoreUnavailable extends Error {
  constructor(store: string, reason: string) {
    super(`status store ${store} unavailable: ${reason}`);
    this.name = "StoreUnavailable";
  }
}
