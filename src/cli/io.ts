/** Where a command writes: injected so tests and the library can capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Is `out` a person's terminal? A property of the Io rather than a comparison with
   * processIo: every command bundle carries its own copy of this module.
   */
  readonly terminal?: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  get terminal() {
    return process.stdout.isTTY === true;
  },
};
