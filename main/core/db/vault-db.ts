import type Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { VaultError, type ErrorCode } from '../../../shared/errors';
import { openDatabase } from './open';
import { VaultSqliteDialect } from './sqlite-dialect';
import type { VaultTables } from './tables';

// The vault's data-access layer: one Kysely over either engine, and which engine it is, so a
// store writes each query once (docs/data-layer.md). Engine-specific SQL lives in dialect-sql.ts.
// PostgreSQL is opened by pg/open.ts, so a process on the local vault never loads pg.

export type VaultEngine = 'sqlite' | 'postgres';

/** A change as the team vault's audit log records it (team/audit.ts). */
export interface AuditEntry {
  readonly action: string;
  readonly subject: string | null;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Records a change in the transaction that makes it, so both commit or neither does. A store
 * calls it as the last statement of its write (the append serialises on the audit chain's lock,
 * held from there to the commit). It throws when the row cannot be written, and the store's
 * transaction rolls back.
 */
export type AuditInTransaction = (trx: Kysely<VaultTables>, entry: AuditEntry) => Promise<void>;

export interface VaultDb {
  readonly db: Kysely<VaultTables>;
  readonly engine: VaultEngine;
  /**
   * The SQLite database file (null on PostgreSQL), for what works on the file rather than through
   * the store: a tool or test opening a connection of its own (another process, as the CLI is).
   * The connection under `db` is never handed out: a raw statement or transaction on it could land
   * inside a Kysely transaction left open across an await.
   */
  readonly sqliteFile: string | null;
  /** A team vault's audit log; absent on the local vault, which keeps none. */
  readonly audit?: AuditInTransaction;
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
  return { db, engine: 'sqlite', sqliteFile: connection.name, close: () => db.destroy() };
}

/**
 * Runs `work` with every query on one connection, for what lives on a connection (TEMP tables):
 * SQLite's one connection, or a PostgreSQL pool connection held until `work` ends (the other
 * queries of the process meanwhile use the rest of the pool). Never a transaction: `work` may await anything.
 */
export function withOneConnection<T>(vault: VaultDb, work: (db: Kysely<VaultTables>) => Promise<T>): Promise<T> {
  return vault.engine === 'sqlite' ? work(vault.db) : vault.db.connection().execute(work);
}

/** A team vault's server cut off or out of reach (team/offline/watched-pool.ts, the read-only copy): no later write can land either. */
const OUT_OF_REACH: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['team.connection_lost', 'team.unreachable', 'team.offline']);

/** Whether `error` says the vault's database itself went away, rather than refusing one write. */
export function isVaultOutOfReach(error: unknown): boolean {
  return error instanceof VaultError && OUT_OF_REACH.has(error.code);
}
