import Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';

// What every connection to the vault database is set to: the vault's own (open.ts) and the one a
// bulk write builds its indexes on (bulk-write.ts).

/** How long a writer waits for another process (the app vs the CLI) to finish its transaction. */
const BUSY_TIMEOUT_MS = 5000;
/**
 * Page cache, in KiB. better-sqlite3 builds SQLite with 16 MB per connection, which a large import
 * fills on top of everything else the main process holds; the library's queries are as fast with
 * 4 MB (bench/library-search.ts), and the import's peak memory drops by 15-20 MB (bench/library-import.ts).
 */
const CACHE_KIB = 4000;

/**
 * With WAL (set once, on the file, by open.ts), `synchronous=NORMAL` still never leaves a torn
 * transaction after a crash of the process (only the last commits may be lost on power failure),
 * and it keeps imports fast.
 */
export function tuneConnection(db: Database.Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${CACHE_KIB}`);
}

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

