import type Database from 'better-sqlite3';

/**
 * A token that changes whenever anything commits a change to the database: this connection
 * (`total_changes()`), another one in this process, or the CLI in another process
 * (`PRAGMA data_version`, which counts only the other connections' commits). What is computed
 * from the whole database can be kept until the token changes.
 */
export function dataRevision(db: Database.Database): string {
  const others = db.pragma('data_version', { simple: true }) as number;
  const own = db.prepare('SELECT total_changes()').pluck().get() as number;
  return `${others}.${own}`;
}
