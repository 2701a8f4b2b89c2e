// Certificates looked up by subject name, as OpenSSL's X509_NAME_cmp matches names: by their
// canonical encoding (a name that cannot be canonicalised keeps its own bytes). Finding the
// issuers of n certificates among n others is then linear, not quadratic. An index only narrows
// the candidates: the caller still checks key identifiers and the signature.
import { canonicalEncoding } from "../verify/names.js";
import type { Certificate } from "./cert.js";

const nameKey = (nameDer: Uint8Array): string => {
  const c = canonicalEncoding(nameDer) ?? nameDer;
  return Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString("latin1");
};

export class SubjectIndex {
  #index?: Map<string, Certificate[]>;
  /** `load` is called once, on the first look-up; the order of its certificates is kept. */
  constructor(readonly load: () => readonly Certificate[]) {}

  bySubject(nameDer: Uint8Array): readonly Certificate[] {
    if (!this.#index) {
      this.#index = new Map();
      for (const c of this.load()) {
        const k = nameKey(c.subject);
        const same = this.#index.get(k);
        if (same) same.push(c);
        else this.#index.set(k, [c]);
      }
    }
    return this.#index.get(nameKey(nameDer)) ?? [];
  }
}

/** Does `nameDer` name `cert`'s subject (the same canonical encoding)? */
export const namesSubject = (nameDer: Uint8Array, cert: Certificate): boolean =>
  nameKey(nameDer) === nameKey(cert.subject);
