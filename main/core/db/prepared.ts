import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';
import type { VaultTables } from './tables';
import type { VaultEngine } from './vault-db';

// A query built and compiled once per engine, then run with each call's values. Building and
// compiling Kysely's tree costs tens of microseconds, more than SQLite takes to run most of the
// library's statements, and an import runs a dozen per entry (bench/library-import.ts): the hot
// paths build theirs once. The builder gets a placeholder for each value of `values`, which must
// reach the SQL as a parameter unchanged (no JSON.stringify, lowercasing or `undefined` in the
// builder): each placeholder's place among the compiled parameters is where that value goes.

type Db = Kysely<VaultTables>;

export type Prepared<P extends Record<string, unknown>, R> = (db: Db, engine: VaultEngine, values: P) => Promise<QueryResult<R>>;

/** `build` is given the engine too, for the pieces of SQL that differ between engines (dialect-sql.ts). */
export function prepared<P extends Record<string, unknown>, R>(build: (db: Db, values: P, engine: VaultEngine) => Compilable<R>): Prepared<P, R> {
  const compiled = new Map<VaultEngine, { query: CompiledQuery<R>; slots: (keyof P | null)[] }>();
  return (db, engine, values) => {
    let found = compiled.get(engine);
    if (!found) {
      const tokens = new Map(Object.keys(values).map((key) => [`\u0000certvault:${key}`, key as keyof P]));
      const query = build(db, Object.fromEntries([...tokens].map(([token, key]) => [key, token])) as P, engine).compile();
      found = { query, slots: query.parameters.map((parameter) => tokens.get(parameter as string) ?? null) };
      compiled.set(engine, found);
    }
    const { query, slots } = found;
    const parameters = query.parameters.map((parameter, i) => {
      const slot = slots[i];
      return slot === null || slot === undefined ? parameter : values[slot];
    });
    return db.executeQuery<R>({ ...query, parameters });
  };
}

export type PreparedRows<Row extends Record<string, unknown>, R> = (db: Db, engine: VaultEngine, rows: readonly Row[]) => Promise<R[]>;

/** The most rows one statement of `preparedRows` takes (26 columns of `entries`: 3,328 parameters). */
const MOST_ROWS = 128;

/**
 * A statement over a list of rows (a multi-row INSERT, an IN list): one statement for a batch's
 * rows instead of one per row (an import writes 100 entries at a time). `build` gets `count` rows
 * of placeholders, each of `columns` one parameter. The rows go in pieces of 128 and then of
 * powers of two (100 rows: 64 + 32 + 4), so that a table has at most 8 statement texts whatever
 * the batch sizes, each compiled once per engine and kept in the connection's statement cache.
 * The rows the statements return, in order.
 */
export function preparedRows<Row extends Record<string, unknown>, R = unknown>(
  columns: readonly (keyof Row & string)[],
  build: (db: Db, rows: Row[], engine: VaultEngine) => Compilable<R>,
): PreparedRows<Row, R> {
  type Slot = { readonly row: number; readonly column: keyof Row & string } | null;
  const compiled = new Map<string, { query: CompiledQuery<R>; slots: Slot[] }>();
  const statement = (db: Db, engine: VaultEngine, count: number) => {
    const key = `${engine}:${count}`;
    let found = compiled.get(key);
    if (!found) {
      // As in `prepared`, a placeholder per value; here each says its row and column, so the
      // parameters are taken from the rows as they are, with no object of values built per call.
      const tokens = new Map<string, Slot>();
      const rows = Array.from({ length: count }, (_, row) =>
        Object.fromEntries(
          columns.map((column) => {
            const token = `\u0000certvault:${row}:${column}`;
            tokens.set(token, { row, column });
            return [column, token];
          }),
        ),
      ) as Row[];
      const query = build(db, rows, engine).compile();
      found = { query, slots: query.parameters.map((parameter) => tokens.get(parameter as string) ?? null) };
      compiled.set(key, found);
    }
    return found;
  };
  return async (db, engine, rows) => {
    const out: R[] = [];
    for (let at = 0; at < rows.length; ) {
      const left = rows.length - at;
      const count = left >= MOST_ROWS ? MOST_ROWS : 2 ** Math.floor(Math.log2(left));
      const { query, slots } = statement(db, engine, count);
      const parameters = query.parameters.map((parameter, i) => {
        const slot = slots[i];
        return slot ? rows[at + slot.row]![slot.column] : parameter;
      });
      out.push(...(await db.executeQuery<R>({ ...query, parameters })).rows);
      at += count;
    }
    return out;
  };
}
