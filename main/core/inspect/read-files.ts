// Reads input files from disk, counting the bytes actually read against the size limit: stat()
// says 0 for devices and /proc files and a file can grow while it is read, so a 4 GB file picked
// by mistake or /dev/zero is refused at the limit rather than loaded. Only regular files are
// read: a named pipe is refused at once instead of waiting forever for a writer.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { VaultError } from '../../../shared/errors';
import { limits } from '../../../shared/limits';
import type { InputFile } from './decode';
import { formatSize } from './decode';

// O_NONBLOCK: opening a FIFO must not wait for a writer (POSIX; Windows has no FIFOs to name).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

export async function readInputFiles(paths: readonly string[]): Promise<InputFile[]> {
  if (paths.length > limits.maxFilesPerRequest) throw new VaultError('input.too_many_files', { count: paths.length, limit: limits.maxFilesPerRequest });
  const files: InputFile[] = [];
  for (const path of paths) files.push({ name: path, data: await readInputFile(path) });
  return files;
}

/** One input file's bytes, or a VaultError naming it: not a regular file, unreadable, or too large. */
export async function readInputFile(path: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const expected = checkedSize(path, await handle.stat());
    const capped = cappedRead(path, expected);
    let chunk = capped.next();
    while (!chunk.done) chunk = capped.next((await handle.read(chunk.value, 0, chunk.value.length, null)).bytesRead);
    return chunk.value;
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    await handle.close();
  }
}

/**
 * `readInputFile` in the calling thread: for the parse worker, which reads the files it parses
 * (a trip through the thread pool and a promise per file costs ten times the CPU of a read here).
 */
export function readInputFileSync(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const capped = cappedRead(path, checkedSize(path, fstatSync(fd)));
    let chunk = capped.next();
    while (!chunk.done) chunk = capped.next(readSync(fd, chunk.value, 0, chunk.value.length, null));
    return chunk.value;
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    closeSync(fd);
  }
}

/** The size stat() gives a regular file within the limit; refuses anything else. */
function checkedSize(path: string, stat: Stats): number {
  const kind = notAFile(stat);
  if (kind) throw new VaultError('input.unreadable_file', { file: path, reason: kind });
  if (stat.size > limits.maxInputBytes) {
    throw new VaultError('input.too_large', { file: path, size: formatSize(stat.size), limit: formatSize(limits.maxInputBytes) });
  }
  return stat.size;
}

/**
 * Reads to the end or one byte past the limit, whichever comes first: yields each buffer to fill
 * and is given the bytes read into it (0 at the end); returns the file's bytes. `expected` only
 * sizes the buffers. One loop for the sync and async readers.
 */
function* cappedRead(path: string, expected: number): Generator<Buffer, Buffer, number> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const size = Math.min(Math.max(expected + 1 - length, MIN_CHUNK), MAX_CHUNK, limits.maxInputBytes + 1 - length);
    const chunk = Buffer.allocUnsafe(size);
    const bytesRead = yield chunk;
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    length += bytesRead;
    if (length > limits.maxInputBytes) {
      throw new VaultError('input.too_large', { file: path, size: `more than ${formatSize(limits.maxInputBytes)}`, limit: formatSize(limits.maxInputBytes) });
    }
  }
  return Buffer.concat(chunks, length);
}

function unreadable(path: string, error: unknown): VaultError {
  return error instanceof VaultError ? error : new VaultError('input.unreadable_file', { file: path, reason: reasonOf(error) });
}

function notAFile(stat: Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isDirectory()) return 'it is a folder, not a file';
  if (stat.isFIFO()) return 'it is a named pipe (FIFO), not a file';
  if (stat.isSocket()) return 'it is a socket, not a file';
  return 'it is a device, not a file';
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  ENXIO: 'it is a device or socket that cannot be read',
};

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (code && reasons[code]) ?? (code ? `system error ${code}` : 'unknown error');
}
