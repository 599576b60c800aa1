import type { HandlerContext } from '../core/ipc/context';

// What every `certvault` subcommand is: a name, its help text and a function from arguments to an
// exit code. Commands print through `CliIo` so tests can run them in-process.

export const exitCodes = {
  ok: 0,
  /** Something went wrong that is not the input's fault (keychain, cloud, internal). */
  failure: 1,
  /** The input could not be used at all: unreadable or unparseable files, bad command line. */
  unusableInput: 2,
  /** Some inputs were processed, others failed (import). */
  partialFailure: 3,
} as const;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** All of standard input, for --password-stdin. */
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CommandContext {
  readonly io: CliIo;
  /** The same handler context the Electron window uses, built on first use (it reads the data folder). */
  readonly handlers: () => HandlerContext;
}

export interface Command {
  readonly name: string;
  /** One line for `certvault --help`. */
  readonly summary: string;
  /** The full `certvault NAME --help` text. */
  readonly help: string;
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}

/** A command line that cannot be acted on; printed as one line with a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
