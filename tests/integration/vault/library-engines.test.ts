import { X509Certificate } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { LocalDataKeys } from '../../../main/core/library/data-key';
import { Vault } from '../../../main/core/library/vault';
import { forEachEngine } from '../../support/engines';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { days, makeCa, makeLeaf, type Issued } from '../../unit/vault/helpers/pki';

// The library (entry store, lineage, entry ids, import run, data key) on both engines: what
// differs between SQLite and PostgreSQL underneath (NOCASE names, JSON arrays kept as text, blobs,
// ordering, a unique fingerprint raced by two writers, TEMP tables on a pool) must not show.

let ca: Issued;
let shop: Issued;
const renewals: Issued[] = [];

beforeAll(async () => {
  ca = await makeCa('Engines Root CA');
  shop = await makeLeaf(ca, { commonName: 'Shop.Example.com', dnsNames: ['shop.example.com', 'www.shop.example.com'] });
  for (const [i, validDays] of [30, 60, 90].entries()) {
    renewals.push(await makeLeaf(ca, { commonName: 'api.example.net', notBefore: days(i - 3), notAfter: days(validDays) }));
  }
}, 60_000);

const pem = (name: string, ...parts: string[]) => ({ name, data: Buffer.from(parts.join(''), 'utf8') });
const derOf = (issued: Issued) => Buffer.from(new X509Certificate(issued.certPem).raw);

function vaultOver(vaultDb: VaultDb, secrets = new MemorySecretStore()): Vault {
  return Vault.over({ vaultDb, dataKeys: new LocalDataKeys(vaultDb, secrets), now: () => new Date() });
}

forEachEngine('library', (open) => {
  it('imports a bundle and gives back its certificates and key byte for byte', async () => {
    const vault = vaultOver(await open());
    const result = await vault.importContent([pem('bundle.pem', shop.certPem, ca.certPem, shop.keyPem)], { tags: ['prod', 'web'] });
    expect(result.failed).toEqual([]);
    expect(result.counts).toMatchObject({ new: 1, merged: 0 });
    const entry = await vault.entry(result.imported[0]!.id);
    expect(entry).toMatchObject({ name: 'Shop.Example.com', dnsNames: ['shop.example.com', 'www.shop.example.com'], tags: ['prod', 'web'], hasKey: true });
    expect((await vault.export(entry.id, 'der')).bytes).toEqual(derOf(shop));
    expect((await vault.caCertificates()).map((der) => der.equals(derOf(ca)))).toEqual([true]);
    const bundle = (await vault.export(entry.id, 'bundle')).bytes.toString('utf8');
    expect(bundle).toContain('PRIVATE KEY');
    expect((await vault.detail(entry.id)).keyState).toBe('sealed');
  });

  it('resolves a name ignoring case, an id prefix and a fingerprint prefix with colons', async () => {
    const vault = vaultOver(await open());
    const [imported] = (await vault.importContent([pem('shop.pem', shop.certPem)])).imported;
    expect(await vault.resolve('SHOP.example.COM')).toBe(imported!.id);
    expect(await vault.resolve(imported!.id.slice(0, 6))).toBe(imported!.id);
    expect(await vault.resolve(imported!.fingerprintSha256.slice(0, 8).toUpperCase().match(/../g)!.join(':'))).toBe(imported!.id);
    await expect(vault.resolve('nothing.example.com')).rejects.toMatchObject({ code: 'vault.not_found' });
  });

  it('links renewals imported in any order, and relinks around a removed one', async () => {
    const vault = vaultOver(await open());
    const [v1, v2, v3] = renewals;
    const ids: string[] = [];
    for (const issued of [v3!, v1!, v2!]) ids.push((await vault.importContent([pem('api.pem', issued.certPem)])).imported[0]!.id);
    const [id3, id1, id2] = ids;
    expect((await vault.predecessorOf(id3!))?.id).toBe(id2);
    expect((await vault.predecessorOf(id2!))?.id).toBe(id1);
    expect((await vault.currentVersionOf(id1!)).id).toBe(id3);
    await vault.remove(id2!);
    expect((await vault.predecessorOf(id3!))?.id).toBe(id1);
    expect((await vault.successorsOf(id1!)).map((ref) => ref.id)).toEqual([id3]);
  });

  it('two edits from the same base: exactly one wins, the other is told the current values', async () => {
    // One clock for both writers: the two edits land in the same millisecond, as they may for real.
    const instant = new Date('2026-12-07T12:00:00.000Z');
    const vaultDb = await open();
    const vault = Vault.over({ vaultDb, dataKeys: new LocalDataKeys(vaultDb, new MemorySecretStore()), now: () => instant });
    const [imported] = (await vault.importContent([pem('shop.pem', shop.certPem)])).imported;
    const base = (await vault.entry(imported!.id)).updatedAt;
    const outcomes = await Promise.allSettled([
      vault.update(imported!.id, { name: 'ours', tags: ['a'] }, base),
      vault.update(imported!.id, { name: 'theirs', notes: 'their note' }, base),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    const stored = await vault.entry(imported!.id);
    expect(stored.updatedAt).not.toBe(base);
    expect((won[0] as PromiseFulfilledResult<unknown>).value).toEqual(stored);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
      code: 'library.edit_conflict',
      params: { id: stored.id, name: stored.name, tags: JSON.stringify(stored.tags), notes: stored.notes, updatedAt: stored.updatedAt },
    });
    // The stale base stays refused; the current one goes through and moves the revision on.
    await expect(vault.update(imported!.id, { name: 'late' }, base)).rejects.toMatchObject({ code: 'library.edit_conflict' });
    const next = await vault.update(imported!.id, { name: 'after looking' }, stored.updatedAt);
    expect(next).toMatchObject({ name: 'after looking', tags: stored.tags, notes: stored.notes });
    expect(next.updatedAt > stored.updatedAt).toBe(true);
  });

  it('edits keep tags a JSON array, found by search, and the list sorts names ignoring case', async () => {
    const vault = vaultOver(await open());
    await vault.importContent([pem('a.pem', renewals[0]!.certPem), pem('b.pem', shop.certPem)]);
    const { entries } = await vault.list({ sort: 'name' });
    await vault.update(entries[0]!.id, { name: 'zulu', tags: [' blue ', 'green', 'blue'] }, entries[0]!.updatedAt);
    await vault.update(entries[1]!.id, { name: 'Alpha' }, entries[1]!.updatedAt);
    expect((await vault.list({ sort: 'name' })).entries.map((entry) => entry.name)).toEqual(['Alpha', 'zulu']);
    expect((await vault.list({ search: 'green' })).entries.map((entry) => entry.tags)).toEqual([['blue', 'green']]);
  });

  it('a query of a shape asked before answers for its own values (statements compiled once per shape)', async () => {
    const vault = vaultOver(await open());
    await vault.importContent([pem('api.pem', ...renewals.map((issued) => issued.certPem)), pem('shop.pem', shop.certPem)]);
    const names = async (query: Parameters<Vault['list']>[0]) => (await vault.list(query)).entries.map((entry) => entry.name);
    expect(await names({ search: 'shop' })).toEqual(['Shop.Example.com']);
    expect(await names({ search: 'api.example' })).toEqual(['api.example.net', 'api.example.net', 'api.example.net']);
    expect(await names({ search: 'nothing-like-it' })).toEqual([]);
    const byExpiry = (await vault.list({ sort: 'notAfter', limit: 2 })).entries.map((entry) => entry.id);
    const next = (await vault.list({ sort: 'notAfter', limit: 2, offset: 2 })).entries.map((entry) => entry.id);
    expect([...byExpiry, ...next]).toEqual((await vault.list({ sort: 'notAfter' })).entries.map((entry) => entry.id));
    expect((await vault.list({ expiringWithinDays: 45 })).total).toBe(1);
    expect((await vault.list({ expiringWithinDays: 75 })).total).toBe(2);
  });

  it('the library\'s size follows every write, another vault\'s too (a kept count is recounted once data changes)', async () => {
    const vaultDb = await open();
    const [reader, writer] = [vaultOver(vaultDb), vaultOver(vaultDb)];
    const size = async () => (await reader.list({ limit: 0 })).total;
    expect(await size()).toBe(0);
    expect(await size()).toBe(0);
    const [imported] = (await writer.importContent([pem('shop.pem', shop.certPem)])).imported;
    expect(await size()).toBe(1);
    await writer.importContent([pem('api.pem', ...renewals.map((issued) => issued.certPem))]);
    expect(await size()).toBe(4);
    expect((await reader.list({ sort: 'notAfter', limit: 2, offset: 3 })).total).toBe(4);
    await writer.remove(imported!.id);
    expect(await size()).toBe(3);
  });

  it('two imports of the same certificate at once store one entry, the other merged into it', async () => {
    const vaultDb = await open();
    const secrets = new MemorySecretStore();
    // Two vaults, as two windows or the app and a script: on PostgreSQL their transactions run on two pool connections.
    const [first, second] = await Promise.all(
      [vaultOver(vaultDb, secrets), vaultOver(vaultDb, secrets)].map((vault) => vault.importContent([pem('shop.pem', shop.certPem, ca.certPem)])),
    );
    expect([first!.failed, second!.failed]).toEqual([[], []]);
    expect([first!.counts.new + second!.counts.new, first!.counts.merged + second!.counts.merged]).toEqual([1, 1]);
    expect((await vaultOver(vaultDb).list()).total).toBe(1);
  });

  it('two data key providers creating the first key at once agree on one key', async () => {
    const vaultDb = await open();
    const secrets = new MemorySecretStore();
    const keys = await Promise.all([new LocalDataKeys(vaultDb, secrets), new LocalDataKeys(vaultDb, secrets)].map((keys) => keys.forSealing()));
    expect(keys[0]!.equals(keys[1]!)).toBe(true);
    expect(secrets.secrets.size).toBe(1);
    expect((await new LocalDataKeys(vaultDb, secrets).status()).state).toBe('ready');
  });
});
