// The emulator's bind actions checked by the official Tencent SDK (tencentcloud-sdk-nodejs-common):
// it signs each call the deployer's binds make, with the parameter types of the SDK's model
// (DescribeHostDeployRecordDetail: string DeployRecordId, int Offset/Limit), and X-TC-Region from
// its `region` option; the emulator accepts them and answers in the shape the SDK parses.

import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { makeTestPki, type TestPki } from './pki';
import { tencentSdk } from './sdk-clients';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('Tencent SDK: the instance lists, DeployCertificateInstance, its records and rollback', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.tencent;
  const match = [{ FilterKey: 'domainMatch', FilterValue: '1' }];

  it('signs every bind action; the emulator lists, binds over several polls, and rolls back', async () => {
    const state = emulator().state;
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const gz = tencentSdk(emulator().port, accessKeyId, accessKeySecret, { region: 'ap-guangzhou' });
    const renewed = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    seedResource(state, { account: accessKeyId, certificateId: '', type: 'cdn', region: '', instance: { Domain: 'rsa.certvault.test', HttpsBillingSwitch: 'on' } });
    seedResource(state, { account: accessKeyId, certificateId: '', type: 'cdn', region: '', instance: { Domain: 'elsewhere.example.test' } });
    seedResource(state, { account: accessKeyId, certificateId: '', type: 'live', region: '', instance: { Domain: 'www.rsa.certvault.test' } });
    seedResource(state, {
      account: accessKeyId, certificateId: '', type: 'clb', region: 'ap-guangzhou',
      instance: { LoadBalancerId: 'lb-1', Listeners: [{ ListenerId: 'lbl-1', SniSwitch: 1, Rules: [{ Domain: 'www.rsa.certvault.test' }] }] },
    });

    const cdns = await sdk.request('DescribeHostCdnInstanceList', { CertificateId: renewed, IsCache: 0, Filters: match, Offset: 0, Limit: 100 });
    expect(cdns).toMatchObject({ TotalCount: 1, InstanceList: [{ Domain: 'rsa.certvault.test', CertId: '', HttpsBillingSwitch: 'on' }] });
    const lives = await sdk.request('DescribeHostLiveInstanceList', { CertificateId: renewed, IsCache: 0, Filters: match, Offset: 0, Limit: 100 });
    expect(lives).toMatchObject({ TotalCount: 1, InstanceList: [{ Domain: 'www.rsa.certvault.test', Status: -1 }] });
    const clbs = await sdk.request('DescribeHostClbInstanceList', { CertificateId: renewed, IsCache: 0, Filters: match, Offset: 0, Limit: 100 });
    expect(clbs).toMatchObject({ TotalCount: 1, InstanceList: [{ LoadBalancerId: 'lb-1', Listeners: [{ ListenerId: 'lbl-1', Rules: [{ Domain: 'www.rsa.certvault.test', IsMatch: true }] }] }] });
    const unmatched = await sdk.request('DescribeHostCdnInstanceList', { CertificateId: renewed, Filters: [{ FilterKey: 'domainMatch', FilterValue: '0' }] });
    expect(unmatched).toMatchObject({ TotalCount: 1, InstanceList: [{ Domain: 'elsewhere.example.test' }] });

    // A regional type without X-TC-Region is refused; with it the task is created.
    const clbDeploy = { CertificateId: renewed, InstanceIdList: ['lb-1|lbl-1|www.rsa.certvault.test'], ResourceType: 'clb', IsCache: 0 };
    await expect(sdk.request('DeployCertificateInstance', clbDeploy)).rejects.toMatchObject({ code: 'InvalidParameter.RegionNotEmpty' });
    const clbTask = await gz.request('DeployCertificateInstance', clbDeploy);
    expect(clbTask).toMatchObject({ DeployRecordId: expect.any(Number), DeployStatus: 1 });
    const cdnTask = await sdk.request('DeployCertificateInstance', { CertificateId: renewed, InstanceIdList: ['rsa.certvault.test|on'], ResourceType: 'cdn', IsCache: 0 });
    // One running task per certificate and resource type: asked again, the same task, DeployStatus 0.
    expect(await sdk.request('DeployCertificateInstance', { CertificateId: renewed, InstanceIdList: ['rsa.certvault.test|on'], ResourceType: 'cdn' })).toEqual({
      DeployRecordId: cdnTask.DeployRecordId, DeployStatus: 0, RequestId: expect.any(String),
    });
    const liveTask = await sdk.request('DeployCertificateInstance', { CertificateId: renewed, InstanceIdList: ['www.rsa.certvault.test'], ResourceType: 'live', Status: 1 });

    const records = await sdk.request('DescribeHostDeployRecord', { CertificateId: renewed, Offset: 0, Limit: 10 });
    expect(records).toMatchObject({ TotalCount: 3, DeployRecordList: [{ Id: liveTask.DeployRecordId, ResourceType: 'live', Status: 0 }, { ResourceType: 'cdn' }, { ResourceType: 'clb', Region: 'ap-guangzhou' }] });

    const detail = (id: unknown) => ({ DeployRecordId: String(id as number), Offset: 0, Limit: 200 });
    expect(await sdk.request('DescribeHostDeployRecordDetail', detail(cdnTask.DeployRecordId))).toMatchObject({ RunningTotalCount: 1, PendingTotalCount: 0 });
    const done = await sdk.request('DescribeHostDeployRecordDetail', detail(cdnTask.DeployRecordId));
    expect(done).toMatchObject({ TotalCount: 1, SuccessTotalCount: 1, FailedTotalCount: 0, RunningTotalCount: 0, DeployRecordDetailList: [{ Status: 1, CertId: renewed, OldCertId: '', Domains: ['rsa.certvault.test'], Url: [] }] });
    for (const task of [clbTask, liveTask]) {
      await sdk.request('DescribeHostDeployRecordDetail', detail(task.DeployRecordId));
      await sdk.request('DescribeHostDeployRecordDetail', detail(task.DeployRecordId));
    }
    expect(resourcesOf(state, accessKeyId).map((r) => r.certificateId)).toEqual([renewed, '', renewed, renewed]);
    // The model's types: DeployRecordId a string, Offset/Limit ints (the update family's are strings).
    await expect(sdk.request('DescribeHostDeployRecordDetail', { DeployRecordId: cdnTask.DeployRecordId })).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(sdk.request('DescribeHostDeployRecordDetail', { DeployRecordId: String(cdnTask.DeployRecordId as number), Limit: '200' })).rejects.toMatchObject({ code: 'InvalidParameter' });

    const rollback = await sdk.request('DeployCertificateRecordRollback', { DeployRecordId: cdnTask.DeployRecordId });
    expect(rollback).toMatchObject({ DeployRecordId: expect.any(Number) });
    await sdk.request('DescribeHostDeployRecordDetail', detail(rollback.DeployRecordId));
    expect(await sdk.request('DescribeHostDeployRecordDetail', detail(rollback.DeployRecordId))).toMatchObject({ SuccessTotalCount: 1, DeployRecordDetailList: [{ Status: 4, CertId: '', OldCertId: renewed }] });
    expect(resourcesOf(state, accessKeyId).map((r) => r.certificateId)).toEqual(['', '', renewed, renewed]);
  });

  it('refuses a malformed tuple, a domain the certificate does not cover, and an instance already using it', async () => {
    const state = emulator().state;
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const renewed = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.ec.fullchain, privateKeyPem: pki.ec.key }).id;
    seedResource(state, { account: accessKeyId, certificateId: '', type: 'cdn', region: '', instance: { Domain: 'rsa.certvault.test' } });
    seedResource(state, { account: accessKeyId, certificateId: renewed, type: 'cdn', region: '', instance: { Domain: 'ec.certvault.test' } });
    const deploy = (tuple: string) => sdk.request('DeployCertificateInstance', { CertificateId: renewed, InstanceIdList: [tuple], ResourceType: 'cdn' });
    await expect(deploy('rsa.certvault.test')).rejects.toMatchObject({ code: 'FailedOperation.CertificateDeployInstanceFormatError' });
    await expect(deploy('rsa.certvault.test|on')).rejects.toMatchObject({ code: 'FailedOperation.CertificateNotDeployInstance', message: expect.stringContaining('not covered') });
    await expect(deploy('ec.certvault.test|on')).rejects.toMatchObject({ code: 'FailedOperation.CertificateNotDeployInstance', message: expect.stringContaining('already uses') });
    await expect(sdk.request('DeployCertificateRecordRollback', { DeployRecordId: 1 })).rejects.toMatchObject({ code: 'FailedOperation.CertificateDeployNotExist' });
    expect(state.callsOf('DeployCertificateInstance').every((call) => call.outcome !== 'ok')).toBe(true);
  });
});
