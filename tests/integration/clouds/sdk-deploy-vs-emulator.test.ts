// The emulators' deploy actions checked by the official SDKs: each signs every deploy call the
// Tencent and Alibaba deployers make, with the parameter types of its own model, and the emulator
// accepts them and answers in the shape the SDK parses.

import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  CreateDeploymentJobRequest,
  DeleteUserCertificateRequest,
  DescribeDeploymentJobRequest,
  ListContactRequest,
  ListWorkerResourceRequest,
  UpdateDeploymentJobStatusRequest,
  UpdateWorkerResourceStatusRequest,
} from '@alicloud/cas20200407';
import { seedAliyunCertificate, seedAliyunContact, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { makeTestPki, type TestPki } from './pki';
import { ALIYUN_HOST, aliyunSdk, redirectHosts, tencentSdk, type AliyunSdkError } from './sdk-clients';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('Tencent SDK: UpdateCertificateInstance, DescribeHostUpdateRecordDetail, rollback, expiry switch, delete task', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.tencent;

  it('signs every deploy action, and the emulator runs the update, the rollback and the delete', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const state = emulator().state;
    const old = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    const renewed = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    seedResource(state, { account: accessKeyId, certificateId: old, type: 'cdn', region: '', instance: { Domain: 'rsa.certvault.test', CertId: old } });
    seedResource(state, {
      account: accessKeyId, certificateId: old, type: 'clb', region: 'ap-guangzhou',
      instance: { LoadBalancerId: 'lb-1', Listeners: [{ ListenerId: 'lbl-1', SniSwitch: 1, Rules: [{ Domain: 'www.rsa.certvault.test' }] }] },
    });

    const update = {
      OldCertificateId: old,
      CertificateId: renewed,
      ResourceTypes: ['cdn', 'clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou'] }],
    };
    expect(await sdk.request('UpdateCertificateInstance', update)).toMatchObject({ DeployRecordId: 0, DeployStatus: 0 });
    const created = await sdk.request('UpdateCertificateInstance', update);
    expect(created).toMatchObject({ DeployRecordId: expect.any(Number), DeployStatus: 1 });
    const recordId = created.DeployRecordId as number;
    // Repeated while the record runs: the same record, DeployStatus 0.
    expect(await sdk.request('UpdateCertificateInstance', update)).toMatchObject({ DeployRecordId: recordId, DeployStatus: 0 });

    const detail = { DeployRecordId: String(recordId), Limit: '200', Offset: '0' };
    expect(await sdk.request('DescribeHostUpdateRecordDetail', detail)).toMatchObject({ RunningTotalCount: 2, PendingTotalCount: 0 });
    const done = await sdk.request('DescribeHostUpdateRecordDetail', detail);
    expect(done).toMatchObject({ TotalCount: 2, SuccessTotalCount: 2, FailedTotalCount: 0, RunningTotalCount: 0, PendingTotalCount: 0 });
    expect(done.RecordDetailList).toEqual([
      { ResourceType: 'cdn', TotalCount: 1, List: [expect.objectContaining({ Status: 1, CertId: renewed, OldCertId: old, Domains: ['rsa.certvault.test'] })] },
      { ResourceType: 'clb', TotalCount: 1, List: [expect.objectContaining({ Status: 1, InstanceId: 'lb-1', ListenerId: 'lbl-1', Region: 'ap-guangzhou' })] },
    ]);
    expect(resourcesOf(state, accessKeyId).map((resource) => resource.certificateId)).toEqual([renewed, renewed]);
    // The string-typed id of the model: a JSON number is refused.
    await expect(sdk.request('DescribeHostUpdateRecordDetail', { DeployRecordId: recordId })).rejects.toMatchObject({ code: 'InvalidParameter' });

    const rollback = await sdk.request('UpdateCertificateRecordRollback', { DeployRecordId: recordId });
    const rollbackDetail = { DeployRecordId: String(rollback.DeployRecordId as number), Limit: '200', Offset: '0' };
    await sdk.request('DescribeHostUpdateRecordDetail', rollbackDetail);
    expect(await sdk.request('DescribeHostUpdateRecordDetail', rollbackDetail)).toMatchObject({ SuccessTotalCount: 2 });
    expect(resourcesOf(state, accessKeyId).map((resource) => resource.certificateId)).toEqual([old, old]);

    expect(await sdk.request('ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: [old], SwitchStatus: 1 })).toMatchObject({ CertificateIds: [old] });
    const deletion = await sdk.request('DeleteCertificate', { CertificateId: renewed, IsCheckResource: true });
    expect(deletion).toMatchObject({ DeleteResult: true, TaskId: expect.any(String) });
    const taskIds = [deletion.TaskId as string];
    expect(await sdk.request('DescribeDeleteCertificatesTaskResult', { TaskIds: taskIds })).toMatchObject({ DeleteTaskResult: [{ Status: 0 }] });
    expect(await sdk.request('DescribeDeleteCertificatesTaskResult', { TaskIds: taskIds })).toMatchObject({ DeleteTaskResult: [{ Status: 1, CertId: renewed }] });
    await expect(sdk.request('DeleteCertificate', { CertificateId: old })).rejects.toMatchObject({ code: 'FailedOperation.BoundResources' });
  });

  it('pages each record group with string Limit/Offset, and refuses what the model does not allow', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const state = emulator().state;
    state.deploy.preparingCalls = 0;
    state.deploy.pollsBeforeDone = 0;
    const old = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    const renewed = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    for (const domain of ['rsa.certvault.test', 'www.rsa.certvault.test', 'other.certvault.test']) {
      seedResource(state, { account: accessKeyId, certificateId: old, type: 'cdn', region: '', instance: { Domain: domain, CertId: old } });
    }
    await expect(sdk.request('UpdateCertificateInstance', { OldCertificateId: old, CertificateId: renewed, ResourceTypes: ['clb'] })).rejects.toMatchObject({ code: 'InvalidParameter.RegionNotEmpty' });
    const created = await sdk.request('UpdateCertificateInstance', { OldCertificateId: old, CertificateId: renewed, ResourceTypes: ['cdn'] });
    const id = String(created.DeployRecordId as number);
    const first = await sdk.request('DescribeHostUpdateRecordDetail', { DeployRecordId: id, Limit: '2', Offset: '0' });
    expect(first).toMatchObject({ TotalCount: 3, SuccessTotalCount: 2, FailedTotalCount: 1 });
    expect(first.RecordDetailList).toEqual([{ ResourceType: 'cdn', TotalCount: 3, List: [expect.objectContaining({ Status: 1 }), expect.objectContaining({ Status: 1 })] }]);
    const second = await sdk.request('DescribeHostUpdateRecordDetail', { DeployRecordId: id, Limit: '2', Offset: '2' });
    // The domain NEW does not cover is refused per item, with the reason.
    expect(second.RecordDetailList).toEqual([
      { ResourceType: 'cdn', TotalCount: 3, List: [expect.objectContaining({ Status: 2, Domains: ['other.certvault.test'], ErrorMsg: expect.stringContaining('not covered') })] },
    ]);
    await expect(sdk.request('DescribeHostUpdateRecordDetail', { DeployRecordId: id, Limit: 200 })).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(sdk.request('DescribeHostUpdateRecordDetail', { DeployRecordId: '1' })).rejects.toMatchObject({ code: 'FailedOperation.CertificateDeployNotExist' });
    await expect(sdk.request('UpdateCertificateRecordRollback', { DeployRecordId: id })).rejects.toMatchObject({ code: 'InvalidParameter' });
  });

  it('answers CertificateDeployInstanceEmpty when nothing of the types is bound to OLD', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const state = emulator().state;
    const old = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    const renewed = seedTencentCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    await expect(sdk.request('UpdateCertificateInstance', { OldCertificateId: old, CertificateId: renewed, ResourceTypes: ['cdn'] })).rejects.toMatchObject({
      code: 'FailedOperation.CertificateDeployInstanceEmpty',
    });
  });
});

describe('Alibaba SDK: ListContact, the deployment job, its workers, rollback and DeleteUserCertificate', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.aliyun;

  it('signs every deploy action, and the emulator keeps the job in editing until it is submitted', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const sdk = aliyunSdk(accessKeyId, accessKeySecret);
    const state = emulator().state;
    const old = seedAliyunCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'old' }).id;
    const renewed = seedAliyunCertificate(state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'new' }).id;
    seedResource(state, { account: accessKeyId, certificateId: old, type: 'CDN', region: 'cn-hangzhou', instance: { Id: 111, Domain: 'rsa.certvault.test' } });
    seedResource(state, { account: accessKeyId, certificateId: old, type: 'SLB', region: 'cn-shanghai', instance: { Id: 222, Domain: 'www.rsa.certvault.test' } });
    const contact = seedAliyunContact(state, accessKeyId);

    const contacts = await sdk.listContact(new ListContactRequest({ currentPage: 1, showSize: 1 }));
    expect(contacts.body?.contactList?.map((item) => item.contactId)).toEqual([contact]);
    const job = await sdk.createDeploymentJob(
      new CreateDeploymentJobRequest({ name: 'job1', jobType: 'user', certIds: renewed, resourceIds: '111,222', contactIds: String(contact) }),
    );
    const jobId = job.body!.jobId!;
    expect(state.callsOf('CreateDeploymentJob')[0]!.outcome).toBe('ok');
    expect((await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }))).body?.status).toBe('editing');
    expect((await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }))).body?.status).toBe('editing');

    await sdk.updateDeploymentJobStatus(new UpdateDeploymentJobStatusRequest({ jobId, status: 'pending' }));
    expect((await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }))).body?.status).toBe('processing');
    expect((await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }))).body).toMatchObject({ status: 'success', rollback: 0 });
    const workers = await sdk.listWorkerResource(new ListWorkerResourceRequest({ jobId, currentPage: 1, showSize: 50 }));
    expect(workers.body?.total).toBe(2);
    expect(workers.body?.data?.map((worker) => [worker.resourceId, worker.status, worker.resourceCertId])).toEqual([
      [111, 'success', Number(old)],
      [222, 'success', Number(old)],
    ]);
    expect(resourcesOf(state, accessKeyId).map((resource) => resource.certificateId)).toEqual([renewed, renewed]);

    await sdk.updateWorkerResourceStatus(new UpdateWorkerResourceStatusRequest({ jobId, workerId: workers.body!.data![0]!.id!, status: 'rollback' }));
    await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }));
    expect((await sdk.describeDeploymentJob(new DescribeDeploymentJobRequest({ jobId }))).body?.rollback).toBe(1);
    const after = await sdk.listWorkerResource(new ListWorkerResourceRequest({ jobId }));
    expect(after.body?.data?.map((worker) => worker.status)).toEqual(['rollback_success', 'success']);
    expect(resourcesOf(state, accessKeyId).map((resource) => resource.certificateId)).toEqual([old, renewed]);

    const refused = await sdk.deleteUserCertificate(new DeleteUserCertificateRequest({ certId: Number(renewed) })).then(() => null, (error: AliyunSdkError) => error);
    expect(refused).toMatchObject({ code: 'OperationDenied.CertificateInUse', statusCode: 400 });
    const spare = seedAliyunCertificate(state, { account: accessKeyId, certificatePem: pki.ec.fullchain, privateKeyPem: pki.ec.key, name: 'spare' }).id;
    await sdk.deleteUserCertificate(new DeleteUserCertificateRequest({ certId: Number(spare) }));
    expect(state.store.find(accessKeyId, (entry) => entry.id === spare)).toBeUndefined();
    expect(state.calls.every((call) => call.headers.authorization?.startsWith('ACS3-HMAC-SHA256 '))).toBe(true);
  });
});
