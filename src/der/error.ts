/** A DER encoding rule broken at `offset`: the one error every decoder in ocspkit throws. */
export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = "DerError";
  }
}
