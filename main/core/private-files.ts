import fs from 'node:fs';
import { log } from './log';

// vault.db holds sealed keys and account names, the logs hold ids and file names, the settings say
// how the user works: none of it is for the other users of a shared machine. On POSIX the data
// folder is 0700 and these files 0600, created so and tightened when found looser (a vault made by
// an older version, or under a lax umask). On Windows the per-user profile's ACLs do this already.

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const isPosix = process.platform !== 'win32';

export function ensurePrivateFolder(folder: string): void {
  fs.mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  tighten(folder, PRIVATE_FOLDER_MODE);
}

/**
 * Creates `file` empty when missing, 0600, and tightens it when it exists. SQLite gives a WAL and
 * shared-memory file the mode of their database, so a database created through here keeps them
 * private too.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

/** Tightens the files that exist; a missing one is skipped. */
export function tightenPrivateFiles(files: readonly string[]): void {
  for (const file of files) if (fs.existsSync(file)) tighten(file, PRIVATE_FILE_MODE);
}

/** Removes the permission bits beyond `mode`. A file owned by someone else is left as it is, with a warning. */
function tighten(target: string, mode: number): void {
  if (!isPosix) return;
  try {
    const current = fs.statSync(target).mode & 0o777;
    if ((current & ~mode) !== 0) fs.chmodSync(target, current & mode);
  } catch (error) {
    log.warn('private_file_not_tightened', { file: target, error });
  }
}
