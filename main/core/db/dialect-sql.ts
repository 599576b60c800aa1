import { CompiledQuery, sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { VaultEngine } from './vault-db';
import type { VaultTables } from './tables';

// Every place the two engines need different SQL, and nowhere else (docs/data-layer.md). A store
// writes its queries with Kysely once and asks here for the few pieces that differ. Kysely's own
// builders already cover both for: insert-or-ignore / upsert (`onConflict(...).doNothing()` /
// `.doUpdateSet(...)`, SQLite 3.24+ and PostgreSQL alike), RETURNING, and booleans (0/1 on both).
// Times come from the store's injected clock as ISO text, never from the database's now(), so
// tests control them and both engines store the same strings.

type AnyDb = Kysely<VaultTables>;

/**
 * A case-insensitive sort or comparison key for a text column: SQLite's `COLLATE NOCASE` (what its
 * indexes are built with) or PostgreSQL's `lower()` (what its indexes are built on, pg/migrations.ts).
 */
export function nocase(engine: VaultEngine, column: string): RawBuilder<string> {
  return nocaseOf(engine, sql<string>`${sql.ref(column)}`);
}

/** `nocase` of an expression (an index on an expression is matched by that same expression). */
export function nocaseOf(engine: VaultEngine, expression: RawBuilder<string>): RawBuilder<string> {
  return engine === 'sqlite' ? sql<string>`${expression} COLLATE NOCASE` : sql<string>`lower(${expression})`;
}

/** `column` equals `value` ignoring ASCII case, as a SQLite `COLLATE NOCASE` column compares with `=`. */
export function equalsNocase(engine: VaultEngine, column: string, value: string): RawBuilder<SqlBool> {
  return engine === 'sqlite' ? sql<SqlBool>`${sql.ref(column)} = ${value} COLLATE NOCASE` : sql<SqlBool>`lower(${sql.ref(column)}) = lower(${value})`;
}

/**
 * The tie-breaker after a time column, newest or oldest first: SQLite's rowid (the order rows were
 * written in, what the SQLite-only code always used). A PostgreSQL table has no such column, so
 * there rows of the same millisecond fall back to their primary key `id`: stable, not insertion order.
 */
export function insertionOrder(engine: VaultEngine, table: 'upload_history' | 'deployments'): RawBuilder<unknown> {
  return engine === 'sqlite' ? sql`${sql.ref(`${table}.rowid`)}` : sql`${sql.ref(`${table}.id`)}`;
}

/** Whether `error` is a UNIQUE or PRIMARY KEY violation, on either engine (a race the store lost). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const code = String(error.code);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Terms shorter than this have no trigram; SQLite then scans search_text with instr() (search.ts). */
export const TRIGRAM_MIN_LENGTH = 3;

/**
 * entries whose search_text (lowercased) contains `term`, through each engine's trigram index:
 * SQLite's FTS5 table entries_search (a phrase query: the term's characters in a row), PostgreSQL's
 * pg_trgm GIN index on the column, which serves LIKE '%term%'. Shorter terms scan the column.
 */
export function searchTextContains(engine: VaultEngine, term: string): RawBuilder<SqlBool> {
  const lowered = term.toLowerCase();
  if (engine === 'postgres') return sql<SqlBool>`entries.search_text LIKE ${`%${escapeLike(lowered)}%`} ESCAPE '\\'`;
  if ([...lowered].length < TRIGRAM_MIN_LENGTH) return sql<SqlBool>`instr(entries.search_text, ${lowered}) > 0`;
  const phrase = `"${lowered.replaceAll('"', '""')}"`;
  return sql<SqlBool>`entries.search_rowid IN (SELECT rowid FROM entries_search WHERE entries_search MATCH ${phrase})`;
}

/**
 * The parameters of `searchTextMatches` for one (lowercased) term. SQLite: the term, checked with
 * instr() on each row read (the library names the few rows to read from its FTS5 table first,
 * `ftsCandidates`). PostgreSQL: a LIKE pattern, which its planner serves from the pg_trgm index
 * when the term is rare. pg_trgm asks that index for every trigram of the pattern, a posting list
 * each: 62 for a pasted fingerprint, 25 ms at 100,000 entries (14 ms for a serial; EXPLAIN in
 * docs/performance.md). Given `pieces` (a few parts of the term, in its order, not overlapping:
 * search.ts), the pattern holds only those ('%p1%p2%...%': every row containing the term contains
 * them so), the index is asked only their trigrams, and the whole term is checked with strpos(),
 * which no index serves, on the few rows the pattern finds.
 */
export function searchTextParameters(engine: VaultEngine, term: string, pieces: readonly string[] | null): readonly string[] {
  if (engine === 'sqlite') return [term];
  if (pieces === null) return [`%${escapeLike(term)}%`];
  return [`%${pieces.map(escapeLike).join('%')}%`, term];
}

export function searchTextMatches(engine: VaultEngine, parameters: readonly string[]): RawBuilder<SqlBool> {
  const [pattern, whole] = parameters;
  if (engine === 'sqlite') return sql<SqlBool>`instr(search_text, ${pattern}) > 0`;
  if (whole === undefined) return sql<SqlBool>`search_text LIKE ${pattern} ESCAPE '\\'`;
  // `<> 0`, not `> 0`: the planner, with no statistics for strpos(), takes `<>` to keep 99.5 % of the
  // rows and `>` a third, which made it expect a common term ("example.net") to be rare and read
  // every match to sort them (a sequential scan, 25 ms at 10,000) rather than walk the sort index.
  return sql<SqlBool>`search_text LIKE ${pattern} ESCAPE '\\' AND strpos(search_text, ${whole}) <> 0`;
}

/**
 * A filter column that no index should be chosen for: SQLite's unary plus (without statistics it
 * would look rows up by a filter that keeps most of the library, then sort them whole, rather
 * than walk the sort column's index); PostgreSQL's planner has statistics, so the plain column.
 */
export function unindexed(engine: VaultEngine, column: string): RawBuilder<unknown> {
  return engine === 'sqlite' ? sql`+${sql.ref(column)}` : sql`${sql.ref(column)}`;
}

/** The rows of the FTS5 trigram table matching `match` (an FTS5 query), up to `limit` of them. */
export const FTS_CANDIDATES_SQL = 'SELECT rowid FROM entries_search WHERE entries_search MATCH ? LIMIT ?';

/**
 * The search_rowids SQLite's FTS5 table names for an FTS5 query, up to `limit`; null on
 * PostgreSQL, whose trigram index is on the column itself and chosen by its planner.
 */
export async function ftsCandidates(engine: VaultEngine, db: AnyDb, match: string, limit: number): Promise<number[] | null> {
  if (engine === 'postgres') return null;
  const result = await sql<{ rowid: number }>`SELECT rowid FROM entries_search WHERE entries_search MATCH ${match} LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => row.rowid);
}

/**
 * Counts the library's entries, keeping the last count for as long as nothing has changed. Every
 * window of an unfiltered list asks for the library's size (the app shows it exactly). SQLite
 * answers count(*) from its narrowest index. PostgreSQL must check each row's visibility: from the
 * visibility map where VACUUM has set it, otherwise in the row itself (3,600 of 10,000 rows right
 * after an import: 18 ms, bench/library-search.ts --engine postgres). There one statement returns
 * the current snapshot (`dataRevisionToken`: equal snapshots see the same committed data) and
 * counts only when it differs from the snapshot of the kept count; the scalar subquery is an
 * InitPlan, which PostgreSQL runs only when the CASE reaches it.
 */
export function entryCounter(): (engine: VaultEngine, db: AnyDb) => Promise<number> {
  let kept: { readonly snapshot: string; readonly count: number } | null = null;
  return async (engine, db) => {
    if (engine === 'sqlite') return Number((await db.executeQuery<{ n: number }>(COUNT_ENTRIES)).rows[0]!.n);
    const { rows } = await db.executeQuery<{ snapshot: string; n: string | null }>(CompiledQuery.raw(COUNT_ENTRIES_IF_CHANGED, [kept?.snapshot ?? '']));
    const { snapshot, n } = rows[0]!;
    if (n !== null) kept = { snapshot, count: Number(n) };
    // n is null only for the kept count's own snapshot (no snapshot's text is empty).
    return kept!.count;
  };
}

const COUNT_ENTRIES = CompiledQuery.raw('SELECT count(*) AS n FROM entries');
/** The current snapshot, and the number of entries unless the snapshot is $1. */
export const COUNT_ENTRIES_IF_CHANGED = `SELECT pg_current_snapshot()::text AS snapshot,
  CASE WHEN pg_current_snapshot()::text = $1 THEN NULL ELSE (SELECT count(*) FROM entries) END AS n`;

/** A list of numbers as a table of one column, `value` (one parameter, however long the list). */
export function numberTable(engine: VaultEngine, values: readonly number[]): RawBuilder<{ value: number }> {
  return numberTableOf(engine, numberListParameter(engine, values));
}

/** `numberTable` split in two: the one parameter holding the list, and the table over it. */
export function numberListParameter(engine: VaultEngine, values: readonly number[]): string | number[] {
  return engine === 'sqlite' ? JSON.stringify(values) : [...values];
}

export function numberTableOf(engine: VaultEngine, parameter: string | number[]): RawBuilder<{ value: number }> {
  return engine === 'sqlite' ? sql<{ value: number }>`json_each(${parameter})` : sql<{ value: number }>`(SELECT unnest(${parameter}::bigint[]) AS value)`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The last search_rowid given, from its unique index: an entry's entries_search row has its
 * search_rowid as rowid, except while a bulk write leaves those rows for its end (bulk-write.ts).
 */
const LAST_SEARCH_ROWID = CompiledQuery.raw('SELECT max(search_rowid) AS rowid FROM entries');
/**
 * One statement for any number of texts, run last in the batch's transaction. FTS5 keeps a
 * transaction's index data in memory until the commit but writes it out as a segment at each
 * savepoint, which a later statement opens when it needs a statement journal (a multi-row insert
 * does): inserted 64 + 32 + 4 rows at a time, a batch's texts cost more than twice as much
 * (docs/performance.md, import CPU per entry).
 */
const INSERT_SEARCH_TEXTS = 'INSERT INTO entries_search (rowid, text) SELECT key + ?, value FROM json_each(?)';

/**
 * The search_rowid column of new entries, in order, to spread into their inserts, and the write
 * of their search texts, to run once the rest of the batch is written. SQLite: the rowids their
 * entries_search rows will have (the FTS index is a table of its own there, removed by trigger
 * with the entry): the next ones after the last, given to the insert, which cannot say which rowid
 * each row got; no other writer can insert in between (the caller holds the write transaction,
 * BEGIN IMMEDIATE). PostgreSQL: nothing, the identity column numbers each row as it is inserted
 * (the column is indexed in place), which spares a round trip per entry (`nextval`). Each engine
 * always gives the same columns, so the insert stays one prepared statement (prepared.ts).
 */
export async function searchRowidColumns(
  engine: VaultEngine,
  db: AnyDb,
  texts: readonly string[],
): Promise<{ columns: { search_rowid?: number }[]; indexTexts: () => Promise<void> }> {
  if (engine === 'postgres' || texts.length === 0) return { columns: texts.map(() => ({})), indexTexts: async () => undefined };
  const [last] = (await db.executeQuery<{ rowid: number | null }>(LAST_SEARCH_ROWID)).rows;
  const first = (last?.rowid ?? 0) + 1;
  return {
    columns: texts.map((_, i) => ({ search_rowid: first + i })),
    indexTexts: async () => {
      await db.executeQuery(CompiledQuery.raw(INSERT_SEARCH_TEXTS, [first, JSON.stringify(texts)]));
    },
  };
}

/** After entries.search_text changed: SQLite's FTS copy follows; PostgreSQL's index already has. */
export async function reindexSearchText(engine: VaultEngine, db: AnyDb, entryId: string, text: string): Promise<void> {
  if (engine === 'postgres') return;
  await db
    .updateTable('entries_search')
    .set({ text })
    .where('rowid', '=', (eb) => eb.selectFrom('entries').select('search_rowid').where('id', '=', entryId))
    .execute();
}

/**
 * The first element of a JSON array kept as text (null when it is empty): SQLite's json_extract,
 * PostgreSQL's jsonb operator (the column is text there too, so it is cast).
 */
export function firstJsonElement(engine: VaultEngine, column: string): RawBuilder<string | null> {
  return engine === 'sqlite' ? sql<string | null>`json_extract(${sql.ref(column)}, '$[0]')` : sql<string | null>`(${sql.ref(column)}::jsonb ->> 0)`;
}

/**
 * A token that changes whenever a transaction commits a change to the database, whoever commits it.
 *
 * SQLite: `PRAGMA data_version` counts the commits of every OTHER connection to the file (the CLI,
 * the library's own connection), `total_changes()` this connection's own rows.
 *
 * PostgreSQL: the current snapshot (`xmin:xmax:in-progress xids`, xmax being one past the newest
 * finished transaction). Two equal snapshots see exactly the same committed transactions, so the
 * data cannot differ; a transaction that wrote moves it when it commits (or aborts, a needless
 * change), whichever connection or member it ran on. Nothing is written to keep it
 * (no counter row every writer would queue on, no trigger), and a read-only query never moves it.
 * It is the whole cluster's: a write to another database of the same server also moves it, which
 * costs a needless rebuild, never a stale answer.
 */
export async function dataRevisionToken(engine: VaultEngine, db: AnyDb): Promise<string> {
  if (engine === 'postgres') {
    const result = await sql<{ snapshot: string }>`SELECT pg_current_snapshot()::text AS snapshot`.execute(db);
    return result.rows[0]!.snapshot;
  }
  const result = await sql<{ others: number; own: number }>`SELECT (SELECT data_version FROM pragma_data_version) AS others, total_changes() AS own`.execute(db);
  const row = result.rows[0]!;
  return `${row.others}.${row.own}`;
}

/**
 * Holds, until the transaction ends, the right to check and claim this certificate on this cloud
 * account. PostgreSQL: a transaction-scoped advisory lock keyed on the pair (a 64-bit hash; a
 * collision only makes two unrelated pairs wait for each other), so two members' check-then-insert
 * cannot interleave. SQLite: nothing to take, the transaction's write lock already serialises them.
 */
export async function lockCertificateOnAccount(engine: VaultEngine, trx: AnyDb, fingerprintSha256: string, accountId: string): Promise<void> {
  if (engine === 'sqlite') return;
  const key = `certvault.deploy/${fingerprintSha256.toLowerCase()}/${accountId}`;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}


/**
 * A TEMP table of this connection (vault-db.ts `withOneConnection`). `keyed`: its first column is
 * the primary key, and on SQLite the table is that key alone (WITHOUT ROWID: one b-tree, not two).
 */
export async function createTempTable(engine: VaultEngine, db: AnyDb, name: string, columns: RawBuilder<unknown>, { keyed }: { keyed: boolean }): Promise<void> {
  const rowid = engine === 'sqlite' && keyed ? sql` WITHOUT ROWID` : sql``;
  await sql`CREATE TEMP TABLE ${sql.table(name)} (${columns})${rowid}`.execute(db);
}

/**
 * Holds, until the transaction ends, the right to read and then change what `name` stands for
 * (the data key's check value and claim). PostgreSQL: a transaction-scoped advisory lock on its
 * hash, since READ COMMITTED lets two transactions both read "none" and both write. SQLite:
 * nothing to take, the transaction's write lock (BEGIN IMMEDIATE) already serialises them.
 */
export async function lockNamed(engine: VaultEngine, trx: AnyDb, name: string): Promise<void> {
  if (engine === 'sqlite') return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`certvault.${name}`}, 0))`.execute(trx);
}
