import type Database from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { log } from '../log';
import { clientConfig, type TeamConnection } from '../team/db/connect';
import { hostPort } from '../team/db/connection-url';
import { openDatabase } from './open';
import { VaultSqliteDialect } from './sqlite-dialect';
import type { VaultTables } from './tables';

// The vault's data-access layer: one Kysely over either engine, and which engine it is, so a
// store writes each query once (docs/data-layer.md). Engine-specific SQL lives in dialect-sql.ts.

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

const INT8_OID = 20;

/**
 * bigint columns (counts, sizes, ids, durations) as numbers, the way better-sqlite3 returns
 * SQLite's INTEGER, so a store reads both engines alike. pg returns them as strings by default
 * because an int8 may not fit a double; one that does not is refused rather than rounded (pg fails
 * that query with this error).
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`integer ${text} is beyond what the vault reads exactly (2^53)`);
  return value;
}

const vaultTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connections per app: the library's searches and a running import or deployment at once. */
const POOL_SIZE = 6;

/**
 * A team vault's vault tables (the same database and schema as the team tables). Nothing is
 * migrated here: that is the admin action (pg/migrations.ts); call requirePostgresVaultSchema first.
 * bytea comes back as Buffer, as SQLite's BLOB does, with pg's defaults.
 */
export function openPostgresVaultDb(connection: TeamConnection): VaultDb {
  const pool = new pg.Pool({ ...clientConfig(connection), types: vaultTypes, max: POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle connection cut by a server restart is dropped by the pool; the next query opens a new one.
  pool.on('error', (error) => log.warn('vault_db_idle_error', { address: hostPort(connection.address), reason: error.message }));
  const db = new Kysely<VaultTables>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', sqlite: null, close: () => db.destroy() };
}
