import type Database from 'better-sqlite3';
import type { LibraryPage, LibraryQuery, SortColumn } from '../../../shared/library';
import { libraryLimits } from '../../../shared/library';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from './entry-row';

// Search, filters, sort and a window, as one prepared statement per shape of query. Search is a
// substring match of every term against `search_text` (lowercased at write time): over 10,000
// entries a scan with instr() stays within a few milliseconds (bench/library-search.ts), and
// unlike a token index it finds fragments of hostnames, serials and fingerprints.

const SORT_SQL: Readonly<Record<SortColumn, string>> = {
  name: 'name COLLATE NOCASE',
  commonName: 'common_name COLLATE NOCASE',
  dnsNames: 'dns_names COLLATE NOCASE',
  issuer: 'coalesce(issuer_common_name, issuer) COLLATE NOCASE',
  serialNumber: 'serial_number',
  fingerprintSha256: 'fingerprint_sha256',
  notBefore: 'not_before',
  notAfter: 'not_after',
  keyAlgorithm: 'key_algorithm, key_size',
  hasKey: 'has_key',
  isCA: 'is_ca',
  tags: 'tags COLLATE NOCASE',
  sourceFile: 'source_file COLLATE NOCASE',
  importedAt: 'imported_at',
};

const DAY_MS = 86_400_000;
const DEFAULT_PAGE = 200;

export class LibrarySearch {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  query(query: LibraryQuery, now: Date): LibraryPage {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    searchTerms(query.search).forEach((term, i) => {
      where.push(`instr(search_text, :t${i}) > 0`);
      params[`t${i}`] = term;
    });
    const nowIso = now.toISOString();
    if (query.expired) {
      where.push('not_after < :now');
      params.now = nowIso;
    }
    if (query.hideExpired) {
      where.push('not_after >= :now');
      params.now = nowIso;
    }
    if (query.expiringWithinDays !== undefined) {
      where.push('not_after >= :now AND not_after <= :soon');
      params.now = nowIso;
      params.soon = new Date(now.getTime() + query.expiringWithinDays * DAY_MS).toISOString();
    }
    if (query.hasKey !== undefined) where.push(query.hasKey ? 'has_key = 1' : 'has_key = 0');
    if (query.kind) where.push(query.kind === 'ca' ? 'is_ca = 1' : 'is_ca = 0');

    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const direction = query.descending ? 'DESC' : 'ASC';
    const order = SORT_SQL[query.sort ?? 'name']
      .split(', ')
      .map((part) => `${part} ${direction}`)
      .join(', ');
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(Math.max(0, query.limit ?? DEFAULT_PAGE), libraryLimits.maxPageSize);

    const total = this.statement(`SELECT count(*) FROM entries ${whereSql}`).pluck().get(params) as number;
    const rows = this.statement(
      `SELECT ${ENTRY_COLUMNS} FROM entries ${whereSql} ORDER BY ${order}, id ${direction} LIMIT :limit OFFSET :offset`,
    ).all({ ...params, limit, offset }) as EntryRow[];
    return { total, offset, entries: rows.map(toEntry) };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
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
