import { CompiledQuery, sql, type Compilable } from 'kysely';
import { expect, it } from 'vitest';
import { equalsNocase, nocase, reindexSearchText, searchTextContains } from '../../../main/core/db/dialect-sql';
import { searchRowidColumn } from '../../support/search-rowid';
import type { Flag } from '../../../main/core/db/tables';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { forEachEngine } from '../../support/engines';

// The few places the engines differ (dialect-sql.ts), and what both must return alike (numbers,
// Buffers, the triggers the library relies on), on SQLite and PostgreSQL.

async function addEntry(vault: VaultDb, id: string, fields: { name?: string; text: string; isCa?: Flag }): Promise<number> {
  return vault.db
    .insertInto('entries')
    .values({
      id,
      fingerprint_sha256: `fp-${id}`,
      name: fields.name ?? id,
      common_name: null,
      dns_names: '[]',
      subject: `CN=${id}`,
      issuer: 'CN=ca',
      issuer_common_name: null,
      serial_number: '01',
      not_before: '2026-01-01T00:00:00.000Z',
      not_after: '2027-01-01T00:00:00.000Z',
      key_algorithm: 'EC',
      key_size: null,
      curve: 'P-256',
      is_ca: fields.isCa ?? 0,
      tags: '[]',
      notes: '',
      source_file: null,
      imported_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      has_key: 0,
      sm2_dual: 0,
      cert_terms: fields.text,
      search_text: fields.text,
      ...(await searchRowidColumn(vault.engine, vault.db, fields.text)),
    })
    .returning('search_rowid')
    .executeTakeFirstOrThrow()
    .then((row) => row.search_rowid);
}

async function matching(vault: VaultDb, term: string): Promise<string[]> {
  const rows = await vault.db.selectFrom('entries').select('id').where(searchTextContains(vault.engine, term)).orderBy('id').execute();
  return rows.map((row) => row.id);
}

forEachEngine('engine-specific SQL', (open) => {
  it('finds substrings through the trigram index, short terms and LIKE/FTS syntax characters included', async () => {
    const vault = await open();
    const first = await addEntry(vault, 'a', { text: 'shop.example.com 100% off_sale' });
    const second = await addEntry(vault, 'b', { text: 'api.example.org "quoted"' });
    await addEntry(vault, 'c', { text: 'mail.internal' });
    expect(second).toBeGreaterThan(first);
    expect(await matching(vault, 'example')).toEqual(['a', 'b']);
    expect(await matching(vault, 'EXAMPLE.COM')).toEqual(['a']);
    expect(await matching(vault, 'ma')).toEqual(['c']);
    expect(await matching(vault, '0% o')).toEqual(['a']);
    expect(await matching(vault, 'f_s')).toEqual(['a']);
    expect(await matching(vault, '_')).toEqual(['a']);
    expect(await matching(vault, '%')).toEqual(['a']);
    expect(await matching(vault, '"quoted"')).toEqual(['b']);
    expect(await matching(vault, 'nowhere')).toEqual([]);
  });

  it('follows a changed search text, and forgets a deleted entry', async () => {
    const vault = await open();
    await addEntry(vault, 'a', { text: 'old-name.example' });
    await vault.db.updateTable('entries').set({ search_text: 'new-name.example' }).where('id', '=', 'a').execute();
    await reindexSearchText(vault.engine, vault.db, 'a', 'new-name.example');
    expect(await matching(vault, 'old-name')).toEqual([]);
    expect(await matching(vault, 'new-name')).toEqual(['a']);
    await vault.db.deleteFrom('entries').where('id', '=', 'a').execute();
    expect(await matching(vault, 'new-name')).toEqual([]);
    if (vault.engine === 'sqlite') expect((await sql<{ n: number }>`SELECT count(*) AS n FROM entries_search`.execute(vault.db)).rows[0]!.n).toBe(0);
  });

  it('sorts and compares names ignoring case, as the NOCASE columns always did', async () => {
    const vault = await open();
    for (const name of ['beta', 'Alpha', 'gamma', 'ALPHA2']) await addEntry(vault, name, { name, text: name });
    const sorted = await vault.db.selectFrom('entries').select('name').orderBy(nocase(vault.engine, 'name')).execute();
    expect(sorted.map((row) => row.name)).toEqual(['Alpha', 'ALPHA2', 'beta', 'gamma']);
    const found = await vault.db.selectFrom('entries').select('id').where(equalsNocase(vault.engine, 'name', 'GAMMA')).execute();
    expect(found).toEqual([{ id: 'gamma' }]);
  });

  it('returns integers as numbers and blobs as Buffers, and keeps library_cas by trigger', async () => {
    const vault = await open();
    await addEntry(vault, 'leaf', { text: 'leaf' });
    await addEntry(vault, 'root', { text: 'root', isCa: 1 });
    const der = Buffer.from([0x30, 0x82, 0x00, 0xff, 0x00]);
    await vault.db
      .insertInto('entry_certificates')
      .values([
        { entry_id: 'leaf', position: 0, role: 'leaf', fingerprint_sha256: 'f-leaf', spki_sha256: 's-leaf', der },
        { entry_id: 'leaf', position: 1, role: 'chain', fingerprint_sha256: 'f-int', spki_sha256: 's-int', der },
        { entry_id: 'root', position: 0, role: 'leaf', fingerprint_sha256: 'f-root', spki_sha256: 's-root', der },
      ])
      .execute();
    const certificate = await vault.db.selectFrom('entry_certificates').select(['position', 'der']).where('fingerprint_sha256', '=', 'f-int').executeTakeFirstOrThrow();
    expect(certificate.position).toBe(1);
    expect(Buffer.isBuffer(certificate.der) && certificate.der.equals(der)).toBe(true);
    const counted = await vault.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(counted.n).toBe(2);
    const big = await sql<{ n: number }>`SELECT ${sql.lit(2 ** 40)} + 1 AS n`.execute(vault.db);
    expect(big.rows[0]!.n).toBe(2 ** 40 + 1);
    // PostgreSQL refuses an integer a number cannot hold exactly rather than round it (vault-db.ts).
    if (vault.engine === 'postgres') await expect(sql`SELECT 9007199254740993::bigint AS n`.execute(vault.db)).rejects.toThrow(/beyond what the vault reads exactly/);

    const cas = async () => (await vault.db.selectFrom('library_cas').select('fingerprint_sha256').orderBy('fingerprint_sha256').execute()).map((row) => row.fingerprint_sha256);
    expect(await cas()).toEqual(['f-int', 'f-root']);
    await vault.db.deleteFrom('entries').where('id', '=', 'leaf').execute();
    expect(await cas()).toEqual(['f-root']);
  });
});

/** The query plan, as text: SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN lines. */
async function explain(vault: VaultDb, query: Compilable): Promise<string> {
  const compiled = query.compile();
  if (vault.engine === 'sqlite') {
    const rows = await vault.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((row) => row.detail).join('\n');
  }
  return vault.db.transaction().execute(async (trx) => {
    // A small table is scanned whatever its indexes; the question is whether the expression can
    // use one at all, as it must at 100,000 entries.
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${compiled.sql}`, [...compiled.parameters]));
    return rows.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

forEachEngine('indexes behind the engine-specific expressions', (open) => {
  it('substring search goes through the trigram index, and the case-insensitive order walks the name index', async () => {
    const vault = await open();
    for (let i = 0; i < 300; i++) await addEntry(vault, `e${i}`, { name: `Host ${i}`, text: `host-${i}.example.com` });
    await sql`ANALYZE`.execute(vault.db);
    const search = await explain(vault, vault.db.selectFrom('entries').select('id').where(searchTextContains(vault.engine, 'host-12')));
    expect(search).toMatch(vault.engine === 'sqlite' ? /VIRTUAL TABLE INDEX/ : /entries_search_trgm/);
    const sorted = await explain(vault, vault.db.selectFrom('entries').select('id').orderBy(nocase(vault.engine, 'name')).limit(10));
    expect(sorted).toMatch(vault.engine === 'sqlite' ? /USING (COVERING )?INDEX entries_by_name/ : /Index Scan using entries_by_name/);
  });
});
