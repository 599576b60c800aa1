import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import type { RemoteCopy } from '../../../main/clouds/provider';
import { searchRowidColumn } from '../../support/search-rowid';
import { dataRevision } from '../../../main/core/db/revision';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { LibraryMatcher } from '../../../main/core/inventory/match';
import { copyKey, readBindings, readRadarSource } from '../../../main/core/inventory/radar-source';
import { buildRadar, pageOf, radarPage, type BindingsOf } from '../../../main/core/inventory/radar';
import { buildRadarInChunks, radarWindow } from '../../../main/core/inventory/radar-window';
import { InventoryStore, type SyncedCopy } from '../../../main/core/inventory/store';
import { inDays } from '../../unit/alerts/fixture';
import { forEachEngine } from '../../support/engines';

// The inventory store, the radar's reads and the data revision on both engines
// (tests/support/engines.ts): the same rows, in the same order, from SQLite and PostgreSQL.

const SYNCED = '2026-03-01T08:00:00.000Z';

async function account(vault: VaultDb, id: string, name: string): Promise<void> {
  await vault.db.insertInto('cloud_accounts').values({ id, name, cloud: 'tencent', created_at: SYNCED, updated_at: SYNCED }).execute();
}

async function entry(vault: VaultDb, id: string, fields: { cn: string; dns: string[]; notAfter: string; renews?: string; fingerprint?: string; serial?: string }): Promise<void> {
  const searchRowid = await searchRowidColumn(vault.engine, vault.db, fields.cn);
  await vault.db
    .insertInto('entries')
    .values({
      id,
      fingerprint_sha256: fields.fingerprint ?? id.padEnd(64, '0'),
      name: id,
      common_name: fields.cn,
      dns_names: JSON.stringify(fields.dns),
      subject: `CN=${fields.cn}`,
      issuer: 'C=US, O=Example Org, CN=Example CA',
      issuer_common_name: 'Example CA',
      serial_number: fields.serial ?? '01',
      not_before: '2025-01-01T00:00:00.000Z',
      not_after: fields.notAfter,
      key_algorithm: 'RSA',
      key_size: 2048,
      curve: null,
      is_ca: 0,
      tags: '[]',
      notes: '',
      source_file: null,
      imported_at: SYNCED,
      updated_at: SYNCED,
      has_key: 0,
      sm2_dual: 0,
      cert_terms: '',
      search_text: fields.cn,
      ...searchRowid,
      renews_id: fields.renews ?? null,
    })
    .execute();
}

function copy(remoteId: string, fields: Partial<RemoteCopy> = {}, match: SyncedCopy['match'] = null): SyncedCopy {
  return {
    copy: {
      cloud: 'tencent',
      remoteId,
      name: remoteId,
      commonName: `${remoteId}.example.com`,
      dnsNames: [`${remoteId}.example.com`, `www.${remoteId}.example.com`],
      notBefore: null,
      notAfter: null,
      fingerprintSha256: null,
      serial: null,
      issuer: null,
      certificatePem: null,
      bindings: [],
      ...fields,
    },
    match,
  };
}

forEachEngine('inventory store', (open) => {
  it('lists by account name ignoring case, copies without an expiry first, with bindings in recorded order', async () => {
    const vault = await open();
    const store = new InventoryStore(vault);
    await account(vault, 'acct-z', 'zeta');
    await account(vault, 'acct-b', 'Beta');
    await account(vault, 'acct-a', 'alpha');
    const bound = [
      { type: 'cdn', id: 'cdn-2', name: 'second' },
      { type: 'clb', id: 'lb-1', name: null },
      { type: 'cdn', id: 'cdn-0', name: 'third' },
    ];
    await store.replaceAccount('acct-b', [copy('b-late', { notAfter: inDays(90) }), copy('b-none'), copy('b-soon', { notAfter: inDays(5), bindings: bound })], SYNCED);
    await store.replaceAccount('acct-z', [copy('z-1', { notAfter: inDays(1) })], SYNCED);
    await store.replaceAccount('acct-a', [copy('a-1', { notAfter: inDays(30) })], SYNCED);

    const listed = await store.list();
    expect(listed.map((c) => `${c.account}/${c.remoteId}`)).toEqual(['alpha/a-1', 'Beta/b-none', 'Beta/b-soon', 'Beta/b-late', 'zeta/z-1']);
    const soon = listed.find((c) => c.remoteId === 'b-soon')!;
    expect(soon).toMatchObject({ accountId: 'acct-b', cloud: 'tencent', dnsNames: ['b-soon.example.com', 'www.b-soon.example.com'], notAfter: inDays(5), syncedAt: SYNCED, libraryId: null, matchedBy: null });
    expect(soon.bindings).toEqual(bound);
    expect((await store.list('acct-b')).map((c) => c.remoteId)).toEqual(['b-none', 'b-soon', 'b-late']);
  });

  it('replaces an account as a whole (copies, bindings, last sync) and leaves the others', async () => {
    const vault = await open();
    const store = new InventoryStore(vault);
    await account(vault, 'acct-a', 'a');
    await account(vault, 'acct-b', 'b');
    await store.replaceAccount('acct-a', [copy('old', { bindings: [{ type: 'cdn', id: 'cdn-1', name: null }] }), copy('kept')], '2026-01-01T00:00:00.000Z');
    await store.replaceAccount('acct-b', [copy('other')], '2026-01-01T00:00:00.000Z');
    // More copies than one INSERT carries, each bound, so the batches meet.
    const many = Array.from({ length: 230 }, (_, i) => copy(`new-${String(i).padStart(3, '0')}`, { bindings: [{ type: 'cdn', id: `cdn-${i}`, name: null }] }));
    await store.replaceAccount('acct-a', [copy('kept', { certificatePem: 'PEM' }), ...many], SYNCED);

    const a = await store.list('acct-a');
    expect(a).toHaveLength(231);
    expect(a.some((c) => c.remoteId === 'old')).toBe(false);
    expect(a.find((c) => c.remoteId === 'new-229')!.bindings).toEqual([{ type: 'cdn', id: 'cdn-229', name: null }]);
    const bindingRows = await vault.db.selectFrom('remote_bindings').select('remote_id').where('account_id', '=', 'acct-a').execute();
    expect(bindingRows).toHaveLength(230);
    expect((await store.list('acct-b')).map((c) => c.remoteId)).toEqual(['other']);
    expect(await store.lastSyncs()).toEqual(
      new Map([
        ['acct-a', { syncedAt: SYNCED, certificates: 231 }],
        ['acct-b', { syncedAt: '2026-01-01T00:00:00.000Z', certificates: 1 }],
      ]),
    );
  });

  it('keeps the previous sync whole when a replacement fails half way', async () => {
    const vault = await open();
    const store = new InventoryStore(vault);
    await account(vault, 'acct-a', 'a');
    await store.replaceAccount('acct-a', [copy('one'), copy('two')], SYNCED);
    // The same remote id twice breaks the primary key on the second INSERT batch's row.
    const failing = [...Array.from({ length: 150 }, (_, i) => copy(`n-${i}`)), copy('n-3')];
    await expect(store.replaceAccount('acct-a', failing, '2026-04-01T00:00:00.000Z')).rejects.toThrow();
    expect((await store.list('acct-a')).map((c) => c.remoteId)).toEqual(['one', 'two']);
    expect((await store.lastSyncs()).get('acct-a')).toEqual({ syncedAt: SYNCED, certificates: 2 });
  });

  it('gives a copy\'s stored PEM, and matches an imported entry to its copy and to unmatched copies with its fingerprint', async () => {
    const vault = await open();
    const store = new InventoryStore(vault);
    await account(vault, 'acct-a', 'a');
    await account(vault, 'acct-b', 'b');
    await entry(vault, 'imported', { cn: 'x.example.com', dns: ['x.example.com'], notAfter: inDays(40) });
    await entry(vault, 'earlier', { cn: 'y.example.com', dns: ['y.example.com'], notAfter: inDays(40) });
    const fp = 'ab'.repeat(32);
    await store.replaceAccount('acct-a', [copy('src', { certificatePem: 'PEM-A' }), copy('same-fp', { fingerprintSha256: fp }), copy('no-pem')], SYNCED);
    await store.replaceAccount('acct-b', [copy('elsewhere', { fingerprintSha256: fp }), copy('taken', { fingerprintSha256: fp }, { libraryId: 'earlier', matchedBy: 'names' })], SYNCED);

    expect(await store.certificatePem('acct-a', 'src')).toBe('PEM-A');
    expect(await store.certificatePem('acct-a', 'no-pem')).toBeNull();
    expect(await store.certificatePem('acct-a', 'missing')).toBeUndefined();

    await store.matchImported('acct-a', 'src', 'imported', fp);
    const matched = Object.fromEntries((await store.list()).map((c) => [c.remoteId, [c.libraryId, c.matchedBy]]));
    expect(matched).toEqual({
      src: ['imported', 'fingerprint'],
      'same-fp': ['imported', 'fingerprint'],
      'no-pem': [null, null],
      elsewhere: ['imported', 'fingerprint'],
      taken: ['earlier', 'names'],
    });
  });
});

forEachEngine('radar reads', (open) => {
  it('reads each entry\'s first DNS name and newest renewal, and each copy in account order', async () => {
    const vault = await open();
    await entry(vault, 'v1', { cn: 'www.example.com', dns: ['www.example.com', 'example.com'], notAfter: inDays(10) });
    await entry(vault, 'v2', { cn: 'www.example.com', dns: [], notAfter: inDays(100), renews: 'v1' });
    await entry(vault, 'v3', { cn: 'www.example.com', dns: ['v3.example.com'], notAfter: inDays(200), renews: 'v2' });
    await account(vault, 'acct-b', 'beta');
    await account(vault, 'acct-a', 'Alpha');
    const store = new InventoryStore(vault);
    await store.replaceAccount('acct-b', [copy('b-1', { notAfter: inDays(3) }, { libraryId: 'v1', matchedBy: 'fingerprint' })], SYNCED);
    await store.replaceAccount('acct-a', [copy('a-2', { notAfter: inDays(8), dnsNames: [] }), copy('a-1')], SYNCED);

    const source = await readRadarSource(vault);
    const entries = Object.fromEntries(source.entries.map((e) => [e.id, { first: e.firstDnsName, current: e.currentVersion?.id ?? null }]));
    expect(entries).toEqual({ v1: { first: 'www.example.com', current: 'v3' }, v2: { first: null, current: 'v3' }, v3: { first: 'v3.example.com', current: null } });
    expect(source.copies.map((c) => [c.account, c.remoteId, c.firstDnsName, c.libraryId])).toEqual([
      ['Alpha', 'a-1', 'a-1.example.com', null],
      ['Alpha', 'a-2', null, null],
      ['beta', 'b-1', 'b-1.example.com', 'v1'],
    ]);
  });

  it('answers the first pages and the counts from the indexes as the whole radar does', async () => {
    const vault = await open();
    await entry(vault, 'v1', { cn: 'www.example.com', dns: ['www.example.com'], notAfter: inDays(10) });
    await entry(vault, 'v2', { cn: 'www.example.com', dns: [], notAfter: inDays(100), renews: 'v1' });
    await entry(vault, 'old', { cn: 'old.example.com', dns: [], notAfter: inDays(-3) });
    await entry(vault, 'soon', { cn: 'soon.example.com', dns: [], notAfter: inDays(5) });
    await account(vault, 'acct-a', 'Alpha');
    await new InventoryStore(vault).replaceAccount('acct-a', [copy('a-1', { notAfter: inDays(8) }), copy('a-2', { notAfter: inDays(-1) })], SYNCED);
    const now = new Date(Date.parse(inDays(0)));
    const whole = buildRadar(await readRadarSource(vault));
    const noBindings: BindingsOf = () => () => [];
    for (const [offset, limit] of [
      [0, 100],
      [1, 2],
    ] as const) {
      const { window, frame } = await radarWindow(vault, now, 30, offset, limit);
      expect(pageOf(window, frame, now, 30, noBindings)).toEqual(radarPage(whole, now, 30, offset, limit, noBindings));
    }
    expect(await buildRadarInChunks(vault, 2)).toEqual(whole);
  });

  it('reads the bindings of exactly the copies asked for, in recorded order', async () => {
    const vault = await open();
    await account(vault, 'acct-a', 'a');
    await account(vault, 'acct-b', 'b');
    const store = new InventoryStore(vault);
    const two = [
      { type: 'cdn', id: 'z', name: null },
      { type: 'cdn', id: 'a', name: 'first after z' },
    ];
    await store.replaceAccount('acct-a', [copy('x', { bindings: two }), copy('y', { bindings: [{ type: 'clb', id: 'lb', name: null }] }), copy('none')], SYNCED);
    // The same remote id on another account is another copy.
    await store.replaceAccount('acct-b', [copy('x', { bindings: [{ type: 'waf', id: 'w', name: null }] })], SYNCED);

    const read = await readBindings(vault, [
      { accountId: 'acct-a', remoteId: 'x' },
      { accountId: 'acct-a', remoteId: 'none' },
    ]);
    expect([...read.keys()]).toEqual([copyKey('acct-a', 'x')]);
    expect(read.get(copyKey('acct-a', 'x'))).toEqual(two);
    expect((await readBindings(vault, [])).size).toBe(0);
    // More copies than one query asks for.
    const wanted = Array.from({ length: 1200 }, (_, i) => ({ accountId: 'acct-a', remoteId: `absent-${i}` }));
    const all = await readBindings(vault, [...wanted, { accountId: 'acct-b', remoteId: 'x' }, { accountId: 'acct-a', remoteId: 'y' }]);
    expect(Object.fromEntries(all)).toEqual({ [copyKey('acct-b', 'x')]: [{ type: 'waf', id: 'w', name: null }], [copyKey('acct-a', 'y')]: [{ type: 'clb', id: 'lb', name: null }] });
  });

  it('matches copies to entries read through the vault database', async () => {
    const vault = await open();
    await entry(vault, 'by-fp', { cn: 'a.example.com', dns: ['a.example.com'], notAfter: inDays(30), fingerprint: 'AA'.repeat(32) });
    await entry(vault, 'by-serial', { cn: 'b.example.com', dns: ['b.example.com'], notAfter: inDays(30), serial: '1F' });
    const matches = await new LibraryMatcher(vault).matchAll([copy('r', { fingerprintSha256: 'aa'.repeat(32) }).copy, copy('r', { serial: '00:1f', issuer: 'Example CA' }).copy]);
    expect(matches).toEqual([{ libraryId: 'by-fp', matchedBy: 'fingerprint' }, { libraryId: 'by-serial', matchedBy: 'serial' }]);
  });
});

forEachEngine('data revision', (open) => {
  it('stays while only reads happen, and changes with this connection\'s commit and with another connection\'s', async () => {
    const vault = await open();
    const first = await dataRevision(vault);
    await vault.db.selectFrom('entries').select('id').execute();
    await readRadarSource(vault);
    expect(await dataRevision(vault)).toBe(first);

    await account(vault, 'acct-a', 'a');
    const second = await dataRevision(vault);
    expect(second).not.toBe(first);

    if (vault.sqliteFile) {
      // The CLI writing the same file.
      const other = new Database(vault.sqliteFile);
      try {
        other.prepare(`UPDATE cloud_accounts SET name = 'b'`).run();
      } finally {
        other.close();
      }
      expect(await dataRevision(vault)).not.toBe(second);
      return;
    }
    // Another member: a transaction on another connection of the pool. Once it commits the token
    // must differ from any read before the commit, or a radar built meanwhile would be kept with
    // the old rows.
    let during = '';
    await vault.db.transaction().execute(async (trx) => {
      await trx.updateTable('cloud_accounts').set({ name: 'b' }).execute();
      during = await dataRevision(vault);
    });
    const after = await dataRevision(vault);
    expect(after).not.toBe(during);
    expect(after).not.toBe(second);
    expect(await dataRevision(vault)).toBe(after);
  });
});
