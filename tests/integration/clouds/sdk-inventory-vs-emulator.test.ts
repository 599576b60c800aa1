// The emulators' inventory actions checked by real clients: each cloud's official SDK signs the
// list, detail and discovery calls the inventory makes, and its emulator accepts them and answers
// in the shape the SDK parses.

import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { seedAliyunCertificate, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../../emulators/huawei';
import { seedResource } from '../../emulators/seed';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../../emulators/volcengine';
import { makeTestPki, type TestPki } from './pki';
import {
  ALIYUN_HOST,
  GetUserCertificateDetailRequest,
  HUAWEI_APIG_HOST,
  ListCloudResourcesRequest,
  ListUserCertificateOrderRequest,
  aliyunSdk,
  huaweiSdk,
  proxyVolcengine,
  redirectHosts,
  tencentSdk,
  volcengineSdk,
  type HuaweiSdkError,
} from './sdk-clients';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('Tencent SDK: DescribeCertificateDetail and the bind-resource sync task', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.tencent;

  it('signs every inventory action, and the emulator answers each', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const entry = seedTencentCertificate(emulator().state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'seeded' });
    seedResource(emulator().state, { account: accessKeyId, certificateId: entry.id, type: 'cdn', region: '', instance: { Domain: 'cdn.certvault.test', CertId: entry.id, Status: 'online' } });

    const detail = await sdk.request('DescribeCertificateDetail', { CertificateId: entry.id });
    expect(detail).toMatchObject({ CertificateId: entry.id, Domain: 'rsa.certvault.test', SubjectAltName: ['www.rsa.certvault.test'], CertificatePublicKey: pki.rsa.fullchain });

    const created = await sdk.request('CreateCertificateBindResourceSyncTask', { CertificateIds: [entry.id], IsCache: 1 });
    const [task] = created.CertTaskIds as { CertId: string; TaskId: string }[];
    expect(task).toEqual({ CertId: entry.id, TaskId: expect.any(String) });
    expect((await sdk.request('DescribeCertificateBindResourceTaskResult', { TaskIds: [task!.TaskId] })).SyncTaskBindResourceResult).toEqual([expect.objectContaining({ Status: 0 })]);
    const done = await sdk.request('DescribeCertificateBindResourceTaskResult', { TaskIds: [task!.TaskId] });
    expect(done.SyncTaskBindResourceResult).toEqual([
      expect.objectContaining({ Status: 1, BindResourceResult: [{ ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 1, Error: '' }] }] }),
    ]);
    const instances = await sdk.request('DescribeCertificateBindResourceTaskDetail', { TaskId: task!.TaskId, Limit: '100', Offset: '0' });
    expect(instances.CDN).toEqual([{ TotalCount: 1, Error: '', InstanceList: [expect.objectContaining({ Domain: 'cdn.certvault.test' })] }]);
  });

  it('refuses an unknown certificate with FailedOperation.CertificateNotFound', async () => {
    await expect(tencentSdk(emulator().port, accessKeyId, accessKeySecret).request('DescribeCertificateDetail', { CertificateId: 'nope0000' })).rejects.toMatchObject({
      code: 'FailedOperation.CertificateNotFound',
    });
  });
});

describe('Alibaba SDK: ListUserCertificateOrder (EXPIRED, BUY), GetUserCertificateDetail, ListCloudResources', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.aliyun;

  it('signs every inventory action, CertIds as a JSON array, and the emulator answers each', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const sdk = aliyunSdk(accessKeyId, accessKeySecret);
    const uploaded = seedAliyunCertificate(emulator().state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'seeded' });
    const bought = seedAliyunCertificate(emulator().state, { account: accessKeyId, certificatePem: pki.ec.fullchain, name: 'bought', params: { OrderType: 'BUY' } });
    seedResource(emulator().state, { account: accessKeyId, certificateId: uploaded.id, type: 'CDN', region: 'cn-hangzhou', instance: { Domain: 'cdn.certvault.test', InstanceId: 'cdn.certvault.test' } });

    const expired = await sdk.listUserCertificateOrder(new ListUserCertificateOrderRequest({ orderType: 'UPLOAD', status: 'EXPIRED' }));
    expect(expired.body?.totalCount).toBe(0);
    const buy = await sdk.listUserCertificateOrder(new ListUserCertificateOrderRequest({ orderType: 'BUY', currentPage: 1, showSize: 10 }));
    expect(buy.body?.certificateOrderList?.map((item) => item.certificateId)).toEqual([Number(bought.id)]);

    const detail = await sdk.getUserCertificateDetail(new GetUserCertificateDetailRequest({ certId: Number(uploaded.id), certFilter: true }));
    expect(detail.body).toMatchObject({ id: Number(uploaded.id), common: 'rsa.certvault.test', sha2: uploaded.certificate.sha256 });
    expect(detail.body?.key).toBeUndefined();
    expect(detail.body?.cert).toBeUndefined();

    const resources = await sdk.listCloudResources(new ListCloudResourcesRequest({ certIds: [Number(uploaded.id)], cloudName: 'aliyun', currentPage: 1, showSize: 20 }));
    expect(resources.body?.total).toBe(1);
    expect(resources.body?.data?.[0]).toMatchObject({ certId: Number(uploaded.id), cloudProduct: 'CDN', domain: 'cdn.certvault.test' });
    expect(emulator().state.calls.at(-1)?.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 /);
  });
});

describe('Huawei SDK: ShowDetailsOfCertificateV2, ListAttachedDomainsV2, ListInstancesV2', () => {
  const emulator = useEmulator(startHuaweiEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.huawei;
  const projectId = defaultHuaweiProjects['cn-north-4']!;

  it('signs every inventory GET, and the emulator answers each', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const sdk = huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId);
    const entry = seedHuaweiCertificate(emulator().state, { account: accessKeyId, certificatePem: pki.rsa.fullchain, name: 'seeded_cert' });
    seedResource(emulator().state, {
      account: accessKeyId, certificateId: entry.id, type: 'apig-domain', region: '',
      instance: { url_domain: 'api.certvault.test', id: 'dom-1', instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', api_group_name: 'shop' },
    });

    const detail = await sdk.get('/v2/{project_id}/apigw/certificates/{certificate_id}', { project_id: projectId, certificate_id: entry.id });
    expect(detail).toMatchObject({ id: entry.id, common_name: 'rsa.certvault.test', not_before: expect.any(String), serial_number: expect.any(String) });
    const attached = await sdk.get('/v2/{project_id}/apigw/certificates/{certificate_id}/attached-domains', { project_id: projectId, certificate_id: entry.id }, { offset: 0, limit: 100 });
    expect(attached).toMatchObject({ total: 1, size: 1, bound_domains: [expect.objectContaining({ url_domain: 'api.certvault.test', instance_id: defaultHuaweiInstance })] });
    const instances = await sdk.get('/v2/{project_id}/apigw/instances', { project_id: projectId }, { offset: 0, limit: 500 });
    expect(instances).toMatchObject({ total: 1, instances: [expect.objectContaining({ id: defaultHuaweiInstance })] });
  });

  it('answers an unknown certificate with a 404', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const failure = await huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId)
      .get('/v2/{project_id}/apigw/certificates/{certificate_id}', { project_id: projectId, certificate_id: 'f'.repeat(32) })
      .then(() => null, (error: HuaweiSdkError) => error);
    expect(failure).toMatchObject({ httpStatusCode: 404 });
  });
});

describe('Volcengine SDK: DescribeCertDetailSecretV2 and ListDomainDetail', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.volcengine;

  it('signs both actions, and the emulator answers each', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    const call = volcengineSdk(accessKeyId, accessKeySecret);
    const entry = seedVolcengineCertificate(emulator().state, { account: accessKeyId, certificatePem: pki.ec.fullchain, privateKeyPem: pki.ec.key, name: 'seeded' });
    seedResource(emulator().state, { account: accessKeyId, certificateId: entry.id, type: 'live-domain', region: '', instance: { Domain: 'pull.certvault.test' } });

    const detail = await call('DescribeCertDetailSecretV2', { ChainID: entry.id });
    expect(detail.ResponseMetadata.Error).toBeUndefined();
    expect(detail.Result).toMatchObject({ ChainID: entry.id, SSL: { Chain: [pki.ec.cert.trim(), pki.intermediateCa.trim()] } });

    const domains = await call('ListDomainDetail', { PageNum: 1, PageSize: 100 });
    expect(domains.Result).toMatchObject({ Total: 1, DomainList: [expect.objectContaining({ Domain: 'pull.certvault.test', ChainID: entry.id })] });

    const both = await call('DescribeCertDetailSecretV2', { ChainID: entry.id, CertID: 'x' });
    expect(both.ResponseMetadata.Error).toMatchObject({ Code: 'InvalidParam' });
  });
});
