import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import { log } from '../../log';
import { clientConfig, type TeamConnection } from '../../team/db/connect';
import { hostPort } from '../../team/db/connection-url';
import type { VaultTables } from '../tables';
import type { VaultDb } from '../vault-db';

// A team vault's vault tables over a pg pool (the same database and schema as the team tables).

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
  return postgresVaultDbOver(postgresVaultPool(connection));
}

/** The pool a team vault's VaultDb runs on, for a caller that watches its connections (team/vault-connection.ts). */
export function postgresVaultPool(connection: TeamConnection): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(connection), types: vaultTypes, max: POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle connection cut by a server restart is dropped by the pool; the next query opens a new one.
  pool.on('error', (error) => log.warn('vault_db_idle_error', { address: hostPort(connection.address), reason: error.message }));
  return pool;
}

/** A VaultDb over `pool`; closing it ends the pool. */
export function postgresVaultDbOver(pool: PostgresPool): VaultDb {
  const db = new Kysely<VaultTables>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', sqliteFile: null, close: () => db.destroy() };
}
