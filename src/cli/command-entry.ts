import type { Io } from "./io.js";

export type CommandMain = (argv: readonly string[], io: Io) => Promise<number>;

/** A command of src/cli/commands.ts's list. */
export interface CommandEntry {
  /** One line for the command list. */
  readonly summary: string;
  readonly load: () => Promise<CommandMain>;
}
