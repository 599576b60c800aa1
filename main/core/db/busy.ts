import Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';

/** How long a writer waits for another process (the app vs the CLI) to finish its transaction. */
export const BUSY_TIMEOUT_MS = 5000;

/** Another process held the write lock for longer than the busy timeout. */
export function wrapBusy<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof Database.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_BUSY_SNAPSHOT')) {
      throw new VaultError('vault.busy');
    }
    throw error;
  }
}

