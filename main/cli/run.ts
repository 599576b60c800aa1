import { VaultError, type ErrorCode } from '../../shared/errors';
import { version } from '../../package.json';
import { dataDirFromEnvironment } from '../core/data-dir';
import type { HandlerContext } from '../core/ipc/context';
import type { DeployerLookup } from '../core/deploy/service';
import type { TlsResolver } from '../core/tls';
import { toErrorInfo } from '../core/ipc/dispatch';
import { log } from '../core/log';
import { exitCodeFor, exitCodeHelp, exitCodes, UsageError, type CliIo, type Command } from './command';
import { commands } from './commands';
import { cliHandlerContext } from './handler-context';
import { cliLogSink } from './log-sink';
import { terminalIo } from './output';
import { printable } from '../../shared/printable';
import { contextOnVault, selectedVault, type VaultOnContext } from '../core/team/vault-switch';

// `certvault [--home DIR] [--vault NAME] COMMAND [ARGS]`: global options, then one subcommand. Whatever goes
// wrong ends as one line on stderr and an exit code; a stack trace never reaches the terminal.

export interface RunOptions {
  /** Tests pin the clock; the real CLI uses the wall clock. */
  readonly now?: () => Date;
  /** The real process logs to the data folder (see log-sink.ts); in-process tests keep their own sink. */
  readonly logToDataDir?: boolean;
  /** Tests bring scripted deployers; the real CLI uses each cloud's own. */
  readonly deployers?: DeployerLookup;
  /** Tests point `deploy --verify` at a loopback TLS front; the real CLI asks DNS. */
  readonly tlsResolver?: TlsResolver;
}

export async function runCli(argv: readonly string[], rawIo: CliIo, options: RunOptions = {}): Promise<number> {
  // The one place output is made terminal-safe: every command, help text and error below writes through it.
  const io = terminalIo(rawIo);
  let cli: GlobalOptions;
  try {
    cli = parseGlobalOptions(argv);
  } catch (error) {
    return reportError(error, io, null);
  }
  if (cli.version) {
    io.stdout(`${version}\n`);
    return exitCodes.ok;
  }
  if (cli.help || cli.command === undefined) {
    (cli.help ? io.stdout : io.stderr)(overview());
    return cli.help ? exitCodes.ok : exitCodes.unusableInput;
  }
  const command = commands.find((candidate) => candidate.name === cli.command);
  if (!command) {
    io.stderr(`certvault: unknown command "${cli.command.slice(0, 80)}" (see certvault --help)\n`);
    return exitCodes.unusableInput;
  }
  const dataDir = () => dataDirFromEnvironment(cli.home, io.env);
  if (options.logToDataDir) log.setSink(cliLogSink(io.env, dataDir));
  let base: HandlerContext | undefined;
  const baseContext = () => {
    base ??= cliHandlerContext({
      dataDir: dataDir(),
      appVersion: version,
      env: io.env,
      now: options.now,
      deployers: options.deployers,
      tlsResolver: options.tlsResolver,
    });
    return base;
  };
  let onVault: VaultOnContext | null = null;
  let code: number;
  try {
    // The vault (`--vault`, else `team use`) is opened up front: a team vault is reached over the
    // network, which a synchronous handler context cannot wait for.
    if (command.usesVault !== false && !asksForHelp(cli.rest)) onVault = await contextOnVault(baseContext(), selectedVault(dataDir(), cli.vault));
    else if (cli.vault !== undefined) throw new UsageError(`--vault does not apply to ${command.name}`);
    const handlers = () => onVault?.ctx ?? baseContext();
    code = await command.run(cli.rest, { io, handlers });
  } catch (error) {
    code = reportError(error, io, command);
  }
  if (onVault) await settleVault(onVault, io, command, code);
  return code;
}

/**
 * A team vault the command found offline: one line saying what was shown (a refused change has
 * already said it as its error). Then the vault is closed: its pool would keep the process alive.
 */
async function settleVault(onVault: VaultOnContext, io: CliIo, command: Command, code: number): Promise<void> {
  const offline = onVault.ctx.team?.().offline();
  if (offline && code !== exitCodes.teamOffline) io.stderr(`certvault ${command.name}: ${oneLine(offline.message)}\n`);
  await onVault.close().catch((error: unknown) => log.warn('vault_close_failed', { error }));
}

function asksForHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

interface GlobalOptions {
  readonly help: boolean;
  readonly version: boolean;
  readonly home: string | undefined;
  /** `--vault NAME|local`: this one command works on that vault instead of the one `team use` chose. */
  readonly vault: string | undefined;
  readonly command: string | undefined;
  readonly rest: readonly string[];
}

/** Options before the command name belong to certvault itself; everything after to the command. */
function parseGlobalOptions(argv: readonly string[]): GlobalOptions {
  let help = false;
  let showVersion = false;
  let home: string | undefined;
  let vault: string | undefined;
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-V') showVersion = true;
    else if (arg === '--home') {
      home = argv[++index];
      if (home === undefined) throw new UsageError('--home needs a folder');
    } else if (arg.startsWith('--home=')) home = arg.slice('--home='.length);
    else if (arg === '--vault') {
      vault = argv[++index];
      if (!vault) throw new UsageError('--vault needs a vault name (or local)');
    } else if (arg.startsWith('--vault=')) {
      vault = arg.slice('--vault='.length);
      if (!vault) throw new UsageError('--vault needs a vault name (or local)');
    }
    else if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg.slice(0, 80)}"`);
    else break;
  }
  return { help, version: showVersion, home, vault, command: argv[index], rest: argv.slice(index + 1) };
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: certvault [--home DIR] [--vault NAME] COMMAND [OPTIONS]

Cert Vault on the command line: the same vault and inspector as the desktop app.

Commands:
${list}

Options:
  --home DIR     use the vault in DIR (default: $CERTVAULT_HOME, else the app's data folder)
  --vault NAME   work on team vault NAME (or "local") for this command instead of the one
                 chosen with "certvault team use"
  -h, --help     show this help; "certvault COMMAND --help" shows a command's options
  -V, --version  print the version

With --json a command prints one compact JSON document on one line (JSON Lines: append it to a
log with >>); add --pretty for an indented one.

${exitCodeHelp}`;
}

function reportError(error: unknown, io: CliIo, command: Command | null): number {
  const prefix = command ? `certvault ${command.name}` : 'certvault';
  if (error instanceof UsageError || isParseArgsError(error)) {
    const message = error instanceof UsageError ? error.message : parseArgsMessage(error as TypeError & { code: string });
    io.stderr(`${prefix}: ${oneLine(message)} (see ${prefix} --help)\n`);
    return exitCodes.unusableInput;
  }
  const info = toErrorInfo(error, prefix);
  const hint = error instanceof VaultError ? cliHints[info.code] : undefined;
  const message = info.code === 'ipc.bad_request' ? badRequestMessage(info.params) : info.message;
  io.stderr(`${prefix}: ${oneLine(message)}${hint ? ` ${hint}` : ''}\n`);
  return error instanceof VaultError ? exitCodeFor(info.code) : exitCodes.failure;
}

/**
 * A request the command built from its arguments failed the contract's checks: name the argument
 * as the user typed it, not the request field ("--name is longer than 200 characters").
 */
function badRequestMessage(params: Readonly<Record<string, string | number>>): string {
  const field = String(params.field ?? '');
  const problem = String(params.problem ?? 'is not valid');
  return `${argumentNames[field] ?? (field ? `"${printable(field)}"` : 'the request')} ${problem}`;
}

const argumentNames: Readonly<Record<string, string>> = {
  id: 'the ID',
  name: '--name',
  tags: 'the tag list',
  'tags.*': 'a tag',
  notes: '--notes',
  baseUpdatedAt: '--if-unchanged-since',
  paths: 'the list of paths',
  'paths.*': 'a path',
  path: 'the path',
  search: '--search',
  password: 'the password',
  format: '--format',
  region: '--region',
  endpoint: '--endpoint',
  accountName: '--account',
  certificateId: '--cert',
  'fields.projectId': '--project-id',
  'fields.instanceId': '--instance-id',
  'fields.projectName': '--project-name',
  'fields.resourceGroupId': '--resource-group',
};

/**
 * What to do next, in command-line terms, for errors whose catalog text is written for the window
 * ("supply its password" means a dialog there, an option here).
 */
const cliHints: Partial<Record<ErrorCode, string>> = {
  'key.password_required': 'Give it with --password-file FILE or --password-stdin.',
  'pkcs12.password_required': 'Give it with --password-file FILE or --password-stdin.',
  'key.wrong_password': 'Check the first line of --password-file (or what --password-stdin reads).',
  'pkcs12.wrong_password': 'Check the first line of --password-file (or what --password-stdin reads).',
  'vault.not_found': 'See certvault list.',
  'account.not_found': 'See certvault account list.',
};

/**
 * node:util parseArgs explains itself at length and in its own terms; say the same in one short
 * line. An attempt to pass a password or secret as an option gets the reason it cannot be.
 */
function parseArgsMessage(error: TypeError & { code: string }): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1]?.slice(0, 80) ?? '';
  const option = quoted.replace(/ <value>$/, '');
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      if (/^-+(pa?s{1,2}(w|ph|-|$)|pw)/i.test(option)) {
        return `unknown option "${option}": passwords are never taken from the command line (ps and shell history show it); use --password-file FILE or --password-stdin`;
      }
      if (/^-+(secret|sk$|ak$|access-?key|token)/i.test(option)) {
        return `unknown option "${option}": secrets are never taken from the command line; pipe them as JSON on stdin or set the cloud's environment variables`;
      }
      return `unknown option "${option}"`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}": this command takes none`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
      if (/ambiguous/.test(error.message)) return `${option} needs a value (for one that starts with "-", write ${option}=-VALUE)`;
      return `${option} needs a value`;
    default:
      return error.message;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for a bad command line. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS_');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
