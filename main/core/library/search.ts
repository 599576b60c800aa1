import type Database from 'better-sqlite3';
import type { LibraryPage, LibraryQuery, SortColumn } from '../../../shared/library';
import { libraryLimits } from '../../../shared/library';
import { StatementCache } from '../db/statements';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from './entry-row';

// Search, filters, sort and a window, as one prepared statement per shape of query. Search is a
// substring match of every term against `search_text` (lowercased at write time), through an FTS5
// trigram index for terms of 3+ characters: unlike a word index it finds fragments of hostnames,
// serials and fingerprints, in time proportional to the matches (bench/library-search.ts).
//
// Each sort column has an index holding the sort key, the tie-breaker and the filtered columns
// (db/migrations.ts, version 3), so the count and the window's ids come from one index; only the
// window's rows are then read. Sorting whole rows instead cost 30 ms for a deep window of 7,000
// matches. The expressions below must match those indexes exactly.

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
const DEFAULT_PAGE = 200;

export class LibrarySearch {
  private readonly sql: StatementCache;

  constructor(db: Database.Database) {
    this.sql = new StatementCache(db);
  }

  query(query: LibraryQuery, now: Date): LibraryPage {
    const statements = listStatements(query, now);
    const total = this.sql.get(statements.count).pluck().get(statements.params) as number;
    const rows = this.sql.get(statements.rows).all(statements.params) as EntryRow[];
    return { total, offset: statements.params.offset as number, entries: rows.map(toEntry) };
  }
}

export interface ListStatements {
  /** The number of matches. */
  readonly count: string;
  /** The ids of the window's entries, in order: what the indexes serve. */
  readonly window: string;
  /** The window's rows. */
  readonly rows: string;
  readonly params: Readonly<Record<string, string | number>>;
}

export function listStatements(query: LibraryQuery, now: Date): ListStatements {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const terms = searchTerms(query.search);
  const indexed = terms.filter((term) => term.length >= TRIGRAM);
  // Every filter is written `+column`: the unary plus keeps SQLite from looking rows up by it (by
  // has_key = 1, say, which is most of the library) and sorting them whole. Without statistics it
  // cannot tell a filter that keeps 9 rows in 10 from one that keeps 1, so it walks the sort
  // column's index (db/migrations.ts) and checks each filter there: at worst one pass over a narrow
  // index, never a sort of full rows.
  if (indexed.length) {
    where.push('+search_rowid IN (SELECT rowid FROM entries_search WHERE entries_search MATCH :match)');
    params.match = indexed.map((term) => `"${term.replace(/"/g, '""')}"`).join(' AND ');
  }
  terms
    .filter((term) => term.length < TRIGRAM)
    .forEach((term, i) => {
      where.push(`instr(search_text, :t${i}) > 0`);
      params[`t${i}`] = term;
    });
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

  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const direction = query.descending ? 'DESC' : 'ASC';
  // search_rowid is unique: ties (same name, same expiry) keep one order from page to page.
  const order = [...SORT_SQL[query.sort ?? 'name'], 'search_rowid'].map((part) => `${part} ${direction}`).join(', ');
  params.offset = Math.max(0, query.offset ?? 0);
  params.limit = Math.min(Math.max(0, query.limit ?? DEFAULT_PAGE), libraryLimits.maxPageSize);
  const window = `SELECT search_rowid FROM entries ${whereSql} ORDER BY ${order} LIMIT :limit OFFSET :offset`;
  return {
    count: `SELECT count(*) FROM entries ${whereSql}`,
    window,
    rows: `SELECT ${ENTRY_COLUMNS} FROM entries WHERE search_rowid IN (${window}) ORDER BY ${order}`,
    params,
  };
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
