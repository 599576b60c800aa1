import fs from 'node:fs/promises';
import path from 'node:path';
import { VaultError } from '../../../shared/errors';

// Walks the paths given to an import: files as given, folders walked recursively (hidden files and
// folders skipped, symbolic links to folders not followed, so a link loop cannot run forever), in a
// stable order (names sorted within each folder). Files are yielded one by one as the walk reaches
// them, never gathered in a list: what an import holds is the listing of the folders it is inside
// (names only), whatever the number of files (bench/library-import.ts at 100,000).

export interface FoundFile {
  readonly path: string;
  /** Found by walking a folder rather than named by the user: unrecognisable content is skipped. */
  readonly fromFolder: boolean;
}

export type WalkFailure = { readonly file: string; readonly error: VaultError };

/**
 * Upper bound on the files one import reads, so a mistaken `import /` ends with a clear error
 * before anything is stored, rather than hours of reading. Far above a real certificate folder (an
 * internal CA's 100,000 issued certificates with their keys is bench/library-import.ts at
 * 100,000); callers may lower it.
 */
export const MAX_IMPORT_FILES = 2_000_000;

/**
 * How many files a walk of `paths` yields: the import's progress total, and the cap checked before
 * anything is read. Folders that cannot be listed count nothing here; the walk itself reports them.
 */
export async function countFiles(paths: readonly string[], maxFiles = MAX_IMPORT_FILES): Promise<number> {
  let count = 0;
  for await (const _found of walkFiles(paths, () => undefined)) {
    count += 1;
    if (count > maxFiles) throw new VaultError('input.too_many_files', { count: `more than ${maxFiles}`, limit: maxFiles });
  }
  return count;
}

/** The files to read, in order; what cannot be read or listed goes to `onFailure` and the walk goes on. */
export async function* walkFiles(paths: readonly string[], onFailure: (failure: WalkFailure) => void): AsyncGenerator<FoundFile> {
  for (const given of paths) {
    let stat;
    try {
      stat = await fs.stat(given);
    } catch (error) {
      onFailure({ file: given, error: new VaultError('input.unreadable_file', { file: given, reason: describe(error) }) });
      continue;
    }
    if (stat.isDirectory()) yield* walk(given, onFailure);
    else yield { path: given, fromFolder: false };
  }
}

/** A folder that cannot be listed is reported on its own; the walk goes on with its siblings. */
async function* walk(folder: string, onFailure: (failure: WalkFailure) => void): AsyncGenerator<FoundFile> {
  let listing;
  try {
    listing = await listFolder(folder);
  } catch (error) {
    onFailure({ file: folder, error: new VaultError('input.unreadable_file', { file: folder, reason: describe(error) }) });
    return;
  }
  for (let i = 0; i < listing.names.length; i += 1) {
    const full = path.join(folder, listing.names[i]!);
    const kind = listing.kinds[i];
    if (kind === FOLDER) yield* walk(full, onFailure);
    else if (kind === FILE || (kind === LINK && (await isFile(full)))) yield { path: full, fromFolder: true };
  }
}

const FILE = 1;
const FOLDER = 2;
const LINK = 3;

/**
 * A folder's visible names, sorted, and what each is: names and a byte each rather than Dirent
 * objects, since a flat folder of 100,000 files stays listed for the whole import.
 */
async function listFolder(folder: string): Promise<{ names: string[]; kinds: Uint8Array }> {
  const entries = (await fs.readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kinds = new Uint8Array(entries.length);
  entries.forEach((entry, i) => {
    kinds[i] = entry.isDirectory() ? FOLDER : entry.isFile() ? FILE : entry.isSymbolicLink() ? LINK : 0;
  });
  return { names: entries.map((entry) => entry.name), kinds };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
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
    case 'ELOOP':
      return 'a symbolic link that loops back on itself; point it at a real file';
    default:
      return code || (error instanceof Error ? error.message : 'unknown error');
  }
}
