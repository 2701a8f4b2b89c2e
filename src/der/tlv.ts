/** One DER value's place in its buffer: the walker (der.ts) makes these, the readers take them. */
export interface Tlv {
  /** The identifier octet (tag class, constructed bit and tag number; tags < 31 only). */
  readonly tag: number;
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  readonly end: number;
}
