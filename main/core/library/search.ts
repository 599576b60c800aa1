import type Database from 'better-sqlite3';
import type { LibraryPage, LibraryQuery, SortColumn } from '../../../shared/library';
import { libraryLimits } from '../../../shared/library';
import { StatementCache } from '../db/statements';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from './entry-row';

// Search, filters, sort and a window. Search is a substring match of every term against
// `search_text` (lowercased at write time): `instr`, checked on each row the query reads. Which
// rows it reads depends on how many could match (bench/library-search.ts, at 10,000 and 100,000):
//
// - Few candidates (a hostname, a fingerprint or serial, a rare word): the FTS5 trigram index
//   names them. Only a few trigrams of each term are asked, spread over it and not overlapping:
//   every match holds them all, and each trigram more costs a doclist read (a 64-digit
//   fingerprint as a phrase of 62 trigrams costs 12 ms at 100,000 entries, 6 trigrams under 1 ms).
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
//   too, since counting every match meant a walk of the whole index (17 ms at 100,000).
//
// The sort expressions below must match those indexes exactly.

const SORT_SQL: Readonly<Record<SortColumn, readonly string[]>> = {
  name: ['name COLLATE NOCASE'],
  commonName: ['common_name COLLATE NOCASE'],
  dnsNames: ['dns_names COLLATE NOCASE'],
  issuer: ['coalesce(issuer_common_name, issuer) COLLATE NOCASE'],
  serialNumber: ['serial_number'],
  fingerprintSha256: ['fingerprint_sha256'],
  notBefore: ['not_before'],
  notAfter: ['not_after'],
  keyAlgorithm: ['key_algorithm', 'key_size'],
  hasKey: ['has_key'],
  isCA: ['is_ca'],
  tags: ['tags COLLATE NOCASE'],
  sourceFile: ['source_file COLLATE NOCASE'],
  importedAt: ['imported_at'],
};

const DAY_MS = 86_400_000;
/** The trigram index answers terms of at least this many characters. */
const TRIGRAM = 3;
/** Trigrams asked of the index per term: enough to narrow a term to its matches, few enough to be cheap. */
const TRIGRAMS_PER_TERM = 6;
/**
 * Up to this many candidates from the trigram index, the rows are read by id; from this many on,
 * walking the sort index is cheaper (it checks about window/density rows, and density is then at
 * least this over the library size).
 */
const CANDIDATE_LIMIT = 2000;
/** How far past the window's end a count of many matches goes before it says "at least". */
const COUNT_AHEAD = 400;
const DEFAULT_PAGE = 200;
/** The rows holding every trigram asked (trigramQuery), up to a limit: a read of the trigram index alone. */
export const CANDIDATES_SQL = 'SELECT rowid FROM entries_search WHERE entries_search MATCH ? LIMIT ?';

export class LibrarySearch {
  private readonly sql: StatementCache;

  constructor(db: Database.Database) {
    this.sql = new StatementCache(db);
  }

  query(query: LibraryQuery, now: Date): LibraryPage {
    return runList(this.sql, listStatements(query, now, this.candidates(query)));
  }

  /** The search_rowids that can match (fewer than CANDIDATE_LIMIT), or null when more might. */
  private candidates(query: LibraryQuery): number[] | null {
    const match = trigramQuery(searchTerms(query.search));
    if (match === null) return null;
    const ids = this.sql
      .get(CANDIDATES_SQL)
      .pluck()
      .all(match, CANDIDATE_LIMIT) as number[];
    return ids.length < CANDIDATE_LIMIT ? ids : null;
  }
}

export type ListStatements =
  | {
      /** Neither search nor filter: the library's size and the window's ids from the sort column's index. */
      readonly kind: 'indexed';
      readonly count: string;
      /** The ids of the window's entries, in order. */
      readonly window: string;
      /** The window's rows, in order. */
      readonly rows: string;
      readonly params: Readonly<Record<string, string | number>>;
    }
  | {
      /**
       * A search: the ids of the matches in order, all of them (few candidates) or up to
       * `countCap` (many): one pass gives the count and the window, whose rows are then read by id.
       */
      readonly kind: 'matched';
      readonly matches: string;
      readonly countCap: number | null;
      /** The window alone, as `matches` finds it (for the query plan tests). */
      readonly window: string;
      readonly params: Readonly<Record<string, string | number>>;
    };

/** Runs a query's statements: the page of LibrarySearch.query. */
export function runList(sql: StatementCache, statements: ListStatements): LibraryPage {
  const { params } = statements;
  const offset = params.offset as number;
  if (statements.kind === 'indexed') {
    const total = sql.get(statements.count).pluck().get(params) as number;
    const rows = sql.get(statements.rows).all(params) as EntryRow[];
    return { total, totalCapped: false, offset, entries: rows.map(toEntry) };
  }
  const matches = sql.get(statements.matches).pluck().all(params) as number[];
  const window = matches.slice(offset, offset + (params.limit as number));
  const rows = sql
    .get(`SELECT ${ENTRY_COLUMNS}, search_rowid FROM entries WHERE search_rowid IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(window)) as (EntryRow & { search_rowid: number })[];
  const position = new Map(window.map((id, i) => [id, i]));
  rows.sort((a, b) => position.get(a.search_rowid)! - position.get(b.search_rowid)!);
  const totalCapped = statements.countCap !== null && matches.length >= statements.countCap;
  return { total: matches.length, totalCapped, offset, entries: rows.map(toEntry) };
}

/**
 * The statements for a query. `candidates`: the only rows that can match the search (from the
 * trigram index), or null to check every row the sort index walk reaches.
 */
export function listStatements(query: LibraryQuery, now: Date, candidates: readonly number[] | null = null): ListStatements {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const terms = searchTerms(query.search);
  terms.forEach((term, i) => {
    where.push(`instr(search_text, :t${i}) > 0`);
    params[`t${i}`] = term;
  });
  // Every filter is written `+column`: the unary plus keeps SQLite from looking rows up by it (by
  // has_key = 1, say, which is most of the library) and sorting them whole. Without statistics it
  // cannot tell a filter that keeps 9 rows in 10 from one that keeps 1, so it walks the sort
  // column's index (db/migrations.ts) and checks each filter there: at worst one pass over a narrow
  // index, never a sort of full rows.
  const nowIso = now.toISOString();
  if (query.expired) {
    where.push('+not_after < :now');
    params.now = nowIso;
  }
  if (query.hideExpired) {
    where.push('+not_after >= :now');
    params.now = nowIso;
  }
  if (query.expiringWithinDays !== undefined) {
    where.push('+not_after >= :now AND +not_after <= :soon');
    params.now = nowIso;
    params.soon = new Date(now.getTime() + query.expiringWithinDays * DAY_MS).toISOString();
  }
  if (query.hasKey !== undefined) where.push(query.hasKey ? '+has_key = 1' : '+has_key = 0');
  if (query.kind) where.push(query.kind === 'ca' ? '+is_ca = 1' : '+is_ca = 0');
  // The renewed entries are found once (entries_renews), and each row is checked by its
  // search_rowid, which every list index holds: the filter reads no wide row.
  if (query.currentOnly) {
    where.push('+search_rowid NOT IN (SELECT renewed.search_rowid FROM entries renewed WHERE renewed.id IN (SELECT renews_id FROM entries))');
  }

  const direction = query.descending ? 'DESC' : 'ASC';
  // search_rowid is unique: ties (same name, same expiry) keep one order from page to page.
  const order = [...SORT_SQL[query.sort ?? 'name'], 'search_rowid'].map((part) => `${part} ${direction}`).join(', ');
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(Math.max(0, query.limit ?? DEFAULT_PAGE), libraryLimits.maxPageSize);
  params.offset = offset;
  params.limit = limit;
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';

  if (where.length === 0) {
    const window = `SELECT search_rowid FROM entries ${whereSql} ORDER BY ${order} LIMIT :limit OFFSET :offset`;
    return {
      kind: 'indexed',
      count: `SELECT count(*) FROM entries ${whereSql}`,
      window,
      rows: `SELECT ${ENTRY_COLUMNS} FROM entries WHERE search_rowid IN (${window}) ORDER BY ${order}`,
      params,
    };
  }
  if (candidates !== null) {
    // CROSS JOIN keeps this order: the candidates first, each row then found by its unique search_rowid.
    params.candidates = JSON.stringify(candidates);
    const matches = `SELECT search_rowid FROM json_each(:candidates) AS candidate CROSS JOIN entries ON entries.search_rowid = candidate.value ${whereSql} ORDER BY ${order}`;
    return { kind: 'matched', matches, countCap: null, window: `${matches} LIMIT :limit OFFSET :offset`, params };
  }
  params.countCap = offset + limit + COUNT_AHEAD;
  const matches = `SELECT search_rowid FROM entries ${whereSql} ORDER BY ${order}`;
  return { kind: 'matched', matches: `${matches} LIMIT :countCap`, countCap: params.countCap, window: `${matches} LIMIT :limit OFFSET :offset`, params };
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
  if (chars.length < TRIGRAM) return [];
  const starts: number[] = [];
  for (let start = 0; start + TRIGRAM <= chars.length; start += TRIGRAM) starts.push(start);
  if (chars.length % TRIGRAM !== 0) starts.push(chars.length - TRIGRAM);
  const trigrams = starts.map((start) => chars.slice(start, start + TRIGRAM).join(''));
  if (trigrams.length <= TRIGRAMS_PER_TERM) return trigrams;
  const digits = (trigram: string) => trigram.replace(/[^0-9]/g, '').length;
  const spread = trigrams.map((trigram, i) => ({ trigram, i, digits: digits(trigram) }));
  // Stable: equal digit counts keep the term's order, then every other one so they spread.
  spread.sort((a, b) => b.digits - a.digits || (a.i % 2) - (b.i % 2) || a.i - b.i);
  return spread.slice(0, TRIGRAMS_PER_TERM).map(({ trigram }) => trigram);
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
