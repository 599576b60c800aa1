import path from 'node:path';
import Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import { ensurePrivateFile, ensurePrivateFolder, tightenPrivateFiles } from '../private-files';
import { latestVersion, migrations, type Migration } from './migrations';
import { BUSY_TIMEOUT_MS, wrapBusy } from './busy';
import { repairBulkWrite } from './bulk-write';

export const DATABASE_FILE = 'vault.db';

/**
 * Page cache, in KiB. better-sqlite3 builds SQLite with 16 MB per connection, which a large import
 * fills on top of everything else the main process holds; the library's queries are as fast with
 * 4 MB (bench/library-search.ts), and the import's peak memory drops by 15-20 MB (bench/library-import.ts).
 */
const CACHE_KIB = 4000;

/**
 * Opens (creating if needed) the vault database in `dataDir` and brings its schema up to date.
 * WAL lets the app and the CLI read while the other writes; with WAL, `synchronous=NORMAL` still
 * never leaves a torn transaction after a crash of the process (only the last commits may be lost
 * on power failure), and it keeps imports fast.
 */
export function openDatabase(dataDir: string): Database.Database {
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Database.Database;
  try {
    ensurePrivateFolder(dataDir);
    ensurePrivateFile(file);
    tightenPrivateFiles([`${file}-wal`, `${file}-shm`]);
    db = new Database(file);
  } catch (error) {
    throw new VaultError('input.unreadable_file', { file, reason: reasonOf(error) });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    migrate(db, migrations);
    repairBulkWrite(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Applies the pending migrations, each in its own IMMEDIATE transaction that re-reads the version
 * under the write lock, so the app and the CLI starting together never apply one twice.
 */
export function migrate(db: Database.Database, list: readonly Migration[]): void {
  const known = list.reduce((max, m) => Math.max(max, m.version), 0);
  // The usual start: nothing to apply, so no write lock is asked for (the app importing would
  // make a CLI command wait for it).
  const found = userVersion(db);
  if (found > known) throw new VaultError('vault.schema_too_new', { version: found, supported: known });
  if (found === known) return;
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      const current = userVersion(db);
      if (current >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    wrapBusy(() => apply.immediate());
  }
  const current = userVersion(db);
  if (current > known) throw new VaultError('vault.schema_too_new', { version: current, supported: known });
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { latestVersion };
