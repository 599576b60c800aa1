import { sql, type CompiledQuery, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { LibraryPage, LibraryQuery, SortColumn } from '../../../shared/library';
import { libraryLimits } from '../../../shared/library';
import { entryCounter, ftsCandidates, nocase, nocaseOf, numberListParameter, numberTableOf, searchTextMatches, searchTextParameters, TRIGRAM_MIN_LENGTH, unindexed } from '../db/dialect-sql';
import { prepared } from '../db/prepared';
import type { VaultTables } from '../db/tables';
import type { VaultDb, VaultEngine } from '../db/vault-db';
import { ENTRY_COLUMN_NAMES, toEntry, type EntryRow } from './entry-row';

// Search, filters, sort and a window. Search is a substring match of every term against
// `search_text` (lowercased at write time): `instr`, checked on each row the query reads. Which
// rows it reads depends on how many could match (bench/library-search.ts, at 10,000 and 100,000):
//
// - Few candidates (a hostname, a fingerprint or serial, a rare word): the FTS5 trigram index
//   names them. Only a few trigrams of each term are asked, spread over it and not overlapping:
//   every match holds them all, and each trigram more costs a doclist read (a 64-digit
//   fingerprint as a phrase of 62 trigrams costs 12 ms at 100,000 entries, 6 trigrams under 1 ms;
//   a hex term asks 4, those with the fewest digits).
//   Those rows are then read by search_rowid, checked, and sorted; the count is exact.
// Either way one statement lists the matches' ids in order (all of them, or up to a margin past
// the window): their number is the count, the window is a slice, and only its rows are read.
// - Many candidates (a common word, a first letter typed): reading them all from the trigram index
//   costs in proportion to the library (150 ms for "example" at 100,000). Instead the sort
//   column's index is walked in order and each row checked, which stops once the window is full;
//   the count stops a margin past the window (`totalCapped`), as mail clients do: "600+".
// - No search: the sort column's index holds every filtered column (db/migrations.ts, version 3),
//   so the window's ids come from one index, without reading any wide row. The count is exact for
//   the whole library (a count SQLite keeps cheap); with filters it stops a margin past the window
//   too, since counting every match meant a walk of the whole index (17 ms at 100,000). A window
//   in the far half of the list is read from the index's other end (`runList`).
//
// The sort expressions below must match those indexes exactly (on PostgreSQL, pg/migrations.ts
// builds the same indexes on lower(...); there the trigram index is on search_text itself and its
// planner, which has statistics, chooses between it and the sort index; a long term asks it a few
// of its parts too, `likePieces`).

type SortPart = (engine: VaultEngine) => RawBuilder<unknown>;
const column = (name: string): SortPart => () => sql`${sql.ref(name)}`;
const nocaseColumn = (name: string): SortPart => (engine) => nocase(engine, name);

const SORT_SQL: Readonly<Record<SortColumn, readonly SortPart[]>> = {
  name: [nocaseColumn('name')],
  commonName: [nocaseColumn('common_name')],
  dnsNames: [nocaseColumn('dns_names')],
  issuer: [(engine) => nocaseOf(engine, sql<string>`coalesce(issuer_common_name, issuer)`)],
  serialNumber: [column('serial_number')],
  fingerprintSha256: [column('fingerprint_sha256')],
  notBefore: [column('not_before')],
  notAfter: [column('not_after')],
  keyAlgorithm: [column('key_algorithm'), column('key_size')],
  hasKey: [column('has_key')],
  isCA: [column('is_ca')],
  tags: [nocaseColumn('tags')],
  sourceFile: [nocaseColumn('source_file')],
  importedAt: [column('imported_at')],
};

const DAY_MS = 86_400_000;
/** Trigrams asked of the index per term: enough to narrow a term to its matches, few enough to be cheap. */
const TRIGRAMS_PER_TERM = 6;
/**
 * A term of hex digits only (a fingerprint or serial, whole or in part) asks fewer, letters first:
 * a trigram of digits is in the dates and numbers of most entries, so its doclist is long, while
 * four hex trigrams with letters leave about one candidate (a fingerprint at 100,000 entries:
 * 0.69 ms from the FTS5 table against 1.9 ms for six trigrams, digits first).
 */
const TRIGRAMS_PER_HEX_TERM = 4;
const HEX_TERM = /^[0-9a-f]+$/;
/**
 * Up to this many candidates from the trigram index, the rows are read by id; from this many on,
 * walking the sort index is cheaper (it checks about window/density rows, and density is then at
 * least this over the library size).
 */
const CANDIDATE_LIMIT = 2000;
/** How far past the window's end a count of many matches goes before it says "at least". */
const COUNT_AHEAD = 400;
const DEFAULT_PAGE = 200;

type Db = Kysely<VaultTables>;
/** A statement of the search: run, or compiled for its query plan (tests). */
interface Statement<R> {
  compile(): CompiledQuery<R>;
  execute(): Promise<R[]>;
}

/** Query shapes whose statements are kept compiled: far more than a user's sorts and filters make. */
const SHAPES_KEPT = 200;

export class LibrarySearch {
  private readonly shapes = new Map<string, (values: ListValues) => ListStatements>();
  private readonly countEntries = entryCounter();

  constructor(private readonly vault: VaultDb) {}

  async query(query: LibraryQuery, now: Date): Promise<LibraryPage> {
    const values = listValues(this.vault.engine, query, now, await this.candidates(query));
    return runList(this.vault.db, this.compiledList(query, values)(values), () => this.countEntries(this.vault.engine, this.vault.db));
  }

  /**
   * The query's statements, compiled once per shape (which sort, which filters, how many terms):
   * building and compiling Kysely's tree cost more CPU than SQLite's answer to most queries. The
   * shape's statements are built once with a placeholder for every value (`ListValues`), compiled,
   * and each call fills its own values into the compiled parameters. Kept per engine too: a team
   * vault's VaultDb follows its connection onto the local SQLite copy while the server is away.
   */
  private compiledList(query: LibraryQuery, values: ListValues): (values: ListValues) => ListStatements {
    const key = `${this.vault.engine} ${shapeOf(query, values)}`;
    let compiled = this.shapes.get(key);
    if (!compiled) {
      compiled = compileShape(this.vault, query, values);
      if (this.shapes.size >= SHAPES_KEPT) this.shapes.delete(this.shapes.keys().next().value!);
      this.shapes.set(key, compiled);
    }
    return compiled;
  }

  /**
   * The search_rowids that can match (fewer than CANDIDATE_LIMIT), or null when more might, or
   * when the engine's planner picks the trigram index itself (PostgreSQL).
   */
  private async candidates(query: LibraryQuery): Promise<number[] | null> {
    const match = trigramQuery(searchTerms(query.search));
    if (match === null) return null;
    const ids = await ftsCandidates(this.vault.engine, this.vault.db, match, CANDIDATE_LIMIT);
    return ids !== null && ids.length < CANDIDATE_LIMIT ? ids : null;
  }
}

export type ListStatements =
  | {
      /** Neither search nor filter: the library's size and the window's ids from the sort column's index. */
      readonly kind: 'indexed';
      /** The library's size, unless `runList` is given a counter that remembers it (dialect-sql.ts `entryCounter`). */
      readonly count: Statement<{ n: number }>;
      /** The ids of the window's entries, in order. */
      readonly window: Statement<{ search_rowid: number }>;
      /** The window's rows, in order. */
      readonly rows: Statement<EntryRow>;
      /** The rows of the window `offset` rows from the end of the list (`limit` of them), in the list's order. */
      readonly rowsFromEnd: (offset: number, limit: number) => Statement<EntryRow>;
      readonly offset: number;
      readonly limit: number;
    }
  | {
      /**
       * A search: the ids of the matches in order, all of them (few candidates) or up to
       * `countCap` (many): one pass gives the count and the window, whose rows are then read by id.
       */
      readonly kind: 'matched';
      readonly matches: (cap: number | null) => Statement<{ search_rowid: number }>;
      readonly countCap: number | null;
      /** The window alone, as `matches` finds it (for the query plan tests). */
      readonly window: Statement<{ search_rowid: number }>;
      readonly offset: number;
      readonly limit: number;
      /** Where the window's rows are read (`ROWS_BY_SEARCH_ROWID`). */
      readonly engine: VaultEngine;
    };

/** The rows of these search_rowids, in no order: one statement text (and one parameter) however many. */
const ROWS_BY_SEARCH_ROWID = prepared((db, p: { ids: string | number[] }, engine) =>
  db
    .selectFrom('entries')
    .select([...ENTRY_COLUMN_NAMES, 'search_rowid'])
    .where('search_rowid', 'in', (eb) => eb.selectFrom(numberTableOf(engine, p.ids).as('id')).select('id.value')),
);

/** Runs a query's statements: the page of LibrarySearch.query. */
export async function runList(db: Db, statements: ListStatements, countEntries?: () => Promise<number>): Promise<LibraryPage> {
  const { offset } = statements;
  if (statements.kind === 'indexed') {
    const total = countEntries ? await countEntries() : Number((await statements.count.execute())[0]!.n);
    // A window in the far half of the list is found from the other end of the sort index: an index
    // reaches an offset one entry at a time (66 ms to skip 99,800 of 100,000 on PostgreSQL), so no
    // walk is longer than half the library.
    const shown = Math.min(statements.limit, total - offset);
    const fromEnd = Math.max(0, total - offset - statements.limit);
    const rows = shown > 0 && fromEnd < offset ? await statements.rowsFromEnd(fromEnd, shown).execute() : await statements.rows.execute();
    return { total, totalCapped: false, offset, entries: rows.map(toEntry) };
  }
  const matches = (await statements.matches(statements.countCap).execute()).map((row) => row.search_rowid);
  const window = matches.slice(offset, offset + statements.limit);
  const rows = window.length === 0 ? [] : (await ROWS_BY_SEARCH_ROWID(db, statements.engine, { ids: numberListParameter(statements.engine, window) })).rows;
  const position = new Map(window.map((id, i) => [id, i]));
  rows.sort((a, b) => position.get(a.search_rowid)! - position.get(b.search_rowid)!);
  const totalCapped = statements.countCap !== null && matches.length >= statements.countCap;
  return { total: matches.length, totalCapped, offset, entries: rows.map(toEntry) };
}

/** Every parameter of a query's statements: what differs between two queries of one shape. */
interface ListValues {
  /** One per search term: the parameters the engine compares it with (dialect-sql.ts `searchTextParameters`). */
  readonly patterns: readonly (readonly string[])[];
  readonly now: string;
  /** The end of "expiring within N days", when asked. */
  readonly soon: string | null;
  readonly offset: number;
  readonly limit: number;
  /** Where a count of many matches stops (walking the sort index). */
  readonly countCap: number;
  /** The candidate search_rowids as one parameter (dialect-sql.ts `numberListParameter`), or null. */
  readonly candidates: string | number[] | null;
}

function listValues(engine: VaultEngine, query: LibraryQuery, now: Date, candidates: readonly number[] | null): ListValues {
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(Math.max(0, query.limit ?? DEFAULT_PAGE), libraryLimits.maxPageSize);
  return {
    patterns: searchTerms(query.search).map((term) => searchTextParameters(engine, term, engine === 'postgres' ? likePieces([...term]) : null)),
    now: now.toISOString(),
    soon: query.expiringWithinDays === undefined ? null : new Date(now.getTime() + query.expiringWithinDays * DAY_MS).toISOString(),
    offset,
    limit,
    countCap: offset + limit + COUNT_AHEAD,
    candidates: candidates === null ? null : numberListParameter(engine, candidates),
  };
}

/** What decides the statements' SQL text; everything else is a parameter (`ListValues`). */
function shapeOf(query: LibraryQuery, values: ListValues): string {
  return JSON.stringify([
    query.sort ?? 'name',
    query.descending === true,
    query.expired === true,
    query.hideExpired === true,
    values.soon !== null,
    query.hasKey ?? null,
    query.kind ?? null,
    query.currentOnly === true,
    values.patterns.map((parameters) => parameters.length),
    values.candidates !== null,
  ]);
}

/**
 * A shape's statements built with a placeholder in place of each value and compiled; the function
 * returned gives the statements of one query of that shape, its values in the placeholders' places.
 */
function compileShape(vault: Pick<VaultDb, 'db' | 'engine'>, query: LibraryQuery, shape: ListValues): (values: ListValues) => ListStatements {
  const fills = new Map<unknown, (values: ListValues) => unknown>();
  const placeholder = <T>(name: string, fill: (values: ListValues) => unknown): T => {
    const token = `\u0000certvault:${name}`;
    fills.set(token, fill);
    return token as T;
  };
  const placeholders: ListValues = {
    patterns: shape.patterns.map((parameters, i) => parameters.map((_, j) => placeholder<string>(`pattern${i}.${j}`, (values) => values.patterns[i]![j]))),
    now: placeholder('now', (values) => values.now),
    soon: shape.soon === null ? null : placeholder('soon', (values) => values.soon),
    offset: placeholder('offset', (values) => values.offset),
    limit: placeholder('limit', (values) => values.limit),
    countCap: placeholder('countCap', (values) => values.countCap),
    candidates: shape.candidates === null ? null : placeholder('candidates', (values) => values.candidates),
  };
  const built = buildList(vault, query, placeholders);
  const template = <R>(statement: Statement<R>): ((values: ListValues) => Statement<R>) => {
    let compiled: CompiledQuery<R> | null = null;
    return (values) => {
      compiled ??= statement.compile();
      const parameters = compiled.parameters.map((parameter) => {
        const fill = fills.get(parameter);
        return fill ? fill(values) : parameter;
      });
      const filled: CompiledQuery<R> = { ...compiled, parameters };
      return { compile: () => filled, execute: async () => (await vault.db.executeQuery(filled)).rows };
    };
  };
  if (built.kind === 'indexed') {
    const [count, window, rows, rowsFromEnd] = [template(built.count), template(built.window), template(built.rows), template(built.rowsFromEnd(placeholders.offset, placeholders.limit))];
    return (values) => ({
      kind: 'indexed',
      count: count(values),
      window: window(values),
      rows: rows(values),
      rowsFromEnd: (offset, limit) => rowsFromEnd({ ...values, offset, limit }),
      offset: values.offset,
      limit: values.limit,
    });
  }
  const all = template(built.matches(null));
  const capped = template(built.matches(placeholders.countCap));
  const window = template(built.window);
  const walks = built.countCap !== null;
  return (values) => ({
    kind: 'matched',
    matches: (cap) => (cap === null ? all(values) : capped({ ...values, countCap: cap })),
    countCap: walks ? values.countCap : null,
    window: window(values),
    offset: values.offset,
    limit: values.limit,
    engine: vault.engine,
  });
}

/**
 * The statements for a query. `candidates`: the only rows that can match the search (from the
 * trigram index), or null to check every row the sort index walk reaches.
 */
export function listStatements(
  vault: Pick<VaultDb, 'db' | 'engine'>,
  query: LibraryQuery,
  now: Date,
  candidates: readonly number[] | null = null,
): ListStatements {
  return buildList(vault, query, listValues(vault.engine, query, now, candidates));
}

function buildList({ db, engine }: Pick<VaultDb, 'db' | 'engine'>, query: LibraryQuery, values: ListValues): ListStatements {
  const where: RawBuilder<SqlBool>[] = values.patterns.map((parameters) => searchTextMatches(engine, parameters));
  // Every filter is `unindexed`: SQLite's unary plus keeps it from looking rows up by it (by
  // has_key = 1, say, which is most of the library) and sorting them whole. Without statistics it
  // cannot tell a filter that keeps 9 rows in 10 from one that keeps 1, so it walks the sort
  // column's index (db/migrations.ts) and checks each filter there: at worst one pass over a narrow
  // index, never a sort of full rows.
  const filter = (name: string) => unindexed(engine, name);
  const nowIso = values.now;
  if (query.expired) where.push(sql<SqlBool>`${filter('not_after')} < ${nowIso}`);
  if (query.hideExpired) where.push(sql<SqlBool>`${filter('not_after')} >= ${nowIso}`);
  if (values.soon !== null) where.push(sql<SqlBool>`${filter('not_after')} >= ${nowIso} AND ${filter('not_after')} <= ${values.soon}`);
  if (query.hasKey !== undefined) where.push(sql<SqlBool>`${filter('has_key')} = ${query.hasKey ? 1 : 0}`);
  if (query.kind) where.push(sql<SqlBool>`${filter('is_ca')} = ${query.kind === 'ca' ? 1 : 0}`);
  // The renewed entries are found once (entries_renews), and each row is checked by its
  // search_rowid, which every list index holds: the filter reads no wide row.
  if (query.currentOnly) {
    where.push(
      sql<SqlBool>`${filter('search_rowid')} NOT IN (SELECT renewed.search_rowid FROM entries renewed WHERE renewed.id IN (SELECT renews_id FROM entries))`,
    );
  }

  const direction = sql.raw(query.descending ? 'DESC' : 'ASC');
  // search_rowid is unique: ties (same name, same expiry) keep one order from page to page.
  const parts = [...SORT_SQL[query.sort ?? 'name'].map((part) => part(engine)), sql`search_rowid`];
  const order = sql.join(parts.map((part) => sql`${part} ${direction}`));
  const backwards = sql.raw(query.descending ? 'ASC' : 'DESC');
  const orderFromEnd = sql.join(parts.map((part) => sql`${part} ${backwards}`));
  const { offset, limit } = values;
  const whereAll = sql<SqlBool>`${sql.join(where, sql` AND `)}`;

  if (where.length === 0) {
    const window = db.selectFrom('entries').select('search_rowid').orderBy(order).limit(limit).offset(offset);
    return {
      kind: 'indexed',
      count: db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')),
      window,
      rows: db.selectFrom('entries').select(ENTRY_COLUMN_NAMES).where('search_rowid', 'in', window).orderBy(order),
      rowsFromEnd: (fromEnd, count) =>
        db
          .selectFrom('entries')
          .select(ENTRY_COLUMN_NAMES)
          .where('search_rowid', 'in', db.selectFrom('entries').select('search_rowid').orderBy(orderFromEnd).limit(count).offset(fromEnd))
          .orderBy(order),
      offset,
      limit,
    };
  }
  if (values.candidates !== null) {
    // CROSS JOIN keeps this order: the candidates first, each row then found by its unique search_rowid.
    const ordered = db
      .selectFrom(numberTableOf(engine, values.candidates).as('candidate'))
      .crossJoin('entries')
      .select('entries.search_rowid')
      .whereRef('entries.search_rowid', '=', 'candidate.value')
      .where(whereAll)
      .orderBy(order);
    return { kind: 'matched', matches: () => ordered, countCap: null, window: ordered.limit(limit).offset(offset), offset, limit, engine };
  }
  const ordered = db.selectFrom('entries').select('search_rowid').where(whereAll).orderBy(order);
  return {
    kind: 'matched',
    matches: (cap) => (cap === null ? ordered : ordered.limit(cap)),
    countCap: values.countCap,
    window: ordered.limit(limit).offset(offset),
    offset,
    limit,
    engine,
  };
}

/**
 * The trigram index query naming every row that can match all the terms, or null when no term is
 * long enough to ask it. Per term, trigrams that do not overlap, spread from its start to its end.
 */
export function trigramQuery(terms: readonly string[]): string | null {
  const trigrams = terms.flatMap((term) => spreadTrigrams([...term]));
  if (trigrams.length === 0) return null;
  return [...new Set(trigrams)].map((trigram) => `"${trigram.replace(/"/g, '""')}"`).join(' AND ');
}

/**
 * Non-overlapping trigrams covering the term; when there are more than TRIGRAMS_PER_TERM, those
 * with the most digits first (digits tell hosts, serials and fingerprints apart, while the letters
 * of "host" or "example.com" are in most of the library: asking for those gave 805 candidates for
 * one hostname at 100,000 entries, its digits 23), the rest spread over the term.
 */
function spreadTrigrams(chars: readonly string[]): string[] {
  if (chars.length < TRIGRAM_MIN_LENGTH) return [];
  const starts = pieceStarts(chars);
  if (chars.length % TRIGRAM_MIN_LENGTH !== 0) starts.push(chars.length - TRIGRAM_MIN_LENGTH);
  const trigrams = starts.map((start) => chars.slice(start, start + TRIGRAM_MIN_LENGTH).join(''));
  const hex = HEX_TERM.test(chars.join(''));
  const count = hex ? TRIGRAMS_PER_HEX_TERM : TRIGRAMS_PER_TERM;
  if (trigrams.length <= count) return trigrams;
  return mostTelling(trigrams, count, !hex).map((i) => trigrams[i]!);
}

/**
 * The parts of a term a PostgreSQL search asks its trigram index for (dialect-sql.ts
 * `searchTextParameters`), or null when the term has so few trigrams that asking them all costs
 * no more: as many trigrams as `spreadTrigrams` asks, chosen as it chooses them, kept in the term's
 * order and never overlapping (the pattern matches them one after another).
 */
export function likePieces(chars: readonly string[]): string[] | null {
  if (chars.length - TRIGRAM_MIN_LENGTH + 1 <= TRIGRAMS_PER_TERM) return null;
  const pieces = pieceStarts(chars).map((start) => chars.slice(start, start + TRIGRAM_MIN_LENGTH).join(''));
  const hex = HEX_TERM.test(chars.join(''));
  const count = hex ? TRIGRAMS_PER_HEX_TERM : TRIGRAMS_PER_TERM;
  if (pieces.length <= count) return pieces;
  return mostTelling(pieces, count, !hex)
    .sort((a, b) => a - b)
    .map((i) => pieces[i]!);
}

/** Where the term's whole trigrams start, one after another: 0, 3, 6... */
function pieceStarts(chars: readonly string[]): number[] {
  const starts: number[] = [];
  for (let start = 0; start + TRIGRAM_MIN_LENGTH <= chars.length; start += TRIGRAM_MIN_LENGTH) starts.push(start);
  return starts;
}

/**
 * The positions of `count` trigrams that tell most: by their digits (most first; fewest first for
 * a hex term, `TRIGRAMS_PER_HEX_TERM`), then every other one so they spread.
 */
function mostTelling(trigrams: readonly string[], count: number, digitsFirst: boolean): number[] {
  const digitsIn = (trigram: string) => trigram.replace(/[^0-9]/g, '').length;
  const spread = trigrams.map((trigram, i) => ({ i, digits: digitsIn(trigram) }));
  // Stable: equal digit counts keep the term's order.
  spread.sort((a, b) => (digitsFirst ? b.digits - a.digits : a.digits - b.digits) || (a.i % 2) - (b.i % 2) || a.i - b.i);
  return spread.slice(0, count).map(({ i }) => i);
}

/**
 * Lowercased terms. A fingerprint pasted as "AB:CD:EF" is searched without its colons, as stored;
 * a serial shown as "0a:1b" likewise.
 */
export function searchTerms(search: string | undefined): string[] {
  if (!search) return [];
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '')
    .map((term) => (/^[0-9a-f]{2}(:[0-9a-f]{2})+$/.test(term) ? term.replace(/:/g, '') : term))
    .slice(0, 16);
}
