import { describe, expect, it } from 'vitest';
import { AccountStore, keychainAccount, type ConfirmEndpoint } from '../../../main/core/accounts/account-store';
import { authVerdict, testConnection } from '../../../main/core/accounts/connection-test';
import { log } from '../../../main/core/log';
import type { VaultError } from '../../../shared/errors';
import { translate } from '../../../shared/i18n';
import { FakeClock } from './support/fake-clock';
import { cloudError, FakeCloud } from './support/fake-cloud';
import { testVault } from './support/vault';

log.setSink(null);

const SECRET = 'the-secret-key-value';

function setup() {
  const clock = new FakeClock();
  const cloud = new FakeCloud(clock);
  const vault = testVault(clock, [cloud.provider()]);
  return { clock, cloud, vault };
}

describe('cloud accounts', () => {
  it('keeps the secret only in the keychain, one entry per account, and never returns it', async () => {
    const { vault } = setup();
    const account = await vault.accounts.save(
      { cloud: 'tencent', name: ' prod ', region: 'ap-guangzhou', endpoint: 'http://127.0.0.1:8080/', fields: { projectId: '42' }, defaultOptions: { alias: 'web' } },
      { accessKeyId: 'AKID', accessKeySecret: SECRET },
    );

    expect(account).toMatchObject({ name: 'prod', region: 'ap-guangzhou', endpoint: 'http://127.0.0.1:8080', fields: { projectId: '42' }, defaultOptions: { alias: 'web' }, secretStored: true });
    expect(JSON.stringify(await vault.accounts.list())).not.toContain(SECRET);
    expect(JSON.stringify(vault.db.prepare('SELECT * FROM cloud_accounts').all())).not.toContain(SECRET);
    expect(JSON.parse(vault.secrets.entries.get(keychainAccount(account.id))!)).toEqual({ accessKeyId: 'AKID', accessKeySecret: SECRET });
    expect(await vault.accounts.credentials(account)).toEqual({ accessKeyId: 'AKID', accessKeySecret: SECRET });
  });

  it('edits without touching the secret, or replaces it when given', async () => {
    const { vault } = setup();
    const account = await vault.accounts.save({ cloud: 'tencent', name: 'prod' }, { accessKeyId: 'A', accessKeySecret: 'one' });
    const renamed = await vault.accounts.save({ id: account.id, cloud: 'tencent', name: 'production', region: 'ap-beijing' });
    expect(renamed).toMatchObject({ id: account.id, name: 'production', region: 'ap-beijing' });
    expect((await vault.accounts.credentials(renamed)).accessKeySecret).toBe('one');

    await vault.accounts.save({ id: account.id, cloud: 'tencent', name: 'production' }, { accessKeyId: 'A', accessKeySecret: 'two' });
    expect((await vault.accounts.credentials(renamed)).accessKeySecret).toBe('two');
    expect(vault.secrets.entries.size).toBe(1);
  });

  it('refuses a duplicate name (case-insensitive), a new account without a secret, and a cloud change', async () => {
    const { vault } = setup();
    const account = await vault.addAccount('prod');
    await expect(vault.accounts.save({ cloud: 'tencent', name: 'PROD' }, { accessKeyId: 'a', accessKeySecret: 'b' })).rejects.toMatchObject({ code: 'account.exists' });
    await expect(vault.accounts.save({ cloud: 'tencent', name: 'other' })).rejects.toMatchObject({ code: 'account.invalid', params: { field: 'secret' } });
    await expect(vault.accounts.save({ id: account.id, cloud: 'aliyun', name: 'prod' })).rejects.toBeDefined();
    expect(vault.secrets.entries.size).toBe(1);
  });

  it.each([
    [{ name: 'a,b' }, 'name', /comma/],
    [{ name: '' }, 'name', /empty/],
    [{ endpoint: 'ftp://x' }, 'endpoint', /https:\/\/ or http:\/\//],
    [{ endpoint: 'https://user:pw@host' }, 'endpoint', /user name or password/],
    [{ endpoint: 'http://gateway.example.com:8080' }, 'endpoint', /plain http:\/\/ only on this machine/],
    [{ endpoint: 'not a url' }, 'endpoint', /not a URL/],
    [{ region: 'ap guangzhou' }, 'region', /not a region id/],
    [{ fields: { instanceId: 'x' } }, 'instanceId', /not a tencent account field \(accepted: projectId\)/],
    [{ fields: { projectId: 'abc' } }, 'projectId', /whole number/],
    [{ defaultOptions: { alias: 'x'.repeat(30) } }, 'defaultOptions.alias', /.+/],
    [{ defaultOptions: { bogus: 1 } }, 'defaultOptions', /.+/],
    [{ defaultOptions: { keyPassword: 'hunter2' } }, 'defaultOptions.keyPassword', /never stored/],
  ])('rejects %o naming field %s', async (patch, field, reason) => {
    const { vault } = setup();
    await expect(vault.accounts.save({ cloud: 'tencent', name: 'prod', ...patch }, { accessKeyId: 'a', accessKeySecret: 'b' })).rejects.toMatchObject({
      code: 'account.invalid',
      params: { field, reason: expect.stringMatching(reason) },
    });
    expect(vault.secrets.entries.size).toBe(0);
    expect(await vault.accounts.list()).toEqual([]);
  });

  it('deleting an account deletes its keychain entry and keeps its history', async () => {
    const { vault } = setup();
    const account = await vault.addAccount('prod');
    await vault.accounts.remove('prod');
    expect(vault.secrets.entries.size).toBe(0);
    expect(await vault.accounts.list()).toEqual([]);
    await expect(vault.accounts.remove('prod')).rejects.toMatchObject({ code: 'account.not_found' });
    expect(account.id).toBeTruthy();
  });

  it('keeps the account when the keychain refuses the delete', async () => {
    const { vault } = setup();
    await vault.addAccount('prod');
    vault.secrets.delete = () => Promise.reject(new Error('locked'));
    await expect(vault.accounts.remove('prod')).rejects.toThrow('locked');
    expect(await vault.accounts.list()).toHaveLength(1);
  });
});

describe('accounts that read their secret from the environment', () => {
  function envStore(env: Record<string, string>) {
    const { vault, cloud } = setup();
    const store = new AccountStore(vault.vault, vault.secrets, () => cloud.provider(), () => new Date(), env);
    return { vault, store };
  }

  it('store no secret and read the cloud variables at each use', async () => {
    const { vault, store } = envStore({ TENCENTCLOUD_SECRET_ID: 'env-id', TENCENTCLOUD_SECRET_KEY: SECRET });
    const account = await store.save({ cloud: 'tencent', name: 'server', secretSource: 'environment' });
    expect(account).toMatchObject({ secretSource: 'environment', secretStored: false });
    expect(vault.secrets.entries.size).toBe(0);
    expect(await store.credentials(account)).toEqual({ accessKeyId: 'env-id', accessKeySecret: SECRET });
  });

  it('say which variables are missing', async () => {
    const { store } = envStore({});
    const account = await store.save({ cloud: 'tencent', name: 'server', secretSource: 'environment' });
    await expect(store.credentials(account)).rejects.toMatchObject({
      code: 'account.env_missing',
      params: { name: 'server', variables: 'TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY' },
    });
  });

  it('switching to the environment deletes the keychain entry; switching back needs a secret', async () => {
    const { vault, store } = envStore({});
    const account = await store.save({ cloud: 'tencent', name: 'prod' }, { accessKeyId: 'a', accessKeySecret: 'b' });
    expect(vault.secrets.entries.size).toBe(1);
    await store.save({ id: account.id, cloud: 'tencent', name: 'prod', secretSource: 'environment' });
    expect(vault.secrets.entries.size).toBe(0);
    await expect(store.save({ id: account.id, cloud: 'tencent', name: 'prod', secretSource: 'keychain' })).rejects.toMatchObject({ params: { field: 'secret' } });
    await expect(store.save({ id: account.id, cloud: 'tencent', name: 'prod' }, { accessKeyId: 'a', accessKeySecret: 'b' })).rejects.toMatchObject({ params: { field: 'secret' } });
    await store.save({ id: account.id, cloud: 'tencent', name: 'prod', secretSource: 'keychain' }, { accessKeyId: 'a', accessKeySecret: 'c' });
    expect((await store.credentials(await store.get('prod'))).accessKeySecret).toBe('c');
  });

  it('puts the previous secret back when the row cannot be written', async () => {
    const { vault, store } = envStore({});
    const account = await store.save({ cloud: 'tencent', name: 'prod' }, { accessKeyId: 'a', accessKeySecret: 'old' });
    await store.save({ cloud: 'tencent', name: 'other' }, { accessKeyId: 'x', accessKeySecret: 'y' });
    vault.db.exec("CREATE TRIGGER refuse BEFORE UPDATE ON cloud_accounts BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    await expect(store.save({ id: account.id, cloud: 'tencent', name: 'prod' }, { accessKeyId: 'a', accessKeySecret: 'new' })).rejects.toThrow('disk full');
    expect((await store.credentials(account)).accessKeySecret).toBe('old');
    await expect(store.save({ id: account.id, cloud: 'tencent', name: 'prod', secretSource: 'environment' })).rejects.toThrow('disk full');
    expect((await store.credentials(account)).accessKeySecret).toBe('old');
  });
});

describe('test connection', () => {
  it.each([
    [{ kind: 'auth' as const, code: 'AuthFailure.SignatureFailure' }, 'wrong_key'],
    [{ kind: 'auth' as const, code: 'InvalidAccessKeyId.NotFound', httpStatus: 404 }, 'wrong_key'],
    [{ kind: 'auth' as const, code: 'APIG.0301', message: 'verify aksk signature fail' }, 'wrong_key'],
    [{ kind: 'auth' as const, code: 'AuthFailure.UnauthorizedOperation' }, 'no_permission'],
    [{ kind: 'auth' as const, code: 'AccessDenied', httpStatus: 403 }, 'no_permission'],
    [{ kind: 'auth' as const, code: 'Forbidden.RAM' }, 'no_permission'],
    [{ kind: 'auth' as const, code: 'AuthFailure.SignatureExpire' }, 'clock_skew'],
    [{ kind: 'auth' as const, code: 'InvalidTimeStamp.Expired' }, 'clock_skew'],
    [{ kind: 'invalid' as const, code: 'InvalidTimestamp' }, 'clock_skew'],
    [{ kind: 'network' as const, code: 'ECONNREFUSED', mayHaveReachedServer: false }, 'unreachable'],
    [{ kind: 'network' as const, code: 'timeout' }, 'unreachable'],
    [{ kind: 'server' as const, code: 'InternalError' }, 'error'],
  ])('classifies %o as %s', async (error, verdict) => {
    const { cloud, vault } = setup();
    const account = await vault.addAccount('prod');
    cloud.listSteps = [{ kind: 'error', error }];
    const result = await testConnection(cloud.provider(), {
      account: { cloud: 'tencent', region: null, endpoint: null, fields: {} },
      credentials: await vault.accounts.credentials(account),
      http: vault.deps.http,
      now: () => new Date(),
      nonce: () => 'n',
    });
    expect(result.verdict).toBe(verdict);
    expect(result.error?.code).toBe(error.code);
  });

  it('reports how many certificates the list returned when it works', async () => {
    const { cloud, vault } = setup();
    const account = await vault.addAccount('prod');
    const result = await testConnection(cloud.provider(), {
      account: { cloud: 'tencent', region: null, endpoint: null, fields: {} },
      credentials: await vault.accounts.credentials(account),
      http: vault.deps.http,
      now: () => new Date(),
      nonce: () => 'n',
    });
    expect(result).toEqual({ verdict: 'works', certificates: 0, error: null });
  });

  it('authVerdict never calls a signature failure a permission problem', () => {
    expect(authVerdict(cloudError('huawei', { kind: 'auth', code: 'APIG.1005', httpStatus: 403 }).info)).toBe('no_permission');
    expect(authVerdict(cloudError('huawei', { kind: 'auth', code: 'APIG.1002', httpStatus: 401 }).info)).toBe('wrong_key');
  });
});

describe('a Huawei account needs a region or an endpoint', () => {
  function huaweiStore() {
    const clock = new FakeClock();
    const vault = testVault(clock, [new FakeCloud(clock, 'huawei').provider()]);
    return vault;
  }

  it('refuses neither, naming the region field in both languages, and writes nothing', async () => {
    const vault = huaweiStore();
    const error = await vault.accounts.save({ cloud: 'huawei', name: 'hw', region: '  ' }, { accessKeyId: 'a', accessKeySecret: 'b' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'account.region_required', params: { field: 'region', example: 'cn-north-4' } });
    const { code, params } = error as VaultError;
    expect(translate('en', `error.${code}`, params)).toMatch(/"region".*needs a region such as cn-north-4.*or an endpoint override/);
    expect(translate('zh-CN', `error.${code}`, params)).toMatch(/区域.*cn-north-4.*自定义接入点/);
    expect(vault.secrets.entries.size).toBe(0);
    expect(await vault.accounts.list()).toEqual([]);
  });

  it('accepts a region, or an endpoint override without one', async () => {
    const vault = huaweiStore();
    await expect(vault.accounts.save({ cloud: 'huawei', name: 'hw', region: 'cn-north-4' }, { accessKeyId: 'a', accessKeySecret: 'b' })).resolves.toMatchObject({ region: 'cn-north-4' });
    await expect(vault.accounts.save({ cloud: 'huawei', name: 'private', endpoint: 'https://apig.internal.example' }, { accessKeyId: 'a', accessKeySecret: 'b' })).resolves.toMatchObject({ region: null });
  });

  it('other clouds keep their default region', async () => {
    const { vault } = setup();
    await expect(vault.accounts.save({ cloud: 'tencent', name: 'prod' }, { accessKeyId: 'a', accessKeySecret: 'b' })).resolves.toMatchObject({ region: null });
  });
});

describe('confirming an endpoint override', () => {
  const credentials = { accessKeyId: 'a', accessKeySecret: 'b' };

  function confirmer(answer: boolean) {
    const asked: { name: string; endpoint: string }[] = [];
    const confirm: ConfirmEndpoint = async (account, endpoint) => {
      asked.push({ name: account.name, endpoint });
      return answer;
    };
    return { asked, confirm };
  }

  it('asks before a new account sends anything to an override, with the normalised URL', async () => {
    const { vault } = setup();
    const { asked, confirm } = confirmer(true);
    await vault.accounts.save({ cloud: 'tencent', name: 'prod', endpoint: 'https://ssl.internal.example/' }, credentials, confirm);
    expect(asked).toEqual([{ name: 'prod', endpoint: 'https://ssl.internal.example' }]);
  });

  it('declined: nothing is written, neither the row nor the secret', async () => {
    const { vault } = setup();
    const { confirm } = confirmer(false);
    await expect(vault.accounts.save({ cloud: 'tencent', name: 'prod', endpoint: 'https://attacker.example/' }, credentials, confirm)).rejects.toMatchObject({
      code: 'account.endpoint_not_confirmed',
      params: { name: 'prod', endpoint: 'https://attacker.example' },
    });
    expect(await vault.accounts.list()).toEqual([]);
    expect(vault.secrets.entries.size).toBe(0);
  });

  it('asks again when an edit changes the override, and a declined edit keeps the old one', async () => {
    const { vault } = setup();
    const account = await vault.accounts.save({ cloud: 'tencent', name: 'prod', endpoint: 'https://a.example' }, credentials, confirmer(true).confirm);
    const declined = confirmer(false);
    await expect(vault.accounts.save({ id: account.id, cloud: 'tencent', name: 'prod', endpoint: 'https://b.example' }, { accessKeyId: 'a', accessKeySecret: 'new' }, declined.confirm)).rejects.toMatchObject({
      code: 'account.endpoint_not_confirmed',
    });
    expect(declined.asked).toHaveLength(1);
    expect((await vault.accounts.get('prod')).endpoint).toBe('https://a.example');
    expect((await vault.accounts.credentials(account)).accessKeySecret).toBe('b');
  });

  it('does not ask for an unchanged override or for none', async () => {
    const { vault } = setup();
    const account = await vault.accounts.save({ cloud: 'tencent', name: 'prod', endpoint: 'https://a.example' }, credentials, confirmer(true).confirm);
    const again = confirmer(false);
    await vault.accounts.save({ id: account.id, cloud: 'tencent', name: 'renamed', endpoint: 'https://a.example/' }, undefined, again.confirm);
    await vault.accounts.save({ cloud: 'tencent', name: 'public' }, credentials, again.confirm);
    expect(again.asked).toEqual([]);
  });
});
