import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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

const account = (t: TestVault) => `vault-data-key:${t.vault.id}`;

describe('the data key in the keychain', () => {
  it('is created on the first sealed key, under an account named after the vault id', async () => {
    t = openTestVault();
    await t.vault.importContent([text('cert.pem', leaf.certPem)]);
    expect(t.secrets.secrets.size).toBe(0);
    await t.vault.importContent([text('key.pem', leaf.keyPem)]);
    expect([...t.secrets.secrets.keys()]).toEqual([account(t)]);
    expect(Buffer.from(t.secrets.secrets.get(account(t))!, 'base64')).toHaveLength(32);
    expect(await t.vault.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 1 });
  });

  it('gives two vaults on one machine two keys', async () => {
    t = openTestVault();
    const other = openTestVault();
    try {
      expect(other.vault.id).not.toBe(t.vault.id);
    } finally {
      other.cleanup();
    }
  });

  it('unavailable keychain: a clear error for the key, nothing written', async () => {
    t = openTestVault();
    t.secrets.unavailable = true;
    const result = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    expect(result.imported).toEqual([]);
    expect(result.failed).toEqual([{ file: 'bundle.pem', error: expect.objectContaining({ code: 'keychain.unavailable' }) }]);
    expect(result.failed[0]!.error.message).toMatch(/install and unlock/);
    expect(t.vault.list().total).toBe(0);
    expect(await t.vault.keychainStatus()).toEqual({ dataKey: 'unavailable', sealedKeys: 0 });
  });

  it('missing data key with sealed keys: certificates readable, keys unrecoverable, nothing overwritten', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const id = imported[0]!.id;
    t.secrets.secrets.clear();
    const vault = t.reopen();

    expect(vault.list().entries.map((e) => e.id)).toEqual([id]);
    expect((await vault.export(id, 'pem')).bytes.toString()).toBe(leaf.certPem);
    const detail = await vault.detail(id);
    expect(detail.keyState).toBe('unrecoverable');
    expect(detail.inspection.privateKeys).toEqual([]);
    expect(await vault.keychainStatus()).toEqual({ dataKey: 'missing', sealedKeys: 1 });
    await expect(vault.export(id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });

    const other = await makeLeaf(ca, { commonName: 'new.example.com' });
    const result = await vault.importContent([text('new.pem', other.certPem, other.keyPem)]);
    expect(result.failed).toEqual([{ file: 'new.pem', error: expect.objectContaining({ code: 'keychain.data_key_missing', params: { count: 1 } }) }]);
    expect(t.secrets.secrets.size).toBe(0);
  });

  it('a replaced data key is detected by the check value, not used to "decrypt" garbage', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const replaced = Buffer.alloc(32, 7).toString('base64');
    t.secrets.secrets.set(account(t), replaced);
    const vault = t.reopen();
    expect((await vault.detail(imported[0]!.id)).keyState).toBe('unrecoverable');
    await expect(vault.export(imported[0]!.id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    expect(t.secrets.secrets.get(account(t))).toBe(replaced);
  });

  it('after the unrecoverable entries are removed, a new data key is created', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    t.secrets.secrets.clear();
    const vault = t.reopen();
    vault.remove(imported[0]!.id);
    const result = await vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    expect(result.failed).toEqual([]);
    expect((await vault.export(result.imported[0]!.id, 'key')).bytes.toString()).toBe(leaf.keyPem);
  });
});
