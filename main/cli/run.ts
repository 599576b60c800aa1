import { VaultError, type ErrorCode } from '../../shared/errors';
import { version } from '../../package.json';
import { dataDirFromEnvironment } from '../core/data-dir';
import type { HandlerContext } from '../core/ipc/context';
import { toErrorInfo } from '../core/ipc/dispatch';
import { log } from '../core/log';
import { exitCodes, UsageError, type CliIo, type Command } from './command';
import { commands } from './commands';
import { cliHandlerContext } from './handler-context';
import { cliLogSink } from './log-sink';

// `certvault [--home DIR] COMMAND [ARGS]`: global options, then one subcommand. Whatever goes
// wrong ends as one line on stderr and an exit code; a stack trace never reaches the terminal.

export interface RunOptions {
  /** Tests pin the clock; the real CLI uses the wall clock. */
  readonly now?: () => Date;
  /** The real process logs to the data folder (see log-sink.ts); in-process tests keep their own sink. */
  readonly logToDataDir?: boolean;
}

export async function runCli(argv: readonly string[], io: CliIo, options: RunOptions = {}): Promise<number> {
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
  let handlerContext: HandlerContext | undefined;
  const handlers = () => {
    handlerContext ??= cliHandlerContext({
      dataDir: dataDir(),
      appVersion: version,
      env: io.env,
      now: options.now,
    });
    return handlerContext;
  };
  try {
    return await command.run(cli.rest, { io, handlers });
  } catch (error) {
    return reportError(error, io, command);
  }
}

interface GlobalOptions {
  readonly help: boolean;
  readonly version: boolean;
  readonly home: string | undefined;
  readonly command: string | undefined;
  readonly rest: readonly string[];
}

/** Options before the command name belong to certvault itself; everything after to the command. */
function parseGlobalOptions(argv: readonly string[]): GlobalOptions {
  let help = false;
  let showVersion = false;
  let home: string | undefined;
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-V') showVersion = true;
    else if (arg === '--home') {
      home = argv[++index];
      if (home === undefined) throw new UsageError('--home needs a folder');
    } else if (arg.startsWith('--home=')) home = arg.slice('--home='.length);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg.slice(0, 80)}"`);
    else break;
  }
  return { help, version: showVersion, home, command: argv[index], rest: argv.slice(index + 1) };
}

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: certvault [--home DIR] COMMAND [OPTIONS]

Cert Vault on the command line: the same vault and inspector as the desktop app.

Commands:
${list}

Options:
  --home DIR     use the vault in DIR (default: $CERTVAULT_HOME, else the app's data folder)
  -h, --help     show this help; "certvault COMMAND --help" shows a command's options
  -V, --version  print the version

Exit codes: 0 success, 1 failure, 2 unusable input or command line, 3 some inputs failed.
`;
}

function reportError(error: unknown, io: CliIo, command: Command | null): number {
  const prefix = command ? `certvault ${command.name}` : 'certvault';
  if (error instanceof UsageError || isParseArgsError(error)) {
    io.stderr(`${prefix}: ${oneLine((error as Error).message)} (see ${prefix} --help)\n`);
    return exitCodes.unusableInput;
  }
  const info = toErrorInfo(error, prefix);
  io.stderr(`${prefix}: ${oneLine(info.message)}\n`);
  return error instanceof VaultError ? exitCodeFor(info.code) : exitCodes.failure;
}

const inputErrorPrefixes = ['input.', 'pem.', 'der.', 'cert.', 'key.', 'pkcs12.', 'pkcs7.', 'ipc.bad_request'];

export function exitCodeFor(code: ErrorCode): number {
  return inputErrorPrefixes.some((prefix) => code.startsWith(prefix)) ? exitCodes.unusableInput : exitCodes.failure;
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for a bad command line. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS_');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
