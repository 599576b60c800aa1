import fs from 'node:fs/promises';
import path from 'node:path';
import { VaultError } from '../../../shared/errors';
import { readInputFile } from '../inspect/read-files';

// Expands the paths given to an import into the files to read: files as given, folders walked
// recursively (hidden files and folders skipped, symbolic links to folders not followed, so a
// link loop cannot run forever), in a stable order.

export interface FoundFile {
  readonly path: string;
  /** Found by walking a folder rather than named by the user: unrecognisable content is skipped. */
  readonly fromFolder: boolean;
}

export interface Collected {
  readonly files: readonly FoundFile[];
  readonly failed: readonly { readonly file: string; readonly error: VaultError }[];
}

/**
 * Upper bound on the files one import reads, so a mistaken `import /` ends with a clear error
 * rather than hours of reading. Far above a real certificate folder (an internal CA's 100,000
 * issued certificates with their keys is bench/library-import.ts at 100,000); callers may lower it.
 */
export const MAX_IMPORT_FILES = 2_000_000;

export async function collectFiles(paths: readonly string[], maxFiles = MAX_IMPORT_FILES): Promise<Collected> {
  const files: FoundFile[] = [];
  const failed: { file: string; error: VaultError }[] = [];
  for (const given of paths) {
    try {
      const stat = await fs.stat(given);
      if (stat.isDirectory()) await walk(given, files, failed, maxFiles);
      else files.push({ path: given, fromFolder: false });
    } catch (error) {
      if (error instanceof VaultError) throw error;
      failed.push({ file: given, error: new VaultError('input.unreadable_file', { file: given, reason: describe(error) }) });
    }
  }
  return { files, failed };
}

/** A folder that cannot be listed is reported on its own; the walk goes on with its siblings. */
async function walk(folder: string, out: FoundFile[], failed: { file: string; error: VaultError }[], maxFiles: number): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    failed.push({ file: folder, error: new VaultError('input.unreadable_file', { file: folder, reason: describe(error) }) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) await walk(full, out, failed, maxFiles);
    else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full)))) {
      out.push({ path: full, fromFolder: true });
      if (out.length > maxFiles) {
        throw new VaultError('input.too_many_files', { count: `more than ${maxFiles}`, limit: maxFiles });
      }
    }
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

export type ReadResult = { readonly ok: true; readonly data: Buffer } | { readonly ok: false; readonly error: unknown };

/**
 * Reads files in order while the caller parses, with up to `depth` reads in flight: one read at a
 * time leaves the CPU idle on every file-system round trip (nearly half of a 10,000-file import),
 * reading everything at once would hold every file in memory.
 */
export async function* readAhead(files: readonly string[], depth = 16): AsyncGenerator<ReadResult> {
  const settle = (file: string): Promise<ReadResult> =>
    readInputFile(file).then(
      (data) => ({ ok: true, data }),
      (error: unknown) => ({ ok: false, error }),
    );
  const inFlight = files.slice(0, depth).map(settle);
  for (let next = depth; inFlight.length > 0; next += 1) {
    const result = await inFlight.shift()!;
    if (next < files.length) inFlight.push(settle(files[next]!));
    yield result;
  }
}

export function describe(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code || (error instanceof Error ? error.message : 'unknown error');
  }
}
