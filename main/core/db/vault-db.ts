import type Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { openDatabase } from './open';
import { VaultSqliteDialect } from './sqlite-dialect';
import type { VaultTables } from './tables';

// The vault's data-access layer: one Kysely over either engine, and which engine it is, so a
// store writes each query once (docs/data-layer.md). Engine-specific SQL lives in dialect-sql.ts.
// PostgreSQL is opened by pg/open.ts, so a process on the local vault never loads pg.

export type VaultEngine = 'sqlite' | 'postgres';

export interface VaultDb {
  readonly db: Kysely<VaultTables>;
  readonly engine: VaultEngine;
  /**
   * The better-sqlite3 connection under `db`, for the stores not yet moved onto Kysely, to READ
   * only; null on PostgreSQL. Writing through it, or any transaction of its own, could land inside
   * a Kysely transaction left open across an await (the connection is one), so none may.
   * Goes away once every store is on Kysely.
   */
  readonly sqlite: Database.Database | null;
  close(): Promise<void>;
}

/**
 * The local vault in `dataDir`: opened and migrated synchronously as always (open.ts, the frozen
 * SQLite migrations), then handed to Kysely; closing the VaultDb closes the connection.
 */
export function openSqliteVaultDb(dataDir: string): VaultDb {
  return sqliteVaultDb(openDatabase(dataDir), { owned: true });
}

/**
 * A VaultDb over an open, migrated connection. `owned: false` leaves closing it to whoever opened
 * it (a Vault sharing its connection in tests), with the same rule: no raw transactions on it.
 */
export function sqliteVaultDb(connection: Database.Database, { owned }: { owned: boolean }): VaultDb {
  const db = new Kysely<VaultTables>({ dialect: new VaultSqliteDialect({ database: connection, closeWithKysely: owned }) });
  return { db, engine: 'sqlite', sqlite: connection, close: () => db.destroy() };
}

/**
 * The SQLite connection, for a store not yet on Kysely to read. Such a store cannot read a team
 * vault yet; reaching it there is a bug in the app (nothing offers it), said plainly.
 */
export function readerOfUnconverted(vault: VaultDb, what: string): Database.Database {
  if (vault.sqlite) return vault.sqlite;
  throw new Error(`${what} does not read a PostgreSQL vault yet (docs/data-layer.md)`);
}

/**
 * Runs `work` with every query on one connection, for what lives on a connection (TEMP tables):
 * SQLite's one connection, or a PostgreSQL pool connection held until `work` ends (the other
 * queries of the process meanwhile use the rest of the pool). Never a transaction: `work` may await anything.
 */
export function withOneConnection<T>(vault: VaultDb, work: (db: Kysely<VaultTables>) => Promise<T>): Promise<T> {
  return vault.engine === 'sqlite' ? work(vault.db) : vault.db.connection().execute(work);
}
