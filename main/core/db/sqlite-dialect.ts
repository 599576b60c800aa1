import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { wrapBusy } from './connection';

// Kysely's SQLite dialect over better-sqlite3, with two changes the vault needs:
//
// - Prepared statements are kept, by SQL text, in a bounded LRU. Kysely's stock driver prepares a
//   statement on every query; a statement holds native memory the garbage collector cannot see, so
//   a 10,000-entry import grows the process by hundreds of megabytes before the collector catches
//   up (statements.ts; bench/db-statements.ts measures both drivers). Bounded, because queries with
//   a variable number of parameters (IN lists, multi-row inserts) each have their own text.
// - Every transaction is BEGIN IMMEDIATE: the write lock is taken at the start, where busy_timeout
//   waits for the app or the CLI to finish theirs. A deferred BEGIN that later upgrades to write
//   fails at once with SQLITE_BUSY_SNAPSHOT when another process committed in between, and the
//   migrations and every store before Kysely used IMMEDIATE for that reason.
//
// SQLITE_BUSY (the other process held the lock past the timeout) becomes VaultError 'vault.busy',
// as wrapBusy does for the synchronous code.
//
// Kysely serialises every query of one SQLite connection through a mutex (its SqliteAdapter says
// the engine has a single connection), so a transaction's statements never interleave with another
// async task's. That holds only while nothing else uses the connection: once a connection is handed
// to Kysely, no code may run its own transactions on it (vault-db.ts).

/** Statements kept per connection; the vault's stores use far fewer distinct texts. */
export const STATEMENT_CACHE_SIZE = 256;

export class StatementLru {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly capacity: number = STATEMENT_CACHE_SIZE,
  ) {}

  get(sql: string): Database.Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      // Map keeps insertion order: moving a hit to the end leaves the least recently used first.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.db.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.capacity) this.statements.delete(this.statements.keys().next().value!);
    return statement;
  }

  get size(): number {
    return this.statements.size;
  }
}

/** The SqliteDatabase Kysely's driver calls, answering `prepare` from the cache. */
export function cachedDatabase(db: Database.Database, options: { capacity?: number; closeWithKysely: boolean }): SqliteDatabase {
  const cache = new StatementLru(db, options.capacity);
  return {
    prepare: (sql) => busyMapped(cache.get(sql)),
    close: () => {
      if (options.closeWithKysely) db.close();
    },
  };
}

function busyMapped(statement: Database.Statement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => wrapBusy(() => statement.all(parameters)),
    run: (parameters) => wrapBusy(() => statement.run(parameters)),
    iterate: function* (parameters) {
      const rows = statement.iterate(parameters);
      try {
        for (;;) {
          const next = wrapBusy(() => rows.next());
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // A consumer that stops early must still release the statement for the next query.
        rows.return?.();
      }
    },
  };
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export interface VaultSqliteDialectConfig {
  readonly database: Database.Database;
  /** Whether destroying the Kysely instance closes the connection (false: its opener closes it). */
  readonly closeWithKysely: boolean;
  readonly statementCacheSize?: number;
}

export class VaultSqliteDialect extends SqliteDialect {
  private readonly driverConfig: { database: SqliteDatabase };

  constructor(config: VaultSqliteDialectConfig) {
    const database = cachedDatabase(config.database, {
      closeWithKysely: config.closeWithKysely,
      ...(config.statementCacheSize === undefined ? {} : { capacity: config.statementCacheSize }),
    });
    super({ database });
    this.driverConfig = { database };
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.driverConfig);
  }
}
