// The inventory verbs of every cloud client end to end against the emulators, over the product's
// own HTTP client: certificates seeded on an account (never uploaded by Cert Vault) are listed
// over several pages, completed by the detail call, and joined to their seeded bindings; a
// throttled page is retried, a failing page stops the listing with the cloud's code, and no
// private key a detail call returns survives the client.

import { X509Certificate, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../main/clouds/http-client';
import { CloudError, type CallContext, type CloudProvider, type RemoteCopy } from '../../../main/clouds/provider';
import { providers } from '../../../main/clouds/registry';
import type { CloudId } from '../../../shared/model';
import { seedAliyunCertificate, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance } from '../../emulators/credentials';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../../emulators/huawei';
import { seedResource, type SeedInput } from '../../emulators/seed';
import type { EmulatorState, RunningEmulator } from '../../emulators/server';
import type { StoredCertificate } from '../../emulators/store';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../../emulators/volcengine';
import { credentialsOf } from './material';
import { makeTestPki, type TestPki } from './pki';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

const OPTIONS = { pageSize: 2, pollIntervalMs: 10 };

function context(cloud: CloudId, emulator: RunningEmulator, credentials: { accessKeyId: string; accessKeySecret: string }, fields: Record<string, string> = {}): CallContext {
  return {
    account: { cloud, region: cloud === 'huawei' ? 'cn-north-4' : null, endpoint: emulator.url, fields },
    credentials: credentialsOf(credentials),
    http: createHttpClient({ timeoutMs: 10_000 }),
    now: () => new Date(),
    nonce: () => randomUUID(),
  };
}

/** What a sync does with the verbs: every page, every detail, then the bindings. */
async function inventory(provider: CloudProvider, ctx: CallContext): Promise<RemoteCopy[]> {
  const listed = await provider.listRemote!(ctx, OPTIONS);
  const detailed = [];
  for (const copy of listed) detailed.push(await provider.remoteDetail!(ctx, copy));
  const bindings = await provider.bindings!(ctx, detailed, OPTIONS);
  return detailed.map((copy) => ({ ...copy, bindings: bindings.get(copy.remoteId) ?? [] }));
}

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();
}

function expectNoKey(value: unknown, key: string): void {
  const text = value instanceof Error ? `${value.message} ${JSON.stringify(value)}` : JSON.stringify(value);
  for (const line of key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(text).not.toContain(line);
}

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

/** Five certificates (RSA and EC, one expired-looking alias), so every listing takes three pages of two. */
function seedFive(state: EmulatorState, account: string, seed: (state: EmulatorState, input: SeedInput) => StoredCertificate, params: (i: number) => Record<string, unknown> = () => ({})): StoredCertificate[] {
  return [0, 1, 2, 3, 4].map((i) => {
    const leaf = i % 2 === 0 ? pki.rsa : pki.ec;
    return seed(state, { account, certificatePem: leaf.fullchain, privateKeyPem: leaf.key, name: `seeded_${i}`, params: params(i) });
  });
}

describe.each(['tencent', 'tencent-intl'] as const)('%s inventory against the Tencent emulator', (cloud) => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const credentials = defaultCredentials.tencent;

  it('lists every page, completes each copy from its detail, and finds CLB and CDN bindings through the sync task', async () => {
    const seeded = seedFive(emulator().state, credentials.accessKeyId, seedTencentCertificate);
    seedResource(emulator().state, {
      account: credentials.accessKeyId, certificateId: seeded[0]!.id, type: 'clb', region: 'ap-guangzhou',
      instance: { LoadBalancerId: 'lb-1', LoadBalancerName: 'web', Forward: 1, Listeners: [{ ListenerId: 'lbl-1', Protocol: 'HTTPS', SniSwitch: 1, Rules: [{ LocationId: 'loc-1', Domain: 'rsa.certvault.test' }] }] },
    });
    seedResource(emulator().state, { account: credentials.accessKeyId, certificateId: seeded[0]!.id, type: 'cdn', region: '', instance: { Domain: 'cdn.certvault.test', CertId: seeded[0]!.id, Status: 'online', HttpsBillingSwitch: 'on' } });
    seedResource(emulator().state, { account: credentials.accessKeyId, certificateId: seeded[3]!.id, type: 'live', region: '', instance: { Domain: 'live.certvault.test', CertId: seeded[3]!.id, Status: 1 } });

    const copies = await inventory(providers[cloud], context(cloud, emulator(), credentials));
    expect(copies.map((copy) => copy.remoteId)).toEqual(seeded.map((entry) => entry.id));
    expect(emulator().state.callsOf('DescribeCertificates')).toHaveLength(3);
    expect(copies[0]).toMatchObject({
      cloud,
      name: 'seeded_0',
      commonName: 'rsa.certvault.test',
      dnsNames: ['rsa.certvault.test', 'www.rsa.certvault.test'],
      fingerprintSha256: fingerprintOf(pki.rsa.cert),
      serial: seeded[0]!.certificate.serialHex.toLowerCase(),
      notAfter: seeded[0]!.certificate.notAfter.toISOString(),
      issuer: expect.stringContaining('Cert Vault Test Intermediate'),
      bindings: [
        { type: 'clb', id: 'lb-1|lbl-1|rsa.certvault.test', name: 'rsa.certvault.test' },
        { type: 'cdn', id: 'cdn.certvault.test', name: 'cdn.certvault.test' },
      ],
    });
    expect(copies[1]!.fingerprintSha256).toBe(fingerprintOf(pki.ec.cert));
    expect(copies[3]!.bindings).toEqual([{ type: 'live', id: 'live.certvault.test', name: 'live.certvault.test' }]);
    expect(copies[2]!.bindings).toEqual([]);
    // The detail answered with the private keys; none of them reached the copies.
    expectNoKey(copies, pki.rsa.key);
    expectNoKey(copies, pki.ec.key);
  });

  it('retries a throttled page and stops at a failing one with its code', async () => {
    seedFive(emulator().state, credentials.accessKeyId, seedTencentCertificate);
    emulator().faults.inject({ kind: 'throttle', operation: 'DescribeCertificates', after: 1 });
    const copies = await providers[cloud].listRemote!(context(cloud, emulator(), credentials), OPTIONS);
    expect(copies).toHaveLength(5);
    expect(emulator().state.callsOf('DescribeCertificates').map((call) => call.outcome)).toEqual(['ok', 'RequestLimitExceeded', 'ok', 'ok']);

    emulator().faults.inject({ kind: 'error', code: 'FailedOperation.NoRealNameAuth', operation: 'DescribeCertificates', after: 2 });
    const error = await failure(providers[cloud].listRemote!(context(cloud, emulator(), credentials), OPTIONS));
    expect(error.info).toMatchObject({ code: 'FailedOperation.NoRealNameAuth', kind: 'auth' });
  });
});

describe('Alibaba inventory against the Alibaba emulator', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: true });
  const credentials = defaultCredentials.aliyun;

  it('lists uploaded, expired and bought certificates over every page, details them without their keys, and reads ListCloudResources', async () => {
    const seeded = seedFive(emulator().state, credentials.accessKeyId, seedAliyunCertificate, (i) => (i === 4 ? { OrderType: 'BUY' } : {}));
    for (const [index, product, domain] of [[0, 'CDN', 'cdn.certvault.test'], [0, 'SLB', 'lb.certvault.test'], [2, 'OSS', 'oss.certvault.test']] as const) {
      seedResource(emulator().state, { account: credentials.accessKeyId, certificateId: seeded[index]!.id, type: product, region: 'cn-hangzhou', instance: { Domain: domain, InstanceId: `i-${domain}` } });
    }
    const copies = await inventory(providers.aliyun, context('aliyun', emulator(), credentials));
    expect(copies.map((copy) => copy.remoteId).sort()).toEqual(seeded.map((entry) => entry.id).sort());
    const first = copies.find((copy) => copy.remoteId === seeded[0]!.id)!;
    expect(first).toMatchObject({
      cloud: 'aliyun',
      name: 'seeded_0',
      commonName: 'rsa.certvault.test',
      fingerprintSha256: fingerprintOf(pki.rsa.cert),
      serial: seeded[0]!.certificate.serialHex.toLowerCase(),
      notAfter: seeded[0]!.certificate.notAfter.toISOString(),
      certificatePem: null,
    });
    expect(first.bindings.map((binding) => [binding.type, binding.name])).toEqual([['CDN', 'cdn.certvault.test'], ['SLB', 'lb.certvault.test']]);
    expect(copies.find((copy) => copy.remoteId === seeded[4]!.id)).toMatchObject({ commonName: 'rsa.certvault.test', fingerprintSha256: fingerprintOf(pki.rsa.cert) });
    // The detail was asked without PEMs: no key was ever sent back.
    for (const call of emulator().state.callsOf('GetUserCertificateDetail')) expect(call.outcome).toBe('ok');
    expectNoKey(copies, pki.rsa.key);
  });

  it('lists expired uploads through Status=EXPIRED', async () => {
    const [entry] = seedFive(emulator().state, credentials.accessKeyId, seedAliyunCertificate).slice(0, 1);
    emulator().state.clockOffsetMs = entry!.certificate.notAfter.getTime() - Date.now() + 86_400_000;
    const ctx = { ...context('aliyun', emulator(), credentials), now: () => new Date(Date.now() + emulator().state.clockOffsetMs) };
    const copies = await providers.aliyun.listRemote!(ctx, OPTIONS);
    expect(copies).toHaveLength(5);
  });

  it('skips bought certificates the key may not list, retries a throttled page, and stops at a failing one', async () => {
    seedFive(emulator().state, credentials.accessKeyId, seedAliyunCertificate);
    emulator().faults.inject({ kind: 'throttle', operation: 'ListUserCertificateOrder', after: 1 });
    emulator().faults.inject({ kind: 'error', code: 'Forbidden.RAM', status: 403, operation: 'ListUserCertificateOrder', after: 5, count: 2 });
    const copies = await providers.aliyun.listRemote!(context('aliyun', emulator(), credentials), OPTIONS);
    expect(copies).toHaveLength(5);
    expect(emulator().state.callsOf('ListUserCertificateOrder').map((call) => call.outcome)).toContain('Throttling.User');

    emulator().faults.inject({ kind: 'server', operation: 'ListUserCertificateOrder', after: 1, count: 4 });
    const error = await failure(providers.aliyun.listRemote!(context('aliyun', emulator(), credentials), OPTIONS));
    expect(error.info).toMatchObject({ code: 'ServiceUnavailable', kind: 'server' });
  });
});

describe('Huawei inventory against the Huawei emulator', () => {
  const emulator = useEmulator(startHuaweiEmulator, { isolate: true });
  const credentials = defaultCredentials.huawei;

  it('lists the global and the dedicated gateway certificates, reads their details and attached domains', async () => {
    const seeded = seedFive(emulator().state, credentials.accessKeyId, seedHuaweiCertificate, (i) => (i === 4 ? { type: 'instance', instance_id: defaultHuaweiInstance } : {}));
    for (const [port, domain] of [[443, 'api.certvault.test'], [8443, 'api.certvault.test'], [443, 'v2.certvault.test']] as const) {
      seedResource(emulator().state, {
        account: credentials.accessKeyId, certificateId: seeded[1]!.id, type: 'apig-domain', region: '',
        instance: { url_domain: domain, id: `dom-${domain}`, instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', api_group_name: 'shop', ingress_https_port: port },
      });
    }
    const copies = await inventory(providers.huawei, context('huawei', emulator(), credentials));
    expect(copies.map((copy) => copy.remoteId).sort()).toEqual(seeded.map((entry) => entry.id).sort());
    const second = copies.find((copy) => copy.remoteId === seeded[1]!.id)!;
    expect(second).toMatchObject({
      cloud: 'huawei',
      commonName: 'ec.certvault.test',
      serial: seeded[1]!.certificate.serialHex.toLowerCase(),
      notAfter: seeded[1]!.certificate.notAfter.toISOString(),
      notBefore: seeded[1]!.certificate.notBefore.toISOString(),
      fingerprintSha256: null,
      bindings: [
        { type: 'apig-domain', id: `${defaultHuaweiInstance}|grp-1|dom-api.certvault.test`, name: 'api.certvault.test' },
        { type: 'apig-domain', id: `${defaultHuaweiInstance}|grp-1|dom-v2.certvault.test`, name: 'v2.certvault.test' },
      ],
    });
    expect(emulator().state.callsOf('ListInstancesV2')).toHaveLength(1);
  });

  it('retries a throttled page and stops at a failing one', async () => {
    seedFive(emulator().state, credentials.accessKeyId, seedHuaweiCertificate);
    emulator().faults.inject({ kind: 'throttle', operation: 'ListCertificatesV2', after: 1 });
    expect(await providers.huawei.listRemote!(context('huawei', emulator(), credentials), OPTIONS)).toHaveLength(5);
    emulator().faults.inject({ kind: 'auth', operation: 'ListCertificatesV2', after: 1 });
    const error = await failure(providers.huawei.listRemote!(context('huawei', emulator(), credentials), OPTIONS));
    expect(error.info).toMatchObject({ code: 'APIG.0301', kind: 'auth' });
  });
});

describe('Volcengine inventory against the Volcengine emulator', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: true });
  const credentials = defaultCredentials.volcengine;

  it('lists every page, reads each chain, and finds the domains serving each ChainID', async () => {
    const seeded = seedFive(emulator().state, credentials.accessKeyId, seedVolcengineCertificate, (i) => ({ ProjectName: i === 3 ? 'other' : 'default' }));
    for (const [certificateId, domain] of [[seeded[2]!.id, 'pull.certvault.test'], [seeded[2]!.id, 'pull2.certvault.test'], ['', 'idle.certvault.test'], [seeded[0]!.id, 'push.certvault.test']] as const) {
      seedResource(emulator().state, { account: credentials.accessKeyId, certificateId, type: 'live-domain', region: '', instance: { Domain: domain, Type: domain.startsWith('push') ? 'push' : 'pull-flv' } });
    }
    const copies = await inventory(providers.volcengine, context('volcengine', emulator(), credentials, { projectName: 'default' }));
    expect(copies.map((copy) => copy.remoteId)).toEqual(seeded.map((entry) => entry.id));
    expect(copies[2]).toMatchObject({
      cloud: 'volcengine',
      name: 'seeded_2',
      commonName: 'rsa.certvault.test',
      dnsNames: ['rsa.certvault.test', 'www.rsa.certvault.test'],
      fingerprintSha256: fingerprintOf(pki.rsa.cert),
      serial: seeded[2]!.certificate.serialHex.toLowerCase(),
      bindings: [
        { type: 'live-pull-flv', id: 'pull.certvault.test', name: 'pull.certvault.test' },
        { type: 'live-pull-flv', id: 'pull2.certvault.test', name: 'pull2.certvault.test' },
      ],
    });
    expect(copies[0]!.bindings).toEqual([{ type: 'live-push', id: 'push.certvault.test', name: 'push.certvault.test' }]);
    expect(copies[2]!.certificatePem).toContain('-----BEGIN CERTIFICATE-----');
    expectNoKey(copies, pki.rsa.key);
  });

  it('retries a throttled page and stops at a failing one', async () => {
    seedFive(emulator().state, credentials.accessKeyId, seedVolcengineCertificate);
    emulator().faults.inject({ kind: 'throttle', operation: 'ListCertV2', after: 1 });
    expect(await providers.volcengine.listRemote!(context('volcengine', emulator(), credentials), OPTIONS)).toHaveLength(5);
    emulator().faults.inject({ kind: 'error', code: 'RequestForbidden', status: 403, operation: 'ListCertV2', after: 1 });
    const error = await failure(providers.volcengine.listRemote!(context('volcengine', emulator(), credentials), OPTIONS));
    expect(error.info).toMatchObject({ code: 'RequestForbidden', kind: 'invalid', retryable: false });
  });
});
