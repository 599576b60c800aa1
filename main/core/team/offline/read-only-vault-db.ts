import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type KyselyPlugin, type OperationNode, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type SqliteDatabase, type SqliteStatement, type UnknownRow } from 'kysely';
import type { VaultError } from '../../../../shared/errors';
import { cachedDatabase } from '../../db/sqlite-dialect';
import type { VaultTables } from '../../db/tables';
import type { VaultDb } from '../../db/vault-db';

// A team vault's local copy as a VaultDb that only reads (the server is out of reach). Two walls:
// every query is looked at before it runs, and anything but a read is refused with the offline
// error (the caller's message: which vault, since when, from when the copy is); and the file is
// opened read-only, so a write that got past the first wall (raw SQL through the connection)
// fails in SQLite itself, and says the same. A transaction that writes therefore fails at its
// first write and rolls back: nothing of it lands anywhere.

export function openReadOnlySnapshot(file: string, refusal: () => VaultError): VaultDb {
  const connection = new Database(file, { readonly: true, fileMustExist: true });
  const cached = cachedDatabase(connection, { closeWithKysely: true });
  const database: SqliteDatabase = {
    prepare: (text) => refusingWrites(cached.prepare(text), refusal),
    close: () => cached.close(),
  };
  // Kysely's stock driver begins with a deferred BEGIN: a read-only transaction takes no write lock.
  const db = new Kysely<VaultTables>({ dialect: new SqliteDialect({ database }), plugins: [new RefuseWritesPlugin(refusal)] });
  return { db, engine: 'sqlite', sqliteFile: file, close: () => db.destroy() };
}

/** Whether a query only reads: a SELECT (whose WITH parts are SELECTs too), or raw SQL starting with SELECT. */
export function isReadOnlyQuery(node: RootOperationNode): boolean {
  if (node.kind === 'RawNode') return /^\s*select\b/i.test(node.sqlFragments[0] ?? '');
  if (node.kind !== 'SelectQueryNode') return false;
  return (node.with?.expressions ?? []).every((cte) => isReadOnlyPart(cte.expression));
}

function isReadOnlyPart(node: OperationNode): boolean {
  return node.kind === 'SelectQueryNode' || (node.kind === 'RawNode' && isReadOnlyQuery(node as RootOperationNode));
}

export class RefuseWritesPlugin implements KyselyPlugin {
  constructor(private readonly refusal: () => VaultError) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!isReadOnlyQuery(args.node)) throw this.refusal();
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

function refusingWrites(statement: SqliteStatement, refusal: () => VaultError): SqliteStatement {
  const guarded = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_READONLY')) throw refusal();
      throw error;
    }
  };
  return {
    reader: statement.reader,
    all: (parameters) => guarded(() => statement.all(parameters)),
    run: (parameters) => guarded(() => statement.run(parameters)),
    iterate: (parameters) => statement.iterate(parameters),
  };
}
