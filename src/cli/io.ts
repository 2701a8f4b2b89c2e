/**
 * Where a command writes: injected so tests and the library can capture output. Bytes go out
 * as they are: OpenSSL's text forms copy some certificate fields raw, not always UTF-8.
 */
export interface Io {
  out(text: string | Uint8Array): void;
  err(text: string): void;
  /**
   * Set on the process's own Io. Each command is a bundle of its own with its own copy of this
   * module, so "is it the process's Io" cannot be asked by identity.
   */
  readonly isProcess?: true;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isProcess: true,
};
