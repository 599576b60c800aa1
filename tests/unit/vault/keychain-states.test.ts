import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { keyRolesQuery } from '../../../main/core/library/store';
import { makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

let ca: Issued;
let leaf: Issued;
let t: TestVault;
beforeAll(async () => {
  ca = await makeCa('Keychain Test CA');
  leaf = await makeLeaf(ca, { commonName: 'keys.example.com' });
});
afterEach(() => t?.cleanup());

const account = async (t: TestVault) => `vault-data-key:${await t.vault.vaultId()}`;
/** The user's yes to starting a new data key. */
const confirmed = async (): Promise<boolean> => true;

describe('the data key in the keychain', () => {
  it('is created on the first sealed key, under an account named after the vault id', async () => {
    t = openTestVault();
    await t.vault.importContent([text('cert.pem', leaf.certPem)]);
    expect(t.secrets.secrets.size).toBe(0);
    await t.vault.importContent([text('key.pem', leaf.keyPem)]);
    expect([...t.secrets.secrets.keys()]).toEqual([(await account(t))]);
    expect(Buffer.from(t.secrets.secrets.get(await account(t))!, 'base64')).toHaveLength(32);
    expect(await t.vault.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 1, retiredKeys: 0 });
  });

  it('gives two vaults on one machine two keys', async () => {
    t = openTestVault();
    const other = openTestVault();
    try {
      expect(await other.vault.vaultId()).not.toBe(await t.vault.vaultId());
    } finally {
      other.cleanup();
    }
  });

  it('unavailable keychain: certificates imported, each key refused with the reason, no key written', async () => {
    t = openTestVault();
    t.secrets.unavailable = true;
    const other = await makeLeaf(ca, { commonName: 'certonly.example.com' });
    const result = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem), text('cert.pem', other.certPem)]);
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(2);
    const names = await Promise.all(result.imported.map(async (e) => (await t.vault.entry(e.id)).name));
    const bundleId = result.imported[names.indexOf('keys.example.com')]!.id;
    expect(result.keysNotStored).toEqual([{ file: 'bundle.pem', id: bundleId, error: expect.objectContaining({ code: 'keychain.unavailable' }) }]);
    expect(result.keysNotStored[0]!.error.message).toMatch(/install and unlock/);
    expect((await t.vault.entry(bundleId)).hasKey).toBe(false);
    expect(await t.vault.keychainStatus()).toEqual({ dataKey: 'unavailable', sealedKeys: 0, retiredKeys: 0 });
    expect(t.secrets.secrets.size).toBe(0);

    // The keychain is back: the same files bring the key into the existing entry.
    t.secrets.unavailable = false;
    const again = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    expect(again).toMatchObject({ failed: [], keysNotStored: [], imported: [{ id: bundleId, duplicate: true }] });
    expect((await t.vault.export(bundleId, 'key')).bytes.toString()).toBe(leaf.keyPem);
  });

  it('unavailable keychain: a key imported on its own fails with the reason', async () => {
    t = openTestVault();
    await t.vault.importContent([text('cert.pem', leaf.certPem)]);
    t.secrets.unavailable = true;
    const result = await t.vault.importContent([text('key.pem', leaf.keyPem)]);
    expect(result.failed).toEqual([{ file: 'key.pem', error: expect.objectContaining({ code: 'keychain.unavailable' }) }]);
  });

  it('missing data key with sealed keys: certificates readable, keys unrecoverable, nothing overwritten', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const id = imported[0]!.id;
    t.secrets.secrets.clear();
    const vault = t.reopen();

    expect((await vault.list()).entries.map((e) => e.id)).toEqual([id]);
    expect((await vault.export(id, 'pem')).bytes.toString()).toBe(leaf.certPem);
    const detail = await vault.detail(id);
    expect(detail.keyState).toBe('unrecoverable');
    expect(detail.inspection.privateKeys).toEqual([]);
    expect(await vault.keychainStatus()).toEqual({ dataKey: 'missing', sealedKeys: 1, retiredKeys: 0 });
    await expect(vault.export(id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    // The list says so too, not "key".
    expect((await vault.listRows()).entries.map((e) => e.keyState)).toEqual(['unrecoverable']);

    const other = await makeLeaf(ca, { commonName: 'new.example.com' });
    const result = await vault.importContent([text('new.pem', other.certPem, other.keyPem)]);
    expect(result.failed).toEqual([]);
    expect(result.keysNotStored).toEqual([
      { file: 'new.pem', id: result.imported[0]!.id, error: expect.objectContaining({ code: 'keychain.data_key_missing', params: { count: 1 } }) },
    ]);
    expect(result.keysNotStored[0]!.error.message).toContain('certvault keychain reset --confirm');
    expect(t.secrets.secrets.size).toBe(0);
  });

  it('a replaced data key is detected by the check value, not used to "decrypt" garbage', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const replaced = Buffer.alloc(32, 7).toString('base64');
    t.secrets.secrets.set((await account(t)), replaced);
    const vault = t.reopen();
    expect((await vault.detail(imported[0]!.id)).keyState).toBe('unrecoverable');
    await expect(vault.export(imported[0]!.id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    expect(t.secrets.secrets.get(await account(t))).toBe(replaced);
  });

  it('after the unrecoverable entries are removed, a new data key is created', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    t.secrets.secrets.clear();
    const vault = t.reopen();
    (await vault.remove(imported[0]!.id));
    const result = await vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    expect(result.failed).toEqual([]);
    expect((await vault.export(result.imported[0]!.id, 'key')).bytes.toString()).toBe(leaf.keyPem);
  });
});

describe('starting a new data key', () => {
  it('is refused while the data key works, when no key depends on it, and when the keychain is unreachable', async () => {
    t = openTestVault();
    await expect(t.vault.resetDataKey(confirmed)).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });
    await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const key = t.secrets.secrets.get(await account(t));
    await expect(t.vault.resetDataKey(confirmed)).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });
    t.secrets.unavailable = true;
    await expect(t.reopen().resetDataKey(confirmed)).rejects.toMatchObject({ code: 'keychain.unavailable' });
    t.secrets.unavailable = false;
    expect(t.secrets.secrets.get(await account(t))).toBe(key);
    expect((await t.vault.export((await t.vault.listRows()).entries[0]!.id, 'key')).bytes.toString()).toBe(leaf.keyPem);
  });

  it('after the keychain lost the key: new keys stored again, old ones kept and marked unrecoverable, restored by importing them again', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const oldId = imported[0]!.id;
    t.secrets.secrets.clear();
    let vault = t.reopen();

    expect(await vault.resetDataKey(confirmed)).toEqual({ dataKey: 'ready', sealedKeys: 0, retiredKeys: 1 });
    expect(Buffer.from(t.secrets.secrets.get(await account(t))!, 'base64')).toHaveLength(32);
    // Across a restart: the old key is still there, unrecoverable, in the list and the detail.
    vault = t.reopen();
    expect(await vault.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 0, retiredKeys: 1 });
    expect((await vault.entry(oldId)).hasKey).toBe(true);
    expect((await vault.listRows()).entries.map((e) => e.keyState)).toEqual(['unrecoverable']);
    expect((await vault.detail(oldId)).keyState).toBe('unrecoverable');
    await expect(vault.export(oldId, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    await expect(vault.resetDataKey(confirmed)).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });

    const other = await makeLeaf(ca, { commonName: 'after-reset.example.com' });
    const fresh = await vault.importContent([text('new.pem', other.certPem, other.keyPem)]);
    expect(fresh).toMatchObject({ failed: [], keysNotStored: [] });
    expect((await vault.export(fresh.imported[0]!.id, 'key')).bytes.toString()).toBe(other.keyPem);

    const restored = await vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    expect(restored).toMatchObject({ failed: [], keysNotStored: [], imported: [{ id: oldId, duplicate: true }] });
    expect((await vault.detail(oldId)).keyState).toBe('sealed');
    expect((await vault.export(oldId, 'key')).bytes.toString()).toBe(leaf.keyPem);
    expect(await vault.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 2, retiredKeys: 0 });
  });

  it('asks only once a reset is due, with the keys it gives up; a no changes nothing', async () => {
    t = openTestVault();
    const asked: number[] = [];
    const answer = (yes: boolean) => async (sealedKeys: number) => (asked.push(sealedKeys), yes);
    await expect(t.vault.resetDataKey(answer(true))).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });
    const other = await makeLeaf(ca, { commonName: 'second.example.com' });
    await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem), text('other.pem', other.certPem, other.keyPem)]);
    await expect(t.vault.resetDataKey(answer(true))).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });
    expect(asked).toEqual([]);

    t.secrets.secrets.clear();
    const vault = t.reopen();
    await expect(vault.resetDataKey(answer(false))).rejects.toMatchObject({ code: 'keychain.reset_cancelled' });
    expect(asked).toEqual([2]);
    expect(t.secrets.secrets.size).toBe(0);
    expect(await t.reopen().keychainStatus()).toEqual({ dataKey: 'missing', sealedKeys: 2, retiredKeys: 0 });
  });

  it('a replaced keychain value is overwritten only by the confirmed reset', async () => {
    t = openTestVault();
    await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    t.secrets.secrets.set((await account(t)), Buffer.alloc(32, 7).toString('base64'));
    const vault = t.reopen();
    expect((await vault.keychainStatus()).dataKey).toBe('missing');
    expect(await vault.resetDataKey(confirmed)).toMatchObject({ dataKey: 'ready', retiredKeys: 1 });
    expect(t.secrets.secrets.get(await account(t))).not.toBe(Buffer.alloc(32, 7).toString('base64'));
  });
});

describe('an entry\'s keys', () => {
  it('are found by the entry\'s primary key, not by a scan of every key of the data key\'s generation', async () => {
    t = openTestVault();
    const [imported] = (await t.vault.importContent([text('both.pem', leaf.certPem + leaf.keyPem)])).imported;
    const db = new Database(path.join(t.dir, 'vault.db'), { readonly: true });
    try {
      const { sql, parameters } = keyRolesQuery(sqliteVaultDb(db, { owned: false }).db, imported!.id).compile();
      expect(db.prepare(sql).pluck().all(...parameters)).toEqual(['leaf']);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[]).map((row) => row.detail);
      expect(plan[0]).toBe('SEARCH sealed_keys USING INDEX sqlite_autoindex_sealed_keys_1 (entry_id=?)');
    } finally {
      db.close();
    }
  });
});
