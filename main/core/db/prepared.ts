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
