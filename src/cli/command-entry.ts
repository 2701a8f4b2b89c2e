import type { Io } from "./io.js";

export type CommandMain = (argv: readonly string[], io: Io) => Promise<number>;

/** A command of src/cli/commands.ts's list. */
export interface CommandEntry {
  /** One line for the command list. */
  readonly summary: string;
  readonly load: () => Promise<CommandMain>;
  /**
   * Nothing of the command runs on once its promise settles (no server, no timer, no open
   * connection): bin/ocspkit.cjs may then end the process as soon as the output is written,
   * rather than wait for the heap to be freed (~16 ms after a 1,000-certificate `check`).
   */
  readonly exitsOnReturn?: boolean;
}
