import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { forEachEngine } from '../../support/engines';

// The vault tables are the same on both engines: every table, column (with a normalised type and
// nullability), primary key and foreign key (with its ON DELETE). A migration added to one engine
// and not the other, or with another type, fails here. What only one engine has by design is
// listed: SQLite's FTS5 table (PostgreSQL indexes entries.search_text in place) and each engine's
// own migration record.

const SQLITE_ONLY = /^entries_search(_data|_idx|_content|_docsize|_config)?$/;
const POSTGRES_ONLY = new Set(['vault_schema_version']);

interface Column {
  readonly type: 'integer' | 'text' | 'blob';
  readonly nullable: boolean;
}

interface TableShape {
  readonly columns: Record<string, Column>;
  readonly primaryKey: string[];
  /** "column -> table.column ON DELETE action", sorted */
  readonly foreignKeys: string[];
}

type Schema = Record<string, TableShape>;

function normalisedType(type: string): Column['type'] {
  switch (type.toLowerCase()) {
    case 'integer':
    case 'bigint':
      return 'integer';
    case 'text':
      return 'text';
    case 'blob':
    case 'bytea':
      return 'blob';
    default:
      throw new Error(`a column type the parity test does not know: ${type}`);
  }
}

function sqliteSchema(vault: VaultDb): Schema {
  const db = new Database(vault.sqliteFile!, { readonly: true });
  try {
    return readSqliteSchema(db);
  } finally {
    db.close();
  }
}

function readSqliteSchema(db: Database.Database): Schema {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const schema: Schema = {};
  for (const table of tables.filter((name) => !SQLITE_ONLY.test(name))) {
    const columns = db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?)`).all(table) as { name: string; type: string; notnull: number; pk: number }[];
    const keys = db.prepare('SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)').all(table) as { from: string; table: string; to: string; on_delete: string }[];
    schema[table] = {
      // A SQLite primary key column may hold NULL unless declared NOT NULL (a legacy quirk); no
      // vault code ever writes one, and PostgreSQL refuses it: both count as NOT NULL here.
      columns: Object.fromEntries(columns.map((column) => [column.name, { type: normalisedType(column.type), nullable: column.notnull === 0 && column.pk === 0 }])),
      primaryKey: columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name),
      foreignKeys: keys.map((key) => `${key.from} -> ${key.table}.${key.to} ON DELETE ${key.on_delete}`).sort(),
    };
  }
  return schema;
}

const pgDeleteActions: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function postgresSchema(vault: VaultDb): Promise<Schema> {
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
    SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(vault.db);
  const primaryKeys = await sql<{ table_name: string; column_name: string }>`
    SELECT k.table_name, k.column_name FROM information_schema.table_constraints t
    JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
    WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema() ORDER BY k.table_name, k.ordinal_position`.execute(vault.db);
  const foreignKeys = await sql<{ table_name: string; column_name: string; ref_table: string; ref_column: string; action: string }>`
    SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name, c.confrelid::regclass::text AS ref_table,
      af.attname AS ref_column, c.confdeltype AS action
    FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, refcol)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
    JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = k.refcol
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`.execute(vault.db);
  const schema: Record<string, { columns: Record<string, Column>; primaryKey: string[]; foreignKeys: string[] }> = {};
  const shape = (table: string) => (schema[table] ??= { columns: {}, primaryKey: [], foreignKeys: [] });
  for (const row of columns.rows) {
    if (POSTGRES_ONLY.has(row.table_name)) continue;
    shape(row.table_name).columns[row.column_name] = { type: normalisedType(row.data_type), nullable: row.is_nullable === 'YES' };
  }
  for (const row of primaryKeys.rows) if (!POSTGRES_ONLY.has(row.table_name)) shape(row.table_name).primaryKey.push(row.column_name);
  for (const row of foreignKeys.rows) shape(row.table_name).foreignKeys.push(`${row.column_name} -> ${row.ref_table}.${row.ref_column} ON DELETE ${pgDeleteActions[row.action]}`);
  for (const table of Object.values(schema)) table.foreignKeys.sort();
  return schema;
}

const found: Partial<Record<VaultDb['engine'], Schema>> = {};

forEachEngine('vault schema', (open) => {
  it('is read from the migrated database', async () => {
    const vault = await open();
    const schema = vault.engine === 'sqlite' ? sqliteSchema(vault) : await postgresSchema(vault);
    // Sanity: the reader found the tables at all (an empty read would make parity trivially true).
    expect(Object.keys(schema)).toContain('entries');
    expect(schema.entry_certificates!.columns.der).toEqual({ type: 'blob', nullable: false });
    found[vault.engine] = schema;
  });
});

describe('vault schema on both engines', () => {
  it('has the same tables, columns, types, nullability, primary and foreign keys', () => {
    expect(found.sqlite).toBeDefined();
    expect(found.postgres).toBeDefined();
    expect(Object.keys(found.postgres!).sort()).toEqual(Object.keys(found.sqlite!).sort());
    for (const table of Object.keys(found.sqlite!)) expect({ table, ...found.postgres![table] }).toEqual({ table, ...found.sqlite![table] });
  });
});
