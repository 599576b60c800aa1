import type { CliIo } from '../../../main/cli/command';
import { runCli } from '../../../main/cli/run';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Standard output as bytes: a binary export to `--out -` arrives as it was written. */
  readonly stdoutBytes: Buffer;
}

/** Runs `certvault ARGS` in-process with captured output and a throwaway data folder. */
export async function certvault(
  args: string[],
  options: { stdin?: string; home: string; now?: Date; env?: Record<string, string>; terminal?: boolean },
): Promise<CliRun> {
  const chunks: Buffer[] = [];
  let stderr = '';
  const io: CliIo = {
    stdout: (output) => void chunks.push(typeof output === 'string' ? Buffer.from(output, 'utf8') : Buffer.from(output)),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    env: { CERTVAULT_HOME: options.home, LANG: 'C.UTF-8', ...options.env },
    stdoutIsTerminal: options.terminal ?? false,
  };
  const now = options.now;
  const code = await runCli(['--home', options.home, ...args], io, now ? { now: () => now } : {});
  const stdoutBytes = Buffer.concat(chunks);
  return { code, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes };
}
