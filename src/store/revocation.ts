// What `revoke` and `unrevoke` do to a row. A revocation is final, except that a certificate on
// hold may be revoked for good or released; revoking again for the same reason changes
// nothing, so that a script may run twice. Refusals are OcspErrors with a sentence.

import { OcspError } from "../errors.js";
import type { Certificate } from "../x509/cert.js";
import type { RowWrite } from "./database.js";
import { isoTime, parseIsoTime, REASON_NAMES, type StatusRow } from "./rows.js";

/** The row is not in a state the operation applies to. */
export class Refused extends OcspError {
  constructor(message: string) {
    super("ERR_INPUT", message);
  }
}

const HOLD = 6;
const REMOVE_FROM_CRL = 8;

export interface Revocation {
  readonly time: Date;
  readonly reason?: number;
  readonly invalidityDate?: Date;
  /** The certificate itself, when the operator gave it: its notAfter and DER are kept. */
  readonly certificate?: Certificate;
}

/** The reason code an OpenSSL-spelled name (any case) stands for. */
export function reasonCode(name: string): number | undefined {
  const n = name.toLowerCase();
  const found = Object.entries(REASON_NAMES).find(([, v]) => v.toLowerCase() === n);
  return found ? Number(found[0]) : undefined;
}

export const reasonNames = (): string[] => Object.values(REASON_NAMES);

const describeRevocation = (row: StatusRow) =>
  `${row.reason === null ? "no reason" : (REASON_NAMES[row.reason] ?? `reason ${row.reason}`)} since ${row.revokedAt}`;

export function revokeWrite(
  row: StatusRow | undefined,
  serial: string,
  r: Revocation,
): RowWrite | undefined {
  const fields = {
    notAfter: r.certificate ? isoTime(r.certificate.notAfter) : (row?.notAfter ?? null),
    revokedAt: isoTime(r.time),
    reason: r.reason ?? null,
    invalidityDate: r.invalidityDate ? isoTime(r.invalidityDate) : null,
    holdInstruction: null,
  };
  const write = { fields, certificate: r.certificate?.der };
  if (!row || row.revokedAt === null) return write;
  if (row.reason === fields.reason) return undefined;
  // A row whose revocation cannot be read is put right by a revocation that can.
  if (row.reason === HOLD || !parseIsoTime(row.revokedAt)) return write;
  throw new Refused(
    `serial ${serial} is already revoked (${describeRevocation(row)}); a revocation is final`,
  );
}

export function unrevokeWrite(row: StatusRow | undefined, serial: string): RowWrite {
  if (!row) throw new Refused(`serial ${serial} is not in the database`);
  if (row.revokedAt === null) throw new Refused(`serial ${serial} is not revoked`);
  if (row.reason !== HOLD && row.reason !== REMOVE_FROM_CRL) {
    throw new Refused(
      `serial ${serial} is revoked (${describeRevocation(row)}): only certificateHold can be undone`,
    );
  }
  return {
    fields: {
      notAfter: row.notAfter,
      revokedAt: null,
      reason: null,
      invalidityDate: null,
      holdInstruction: null,
    },
  };
}
