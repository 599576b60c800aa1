import fs from 'node:fs/promises';
import { limits } from '../../shared/ipc';
import { VaultError } from '../../shared/errors';
import { UsageError, type CliIo } from './command';

// Passwords never come from argv (visible in `ps` and shell history): from a file, following
// openssl's `-passin file:` convention (the first line, without its line ending), or from stdin.

/** The options of every command that opens encrypted keys or writes PKCS#12; see readPassword. */
export const passwordOptions = {
  'password-file': { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
} as const;

/** The values parseArgs gives for passwordOptions. */
export interface PasswordSource {
  readonly 'password-file'?: string | undefined;
  readonly 'password-stdin'?: boolean | undefined;
}

export async function readPassword(source: PasswordSource, io: CliIo): Promise<string | undefined> {
  const file = source['password-file'];
  if (file !== undefined && source['password-stdin']) {
    throw new UsageError('--password-file and --password-stdin cannot be used together');
  }
  if (file !== undefined) return checked(firstLine(await readPasswordFile(file)), file);
  if (source['password-stdin']) return checked(firstLine(await io.readStdin()), 'standard input');
  return undefined;
}

async function readPasswordFile(file: string): Promise<string> {
  try {
    const handle = await fs.open(file, 'r');
    try {
      // Only the first line matters; a huge file is a mistake, not a password.
      const buffer = Buffer.alloc(limits.maxPasswordLength * 4 + 2);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? describeFsError(String(error.code)) : 'it cannot be read';
    throw new VaultError('input.unreadable_file', { file, reason });
  }
}

/** The first line; a Windows-edited file's CRLF counts as a line ending too. */
export function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

function checked(password: string, from: string): string {
  if (password.length > limits.maxPasswordLength) {
    throw new UsageError(`the password from ${from} is longer than ${limits.maxPasswordLength} characters`);
  }
  return password;
}

function describeFsError(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code;
  }
}
