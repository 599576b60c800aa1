import path from 'node:path';
import Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import { ensurePrivateFile, ensurePrivateFolder, tightenPrivateFiles } from '../private-files';
import { latestVersion, migrations, type Migration } from './migrations';
import { tuneConnection, wrapBusy } from './connection';
import { repairBulkWrite } from './bulk-write';

export const DATABASE_FILE = 'vault.db';

/**
 * Opens (creating if needed) the vault database in `dataDir`, brings its schema up to date, and
 * finishes a bulk write its process left (bulk-write.ts). WAL lets the app and the CLI read while
 * the other writes.
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
    tuneConnection(db);
    db.pragma('journal_mode = WAL');
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
