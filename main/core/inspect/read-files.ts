// Reads input files from disk with the size limit applied before reading, so a 4 GB file
// picked by mistake is refused rather than loaded.
import { open } from 'node:fs/promises';
import { VaultError } from '../../../shared/errors';
import { limits } from '../../../shared/ipc';
import type { InputFile } from './decode';
import { formatSize } from './decode';

export async function readInputFiles(paths: readonly string[]): Promise<InputFile[]> {
  if (paths.length > limits.maxFilesPerRequest) throw new VaultError('input.too_many_files', { count: paths.length, limit: limits.maxFilesPerRequest });
  const files: InputFile[] = [];
  for (const path of paths) files.push({ name: path, data: await readOne(path) });
  return files;
}

async function readOne(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new VaultError('input.unreadable_file', { file: path, reason: reasonOf(error) });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new VaultError('input.unreadable_file', { file: path, reason: 'it is a folder, not a file' });
    if (stat.size > limits.maxInputBytes) {
      throw new VaultError('input.too_large', { file: path, size: formatSize(stat.size), limit: formatSize(limits.maxInputBytes) });
    }
    // Read one byte past the limit: files that grow after stat() (or report no size) still stop there.
    const buffer = Buffer.allocUnsafe(limits.maxInputBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > limits.maxInputBytes) {
        throw new VaultError('input.too_large', { file: path, size: `more than ${formatSize(limits.maxInputBytes)}`, limit: formatSize(limits.maxInputBytes) });
      }
    }
    return Uint8Array.from(buffer.subarray(0, length));
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError('input.unreadable_file', { file: path, reason: reasonOf(error) });
  } finally {
    await handle.close();
  }
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (code && reasons[code]) ?? (code ? `system error ${code}` : 'unknown error');
}
