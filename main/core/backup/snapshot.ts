import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import { userVersion } from '../db/open';
import { sealingContext } from '../library/store';
import { seal, unseal } from '../seal';

// What a backup holds, read from and written to the vault database. Every table of the library
// and the history is copied row by row, whatever its columns (so a table another feature adds is
// backed up without a change here), except:
// - sealed_keys: keys travel as plaintext PKCS#8 inside the encrypted backup and are sealed again
//   under the restoring vault's own data key, which is what lets a new machine open them;
// - vault_meta: the vault's id, its data key's check value and the account confirmations belong to
//   this vault and keychain, not to the backup (a restored account is confirmed again before keys
//   go to it);
// - entries_search (FTS), library_cas and SQLite's own tables, rebuilt or internal.

export interface BackupKey {
  readonly entryId: string;
  readonly role: string;
  readonly keyAlgorithm: string;
  /** base64 PKCS#8 */
  readonly pkcs8: string;
}

export interface BackupPayload {
  /** The vault schema the rows were read at (db/migrations.ts). */
  readonly schema: number;
  readonly tables: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly keys: readonly BackupKey[];
  /** Keychain secrets per account id, only when asked for. */
  readonly secrets: Readonly<Record<string, string>> | null;
}

/** A BLOB column, in JSON. */
interface EncodedBytes {
  readonly $base64: string;
}

// library_cas is derived from entry_certificates by triggers (db/migrations.ts, version 9): the
// restored certificate rows rebuild it.
const SKIPPED = new Set(['vault_meta', 'sealed_keys', 'library_cas']);

export function copiedTables(db: Database.Database): string[] {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  // FTS5 keeps its index in shadow tables named after it.
  const virtual = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").pluck().all() as string[];
  return names.filter((name) => !SKIPPED.has(name) && !virtual.some((v) => name === v || name.startsWith(`${v}_`)));
}

/** Every copied row and every key opened, from one consistent read of the database. */
export function readSnapshot(db: Database.Database, dataKey: Buffer | null, keyName: (entryId: string) => string): Omit<BackupPayload, 'secrets'> {
  return db.transaction(() => {
    const tables: Record<string, Record<string, unknown>[]> = {};
    for (const table of copiedTables(db)) {
      tables[table] = (db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]).map(encodeRow);
    }
    const sealed = db.prepare('SELECT entry_id, role, key_algorithm, nonce, ciphertext FROM sealed_keys ORDER BY entry_id, role').all() as {
      entry_id: string;
      role: string;
      key_algorithm: string;
      nonce: Buffer;
      ciphertext: Buffer;
    }[];
    const keys = sealed.map((row) => {
      const plaintext = dataKey ? unseal(dataKey, { nonce: row.nonce, ciphertext: row.ciphertext }, sealingContext(row.entry_id, row.role as 'leaf')) : null;
      if (!plaintext) throw new VaultError('vault.key_unrecoverable', { name: keyName(row.entry_id) });
      return { entryId: row.entry_id, role: row.role, keyAlgorithm: row.key_algorithm, pkcs8: plaintext.toString('base64') };
    });
    return { schema: userVersion(db), tables, keys };
  })();
}

export interface VaultContents {
  readonly entries: number;
  readonly accounts: number;
  readonly history: number;
}

export function contentsOf(db: Database.Database): VaultContents {
  const count = (table: string) => db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
  return { entries: count('entries'), accounts: count('cloud_accounts'), history: count('upload_history') };
}

/**
 * Replaces everything the backup covers with the payload, in one IMMEDIATE transaction: a failure
 * anywhere (a row that does not fit, a key that does not belong to an entry) leaves the vault as it
 * was. Columns are matched by name, so a backup from an older schema fills the newer one.
 */
export function writeSnapshot(db: Database.Database, payload: BackupPayload, dataKey: Buffer | null, file: string): void {
  const tables = copiedTables(db);
  const unknown = Object.keys(payload.tables).find((table) => !tables.includes(table));
  if (unknown !== undefined) throw new VaultError('backup.corrupt', { file, reason: `it holds a table this version does not know ("${unknown.slice(0, 40)}")` });
  const apply = db.transaction(() => {
    // Rows go in table by table; their references are checked once everything is in.
    db.pragma('defer_foreign_keys = ON');
    db.prepare('DELETE FROM sealed_keys').run();
    for (const table of tables) db.prepare(`DELETE FROM "${table}"`).run();
    db.prepare('DELETE FROM entries_search').run();
    db.prepare("DELETE FROM vault_meta WHERE key LIKE 'account-confirmed:%'").run();
    for (const table of tables) insertRows(db, table, payload.tables[table] ?? [], file);
    db.prepare('INSERT INTO entries_search (rowid, text) SELECT search_rowid, search_text FROM entries').run();
    const insertKey = db.prepare('INSERT INTO sealed_keys (entry_id, role, key_algorithm, nonce, ciphertext) VALUES (?, ?, ?, ?, ?)');
    for (const key of payload.keys) {
      if (!dataKey) throw new VaultError('backup.corrupt', { file, reason: 'it holds keys but none was expected' });
      const sealed = seal(dataKey, Buffer.from(key.pkcs8, 'base64'), sealingContext(key.entryId, key.role as 'leaf'));
      insertKey.run(key.entryId, key.role, key.keyAlgorithm, sealed.nonce, sealed.ciphertext);
    }
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new VaultError('backup.corrupt', { file, reason: 'a row refers to something the backup does not hold' });
  });
  try {
    apply.immediate();
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError('backup.corrupt', { file, reason: `a row does not fit this vault (${sqliteReason(error)})` });
  }
}

function insertRows(db: Database.Database, table: string, rows: readonly Record<string, unknown>[], file: string): void {
  if (rows.length === 0) return;
  const columns = new Set((db.pragma(`table_info("${table}")`) as { name: string }[]).map((column) => column.name));
  const cache = new Map<string, Database.Statement>();
  for (const row of rows) {
    if (row === null || typeof row !== 'object') throw new VaultError('backup.corrupt', { file, reason: `a row of ${table} is not a record` });
    const names = Object.keys(row).filter((name) => columns.has(name));
    const sql = `INSERT INTO "${table}" (${names.map((name) => `"${name}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    statement.run(...names.map((name) => decodeValue(row[name])));
  }
}

function encodeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, Buffer.isBuffer(value) ? ({ $base64: value.toString('base64') } satisfies EncodedBytes) : value]));
}

function decodeValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as EncodedBytes).$base64 === 'string') return Buffer.from((value as EncodedBytes).$base64, 'base64');
  return value;
}

function sqliteReason(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 120) : 'unknown';
}
