import { expect, it } from 'vitest';
import { accountIdentity } from '../../../main/core/accounts/account-confirmation';
import { AccountStore } from '../../../main/core/accounts/account-store';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { log } from '../../../main/core/log';
import { forEachEngine } from '../../support/engines';
import { FakeClock } from '../../unit/uploads/support/fake-clock';
import { FakeCloud } from '../../unit/uploads/support/fake-cloud';
import { MemorySecrets } from '../../unit/uploads/support/vault';

// The account store's engine-sensitive rules on SQLite and PostgreSQL alike: names unique and
// found ignoring case (SQLite's COLLATE NOCASE column, PostgreSQL's index on lower(name)), the
// list in that order, and the confirmation record in vault_meta (an upsert) forgotten with the
// edit or removal that changes who receives the keys. The rest is in tests/unit/uploads/accounts.test.ts.

log.setSink(null);

const secret = (id: string) => ({ accessKeyId: id, accessKeySecret: `secret-of-${id}` });

function storeOver(vault: VaultDb): AccountStore {
  const cloud = new FakeCloud(new FakeClock());
  return new AccountStore(vault, new MemorySecrets(), () => cloud.provider(), () => new Date('2026-01-01T00:00:00.000Z'));
}

forEachEngine('account store', (open) => {
  it('finds an account by id or by name in any case, and lists by name ignoring case', async () => {
    const store = storeOver(await open());
    const prod = await store.save({ cloud: 'tencent', name: 'prod' }, secret('a'));
    await store.save({ cloud: 'tencent', name: 'Beta' }, secret('b'));
    await store.save({ cloud: 'tencent', name: 'alpha' }, secret('c'));

    expect((await store.get('PROD')).id).toBe(prod.id);
    expect((await store.get(prod.id)).name).toBe('prod');
    expect((await store.list()).map((account) => account.name)).toEqual(['alpha', 'Beta', 'prod']);
    await expect(store.get('nobody')).rejects.toMatchObject({ code: 'account.not_found' });
  });

  it('refuses a second account whose name differs only in case, on a new account and on a rename', async () => {
    const store = storeOver(await open());
    await store.save({ cloud: 'tencent', name: 'prod' }, secret('a'));
    const other = await store.save({ cloud: 'tencent', name: 'other' }, secret('b'));

    await expect(store.save({ cloud: 'tencent', name: 'PROD' }, secret('c'))).rejects.toMatchObject({ code: 'account.exists' });
    await expect(store.save({ id: other.id, cloud: 'tencent', name: 'Prod' })).rejects.toMatchObject({ code: 'account.exists' });
    expect((await store.list()).map((account) => account.name)).toEqual(['other', 'prod']);
  });

  it('records a confirmation, keeps it on a rename, and forgets it when the secret changes or the account goes', async () => {
    const vault = await open();
    const store = storeOver(vault);
    const account = await store.save({ cloud: 'tencent', name: 'prod' }, secret('a'));
    const identity = accountIdentity(account, secret('a'));
    await store.confirmations.record(account.id, identity);
    await store.confirmations.record(account.id, identity);

    expect(await store.confirmations.matches(account.id, identity)).toBe(true);
    expect(await store.confirmations.matches(account.id, { ...identity, keyId: 'other' })).toBe(false);
    expect((await store.save({ id: account.id, cloud: 'tencent', name: 'production' })).confirmed).toBe(true);

    expect((await store.save({ id: account.id, cloud: 'tencent', name: 'production' }, secret('b'))).confirmed).toBe(false);
    await store.confirmations.record(account.id, accountIdentity(account, secret('b')));
    await store.remove(account.id);
    const left = await vault.db.selectFrom('vault_meta').select('key').where('key', 'like', 'account-confirmed:%').execute();
    expect(left).toEqual([]);
  });
});
