// The emulators checked by real clients: each cloud's official SDK sends a real upload to its
// emulator and is accepted, and is rejected with the cloud's own auth code when the secret is wrong.

import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiProjects } from '../../emulators/credentials';
import { startHuaweiEmulator } from '../../emulators/huawei';
import { startTencentEmulator } from '../../emulators/tencent';
import { startVolcengineEmulator } from '../../emulators/volcengine';
import { makeTestPki, type TestPki } from './pki';
import {
  ALIYUN_HOST,
  HUAWEI_APIG_HOST,
  HUAWEI_IAM_HOST,
  ListUserCertificateOrderRequest,
  TENCENT_INTL_HOST,
  UploadUserCertificateRequest,
  aliyunSdk,
  huaweiSdk,
  proxyVolcengine,
  redirectHosts,
  tencentSdk,
  volcengineSdk,
  type AliyunSdkError,
  type HuaweiSdkError,
} from './sdk-clients';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('Tencent SDK (tencentcloud-sdk-nodejs-common CommonClient) against the Tencent emulator', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.tencent;

  it('uploads a certificate with its chain and key, and lists it', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret);
    const answer = await sdk.request('UploadCertificate', {
      CertificatePublicKey: pki.rsa.fullchain,
      CertificatePrivateKey: pki.rsa.key,
      CertificateType: 'SVR',
      Alias: 'sdk-upload',
      Repeatable: false,
    });
    expect(answer.CertificateId).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(answer.RepeatCertId).toBe('');
    expect(emulator().state.store.list(accessKeyId)[0]?.certificatePem).toBe(pki.rsa.fullchain);

    const listed = await sdk.request('DescribeCertificates', { SearchKey: 'rsa.certvault.test' });
    expect(listed.TotalCount).toBe(1);
    expect(listed.Certificates).toEqual([expect.objectContaining({ CertificateId: answer.CertificateId, Alias: 'sdk-upload', Domain: 'rsa.certvault.test' })]);
  });

  it('accepts the International host, signed for ssl.intl.tencentcloudapi.com', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, accessKeySecret, { host: TENCENT_INTL_HOST });
    const answer = await sdk.request('UploadCertificate', { CertificatePublicKey: pki.ec.cert, CertificatePrivateKey: pki.ec.key });
    expect(answer.CertificateId).toEqual(expect.any(String));
    expect(emulator().state.calls.at(-1)?.host).toBe(TENCENT_INTL_HOST);
  });

  it('rejects a wrong secret with AuthFailure.SignatureFailure', async () => {
    const sdk = tencentSdk(emulator().port, accessKeyId, 'not-the-secret');
    await expect(sdk.request('UploadCertificate', { CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key })).rejects.toMatchObject({
      code: 'AuthFailure.SignatureFailure',
      requestId: expect.any(String),
    });
  });
});

describe('Alibaba SDK (@alicloud/cas20200407) against the Alibaba emulator', () => {
  // One emulator for the whole block: the SDK's keep-alive sockets outlive a per-test server.
  const emulator = useEmulator(startAliyunEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.aliyun;

  it('uploads with ACS3-HMAC-SHA256, Cert and Key in the URL query, and lists it with OrderType=UPLOAD', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const sdk = aliyunSdk(accessKeyId, accessKeySecret);
    const answer = await sdk.uploadUserCertificate(new UploadUserCertificateRequest({ name: 'sdk-acs3', cert: pki.rsa.fullchain, key: pki.rsa.key }));
    expect(answer.statusCode).toBe(200);
    expect(answer.body?.certId).toEqual(expect.any(Number));
    const call = emulator().state.calls.at(-1)!;
    expect(call.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 /);
    expect(call.bodyBytes).toBe(0);

    const listed = await sdk.listUserCertificateOrder(new ListUserCertificateOrderRequest({ orderType: 'UPLOAD' }));
    expect(listed.body?.certificateOrderList?.map((item) => item.name)).toContain('sdk-acs3');
  });

  it('uploads with the RPC HMAC-SHA1 signature (signatureAlgorithm v2)', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const answer = await aliyunSdk(accessKeyId, accessKeySecret, 'v2').uploadUserCertificate(
      new UploadUserCertificateRequest({ name: 'sdk-rpc', cert: pki.ec.fullchain, key: pki.ec.key }),
    );
    expect(answer.body?.certId).toEqual(expect.any(Number));
    expect(emulator().state.calls.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('takes a request line over 20 KB (a long chain in the query string)', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const longChain = pki.rsa.fullchain + pki.intermediateCa.repeat(30);
    const answer = await aliyunSdk(accessKeyId, accessKeySecret).uploadUserCertificate(
      new UploadUserCertificateRequest({ name: 'sdk-long-chain', cert: longChain, key: pki.rsa.key }),
    );
    expect(answer.body?.certId).toEqual(expect.any(Number));
    expect(encodeURIComponent(longChain).length).toBeGreaterThan(20_000);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch (400)', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const failure = await aliyunSdk(accessKeyId, 'not-the-secret')
      .uploadUserCertificate(new UploadUserCertificateRequest({ name: 'sdk-bad-secret', cert: pki.rsa.cert, key: pki.rsa.key }))
      .then(() => null, (error: AliyunSdkError) => error);
    expect(failure).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400, requestId: expect.any(String) });
  });

  it('rejects an unknown access key with InvalidAccessKeyId.NotFound (404)', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const failure = await aliyunSdk('LTAIUNKNOWNKEY', accessKeySecret)
      .listUserCertificateOrder(new ListUserCertificateOrderRequest({ orderType: 'UPLOAD' }))
      .then(() => null, (error: AliyunSdkError) => error);
    expect(failure).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
  });
});

describe('Volcengine SDK (@volcengine/openapi Service.createJSONAPI) against the Volcengine emulator', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.volcengine;

  it('creates a certificate, replaces it through its ChainID, and lists it', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    const call = volcengineSdk(accessKeyId, accessKeySecret);
    const created = await call('CreateCert', { CertName: 'sdk-create', ProjectName: 'default', UseWay: 'https', Rsa: { Pubkey: pki.rsa.fullchain, Prikey: pki.rsa.key } });
    expect(created.ResponseMetadata.Error).toBeUndefined();
    const chainId = created.Result?.ChainID;
    expect(chainId).toEqual(expect.any(String));
    expect(created.Result).toMatchObject({ Domain: 'rsa.certvault.test', UseWay: 'https' });

    const replaced = await call('CreateCert', { CertName: 'sdk-replace', ChainID: chainId, UseWay: 'https', Rsa: { Pubkey: pki.ec.fullchain, Prikey: pki.ec.key } });
    expect(replaced.Result?.ChainID).toBe(chainId);

    const listed = await call('ListCertV2', {});
    expect(listed.Result).toMatchObject({ Total: 1, CertList: [expect.objectContaining({ ChainID: chainId, CertName: 'sdk-replace', CertDomainList: ['ec.certvault.test', 'www.ec.certvault.test'] })] });
    expect(emulator().state.calls.at(-1)?.host).toBe('live.volcengineapi.com');
  });

  it('answers a wrong secret with SignatureDoesNotMatch (CodeN 100010, HTTP 401)', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    const answer = await volcengineSdk(accessKeyId, 'not-the-secret')('CreateCert', { UseWay: 'https', Rsa: { Pubkey: pki.rsa.cert, Prikey: pki.rsa.key } });
    expect(answer.ResponseMetadata.Error).toMatchObject({ Code: 'SignatureDoesNotMatch', CodeN: 100010 });
    expect(emulator().state.calls.at(-1)?.status).toBe(401);
  });
});

describe('Huawei SDK (@huaweicloud/huaweicloud-sdk-core with a minimal APIG client) against the Huawei emulator', () => {
  const emulator = useEmulator(startHuaweiEmulator, { isolate: false });
  const { accessKeyId, accessKeySecret } = defaultCredentials.huawei;
  const projectId = defaultHuaweiProjects['cn-north-4']!;

  it('creates a global certificate and lists it', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const sdk = huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId);
    const created = await sdk.createCertificateV2(projectId, { name: 'sdk_upload', cert_content: pki.rsa.fullchain, private_key: pki.rsa.key, type: 'global', instance_id: 'common' });
    expect(created).toMatchObject({ name: 'sdk_upload', common_name: 'rsa.certvault.test', algorithm_type: 'RSA', signature_algorithm: 'ECDSA-SHA256' });
    expect(emulator().state.calls.at(-1)?.headers.authorization).toMatch(/SignedHeaders=content-type;host;x-project-id;x-sdk-date/);

    const listed = await sdk.listCertificatesV2(projectId, { instance_id: 'common' });
    expect(listed).toMatchObject({ total: 1, certs: [expect.objectContaining({ id: created.id, san: ['rsa.certvault.test', 'www.rsa.certvault.test'] })] });
  });

  it('finds the project id through IAM GET /v3/projects?name=', async () => {
    onTestFinished(redirectHosts([HUAWEI_IAM_HOST], emulator().port));
    const projects = await huaweiSdk(HUAWEI_IAM_HOST, accessKeyId, accessKeySecret).keystoneListProjects('cn-north-4');
    expect(projects.projects).toEqual([expect.objectContaining({ id: projectId, name: 'cn-north-4' })]);
  });

  it('rejects a wrong secret with APIG.0301 (401) and the request id header', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const failure = await huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, 'not-the-secret', projectId)
      .createCertificateV2(projectId, { name: 'sdk_bad_secret', cert_content: pki.rsa.cert, private_key: pki.rsa.key })
      .then(() => null, (error: HuaweiSdkError) => error);
    expect(failure).toMatchObject({ httpStatusCode: 401, errorCode: 'APIG.0301', requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(emulator().state.store.size).toBe(1);
  });
});
