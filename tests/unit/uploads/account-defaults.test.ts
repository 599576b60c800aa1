import { describe, expect, it } from 'vitest';
import { huawei } from '../../../main/clouds/huawei';
import { tencent } from '../../../main/clouds/tencent';
import { volcengine } from '../../../main/clouds/volcengine';
import { resolveOptions } from '../../../main/core/uploads/plan';
import { FakeClock } from './support/fake-clock';
import { fakeMaterial } from './support/material';
import { testVault } from './support/vault';

// Account default upload options with the real cloud schemas, whose `.default()`s a partial
// schema would otherwise write into the account: only what the user set is stored, and the
// upload options are the cloud's defaults, overridden by the account's, overridden by the target's.

const secret = { accessKeyId: 'id', accessKeySecret: 'secret' };
const ROOT_CA = '-----BEGIN CERTIFICATE-----\nMIIBroot\nline2\n-----END CERTIFICATE-----';

function vault() {
  return testVault(new FakeClock(), [tencent, huawei, volcengine]);
}

describe('account default upload options', () => {
  it("store only the options the user set, not the schema's own defaults", async () => {
    const { accounts } = vault();
    const saved = await accounts.save({ cloud: 'tencent', name: 'prod', defaultOptions: { alias: ' web ', certificateUse: 'CDN' } }, secret);
    // Not certificateType 'SVR', tags [] or repeatable false: the schema fills those, the user did not.
    expect(saved.defaultOptions).toEqual({ alias: 'web', certificateUse: 'CDN' });
    expect((await accounts.get('prod')).defaultOptions).toEqual({ alias: 'web', certificateUse: 'CDN' });
  });

  it('keep an explicit choice that happens to equal the default, and drop unset (undefined) keys', async () => {
    const { accounts } = vault();
    const saved = await accounts.save({ cloud: 'tencent', name: 'prod', defaultOptions: { repeatable: false, projectId: undefined } }, secret);
    expect(saved.defaultOptions).toEqual({ repeatable: false });
    const none = await accounts.save({ cloud: 'tencent', name: 'staging', defaultOptions: { alias: undefined } }, secret);
    expect(none.defaultOptions).toEqual({});
  });

  it("leave the cloud's per-account defaults in charge: a Huawei dedicated gateway, a Volcengine project", async () => {
    const { accounts } = vault();
    const gateway = await accounts.save(
      { cloud: 'huawei', name: 'hw', region: 'cn-north-4', fields: { instanceId: 'gw-1' }, defaultOptions: { trustedRootCa: ROOT_CA } },
      secret,
    );
    // A partial schema would have stored type 'global' and instanceId 'common' beside the CA.
    expect(gateway.defaultOptions).toEqual({ trustedRootCa: ROOT_CA });
    expect(resolveOptions(huawei, gateway, fakeMaterial()).options).toMatchObject({ type: 'instance', instanceId: 'gw-1', trustedRootCa: ROOT_CA });

    const live = await accounts.save({ cloud: 'volcengine', name: 'live', fields: { projectName: 'media' }, defaultOptions: { certName: 'edge' } }, secret);
    expect(live.defaultOptions).toEqual({ certName: 'edge' });
    expect(resolveOptions(volcengine, live, fakeMaterial()).options).toMatchObject({ certName: 'edge', projectName: 'media' });
  });

  it("resolve each option as the target's edit, else the account's default, else the cloud's default", async () => {
    const { accounts } = vault();
    const account = await accounts.save(
      { cloud: 'tencent', name: 'prod', fields: { projectId: '3' }, defaultOptions: { projectId: 7, certificateUse: 'CLB' } },
      secret,
    );
    const material = fakeMaterial();
    // Cloud: alias from the certificate, type SVR. Account: project 7 over the account field's 3, use CLB.
    expect(resolveOptions(tencent, account, material).options).toEqual({
      certificateType: 'SVR',
      alias: expect.stringContaining('www.example.com'),
      projectId: 7,
      certificateUse: 'CLB',
      tags: [],
      repeatable: false,
    });
    // Target: its edits win over both, and leave the rest alone.
    expect(resolveOptions(tencent, account, material, { projectId: 9, alias: 'mine' }).options).toMatchObject({
      alias: 'mine',
      projectId: 9,
      certificateUse: 'CLB',
      certificateType: 'SVR',
    });
    const plain = await accounts.save({ cloud: 'tencent', name: 'plain', fields: { projectId: '3' } }, secret);
    expect(resolveOptions(tencent, plain, material).options).toMatchObject({ projectId: 3 });
  });

  it('still refuses an unknown or invalid default, naming it', async () => {
    const { accounts } = vault();
    await expect(accounts.save({ cloud: 'tencent', name: 'a', defaultOptions: { certificateUse: 'FTP' } }, secret)).rejects.toMatchObject({
      code: 'account.invalid',
      params: expect.objectContaining({ field: 'defaultOptions.certificateUse' }),
    });
    await expect(accounts.save({ cloud: 'tencent', name: 'b', defaultOptions: { bogus: 1 } }, secret)).rejects.toMatchObject({ code: 'account.invalid' });
  });
});
