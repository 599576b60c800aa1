import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { migrate } from '../../db/open';
import { migrations } from '../../db/migrations';
import type { VaultTables } from '../../db/tables';
import type { VaultDb } from '../../db/vault-db';
import { ensurePrivateFolder, PRIVATE_FILE_MODE } from '../../private-files';
import { copiedTables, type CopiedTable } from './snapshot-tables';

// The local copy of a team vault: its vault tables, as one consistent moment of the server,
// in a SQLite file with the local vault's schema, so the same stores read it when the server is
// out of reach (read-only-vault-db.ts). Keys stay sealed with the team key, as on the server; the
// copy never holds an opened key.
//
// Written whole or not at all: into a private temp file beside the copy, renamed over it only
// once complete and on disk. A crash, a full disk or the server going away half-way leaves the
// previous copy as it was.

/** Rows per page read from the server: what the copy holds in memory at once, per table. */
export const SNAPSHOT_PAGE_ROWS = 500;

/** vault_meta key of when the copy was taken (ISO). The server never has it; only copies do. */
export const SNAPSHOT_TAKEN_AT = 'team-snapshot-taken-at';

export function snapshotFile(dataDir: string, teamId: string): string {
  return path.join(dataDir, `team-${teamId}.snapshot.sqlite`);
}

export interface SnapshotWritten {
  readonly takenAt: string;
  readonly rows: number;
}

/**
 * Copies every vault table of `source` (a team vault on PostgreSQL) into `file`, replacing it.
 * The server is read in one REPEATABLE READ, READ ONLY transaction: every table as of the same
 * instant, so an import committed half-way through the copy is in it whole or not at all.
 * `signal` stops it between two pages (the app closing), leaving the previous copy.
 */
export async function writeSnapshot(source: VaultDb, file: string, now: () => Date, signal?: AbortSignal): Promise<SnapshotWritten> {
  ensurePrivateFolder(path.dirname(file));
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  fs.closeSync(fs.openSync(temp, 'wx', PRIVATE_FILE_MODE));
  let target: Database.Database | null = new Database(temp);
  try {
    // Nothing else ever opens the temp file and it is thrown away unless complete, so neither a
    // journal nor syncs per commit are needed; the file is synced once before the rename.
    target.pragma('journal_mode = OFF');
    target.pragma('synchronous = OFF');
    migrate(target, migrations);
    // Rows arrive in key order, not in the order their references need; the server already holds
    // them consistent.
    target.pragma('foreign_keys = OFF');
    const written = await copyAll(source.db, target, now, signal);
    target.close();
    target = null;
    await syncFile(temp);
    fs.renameSync(temp, file);
    await syncFolder(path.dirname(file));
    return written;
  } catch (error) {
    target?.close();
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

async function copyAll(source: Kysely<VaultTables>, target: Database.Database, now: () => Date, signal: AbortSignal | undefined): Promise<SnapshotWritten> {
  return source
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`SET TRANSACTION READ ONLY`.execute(trx);
      const takenAt = now().toISOString();
      target.exec('BEGIN');
      // The schema's own rows (migration 1's random vault id) make way for the server's.
      target.exec('DELETE FROM vault_meta');
      // An index built once over all the rows costs a fraction of keeping it up to date row by
      // row: the schema's indexes (the migrations' own SQL, as SQLite keeps it) come back after the copy.
      const indexes = target.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
      for (const index of indexes) target.exec(`DROP INDEX "${index.name}"`);
      let rows = 0;
      for (const { table, key } of copiedTables) {
        if (table === 'library_cas') target.exec('DELETE FROM library_cas');
        rows += await copyTable(trx, target, table, key, signal);
      }
      for (const index of indexes) {
        target.exec(index.sql);
        // One index at a time, so the app's other work (the window's requests) runs in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
      target.prepare('INSERT INTO vault_meta (key, value) VALUES (?, ?)').run(SNAPSHOT_TAKEN_AT, takenAt);
      target.exec('COMMIT');
      return { takenAt, rows };
    });
}

type Row = Record<string, unknown>;

/** One table, page by page in key order (keyset paging: each page starts after the last key read). */
async function copyTable(source: Kysely<VaultTables>, target: Database.Database, table: CopiedTable, key: readonly string[], signal: AbortSignal | undefined): Promise<number> {
  const keyList = sql.join(key.map((column) => sql.ref(column)));
  let insert: Database.Statement | null = null;
  const indexSearch = table === 'entries' ? target.prepare('INSERT INTO entries_search (rowid, text) VALUES (?, ?)') : null;
  let after: unknown[] | null = null;
  let copied = 0;
  for (;;) {
    signal?.throwIfAborted();
    const from: unknown[] | null = after;
    const page: { rows: Row[] } = await sql<Row>`SELECT * FROM ${sql.table(table)} ${from ? sql`WHERE (${keyList}) > (${sql.join(from)})` : sql``} ORDER BY ${keyList} LIMIT ${SNAPSHOT_PAGE_ROWS}`.execute(source);
    if (page.rows.length === 0) return copied;
    insert ??= insertStatement(target, table, Object.keys(page.rows[0]!));
    for (const row of page.rows) {
      insert.run(Object.values(row));
      // SQLite's trigram index is a table of its own, keyed by the entry's search_rowid.
      indexSearch?.run(row.search_rowid, row.search_text);
    }
    copied += page.rows.length;
    const last: Row = page.rows[page.rows.length - 1]!;
    after = key.map((column): unknown => last[column]);
    if (page.rows.length < SNAPSHOT_PAGE_ROWS) return copied;
  }
}

function insertStatement(target: Database.Database, table: string, columns: readonly string[]): Database.Statement {
  const names = columns.map((column) => `"${column}"`).join(', ');
  return target.prepare(`INSERT INTO "${table}" (${names}) VALUES (${columns.map(() => '?').join(', ')})`);
}

/** When the copy in `file` was taken; null when there is no readable copy. */
export function snapshotTakenAt(file: string): string | null {
  if (!fs.existsSync(file)) return null;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT value FROM vault_meta WHERE key = ?').get(SNAPSHOT_TAKEN_AT) as { value: string } | undefined;
    return row?.value ?? null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Off the main thread: syncing tens of megabytes would hold the app's event loop. */
async function syncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The rename itself reaches the disk only with its folder (POSIX); Windows cannot open a folder to sync it. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  await syncFile(folder);
}
