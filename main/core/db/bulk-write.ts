import os from 'node:os';
import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { tuneConnection, wrapBusy } from './connection';

// A large import into the local vault (library/vault.ts importPaths) writes its entries without
// the library list's indexes and without their rows in the trigram index, and builds both once at
// its end: an index built from the finished table costs a fraction of the random B-tree inserts
// that keep it entry by entry (100,000 entries into a fresh vault: 1,185 entries/s kept as they go,
// about 2,000/s as a bulk write, docs/performance.md "Growth: where the targets stand (fifth session)").
//
// The indexes are dropped and built again on a connection of this module's own. A marker row in
// vault_meta says that a bulk write is under way, by which process, and what to build at its end,
// so a process that dies in the middle leaves a vault that the next open repairs
// (`repairBulkWrite`, open.ts). Meanwhile other connections read the library as it is written:
// lists are slower (no sort index), and the new entries are found by the search's trigram index
// only once it is built at the end. PostgreSQL never does this: a team vault is read by every
// member while one imports.

const MARKER_KEY = 'bulk_write';

/**
 * The list's sort indexes (migration 3) and the radar's (migration 11): only reads of the library
 * use them, never a statement of the import (tests/unit/vault/import-plans.test.ts checks both modes).
 */
export const DEFERRED_INDEXES: readonly string[] = [
  'entries_by_name',
  'entries_by_common_name',
  'entries_by_dns_names',
  'entries_by_issuer',
  'entries_by_serial_number',
  'entries_by_fingerprint',
  'entries_by_not_before',
  'entries_by_not_after',
  'entries_by_key_algorithm',
  'entries_by_has_key',
  'entries_by_is_ca',
  'entries_by_tags',
  'entries_by_source_file',
  'entries_by_imported_at',
  'entries_radar',
];

/** Rows of the trigram index written per transaction at the end: a few hundred ms each, so a waiting writer never times out. */
const SEARCH_ROWS_PER_STEP = 5000;
/**
 * WAL pages between checkpoints while the bulk write runs (SQLite's default is 1,000). Each
 * checkpoint writes the pages back into the database file and waits for the disk; at 100,000
 * entries a batch of 100 dirties about 2,500 pages, so every commit paid one (1,629 against
 * 1,967 entries/s with 32,768). The WAL grows to about 128 MB meanwhile and is truncated at the end.
 */
export const BULK_WAL_AUTOCHECKPOINT = 32768;
export const DEFAULT_WAL_AUTOCHECKPOINT = 1000;

interface Marker {
  readonly pid: number;
  readonly host: string;
  /** The first search_rowid the bulk write gave: every entry from there on may lack its trigram index row. */
  readonly firstSearchRowid: number;
  /** The dropped indexes' own CREATE statements, as sqlite_master had them. */
  readonly indexes: readonly { readonly name: string; readonly sql: string }[];
}

/**
 * Starts a bulk write on the vault database `file`: drops the deferred indexes and leaves the
 * marker, in one transaction. False when another bulk write is under way (or awaits its repair):
 * the import then writes as usual.
 */
export function beginBulkWrite(file: string): boolean {
  return withConnection(file, (db) =>
    wrapBusy(() =>
      db
        .transaction(() => {
          if (readMarker(db)) return false;
          const { last } = db.prepare('SELECT max(search_rowid) AS last FROM entries').get() as { last: number | null };
          const indexes = db
            .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${DEFERRED_INDEXES.map(() => '?').join(', ')})`)
            .all(...DEFERRED_INDEXES) as { name: string; sql: string }[];
          const marker: Marker = { pid: process.pid, host: os.hostname(), firstSearchRowid: (last ?? 0) + 1, indexes };
          db.prepare('INSERT INTO vault_meta (key, value) VALUES (?, ?)').run(MARKER_KEY, JSON.stringify(marker));
          for (const { name } of indexes) db.exec(`DROP INDEX ${name}`);
          return true;
        })
        .immediate(),
    ),
  );
}

/**
 * Ends this process's bulk write on `file`: builds the indexes and the trigram index rows, then
 * removes the marker. The event loop turns between steps (an index, a few thousand rows): the app's
 * main process keeps answering while it runs.
 */
export async function endBulkWrite(file: string): Promise<void> {
  const db = openOwn(file);
  try {
    const marker = readMarker(db);
    if (!marker || marker.pid !== process.pid || marker.host !== os.hostname()) return;
    for (const step of finishSteps(db, marker)) {
      step();
      await setImmediate();
    }
  } finally {
    db.close();
  }
}

/**
 * Finishes the bulk write of a process that died before its end (opening the vault, open.ts): the
 * indexes and trigram rows it left out are built. A bulk write whose process still runs is left to it.
 */
export function repairBulkWrite(db: Database.Database): void {
  const marker = readMarker(db);
  if (!marker || ownerRuns(marker)) return;
  for (const step of finishSteps(db, marker)) step();
}

function* finishSteps(db: Database.Database, marker: Marker): Generator<() => void> {
  for (const { sql } of marker.indexes) yield () => wrapBusy(() => db.exec(sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS ')));
  const { last } = db.prepare('SELECT max(search_rowid) AS last FROM entries').get() as { last: number | null };
  // Rows another connection wrote meanwhile are in the trigram index already: only the missing ones.
  const fill = db.prepare(`INSERT INTO entries_search (rowid, text)
    SELECT search_rowid, search_text FROM entries
    WHERE search_rowid >= ? AND search_rowid < ?
      AND search_rowid NOT IN (SELECT id FROM entries_search_content WHERE id >= ? AND id < ?)`);
  for (let from = marker.firstSearchRowid; from <= (last ?? 0); from += SEARCH_ROWS_PER_STEP) {
    const to = from + SEARCH_ROWS_PER_STEP;
    yield () => wrapBusy(() => db.transaction(() => fill.run(from, to, from, to)).immediate());
  }
  yield () => {
    wrapBusy(() => db.prepare('DELETE FROM vault_meta WHERE key = ?').run(MARKER_KEY));
    // The WAL grew under BULK_WAL_AUTOCHECKPOINT: back to nothing unless a reader holds it.
    db.pragma('wal_checkpoint(TRUNCATE)');
  };
}

function readMarker(db: Database.Database): Marker | null {
  const row = db.prepare('SELECT value FROM vault_meta WHERE key = ?').get(MARKER_KEY) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as Marker) : null;
}

/** The process is alive on this machine (the local vault is one machine's), or on another where it cannot be asked. */
function ownerRuns(marker: Marker): boolean {
  if (marker.host !== os.hostname()) return true;
  try {
    process.kill(marker.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function openOwn(file: string): Database.Database {
  const db = new Database(file);
  tuneConnection(db);
  return db;
}

function withConnection<T>(file: string, work: (db: Database.Database) => T): T {
  const db = openOwn(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}
