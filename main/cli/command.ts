import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { ErrorCode } from '../../shared/errors';
import type { HandlerContext } from '../core/ipc/context';

// What every `certvault` subcommand is: a name, its help text and a function from arguments to an
// exit code. Commands print through `CliIo` so tests can run them in-process.

export const exitCodes = {
  ok: 0,
  /** Something went wrong that is not the input's fault (a cloud, the disk, internal). */
  failure: 1,
  /**
   * The input could not be used at all: unreadable or unparseable files, a bad command line, an ID
   * or account that does not exist, bad account JSON.
   */
  unusableInput: 2,
  /** Some inputs were processed, others failed (import, upload). */
  partialFailure: 3,
  /** At least one certificate expires within the days asked (certvault expiring), for cron, Nagios and systemd timers. */
  certificatesDue: 4,
  /** No OS keychain is reachable: a deploy hook on a server without a Secret Service. */
  keychainUnavailable: 5,
  /** The team vault in use is offline: a change was refused and nothing was written (reads work, from its local copy). */
  teamOffline: 6,
} as const;

/** The exit code table, as `certvault --help` and the README print it. */
export const exitCodeHelp = `Exit codes:
  0  success
  1  failure (a cloud, the disk, an upload or deployment whose outcome is still unknown after history --check)
  2  unusable input: command line, files, an unknown ID or account, bad account JSON
  3  partly done: some files, accounts or resources failed, each named
  4  certificates due: certvault expiring found at least one expiring within --days
  5  no OS keychain is reachable (install and unlock a Secret Service on Linux)
  6  the team vault is offline: the change was refused, nothing was written (reads show its local copy)
`;

const inputErrorPrefixes = ['input.', 'pem.', 'der.', 'cert.', 'key.', 'pkcs12.', 'pkcs7.', 'ipc.bad_request'];

/** What the user named or supplied does not exist or cannot be used: their input, not a failure. */
const inputErrors: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'vault.not_found',
  'vault.ambiguous_id',
  'vault.ambiguous_name',
  'vault.nothing_to_import',
  'vault.key_without_certificate',
  'account.not_found',
  'account.invalid',
  'account.region_required',
  'export.no_chain',
  'export.no_key',
  'export.password_required',
  'upload.bad_material',
  'alert.not_found',
  'alert.exists',
  'alert.invalid',
  'alert.none_configured',
  'deploy.nothing_to_deploy',
  'deploy.not_found',
  'deploy.nothing_to_roll_back',
  'deploy.not_finished',
  'deploy.bind_unknown',
  'tls.invalid_domain',
  'tls.invalid_port',
  'tls.invalid_address',
  'team.invalid_url',
  'team.ca_unreadable',
  'team.password_missing',
  'team.name_taken',
  'team.not_found',
  'team.none_selected',
  'team.request_not_found',
  'team.phrase_mismatch',
  'team.member_not_found',
  'team.member_ambiguous',
  'team.last_admin',
]);

/** The exit code of a command that ends with this error. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'keychain.unavailable') return exitCodes.keychainUnavailable;
  if (code === 'team.offline') return exitCodes.teamOffline;
  return inputErrors.has(code) || inputErrorPrefixes.some((prefix) => code.startsWith(prefix)) ? exitCodes.unusableInput : exitCodes.failure;
}

export interface CliIo {
  /** Text, or the bytes of a binary export written to `--out -`. */
  readonly stdout: (output: string | Uint8Array) => void;
  readonly stderr: (text: string) => void;
  /** All of standard input, for --password-stdin. */
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard output is a terminal: binary output (DER, PKCS#12) is refused there, as curl does. */
  readonly stdoutIsTerminal?: boolean;
  /**
   * Only when a person is at the terminal (stdin is one): shows `prompt` and reads one typed line,
   * or null at end of input. Confirmations that must never be automatic (team approve) use it.
   */
  readonly askLine?: (prompt: string) => Promise<string | null>;
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
  /** False for a command that never reads the vault (`team`): no vault is opened for it, `--vault` is refused. */
  readonly usesVault?: boolean;
}

/** A command line that cannot be acted on; printed as one line with a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const helpOption = { help: { type: 'boolean', short: 'h', default: false } } as const;

/** `--json`: one JSON document on one line of stdout instead of text, for scripts; `--pretty` indents it. */
export const jsonOption = { json: { type: 'boolean', default: false }, pretty: { type: 'boolean', default: false } } as const;

/** The command line as node:util's strict parseArgs reads it with these options (and -h/--help). */
export type CommandLine<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof helpOption; allowPositionals: P }>
>;

/**
 * Parses `args` against `options` plus -h/--help. Returns null once the help text is printed, so
 * a command whose arguments do not fit the usual shape (`account ACTION ...`) can still share it.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig, const P extends boolean>(
  args: readonly string[],
  spec: { readonly options: O; readonly positionals: P; readonly help: string },
  io: CliIo,
): CommandLine<O, P> | null {
  const parsed = parseArgs({ args: [...args], allowPositionals: spec.positionals, options: { ...spec.options, ...helpOption } });
  // parseArgs types its result from a literal config; through these generics only a cast keeps that.
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(spec.help);
    return null;
  }
  return parsed as CommandLine<O, P>;
}

export interface CommandDefinition<O extends ParseArgsOptionsConfig, P extends boolean> {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /** The command's own options; -h/--help is added to every command. */
  readonly options: O;
  /** Whether the command takes positional arguments (IDs, files); without, one is a usage error. */
  readonly positionals: P;
  run(commandLine: CommandLine<O, P>, ctx: CommandContext): Promise<number>;
}

/** A command whose arguments are parsed, and whose --help is answered, before `run` sees them. */
export function defineCommand<const O extends ParseArgsOptionsConfig, const P extends boolean>(definition: CommandDefinition<O, P>): Command {
  const { name, summary, help } = definition;
  return {
    name,
    summary,
    help,
    async run(args, ctx) {
      const commandLine = parseCommandLine(args, definition, ctx.io);
      return commandLine ? definition.run(commandLine, ctx) : exitCodes.ok;
    },
  };
}

/**
 * \`certvault NOUN ACTION [options]\`: the action and its command line, or the exit code once the
 * help was printed (asked for: 0; no action given: on stderr, 2).
 */
export function parseAction<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  spec: { readonly options: O; readonly help: string },
  io: CliIo,
): { readonly action: string; readonly commandLine: CommandLine<O, true> } | number {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    (action ? io.stdout : io.stderr)(spec.help);
    return action ? exitCodes.ok : exitCodes.unusableInput;
  }
  const commandLine = parseCommandLine(rest, { options: spec.options, positionals: true, help: spec.help }, io);
  return commandLine ? { action, commandLine } : exitCodes.ok;
}

/** The one positional argument a command acts on (an entry ID, an account NAME). */
export function onlyPositional(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ${what}`);
  if (positionals[0]!.trim() === '') throw new UsageError(`the ${what} is empty`);
  return positionals[0]!;
}
