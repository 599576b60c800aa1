// The emulators reproduce each cloud's behaviour and error shapes (duplicates, mismatched keys,
// unparseable certificates, name rules, SM2 rules, throttling, auth failure, clock skew, 5xx,
// slow and unanswered requests), driven by the official SDKs so the requests are genuine.

import utils from '@alicloud/openapi-core/dist/utils';
import { afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { sha256Hex } from '../../emulators/digest';
import { startHuaweiEmulator } from '../../emulators/huawei';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { startVolcengineEmulator } from '../../emulators/volcengine';
import { makeTestPki, type TestPki } from './pki';
import {
  ALIYUN_HOST,
  HUAWEI_APIG_HOST,
  ListUserCertificateOrderRequest,
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

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the emulator's clock `minutes` ahead of the client's. */
function skew(emulator: RunningEmulator, minutes: number): void {
  emulator.state.clockOffsetMs = minutes * 60_000;
}

describe('Tencent emulator', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.tencent;
  const sdk = () => tencentSdk(emulator().port, accessKeyId, accessKeySecret);
  const upload = (params: Record<string, unknown>) => sdk().request('UploadCertificate', params);

  it('answers Repeatable=false with the existing certificate as RepeatCertId, and Repeatable=true with a new one', async () => {
    const first = await upload({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key, Repeatable: false });
    const again = await upload({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key, Repeatable: false });
    expect(again).toMatchObject({ CertificateId: first.CertificateId, RepeatCertId: first.CertificateId });
    const copy = await upload({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key });
    expect(copy.CertificateId).not.toBe(first.CertificateId);
    expect(emulator().state.store.size).toBe(2);
  });

  it.each([
    ['a key of another certificate', () => ({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.strayKey }), 'FailedOperation.CertificateMismatch'],
    ['PEM newlines collapsed', () => ({ CertificatePublicKey: pki.rsa.cert.replaceAll('\n', ' '), CertificatePrivateKey: pki.rsa.key }), 'FailedOperation.CertificateInvalid'],
    ['an SM2 certificate', () => ({ CertificatePublicKey: pki.sm2.signCert, CertificatePrivateKey: pki.sm2.signKey }), 'FailedOperation.CertificateEncryptInvalid'],
    ['a server certificate as CA', () => ({ CertificatePublicKey: pki.rsa.cert, CertificateType: 'CA' }), 'FailedOperation.CertificateCaError'],
    ['no key for SVR', () => ({ CertificatePublicKey: pki.rsa.cert }), 'InvalidParameter.WithDetailReason'],
    ['an encrypted key without KeyPassword', () => ({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.encryptedRsaKey }), 'FailedOperation.CertificateParseError'],
    ['an undocumented parameter', () => ({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key, Region: 'ap-guangzhou' }), 'UnknownParameter'],
    ['a missing certificate', () => ({ CertificatePrivateKey: pki.rsa.key }), 'MissingParameter'],
  ])('rejects %s', async (_case, params, code) => {
    await expect(upload(params())).rejects.toMatchObject({ code });
    expect(emulator().state.store.size).toBe(0);
  });

  it('accepts every documented parameter: CA type, alias, project, use, tags, an encrypted key with KeyPassword', async () => {
    await upload({ CertificatePublicKey: pki.rootCa, CertificateType: 'CA', Alias: '根证书', ProjectId: 12345 });
    await upload({
      CertificatePublicKey: pki.rsa.fullchain,
      CertificatePrivateKey: pki.encryptedRsaKey,
      KeyPassword: pki.encryptedKeyPassword,
      CertificateType: 'SVR',
      Alias: 'all-params',
      ProjectId: '0',
      CertificateUse: 'CLB',
      Tags: [{ TagKey: 'env', TagValue: 'prod' }],
      Repeatable: true,
    });
    const listed = await sdk().request('DescribeCertificates', { Limit: 10 });
    expect(listed.Certificates).toEqual([
      expect.objectContaining({ CertificateType: 'CA', Alias: '根证书', ProjectId: '12345', EncryptAlgorithm: 'ECC' }),
      expect.objectContaining({ CertificateType: 'SVR', Tags: [{ TagKey: 'env', TagValue: 'prod' }], CertEndTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/) }),
    ]);
  });

  it('throttles with RequestLimitExceeded on HTTP 200, then recovers', async () => {
    emulator().faults.throttle(1, 'UploadCertificate');
    await expect(upload({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key })).rejects.toMatchObject({ code: 'RequestLimitExceeded' });
    expect(emulator().state.calls.at(-1)).toMatchObject({ status: 200, outcome: 'RequestLimitExceeded' });
    await expect(upload({ CertificatePublicKey: pki.rsa.cert, CertificatePrivateKey: pki.rsa.key })).resolves.toHaveProperty('CertificateId');
  });

  it('injects auth failures, a custom documented error and a 5xx', async () => {
    emulator().faults.authFailure();
    emulator().faults.inject({ kind: 'error', code: 'FailedOperation.NoProjectPermission', message: 'no permission' });
    emulator().faults.serverError();
    await expect(sdk().request('DescribeCertificates', {})).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    await expect(sdk().request('DescribeCertificates', {})).rejects.toMatchObject({ code: 'FailedOperation.NoProjectPermission' });
    await expect(sdk().request('DescribeCertificates', {})).rejects.toMatchObject({ httpCode: 500 });
    expect(emulator().faults.pending()).toBe(0);
  });

  it('refuses a timestamp more than 5 minutes off with AuthFailure.SignatureExpire, and takes 4 minutes', async () => {
    skew(emulator(), 6);
    await expect(sdk().request('DescribeCertificates', {})).rejects.toMatchObject({ code: 'AuthFailure.SignatureExpire' });
    skew(emulator(), -6);
    await expect(sdk().request('DescribeCertificates', {})).rejects.toMatchObject({ code: 'AuthFailure.SignatureExpire' });
    skew(emulator(), 4);
    await expect(sdk().request('DescribeCertificates', {})).resolves.toHaveProperty('TotalCount', 0);
  });

  it('stores an upload it never answers (unknown fate for the client)', async () => {
    emulator().faults.hangAfterReceive();
    const client = tencentSdk(emulator().port, accessKeyId, accessKeySecret, { timeoutSeconds: 1 });
    await expect(client.request('UploadCertificate', { CertificatePublicKey: pki.ec.cert, CertificatePrivateKey: pki.ec.key })).rejects.toThrow();
    expect(emulator().state.store.list(accessKeyId)).toHaveLength(1);
    expect(emulator().state.calls.at(-1)).toMatchObject({ outcome: 'hang', status: null });
  });

  it('delays answers by the configured latency (past a 1 s client timeout here)', async () => {
    emulator().faults.latencyMs = 1500;
    const client = tencentSdk(emulator().port, accessKeyId, accessKeySecret, { timeoutSeconds: 1 });
    await expect(client.request('DescribeCertificates', {})).rejects.toThrow();
    emulator().faults.latencyMs = 0;
  });
});

describe('Alibaba emulator', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.aliyun;
  const upload = (fields: ConstructorParameters<typeof UploadUserCertificateRequest>[0]) =>
    aliyunSdk(accessKeyId, accessKeySecret).uploadUserCertificate(new UploadUserCertificateRequest(fields));
  const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: AliyunSdkError) => error);

  it('refuses a second certificate with the same name', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    await upload({ name: 'same-name', cert: pki.rsa.cert, key: pki.rsa.key });
    expect(await failureOf(upload({ name: 'same-name', cert: pki.ec.cert, key: pki.ec.key }))).toMatchObject({ code: 'NameRepeat', statusCode: 400 });
  });

  it('refuses a reused signature nonce with SignatureNonceUsed', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    vi.spyOn(utils, 'getNonce').mockReturnValue('fixednonce0123456789abcdef000000');
    await upload({ name: 'nonce-1', cert: pki.rsa.cert, key: pki.rsa.key });
    expect(await failureOf(upload({ name: 'nonce-2', cert: pki.ec.cert, key: pki.ec.key }))).toMatchObject({ code: 'SignatureNonceUsed' });
  });

  it.each([
    ['a mismatched key', () => ({ name: 'm', cert: pki.rsa.cert, key: pki.strayKey }), 'InvalidParameter', /不匹配/],
    ['a mangled certificate', () => ({ name: 'm', cert: pki.rsa.cert.replace(/\n/g, '\\n'), key: pki.rsa.key }), 'InvalidParameter', /证书格式异常/],
    ['a name over 128 characters', () => ({ name: 'n'.repeat(129), cert: pki.rsa.cert, key: pki.rsa.key }), 'InvalidParameter', /128/],
    ['a certificate without its key', () => ({ name: 'm', cert: pki.rsa.cert }), 'MissingParameter', /Key/],
    ['an incomplete SM2 dual pair', () => ({ name: 'm', encryptCert: pki.sm2.encCert, encryptPrivateKey: pki.sm2.encKey, signCert: pki.sm2.signCert }), 'MissingParameter', /SignPrivateKey/],
  ])('rejects %s', async (_case, fields, code, message) => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const failure = await failureOf(upload(fields()));
    expect(failure).toMatchObject({ code, statusCode: 400 });
    expect((failure as unknown as { data: { Message: string } }).data.Message).toMatch(message);
  });

  it('accepts an SM2 dual certificate through EncryptCert/EncryptPrivateKey/SignCert/SignPrivateKey, with a resource group', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const answer = await upload({
      name: 'sm2-dual',
      encryptCert: pki.sm2.encCert,
      encryptPrivateKey: pki.sm2.encKey,
      signCert: pki.sm2.signCert,
      signPrivateKey: pki.sm2.signKey,
      resourceGroupId: 'rg-test',
    });
    expect(answer.body?.certId).toEqual(expect.any(Number));
    expect(emulator().state.store.list()[0]?.params).toMatchObject({ ResourceGroupId: 'rg-test', SignCert: pki.sm2.signCert });
  });

  it('lists nothing for the default OrderType (CPACK) and the uploads for UPLOAD, with the documented fields', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    const certId = (await upload({ name: 'listed', cert: pki.ec.fullchain, key: pki.ec.key })).body?.certId;
    const sdk = aliyunSdk(accessKeyId, accessKeySecret);
    expect((await sdk.listUserCertificateOrder(new ListUserCertificateOrderRequest({}))).body?.certificateOrderList).toEqual([]);
    const listed = await sdk.listUserCertificateOrder(new ListUserCertificateOrderRequest({ orderType: 'UPLOAD', keyword: 'www.ec.certvault.test' }));
    expect(listed.body?.totalCount).toBe(1);
    expect(listed.body?.certificateOrderList?.[0]).toMatchObject({
      certificateId: certId,
      name: 'listed',
      commonName: 'ec.certvault.test',
      sans: 'ec.certvault.test,www.ec.certvault.test',
      fingerprint: expect.stringMatching(/^[0-9A-F]{40}$/),
      sha2: expect.stringMatching(/^[0-9A-F]{64}$/),
      startDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      issuer: 'Cert Vault Test Intermediate',
      expired: false,
      upload: true,
    });
  });

  it('throttles with Throttling.User on HTTP 400 (the SDK raises ThrottlingError)', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    emulator().faults.throttle();
    expect(await failureOf(upload({ name: 't', cert: pki.rsa.cert, key: pki.rsa.key }))).toMatchObject({ name: 'ThrottlingError', code: 'Throttling.User', statusCode: 400 });
    emulator().faults.serverError();
    expect(await failureOf(upload({ name: 't', cert: pki.rsa.cert, key: pki.rsa.key }))).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect(emulator().state.store.size).toBe(0);
  });

  it('refuses x-acs-date more than 15 minutes off with InvalidTimeStamp.Expired', async () => {
    onTestFinished(redirectHosts([ALIYUN_HOST], emulator().port));
    skew(emulator(), 16);
    expect(await failureOf(upload({ name: 'late', cert: pki.rsa.cert, key: pki.rsa.key }))).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
    skew(emulator(), 14);
    expect(await failureOf(upload({ name: 'in-time', cert: pki.rsa.cert, key: pki.rsa.key }))).toBeNull();
  });

  it('takes the parameters in a form body, with the body covered by x-acs-content-sha256', async () => {
    const form = new URLSearchParams({ Name: 'form-body', Cert: pki.rsa.cert, Key: pki.rsa.key }).toString();
    const headers: Record<string, string> = {
      host: new URL(emulator().url).host,
      'content-type': 'application/x-www-form-urlencoded',
      'x-acs-action': 'UploadUserCertificate',
      'x-acs-version': '2020-04-07',
      'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': `form-${Date.now()}`,
      'x-acs-content-sha256': sha256Hex(form),
    };
    // The official SDK's own signer, so the test shares no code with the emulator.
    const request = { method: 'POST', pathname: '/', query: {}, headers } as unknown as Parameters<typeof utils.getAuthorization>[0];
    const authorization = utils.getAuthorization(request, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256']!, accessKeyId, accessKeySecret);
    const response = await fetch(`${emulator().url}/`, { method: 'POST', headers: { ...headers, authorization }, body: form });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ CertId: expect.any(Number) });

    const tampered = await fetch(`${emulator().url}/`, {
      method: 'POST',
      headers: { ...headers, 'x-acs-signature-nonce': `form2-${Date.now()}`, authorization },
      body: form,
    });
    expect(await tampered.json()).toMatchObject({ Code: 'SignatureDoesNotMatch' });
  });
});

describe('Volcengine emulator', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: true });
  const { accessKeyId, accessKeySecret } = defaultCredentials.volcengine;
  const call = (action: string, body: Record<string, unknown>) => volcengineSdk(accessKeyId, accessKeySecret)(action, body);

  it.each([
    ['an SM2 certificate', () => ({ UseWay: 'https', Rsa: { Pubkey: pki.sm2.signCert, Prikey: pki.sm2.signKey } }), 'InvalidParam', 400],
    ['a mismatched key', () => ({ UseWay: 'https', Rsa: { Pubkey: pki.ec.cert, Prikey: pki.strayKey } }), 'InvalidParam', 400],
    ['a password-protected key', () => ({ UseWay: 'https', Rsa: { Pubkey: pki.rsa.cert, Prikey: pki.encryptedRsaKey } }), 'InvalidParam', 400],
    ['a use other than https', () => ({ UseWay: 'rtmp', Rsa: { Pubkey: pki.rsa.cert, Prikey: pki.rsa.key } }), 'InvalidParam.OutOfRange', 400],
    ['an unknown ChainID', () => ({ UseWay: 'https', ChainID: 'no-such-chain', Rsa: { Pubkey: pki.rsa.cert, Prikey: pki.rsa.key } }), 'ResourceNotFound', 404],
  ])('rejects %s', async (_case, body, code, status) => {
    onTestFinished(proxyVolcengine(emulator().port));
    const answer = await call('CreateCert', body());
    expect(answer.ResponseMetadata.Error?.Code).toBe(code);
    expect(emulator().state.calls.at(-1)?.status).toBe(status);
    expect(emulator().state.store.size).toBe(0);
  });

  it('accepts the PubKey/PriKey spelling of the doc example', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    const answer = await call('CreateCert', { UseWay: 'https', Rsa: { PubKey: pki.ec.cert, PriKey: pki.ec.key } });
    expect(answer.Result?.ChainID).toEqual(expect.any(String));
  });

  it('throttles with FlowLimitExceeded on HTTP 429, and answers 5xx', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    emulator().faults.throttle();
    emulator().faults.serverError();
    expect((await call('ListCertV2', {})).ResponseMetadata.Error).toMatchObject({ Code: 'FlowLimitExceeded', CodeN: 100018 });
    expect(emulator().state.calls.at(-1)?.status).toBe(429);
    expect((await call('ListCertV2', {})).ResponseMetadata.Error?.Code).toBe('InternalError');
    expect(emulator().state.calls.at(-1)?.status).toBe(500);
  });

  it('refuses an X-Date more than 15 minutes off with InvalidTimestamp', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    skew(emulator(), -16);
    expect((await call('ListCertV2', {})).ResponseMetadata.Error).toMatchObject({ Code: 'InvalidTimestamp', CodeN: 100006 });
  });

  it('pages ListCertV2 only when both PageNum and PageSize are sent', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    await call('CreateCert', { CertName: 'one', UseWay: 'https', Rsa: { Pubkey: pki.rsa.cert, Prikey: pki.rsa.key } });
    await call('CreateCert', { CertName: 'two', UseWay: 'https', Rsa: { Pubkey: pki.ec.cert, Prikey: pki.ec.key } });
    expect((await call('ListCertV2', { PageSize: 1 })).Result?.CertList).toHaveLength(2);
    const page = await call('ListCertV2', { PageNum: 2, PageSize: 1 });
    expect(page.Result).toMatchObject({ Total: 2, CertList: [expect.objectContaining({ CertName: 'two', ProjectName: 'default' })] });
  });
});

describe('Huawei emulator', () => {
  const { accessKeyId, accessKeySecret } = defaultCredentials.huawei;
  const projectId = defaultHuaweiProjects['cn-north-4']!;
  const create = (body: Record<string, unknown>) => huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId).createCertificateV2(projectId, body);
  const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: HuaweiSdkError) => error);

  const emulator = useEmulator(() => startHuaweiEmulator({ tokens: { 'iam-token-for-tests': accessKeyId } }), { isolate: true });

  it.each([['证书_一号'], ['cert_2024'], ['Abcd']])('accepts the name %s', async (name) => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    await expect(create({ name, cert_content: pki.rsa.cert, private_key: pki.rsa.key })).resolves.toMatchObject({ name });
  });

  it.each([['test-cert'], ['abc'], ['1cert'], ['_cert'], ['a'.repeat(51)]])('refuses the name %s with APIG.2012', async (name) => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    expect(await failureOf(create({ name, cert_content: pki.rsa.cert, private_key: pki.rsa.key }))).toMatchObject({ httpStatusCode: 400, errorCode: 'APIG.2012' });
  });

  it('takes an SM2 certificate only with algorithm_type=SM2 and the signing pair', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const sm2 = { name: 'sm2_cert', cert_content: pki.sm2.encCert, private_key: pki.sm2.encKey };
    expect(await failureOf(create(sm2))).toMatchObject({ errorCode: 'APIG.2012' });
    expect(await failureOf(create({ ...sm2, algorithm_type: 'SM2' }))).toMatchObject({ errorCode: 'APIG.2001', errorMsg: expect.stringContaining('cert_content_sign') });
    const created = await create({ ...sm2, algorithm_type: 'SM2', cert_content_sign: pki.sm2.signCert, private_key_sign: pki.sm2.signKey });
    expect(created).toMatchObject({ algorithm_type: 'SM2', signature_algorithm: 'SM2-SM3' });
  });

  it('accepts every documented parameter for an instance certificate, and checks the instance exists', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const created = await create({
      name: 'instance_cert',
      cert_content: pki.ec.fullchain,
      private_key: pki.ec.key,
      type: 'instance',
      instance_id: defaultHuaweiInstance,
      trusted_root_ca: pki.rootCa,
      algorithm_type: 'ECC',
    });
    expect(created).toMatchObject({ type: 'instance', instance_id: defaultHuaweiInstance, is_has_trusted_root_ca: true, organization: ['Cert Vault Tests'], country: ['CN'] });
    expect(await failureOf(create({ name: 'no_instance', cert_content: pki.ec.cert, private_key: pki.ec.key, type: 'instance', instance_id: 'nope' }))).toMatchObject({
      httpStatusCode: 404,
      errorCode: 'APIG.3030',
    });
    const listed = await huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId).listCertificatesV2(projectId, { instance_id: defaultHuaweiInstance, algorithm_type: 'ECC' });
    expect(listed).toMatchObject({ total: 1, certs: [expect.objectContaining({ name: 'instance_cert' })] });
  });

  it('refuses a mismatched key and a list without instance_id', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    expect(await failureOf(create({ name: 'mismatch', cert_content: pki.rsa.cert, private_key: pki.strayKey }))).toMatchObject({ errorCode: 'APIG.2012' });
    const list = huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId).listCertificatesV2(projectId, {});
    expect(await failureOf(list)).toMatchObject({ httpStatusCode: 400, errorCode: 'APIG.2001' });
  });

  it('throttles with APIG.0308 on HTTP 429, and answers APIG.9999 on 500', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    emulator().faults.throttle();
    emulator().faults.serverError();
    const body = { name: 'throttled', cert_content: pki.rsa.cert, private_key: pki.rsa.key };
    expect(await failureOf(create(body))).toMatchObject({ httpStatusCode: 429, errorCode: 'APIG.0308' });
    expect(await failureOf(create(body))).toMatchObject({ httpStatusCode: 500, errorCode: 'APIG.9999' });
  });

  it('refuses an X-Sdk-Date more than 15 minutes off with APIG.0301', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    skew(emulator(), 16);
    expect(await failureOf(create({ name: 'late_cert', cert_content: pki.rsa.cert, private_key: pki.rsa.key }))).toMatchObject({ httpStatusCode: 401, errorCode: 'APIG.0301' });
    expect(emulator().state.store.size).toBe(0);
  });

  it('accepts a configured IAM token in X-Auth-Token and refuses any other', async () => {
    const send = (token: string) =>
      fetch(`${emulator().url}/v2/${projectId}/apigw/certificates?instance_id=common`, { headers: { 'x-auth-token': token } });
    expect((await send('iam-token-for-tests')).status).toBe(200);
    const refused = await send('forged');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error_code: 'APIG.0301' });
  });
});
