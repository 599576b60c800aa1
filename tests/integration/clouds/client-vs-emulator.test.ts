// The product's cloud clients end to end against the emulators: every provider from the registry,
// over the product's own HTTP client, uploads RSA, EC and (where the API allows it) SM2
// certificates with every documented parameter, lists them back, and maps each kind of failure
// (auth, throttled, invalid, conflict, server, network) from the cloud's own answer.

import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../main/clouds/http-client';
import { CloudError, type CallContext, type CloudCredentials, type CloudErrorInfo, type CloudProvider, type UploadMaterial } from '../../../main/clouds/provider';
import { providers } from '../../../main/clouds/registry';
import type { CloudId } from '../../../shared/model';
import { startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { startHuaweiEmulator } from '../../emulators/huawei';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { startVolcengineEmulator } from '../../emulators/volcengine';
import { credentialsOf, uploadMaterial } from './material';
import { makeTestPki, type TestPki } from './pki';
import { useEmulator } from './use-emulator';

let pki: TestPki;
let closedPortUrl: string;
beforeAll(async () => {
  pki = makeTestPki();
  // A port nothing listens on: the request provably never reached a server.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  closedPortUrl = `http://127.0.0.1:${port}`;
});

interface Account {
  readonly cloud: CloudId;
  readonly endpoint: string;
  readonly credentials: CloudCredentials;
  readonly region?: string | null;
  readonly fields?: Record<string, string>;
  readonly timeoutMs?: number;
}

function context(account: Account): CallContext {
  return {
    account: { cloud: account.cloud, region: account.region ?? null, endpoint: account.endpoint, fields: account.fields ?? {} },
    credentials: account.credentials,
    http: createHttpClient({ timeoutMs: account.timeoutMs ?? 10_000 }),
    now: () => new Date(),
    nonce: () => randomUUID(),
  };
}

function provider(cloud: CloudId): CloudProvider {
  return providers[cloud];
}

/** Validate like the app does, then upload with the schema's defaults filled in. */
async function upload(account: Account, material: UploadMaterial, options: Record<string, unknown>) {
  const cloud = provider(account.cloud);
  const parsed = cloud.optionsSchema.parse(options);
  expect(cloud.validate(material, parsed, context(account).account)).toEqual([]);
  return cloud.upload(context(account), material, parsed);
}

async function failureOf(promise: Promise<unknown>): Promise<CloudErrorInfo> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudError) return error.info;
    throw error;
  }
  throw new Error('expected the call to fail with a CloudError');
}

function wrongSecret(account: Account): Account {
  return { ...account, credentials: { ...account.credentials, accessKeySecret: 'not-the-secret' } };
}

/** The network cases every cloud shares: refused connection, and an upload stored but never answered. */
function networkCases(cloud: CloudId, emulator: () => RunningEmulator, account: () => Account, material: () => UploadMaterial, options: () => Record<string, unknown>) {
  it('maps a refused connection to network, certainly not received', async () => {
    const info = await failureOf(upload({ ...account(), endpoint: closedPortUrl }, material(), options()));
    expect(info).toMatchObject({ cloud, kind: 'network', mayHaveReachedServer: false });
  });

  it('maps an upload the cloud stored but never answered to network, may have been received', async () => {
    emulator().faults.hangAfterReceive();
    const before = emulator().state.store.size;
    const info = await failureOf(upload({ ...account(), timeoutMs: 800 }, material(), options()));
    expect(info).toMatchObject({ cloud, kind: 'network', mayHaveReachedServer: true });
    expect(emulator().state.store.size).toBe(before + 1);
  });
}

describe.each(['tencent', 'tencent-intl'] as const)('%s client against the Tencent emulator', (cloud) => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const account = (): Account => ({ cloud, endpoint: emulator().url, credentials: credentialsOf(defaultCredentials.tencent) });

  it('uploads an RSA certificate with its chain and every documented parameter, signed over host:port', async () => {
    const result = await upload(account(), uploadMaterial(pki.rsa.fullchain, pki.rsa.key), {
      certificateType: 'SVR',
      alias: '生产 rsa',
      projectId: 7,
      certificateUse: 'CLB',
      tags: [{ key: 'env', value: 'prod' }],
      repeatable: false,
    });
    expect(result).toMatchObject({ remoteId: expect.stringMatching(/^[A-Za-z0-9]{8}$/), requestId: expect.any(String), duplicateOf: null });
    const [stored] = emulator().state.store.list();
    expect(stored?.params).toEqual({
      CertificatePublicKey: pki.rsa.fullchain,
      CertificatePrivateKey: pki.rsa.key,
      CertificateType: 'SVR',
      Alias: '生产 rsa',
      ProjectId: 7,
      CertificateUse: 'CLB',
      Tags: [{ TagKey: 'env', TagValue: 'prod' }],
      Repeatable: false,
    });
    expect(emulator().state.calls.at(-1)?.host).toBe(new URL(emulator().url).host);
  });

  it('reports a repeated upload (Repeatable=false) as a duplicate of the first', async () => {
    const material = uploadMaterial(pki.ec.fullchain, pki.ec.key);
    const first = await upload(account(), material, {});
    const again = await upload(account(), material, {});
    expect(again).toMatchObject({ remoteId: first.remoteId, duplicateOf: first.remoteId });
    expect(emulator().state.store.size).toBe(1);
  });

  it('uploads a CA certificate without a key, and lists what was uploaded', async () => {
    const ca = await upload(account(), uploadMaterial(pki.rootCa, null), { certificateType: 'CA', alias: 'root' });
    const ec = await upload(account(), uploadMaterial(pki.ec.cert, pki.ec.key), {});
    const listed = await provider(cloud).list(context(account()));
    expect(listed.map((entry) => entry.remoteId)).toEqual([ca.remoteId, ec.remoteId]);
    expect(listed[1]).toMatchObject({ commonName: 'ec.certvault.test', domains: expect.arrayContaining(['www.ec.certvault.test']) });
  });

  it('refuses SM2 before sending anything', async () => {
    const material = uploadMaterial(pki.sm2.encCert, pki.sm2.encKey, { cert: pki.sm2.signCert, key: pki.sm2.signKey });
    const options = provider(cloud).optionsSchema.parse({});
    expect(provider(cloud).validate(material, options, context(account()).account).map((issue) => issue.field)).toContain('algorithm');
    await expect(provider(cloud).upload(context(account()), material, options)).rejects.toBeInstanceOf(CloudError);
    expect(emulator().state.calls).toHaveLength(0);
  });

  it('maps auth, throttled, invalid, conflict and server answers', async () => {
    const rsa = uploadMaterial(pki.rsa.cert, pki.rsa.key);
    expect(await failureOf(upload(wrongSecret(account()), rsa, {}))).toMatchObject({ code: 'AuthFailure.SignatureFailure', kind: 'auth', retryable: false, requestId: expect.any(String) });
    emulator().faults.throttle();
    expect(await failureOf(upload(account(), rsa, {}))).toMatchObject({ code: 'RequestLimitExceeded', kind: 'throttled', retryable: true, httpStatus: 200 });
    expect(await failureOf(upload(account(), uploadMaterial(pki.rsa.cert, pki.strayKey), {}))).toMatchObject({ code: 'FailedOperation.CertificateMismatch', kind: 'invalid', retryable: false });
    emulator().faults.inject({ kind: 'error', code: 'FailedOperation.CertificateExists', message: 'The certificate already exists.' });
    expect(await failureOf(upload(account(), rsa, {}))).toMatchObject({ code: 'FailedOperation.CertificateExists', kind: 'conflict' });
    emulator().faults.serverError();
    expect(await failureOf(upload(account(), rsa, {}))).toMatchObject({ code: 'InternalError', kind: 'server', retryable: true });
    emulator().state.clockOffsetMs = 10 * 60_000;
    expect(await failureOf(provider(cloud).list(context(account())))).toMatchObject({ code: 'AuthFailure.SignatureExpire', kind: 'auth' });
    emulator().state.clockOffsetMs = 0;
    expect(emulator().state.store.size).toBe(0);
  });

  networkCases(cloud, emulator, account, () => uploadMaterial(pki.rsa.cert, pki.rsa.key), () => ({}));
});

describe('aliyun client against the Alibaba emulator', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: true });
  const account = (): Account => ({ cloud: 'aliyun', endpoint: emulator().url, credentials: credentialsOf(defaultCredentials.aliyun) });

  it('uploads RSA and EC certificates with every documented parameter and lists them with their fingerprints', async () => {
    const rsa = await upload(account(), uploadMaterial(pki.rsa.fullchain, pki.rsa.key), { name: 'rsa-生产', resourceGroupId: 'rg-acfm0001', tags: [{ key: 'env', value: 'prod' }] });
    const ec = await upload(account(), uploadMaterial(pki.ec.fullchain, pki.ec.key), { name: 'ec-cert' });
    expect(rsa).toMatchObject({ remoteId: expect.stringMatching(/^\d+$/), requestId: expect.any(String), duplicateOf: null });
    expect(emulator().state.store.list()[0]?.params).toMatchObject({ Name: 'rsa-生产', Cert: pki.rsa.fullchain, Key: pki.rsa.key, ResourceGroupId: 'rg-acfm0001', 'Tags.1.Key': 'env', 'Tags.1.Value': 'prod' });

    const listed = await provider('aliyun').list(context(account()));
    expect(listed.map((entry) => entry.remoteId)).toEqual([rsa.remoteId, ec.remoteId]);
    const stored = emulator().state.store.list()[1]!;
    expect(listed[1]).toMatchObject({ name: 'ec-cert', commonName: 'ec.certvault.test', fingerprintSha256: expect.stringMatching(new RegExp(`^${stored.certificate.sha256}$`, 'i')) });
  });

  it('uploads an SM2 dual certificate through EncryptCert/EncryptPrivateKey/SignCert/SignPrivateKey', async () => {
    const material = uploadMaterial(pki.sm2.encCert, pki.sm2.encKey, { cert: pki.sm2.signCert, key: pki.sm2.signKey });
    await upload(account(), material, { name: 'sm2-dual' });
    expect(emulator().state.store.list()[0]?.params).toMatchObject({ EncryptCert: pki.sm2.encCert, EncryptPrivateKey: pki.sm2.encKey, SignCert: pki.sm2.signCert, SignPrivateKey: pki.sm2.signKey });
  });

  it('sends a long chain plus key without breaking on URL length', async () => {
    const longChain = pki.rsa.fullchain + pki.intermediateCa.repeat(30);
    await upload(account(), uploadMaterial(longChain, pki.rsa.key), { name: 'long-chain' });
    expect(emulator().state.store.list()[0]?.params.Cert).toBe(longChain);
  });

  it('uses a fresh nonce for every request', async () => {
    await upload(account(), uploadMaterial(pki.rsa.cert, pki.rsa.key), { name: 'nonce-a' });
    await upload(account(), uploadMaterial(pki.ec.cert, pki.ec.key), { name: 'nonce-b' });
    const nonces = emulator().state.calls.map((call) => call.headers['x-acs-signature-nonce']);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('maps auth, throttled, invalid, duplicate-name and server answers', async () => {
    const rsa = uploadMaterial(pki.rsa.cert, pki.rsa.key);
    expect(await failureOf(upload(wrongSecret(account()), rsa, { name: 'x' }))).toMatchObject({ code: 'SignatureDoesNotMatch', kind: 'auth', httpStatus: 400, requestId: expect.any(String) });
    expect(await failureOf(upload({ ...account(), credentials: { accessKeyId: 'LTAIUNKNOWN', accessKeySecret: 's' } }, rsa, { name: 'x' }))).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', kind: 'auth' });
    emulator().faults.throttle();
    expect(await failureOf(upload(account(), rsa, { name: 'x' }))).toMatchObject({ code: 'Throttling.User', kind: 'throttled', retryable: true, httpStatus: 400 });
    expect(await failureOf(upload(account(), uploadMaterial(pki.rsa.cert, pki.strayKey), { name: 'x' }))).toMatchObject({ code: 'InvalidParameter', kind: 'invalid', retryable: false });
    await upload(account(), rsa, { name: 'taken' });
    expect(await failureOf(upload(account(), uploadMaterial(pki.ec.cert, pki.ec.key), { name: 'taken' }))).toMatchObject({ code: 'NameRepeat', retryable: false });
    emulator().faults.serverError();
    expect(await failureOf(upload(account(), rsa, { name: 'y' }))).toMatchObject({ code: 'ServiceUnavailable', kind: 'server', retryable: true, httpStatus: 503 });
    emulator().state.clockOffsetMs = 20 * 60_000;
    expect(await failureOf(provider('aliyun').list(context(account())))).toMatchObject({ code: 'InvalidTimeStamp.Expired', kind: 'auth' });
    emulator().state.clockOffsetMs = 0;
  });

  networkCases('aliyun', emulator, account, () => uploadMaterial(pki.rsa.cert, pki.rsa.key), () => ({ name: `net-${randomUUID()}` }));
});

describe('huawei client against the Huawei emulator', () => {
  const projectId = defaultHuaweiProjects['cn-north-4']!;
  const token = 'MIIexample-iam-token';
  const account = (): Account => ({
    cloud: 'huawei',
    endpoint: emulator().url,
    region: 'cn-north-4',
    fields: { projectId },
    credentials: credentialsOf(defaultCredentials.huawei),
  });
  const emulator = useEmulator(() => startHuaweiEmulator({ tokens: { [token]: defaultCredentials.huawei.accessKeyId } }), { isolate: true });

  it('uploads a global RSA certificate and an instance EC certificate with every documented parameter', async () => {
    const rsa = await upload(account(), uploadMaterial(pki.rsa.fullchain, pki.rsa.key), { name: 'rsa_证书_01', type: 'global', instanceId: 'common', algorithmType: 'RSA' });
    const ec = await upload(account(), uploadMaterial(pki.ec.fullchain, pki.ec.key), {
      name: 'ec_instance',
      type: 'instance',
      instanceId: defaultHuaweiInstance,
      algorithmType: 'ECC',
      trustedRootCa: pki.rootCa,
    });
    expect(rsa).toMatchObject({ remoteId: expect.stringMatching(/^[0-9a-f]{32}$/), requestId: expect.any(String), duplicateOf: null });
    expect(emulator().state.store.list().map((entry) => entry.params)).toEqual([
      expect.objectContaining({ name: 'rsa_证书_01', cert_content: pki.rsa.fullchain, private_key: pki.rsa.key, type: 'global', instance_id: 'common', algorithm_type: 'RSA' }),
      expect.objectContaining({ type: 'instance', instance_id: defaultHuaweiInstance, trusted_root_ca: pki.rootCa.trim(), algorithm_type: 'ECC' }),
    ]);
    expect(ec.remoteId).not.toBe(rsa.remoteId);
  });

  it('uploads an SM2 certificate with algorithm_type=SM2 and the signing pair', async () => {
    const material = uploadMaterial(pki.sm2.encCert, pki.sm2.encKey, { cert: pki.sm2.signCert, key: pki.sm2.signKey });
    await upload(account(), material, { name: 'sm2_dual', algorithmType: 'SM2' });
    expect(emulator().state.store.list()[0]?.params).toMatchObject({ algorithm_type: 'SM2', cert_content_sign: pki.sm2.signCert, private_key_sign: pki.sm2.signKey });
  });

  it('looks the project id up through IAM when the account has none, then lists', async () => {
    const lookup: Account = { ...account(), fields: {} };
    const result = await upload(lookup, uploadMaterial(pki.rsa.cert, pki.rsa.key), { name: 'looked_up' });
    expect(emulator().state.callsOf('KeystoneListProjects').length).toBeGreaterThanOrEqual(1);
    expect(emulator().state.callsOf('CreateCertificateV2').at(-1)?.path).toBe(`/v2/${projectId}/apigw/certificates`);
    const listed = await provider('huawei').list(context(lookup));
    expect(listed).toEqual([expect.objectContaining({ remoteId: result.remoteId, name: 'looked_up', commonName: 'rsa.certvault.test' })]);
  });

  it('authenticates with an IAM token instead of AK/SK', async () => {
    const withToken: Account = { ...account(), credentials: { accessKeyId: '', accessKeySecret: '', securityToken: token } };
    await upload(withToken, uploadMaterial(pki.ec.cert, pki.ec.key), { name: 'token_upload', algorithmType: 'ECC' });
    expect(emulator().state.calls.at(-1)?.headers['x-auth-token']).toBe(token);
    const forged: Account = { ...account(), credentials: { accessKeyId: '', accessKeySecret: '', securityToken: 'forged' } };
    expect(await failureOf(upload(forged, uploadMaterial(pki.ec.cert, pki.ec.key), { name: 'token_forged', algorithmType: 'ECC' }))).toMatchObject({ code: 'APIG.0301', kind: 'auth' });
  });

  it('maps auth, throttled, invalid, conflict and server answers', async () => {
    const rsa = uploadMaterial(pki.rsa.cert, pki.rsa.key);
    expect(await failureOf(upload(wrongSecret(account()), rsa, { name: 'auth_case' }))).toMatchObject({ code: 'APIG.0301', kind: 'auth', httpStatus: 401, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    emulator().faults.throttle();
    expect(await failureOf(upload(account(), rsa, { name: 'throttle_case' }))).toMatchObject({ code: 'APIG.0308', kind: 'throttled', retryable: true, httpStatus: 429 });
    expect(await failureOf(upload(account(), uploadMaterial(pki.rsa.cert, pki.strayKey), { name: 'mismatch_case' }))).toMatchObject({ code: 'APIG.2012', kind: 'invalid', retryable: false });
    expect(await failureOf(upload(account(), rsa, { name: 'gone_case', type: 'instance', instanceId: 'deadbeef-0000' }))).toMatchObject({ code: 'APIG.3030', httpStatus: 404, retryable: false });
    emulator().faults.inject({ kind: 'error', code: 'APIG.3325', message: 'The certificate name already exists' });
    expect(await failureOf(upload(account(), rsa, { name: 'conflict_case' }))).toMatchObject({ code: 'APIG.3325', kind: 'conflict' });
    emulator().faults.serverError();
    expect(await failureOf(upload(account(), rsa, { name: 'server_case' }))).toMatchObject({ code: 'APIG.9999', kind: 'server', retryable: true, httpStatus: 500 });
    emulator().state.clockOffsetMs = 20 * 60_000;
    expect(await failureOf(provider('huawei').list(context(account())))).toMatchObject({ code: 'APIG.0301', kind: 'auth' });
    emulator().state.clockOffsetMs = 0;
    expect(emulator().state.store.size).toBe(0);
  });

  networkCases('huawei', emulator, account, () => uploadMaterial(pki.rsa.cert, pki.rsa.key), () => ({ name: 'network_case' }));
});

describe('volcengine client against the Volcengine emulator', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: true });
  const account = (): Account => ({ cloud: 'volcengine', endpoint: emulator().url, credentials: credentialsOf(defaultCredentials.volcengine) });

  it('creates an RSA certificate with every documented parameter, replaces it with an EC one through its ChainID, and lists it', async () => {
    const created = await upload(account(), uploadMaterial(pki.rsa.fullchain, pki.rsa.key), { certName: 'live-rsa', projectName: 'default', useWay: 'https' });
    expect(created).toMatchObject({ remoteId: expect.stringMatching(/^[0-9a-f]{32}$/), requestId: expect.any(String) });
    expect(emulator().state.store.list()[0]?.params).toEqual({ CertName: 'live-rsa', ProjectName: 'default', UseWay: 'https', Rsa: { Pubkey: pki.rsa.fullchain, Prikey: pki.rsa.key } });

    const replaced = await upload(account(), uploadMaterial(pki.ec.fullchain, pki.ec.key), { certName: 'live-ec', chainId: created.remoteId });
    expect(replaced.remoteId).toBe(created.remoteId);
    expect(emulator().state.store.list()).toEqual([expect.objectContaining({ name: 'live-ec', revision: 2 })]);

    const listed = await provider('volcengine').list(context(account()));
    expect(listed).toEqual([expect.objectContaining({ remoteId: created.remoteId, name: 'live-ec', domains: expect.arrayContaining(['ec.certvault.test']) })]);
  });

  it('refuses SM2 before sending anything', async () => {
    const material = uploadMaterial(pki.sm2.signCert, pki.sm2.signKey);
    const options = provider('volcengine').optionsSchema.parse({});
    expect(provider('volcengine').validate(material, options, context(account()).account)).not.toEqual([]);
    await expect(provider('volcengine').upload(context(account()), material, options)).rejects.toBeInstanceOf(CloudError);
    expect(emulator().state.calls).toHaveLength(0);
  });

  it('maps auth, throttled, invalid, not-found and server answers', async () => {
    const rsa = uploadMaterial(pki.rsa.cert, pki.rsa.key);
    expect(await failureOf(upload(wrongSecret(account()), rsa, {}))).toMatchObject({ code: 'SignatureDoesNotMatch', kind: 'auth', httpStatus: 401, requestId: expect.any(String) });
    emulator().faults.throttle();
    expect(await failureOf(upload(account(), rsa, {}))).toMatchObject({ code: 'FlowLimitExceeded', kind: 'throttled', retryable: true, httpStatus: 429 });
    expect(await failureOf(upload(account(), uploadMaterial(pki.rsa.cert, pki.strayKey), {}))).toMatchObject({ code: 'InvalidParam', kind: 'invalid', retryable: false });
    expect(await failureOf(upload(account(), rsa, { chainId: 'no-such-chain' }))).toMatchObject({ code: 'ResourceNotFound', httpStatus: 404, retryable: false });
    emulator().faults.serverError();
    expect(await failureOf(upload(account(), rsa, {}))).toMatchObject({ code: 'InternalError', kind: 'server', retryable: true, httpStatus: 500 });
    emulator().state.clockOffsetMs = -20 * 60_000;
    expect(await failureOf(provider('volcengine').list(context(account())))).toMatchObject({ code: 'InvalidTimestamp', kind: 'auth' });
    emulator().state.clockOffsetMs = 0;
    expect(emulator().state.store.size).toBe(0);
  });

  networkCases('volcengine', emulator, account, () => uploadMaterial(pki.rsa.cert, pki.rsa.key), () => ({}));
});
