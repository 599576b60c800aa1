import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortColumns, type EntryUpdate, type LibraryQuery } from '../../../shared/library';
import { likePieces, listStatements, runList, searchTerms, trigramQuery } from '../../../main/core/library/search';
import { FTS_CANDIDATES_SQL } from '../../../main/core/db/dialect-sql';
import { sqliteVaultDb, type VaultDb } from '../../../main/core/db/vault-db';
import { makeCa, makeLeaf, days } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

let t: TestVault;
const now = new Date();
const ids: Record<string, string> = {};
let bravoPem = '';

/** An edit from the entry as it is now, as the window sends it. */
async function edit(id: string, patch: EntryUpdate): Promise<void> {
  await t.vault.update(id, patch, (await t.vault.entry(id)).updatedAt);
}

beforeAll(async () => {
  t = openTestVault(() => now);
  const ca = await makeCa('Search Root CA');
  const make = async (name: string, notAfter: Date, dnsNames: string[], withKey: boolean) => {
    const leaf = await makeLeaf(ca, { commonName: dnsNames[0]!, dnsNames, notAfter, notBefore: days(-400, now) });
    const { imported } = await t.vault.importContent([text(`${name}.pem`, leaf.certPem, withKey ? leaf.keyPem : '')], { name });
    ids[name] = imported[0]!.id;
    if (name === 'bravo') bravoPem = leaf.certPem;
  };
  await make('alpha', days(10, now), ['alpha.example.com', 'www.alpha.example.com'], true);
  await make('bravo', days(-5, now), ['bravo.example.org'], false);
  await make('charlie', days(200, now), ['charlie.internal'], true);
  await make('delta', days(45, now), ['delta.example.com'], false);
  await t.vault.importContent([text('root.pem', ca.certPem)]);
  ids.root = (await t.vault.list({ kind: 'ca' })).entries[0]!.id;
  await edit(ids.delta!, { tags: ['Payments', 'prod'], notes: 'Renew via the PKI team ticket queue' });
});
afterAll(() => t.cleanup());

const names = async (query: Parameters<TestVault['vault']['list']>[0]) => (await t.vault.list(query)).entries.map((e) => e.name);

describe('search', () => {
  it('matches CN, SANs, issuer, name, tags and notes, case-insensitively', async () => {
    expect(await names({ search: 'WWW.ALPHA' })).toEqual(['alpha']);
    expect(await names({ search: 'example.org' })).toEqual(['bravo']);
    expect(await names({ search: 'search root' })).toHaveLength(5);
    expect(await names({ search: 'payments' })).toEqual(['delta']);
    expect(await names({ search: 'ticket queue' })).toEqual(['delta']);
    expect(await names({ search: 'charlie' })).toEqual(['charlie']);
  });

  it('matches serial and fingerprint, with or without colons', async () => {
    const entry = await t.vault.entry(ids.charlie!);
    expect(await names({ search: entry.serialNumber })).toEqual(['charlie']);
    expect(await names({ search: entry.fingerprintSha256.slice(10, 30) })).toEqual(['charlie']);
    const colons = entry.fingerprintSha256.slice(0, 12).toUpperCase().match(/../g)!.join(':');
    expect(await names({ search: colons })).toEqual(['charlie']);
  });

  it('requires every term', async () => {
    expect(await names({ search: 'example.com alpha' })).toEqual(['alpha']);
    expect(await names({ search: 'example.com nothing-like-this' })).toEqual([]);
  });

  it('sees edits to name, tags and notes', async () => {
    await edit(ids.bravo!, { notes: 'legacy appliance' });
    expect(await names({ search: 'appliance' })).toEqual(['bravo']);
    await edit(ids.bravo!, { notes: '' });
    expect(await names({ search: 'appliance' })).toEqual([]);
  });
});

describe('search index', () => {
  it('follows deletes: the removed entry leaves no row in the trigram index', async () => {
    const extra = await t.vault.entry(ids.bravo!);
    const before = new Database(path.join(t.dir, 'vault.db'), { readonly: true });
    const count = () => before.prepare('SELECT (SELECT count(*) FROM entries_search) - (SELECT count(*) FROM entries)').pluck().get();
    expect(count()).toBe(0);
    (await t.vault.remove(extra.id));
    expect(count()).toBe(0);
    expect(await names({ search: 'bravo.example.org' })).toEqual([]);
    await before.close();
    // Put it back for the other tests.
    const { imported } = await t.vault.importContent([text('bravo.pem', bravoPem)], { name: 'bravo' });
    ids.bravo = imported[0]!.id;
  });
});

describe('filters', () => {
  it('expiring within N days excludes the expired and the later ones', async () => {
    expect(await names({ expiringWithinDays: 30 })).toEqual(['alpha']);
    expect(await names({ expiringWithinDays: 60, sort: 'notAfter' })).toEqual(['alpha', 'delta']);
  });
  it('expired, hide expired, has key, CA vs leaf', async () => {
    expect(await names({ expired: true })).toEqual(['bravo']);
    expect(await names({ hideExpired: true })).not.toContain('bravo');
    expect(await names({ hasKey: true })).toEqual(['alpha', 'charlie']);
    expect(await names({ hasKey: false, kind: 'leaf' })).toEqual(['bravo', 'delta']);
    expect(await names({ kind: 'ca' })).toEqual(['Search Root CA']);
  });
});

describe('sort and window', () => {
  it('sorts by any column in both directions', async () => {
    expect(await names({ sort: 'notAfter', kind: 'leaf' })).toEqual(['bravo', 'alpha', 'delta', 'charlie']);
    expect(await names({ sort: 'notAfter', descending: true, kind: 'leaf' })).toEqual(['charlie', 'delta', 'alpha', 'bravo']);
    expect((await names({ sort: 'name', descending: true })).at(-1)).toBe('alpha');
    expect((await names({ sort: 'hasKey', descending: true })).slice(0, 2).sort()).toEqual(['alpha', 'charlie']);
    expect(await names({ sort: 'issuer', descending: true, kind: 'leaf' })).toHaveLength(4);
    expect(await names({ sort: 'keyAlgorithm' })).toHaveLength(5);
  });
  it('returns a window with the total', async () => {
    const page = await t.vault.list({ sort: 'name', offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.offset).toBe(1);
    expect(page.entries.map((e) => e.name)).toEqual(['bravo', 'charlie']);
  });
});

describe('query plans', () => {
  // What keeps a 10,000-entry library fast (bench/library-search.ts): the window's ids come from
  // one index holding the sort key and every filtered column, never from sorting whole rows.
  const windowPlan = (query: LibraryQuery, candidates: number[] | null = null) => {
    const db = new Database(path.join(t.dir, 'vault.db'), { readonly: true });
    try {
      const { sql, parameters } = listStatements(sqliteVaultDb(db, { owned: false }), query, now, candidates).window.compile();
      const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[];
      return rows.map((row) => row.detail).join('\n');
    } finally {
      db.close();
    }
  };

  it('walks the sort column\'s covering index, in both directions, without a sort', async () => {
    for (const sort of sortColumns) {
      for (const descending of [false, true]) {
        const plan = windowPlan({ sort, descending, offset: 5000 });
        expect(plan, `${sort} ${descending ? 'desc' : 'asc'}`).toMatch(/USING COVERING INDEX entries_by_/);
        expect(plan, `${sort} ${descending ? 'desc' : 'asc'}`).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it('checks filters in that index, and a search on the rows it walks, still without a sort', async () => {
    const filters: LibraryQuery[] = [
      { search: 'example www', hideExpired: true, hasKey: true, kind: 'leaf' },
      { expiringWithinDays: 30, hasKey: false },
      { expired: true, kind: 'ca' },
    ];
    for (const filter of filters) {
      for (const sort of ['issuer', 'notAfter', 'hasKey'] as const) {
        const plan = windowPlan({ ...filter, sort, descending: true });
        expect(plan, `${JSON.stringify(filter)} by ${sort}`).toMatch(/SCAN entries USING (COVERING )?INDEX entries_by_/);
        expect(plan, `${JSON.stringify(filter)} by ${sort}`).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it('finds a serial number or a fingerprint through the trigram index, then seeks its row: no scan of the library', async () => {
    // A serial as CAs issue them: 16 random-looking bytes, shown with or without colons.
    const serial = '5f0e3c91a2b47d68e1c05b9a3f7d2e14';
    const ca = await makeCa('Serial CA');
    const leaf = await makeLeaf(ca, { commonName: 'serial.example.net', serial });
    const { imported } = await t.vault.importContent([text('serial.pem', leaf.certPem)], { name: 'echo' });
    try {
      const withColons = serial.toUpperCase().match(/../g)!.join(':');
      const fingerprint = imported[0]!.fingerprintSha256;
      for (const search of [serial, withColons, fingerprint, fingerprint.slice(0, 8)]) {
        expect(await names({ search }), search).toEqual(['echo']);
        const match = trigramQuery(searchTerms(search))!;
        const db = new Database(path.join(t.dir, 'vault.db'), { readonly: true });
        try {
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${FTS_CANDIDATES_SQL}`).all(match, 2000) as { detail: string }[]).map((row) => row.detail).join('\n');
          expect(plan, search).toMatch(/^SCAN entries_search VIRTUAL TABLE INDEX \d+:M/);
          const candidates = db.prepare(FTS_CANDIDATES_SQL).pluck().all(match, 2000) as number[];
          expect(candidates, search).toHaveLength(1);
          expect(windowPlan({ search }, candidates), search).toMatch(/SEARCH entries USING INDEX \S+ \(search_rowid=\?\)/);
          expect(windowPlan({ search }, candidates), search).not.toMatch(/SCAN entries\b(?!_search)/);
        } finally {
          db.close();
        }
      }
    } finally {
      (await t.vault.remove(imported[0]!.id));
    }
  });

  it('seeks the few candidates of a search by their unique search_rowid, never scanning the library', async () => {
    for (const sort of sortColumns) {
      const plan = windowPlan({ search: 'alpha.example.com', hideExpired: true, sort }, [3, 7]);
      expect(plan, sort).toMatch(/SEARCH entries USING INDEX \S+ \(search_rowid=\?\)/);
      expect(plan, sort).not.toMatch(/SCAN entries/);
    }
  });
});

describe('many matches or few: the same answer', () => {
  // LibrarySearch picks a plan by how many rows the trigram index names; both must agree.
  const reader = (): VaultDb => sqliteVaultDb(new Database(path.join(t.dir, 'vault.db'), { readonly: true }), { owned: true });
  const run = async (query: LibraryQuery, candidates: number[] | null) => {
    const vault = reader();
    try {
      const page = await runList(vault.db, listStatements(vault, query, now, candidates));
      return { total: page.total, names: page.entries.map((e) => e.name) };
    } finally {
      await vault.close();
    }
  };
  const candidatesOf = (search: string) => {
    const db = new Database(path.join(t.dir, 'vault.db'), { readonly: true });
    try {
      const match = trigramQuery(searchTerms(search));
      return match === null ? [] : (db.prepare('SELECT rowid FROM entries_search WHERE entries_search MATCH ?').pluck().all(match) as number[]);
    } finally {
      db.close();
    }
  };

  it('walking every row and reading only the candidates find the same entries in the same order', async () => {
    const queries: LibraryQuery[] = [
      { search: 'example' },
      { search: 'EXAMPLE.COM www', sort: 'notAfter', descending: true },
      { search: 'pki team', hasKey: false },
      { search: 'lpha.exam' },
      { search: 'no-such-host' },
      { search: 'example', hideExpired: true, sort: 'issuer', offset: 1, limit: 1 },
    ];
    for (const query of queries) {
      const walked = await run(query, null);
      expect(await run(query, candidatesOf(query.search!)), JSON.stringify(query)).toEqual(walked);
      expect(walked.total, JSON.stringify(query)).toBe((await t.vault.list({ ...query, offset: 0, limit: 1000 })).entries.length);
    }
  });

  it('a trigram query asks a few spread trigrams of each term, not every one', async () => {
    expect(trigramQuery(['ab'])).toBeNull();
    expect(trigramQuery(['abc'])).toBe('"abc"');
    expect(trigramQuery(['abcdefg'])).toBe('"abc" AND "def" AND "efg"');
    const fingerprint = 'a'.repeat(30) + 'b'.repeat(34);
    expect(trigramQuery([fingerprint])!.split(' AND ').length).toBeLessThanOrEqual(6);
    expect(trigramQuery(['say "hi"'])).toContain('""');
    // The digits of a hostname are asked first: its letters are in every name of its domain.
    expect(trigramQuery(['host13887.shop.example.org'])!.split(' AND ').slice(0, 2)).toEqual(['"887"', '"t13"']);
  });

  it('asks PostgreSQL\'s trigram index a few parts of a long term, in its order and never overlapping', () => {
    expect(likePieces([...'host1388'])).toBeNull();
    expect(likePieces([...'alpha.example.c5f0'])).toEqual(['alp', 'ha.', 'exa', 'mpl', 'e.c', '5f0']);
    // The digits first, as for SQLite's FTS5 table, then kept in the term's order.
    expect(likePieces([...'host13887.shop.example.org'])).toEqual(['hos', 't13', '887', '.sh', 'op.', 'mpl']);
    const fingerprint = [...'4c4d2936b64b1d74042e432fc5033e2c3b76696023163c4fad666d7292ce5b97'];
    // A hex term: four, those with the fewest digits (full fingerprint at 100,000 entries: 2.39 ms with six, digits first; 1.28-1.35 ms).
    const pieces = likePieces(fingerprint)!;
    expect(pieces).toHaveLength(4);
    expect(pieces.every((piece) => /[a-f]/.test(piece))).toBe(true);
    expect(fingerprint.join('')).toMatch(new RegExp(pieces.join('.*')));
  });

  it('asks the FTS5 table four trigrams of a hex term, those with the fewest digits, and six of any other', () => {
    const trigrams = (search: string) => (trigramQuery(searchTerms(search)) ?? '').split(' AND ').filter(Boolean).map((quoted) => quoted.slice(1, -1));
    const fingerprint = '4c4d2936b64b1d74042e432fc5033e2c3b76696023163c4fad666d7292ce5b97';
    const asked = trigrams(fingerprint);
    expect(asked).toHaveLength(4);
    for (const trigram of asked) expect(fingerprint).toContain(trigram);
    // Digits are in every entry's dates and numbers: a trigram of three is never asked while one with letters is left.
    expect(asked.every((trigram) => /[a-f]/.test(trigram))).toBe(true);
    // Pasted with colons and in capitals, the same hex term.
    expect(trigrams(fingerprint.slice(0, 16).match(/../g)!.join(':').toUpperCase())).toHaveLength(4);
    // Any other term: six, the digits first (they tell hosts apart).
    const hostname = trigrams('host13887.shop.example.org');
    expect(hostname).toHaveLength(6);
    expect(hostname.slice(0, 2).sort()).toEqual(['887', 't13']);
    expect(trigrams('0a1b2c')).toEqual(['0a1', 'b2c']);
  });

  it('counts many matches only a margin past the window, and says so', async () => {
    const page = await t.vault.list({ search: 'e', limit: 1 });
    expect(page.totalCapped).toBe(false);
    expect(page.total).toBe(5);
    const vault = reader();
    try {
      const capped = listStatements(vault, { search: 'e', limit: 1, offset: 2 }, now, null);
      expect(capped.kind === 'matched' && capped.countCap).toBe(403);
      const statements = listStatements(vault, { search: 'e', limit: 1 }, now, null);
      if (statements.kind !== 'matched') throw new Error('a search lists its matches');
      const tight = await runList(vault.db, { ...statements, countCap: 3 });
      expect(tight).toMatchObject({ total: 3, totalCapped: true });
      expect(tight.entries).toHaveLength(1);
      const few = listStatements(vault, { search: 'example' }, now, [1]);
      expect(few.kind === 'matched' && few.countCap).toBeNull();
      expect(listStatements(vault, { hasKey: true }, now, null).kind).toBe('matched');
      expect(listStatements(vault, {}, now, null).kind).toBe('indexed');
    } finally {
      await vault.close();
    }
  });
});

describe('entry ids', () => {
  it('resolves an id, a unique prefix of it, or of the fingerprint', async () => {
    const entry = await t.vault.entry(ids.alpha!);
    expect(entry.id).toMatch(/^[0-9a-f]{12}$/);
    expect(await t.vault.resolve(entry.id)).toBe(entry.id);
    expect(await t.vault.resolve(entry.id.slice(0, 10).toUpperCase())).toBe(entry.id);
    expect(await t.vault.resolve(entry.fingerprintSha256.slice(0, 16))).toBe(entry.id);
    expect(await t.vault.resolve(entry.fingerprintSha256.slice(0, 8).match(/../g)!.join(':'))).toBe(entry.id);
  });
  it('says when an id is unknown or ambiguous', async () => {
    await expect(t.vault.resolve('zz-not-hex')).rejects.toThrow(expect.objectContaining({ code: 'vault.not_found' }));
    const listed = (await t.vault.list({ limit: 1000 })).entries;
    const unused = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].find(
      (c) => !listed.some((e) => e.id.startsWith(`${c}${c}${c}`) || e.fingerprintSha256.startsWith(`${c}${c}${c}`)),
    )!;
    await expect(t.vault.resolve(`${unused}${unused}${unused}`)).rejects.toThrow(expect.objectContaining({ code: 'vault.not_found' }));
    await expect(t.vault.resolve('')).rejects.toThrow(expect.objectContaining({ code: 'vault.not_found' }));
    // Five entries: 16 one-digit prefixes, so some digit starts at least two ids or fingerprints.
    const all = (await t.vault.list({ limit: 1000 })).entries.flatMap((e) => [e.id[0], e.fingerprintSha256[0]]);
    const shared = all.find((c, i) => all.indexOf(c) !== i)!;
    const owners = (await t.vault.list({ limit: 1000 })).entries.filter((e) => e.id.startsWith(shared) || e.fingerprintSha256.startsWith(shared));
    if (owners.length > 1) await expect(t.vault.resolve(shared)).rejects.toThrow(expect.objectContaining({ code: 'vault.ambiguous_id' }));
    else expect(await t.vault.resolve(shared)).toBe(owners[0]!.id);
  });
});
