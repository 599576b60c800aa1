import { expect, it } from 'vitest';
import type { LibraryQuery } from '../../../shared/library';
import { searchRowidColumn } from '../../support/search-rowid';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { LibrarySearch } from '../../../main/core/library/search';
import { forEachEngine } from '../../support/engines';

// The library's search, filters, sort and window on both engines: SQLite's FTS5 candidates and
// PostgreSQL's pg_trgm LIKE must give the same pages. Rows are written here directly, as the
// entry store would (its search_text is lowercased, one field per line).

const now = new Date('2026-06-01T00:00:00Z');

interface Row {
  readonly id: string;
  readonly name: string;
  readonly hosts: readonly string[];
  readonly serial: string;
  readonly fingerprint: string;
  readonly notAfter: string;
  readonly hasKey?: boolean;
  readonly isCA?: boolean;
  readonly renews?: string;
}

const rows: readonly Row[] = [
  { id: 'a1', name: 'alpha', hosts: ['alpha.example.com', 'www.alpha.example.com'], serial: '5f0e3c91a2b47d68', fingerprint: 'ab'.repeat(32), notAfter: '2026-06-20T00:00:00Z', hasKey: true },
  { id: 'b1', name: 'Bravo', hosts: ['bravo.example.org'], serial: '0a1b2c3d', fingerprint: 'cd'.repeat(32), notAfter: '2026-05-01T00:00:00Z' },
  { id: 'c1', name: 'charlie', hosts: ['charlie.internal'], serial: '77aa', fingerprint: '0123456789abcdef'.repeat(4), notAfter: '2027-01-01T00:00:00Z', hasKey: true },
  { id: 'c2', name: 'charlie', hosts: ['charlie.internal'], serial: '77ab', fingerprint: 'fedcba9876543210'.repeat(4), notAfter: '2028-01-01T00:00:00Z', hasKey: true, renews: 'c1' },
  { id: 'r1', name: 'Root 100%_CA', hosts: [], serial: '01', fingerprint: 'ef'.repeat(32), notAfter: '2036-01-01T00:00:00Z', isCA: true },
];

async function fill(vault: VaultDb): Promise<void> {
  for (const row of rows) {
    const text = [...row.hosts, row.serial, row.fingerprint, row.name].join('\n').toLowerCase();
    await vault.db
      .insertInto('entries')
      .values({
        id: row.id,
        fingerprint_sha256: row.fingerprint,
        name: row.name,
        common_name: row.hosts[0] ?? row.name,
        dns_names: JSON.stringify(row.hosts),
        subject: `CN=${row.hosts[0] ?? row.name}`,
        issuer: 'CN=Root',
        issuer_common_name: 'Root',
        serial_number: row.serial,
        not_before: '2025-01-01T00:00:00Z',
        not_after: row.notAfter,
        key_algorithm: 'EC',
        key_size: 256,
        curve: 'P-256',
        is_ca: row.isCA ? 1 : 0,
        tags: '[]',
        notes: '',
        source_file: `${row.id}.pem`,
        imported_at: now.toISOString(),
        updated_at: now.toISOString(),
        has_key: row.hasKey ? 1 : 0,
        sm2_dual: 0,
        cert_terms: text,
        search_text: text,
        ...(await searchRowidColumn(vault.engine, vault.db, text)),
      })
      .execute();
  }
  for (const row of rows) {
    if (row.renews) await vault.db.updateTable('entries').set({ renews_id: row.renews }).where('id', '=', row.id).execute();
  }
}

forEachEngine('library search', (open) => {
  const searchOf = async () => {
    const vault = await open();
    await fill(vault);
    const search = new LibrarySearch(vault);
    return async (query: LibraryQuery) => {
      const page = await search.query(query, now);
      return { ...page, ids: page.entries.map((entry) => entry.id) };
    };
  };

  it('finds hostnames, fingerprints (plain, with colons, a prefix) and serials, every term required', async () => {
    const list = await searchOf();
    expect((await list({ search: 'WWW.ALPHA' })).ids).toEqual(['a1']);
    expect((await list({ search: 'example' })).ids).toEqual(['a1', 'b1']);
    expect((await list({ search: 'example.org alpha' })).ids).toEqual([]);
    expect((await list({ search: 'fedcba9876543210fedcba' })).ids).toEqual(['c2']);
    expect((await list({ search: 'FE:DC:BA:98:76:54' })).ids).toEqual(['c2']);
    expect((await list({ search: '5f0e3c91a2b47d68' })).ids).toEqual(['a1']);
    // Shorter than a trigram: still a substring match.
    expect((await list({ search: '7a' })).ids).toEqual(['c1', 'c2']);
  });

  it('matches a long term whole, though the trigram index is asked only a few of its parts', async () => {
    const list = await searchOf();
    expect((await list({ search: '0123456789abcdef'.repeat(4) })).ids).toEqual(['c1']);
    expect((await list({ search: 'www.alpha.example.com' })).ids).toEqual(['a1']);
    // Each of its parts is in alpha's text, in this order, but the term itself is not.
    expect((await list({ search: 'alpha.example.c5f0' })).ids).toEqual([]);
  });

  it('takes LIKE and FTS characters in a term literally', async () => {
    const list = await searchOf();
    expect((await list({ search: '100%_ca' })).ids).toEqual(['r1']);
    expect((await list({ search: '%' })).ids).toEqual(['r1']);
    expect((await list({ search: '_' })).ids).toEqual(['r1']);
    expect((await list({ search: '"x' })).ids).toEqual([]);
  });

  it('sorts names ignoring case, filters, and keeps the current versions only when asked', async () => {
    const list = await searchOf();
    expect((await list({ sort: 'name' })).ids).toEqual(['a1', 'b1', 'c1', 'c2', 'r1']);
    expect((await list({ sort: 'name', descending: true })).ids).toEqual(['r1', 'c2', 'c1', 'b1', 'a1']);
    expect((await list({ sort: 'notAfter', hasKey: true })).ids).toEqual(['a1', 'c1', 'c2']);
    expect((await list({ kind: 'ca' })).ids).toEqual(['r1']);
    expect((await list({ expired: true })).ids).toEqual(['b1']);
    expect((await list({ expiringWithinDays: 30 })).ids).toEqual(['a1']);
    expect((await list({ currentOnly: true, search: 'charlie' })).ids).toEqual(['c2']);
  });

  it('returns a window with the total, exact for the whole library and for few matches', async () => {
    const list = await searchOf();
    expect(await list({ sort: 'name', offset: 1, limit: 2 })).toMatchObject({ total: 5, totalCapped: false, offset: 1, ids: ['b1', 'c1'] });
    expect(await list({ search: 'charlie', limit: 1 })).toMatchObject({ total: 2, totalCapped: false, ids: ['c1'] });
    expect(await list({ hasKey: true, limit: 0 })).toMatchObject({ total: 3, ids: [] });
  });

  it('gives a window in the far half of the list (read from its end) as walking from the start would', async () => {
    const list = await searchOf();
    for (const descending of [false, true]) {
      const all = (await list({ sort: 'name', descending })).ids;
      for (const [offset, limit] of [[3, 2], [4, 2], [2, 3], [4, 1], [5, 2], [0, 5]] as const) {
        expect(await list({ sort: 'name', descending, offset, limit }), `${offset}+${limit} ${descending ? 'desc' : 'asc'}`).toMatchObject({
          total: 5,
          offset,
          ids: all.slice(offset, offset + limit),
        });
      }
    }
  });
});
