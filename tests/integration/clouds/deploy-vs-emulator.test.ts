// The Tencent and Alibaba deployers end to end against their emulators, over the product's own HTTP
// client: replace everywhere across several resources and regions until every emulated resource
// serves NEW, tasks that need several polls, a partial failure (a failing resource, a domain NEW
// does not cover) then a rollback that puts the succeeded ones back on OLD, a running task adopted,
// and retirement refused while anything is bound.

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../main/clouds/http-client';
import { CloudError, type CallContext } from '../../../main/clouds/provider';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, TaskState } from '../../../main/clouds/deploy';
import { createTencentDeployer } from '../../../main/clouds/tencent/deploy';
import { createAliyunDeployer } from '../../../main/clouds/aliyun/deploy';
import { providers } from '../../../main/clouds/registry';
import type { CloudId } from '../../../shared/model';
import { seedAliyunCertificate, seedAliyunContact, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import type { EmulatorState, RunningEmulator } from '../../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { seedRunningTencentUpdate } from '../../emulators/tencent-deploy';
import { credentialsOf } from './material';
import { makeTestPki, type TestPki } from './pki';
import { useEmulator } from './use-emulator';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

function context(cloud: CloudId, emulator: RunningEmulator, credentials: { accessKeyId: string; accessKeySecret: string }): CallContext {
  return {
    account: { cloud, region: null, endpoint: emulator.url, fields: {} },
    credentials: credentialsOf(credentials),
    http: createHttpClient({ timeoutMs: 10_000 }),
    now: () => new Date(),
    nonce: () => randomUUID(),
  };
}

function step(oldRemoteId: string, newRemoteId: string, resources: readonly DeployResource[], muteOld = false): DeployStep {
  return { mode: 'rebind', oldRemoteId, newRemoteId, resources, material: null, muteOld };
}

/**
 * What the engine does between start and the end: poll until finished (bounded here). The handle
 * goes through JSON first, as the engine stores it in the deployment history.
 */
async function watch(deployer: CloudDeployer, ctx: CallContext, deployStep: DeployStep, handle: DeployHandle): Promise<{ state: TaskState; polls: number }> {
  const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle;
  for (let polls = 1; polls <= 20; polls += 1) {
    const state = await deployer.poll(ctx, deployStep, stored);
    if (state.finished) return { state, polls };
  }
  throw new Error('the task never finished');
}

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

const servingOf = (state: EmulatorState, account: string) => resourcesOf(state, account).map((resource) => resource.certificateId);

describe.each(['tencent', 'tencent-intl'] as const)('%s deployer against the Tencent emulator', (cloud) => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const credentials = defaultCredentials.tencent;
  const account = credentials.accessKeyId;
  const deployer = createTencentDeployer(cloud, { waitMs: 5 });

  function seedPair() {
    const state = emulator().state;
    const old = seedTencentCertificate(state, { account, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'old' });
    const renewed = seedTencentCertificate(state, { account, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'new' });
    return { old: old.id, renewed: renewed.id };
  }

  function clb(certId: string, region: string, lb: string, domain: string) {
    seedResource(emulator().state, {
      account, certificateId: certId, type: 'clb', region,
      instance: { LoadBalancerId: lb, LoadBalancerName: lb, Forward: 1, Listeners: [{ ListenerId: `lbl-${lb}`, Protocol: 'HTTPS', SniSwitch: 1, Certificate: { CertId: certId }, Rules: [{ LocationId: 'loc', Domain: domain }] }] },
    });
  }

  function cdn(certId: string, domain: string) {
    seedResource(emulator().state, { account, certificateId: certId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certId, Status: 'online', HttpsBillingSwitch: 'on' } });
  }

  function seedEverywhere(old: string) {
    clb(old, 'ap-guangzhou', 'lb-gz', 'rsa.certvault.test');
    clb(old, 'ap-shanghai', 'lb-sh', 'www.rsa.certvault.test');
    cdn(old, 'rsa.certvault.test');
    seedResource(emulator().state, { account, certificateId: old, type: 'live', region: '', instance: { Domain: 'www.rsa.certvault.test', CertId: old, Status: 1 } });
  }

  it('replaces OLD everywhere: several types and regions, a record that needs several calls and polls, every resource ends on NEW', async () => {
    const { old, renewed } = seedPair();
    seedEverywhere(old);
    cdn('other-cert', 'unrelated.certvault.test');
    const state = emulator().state;
    state.deploy.preparingCalls = 2;
    state.deploy.pollsBeforeDone = 2;
    const ctx = context(cloud, emulator(), credentials);

    const resources = await deployer.discover(ctx, old);
    expect(resources).toEqual([
      { type: 'clb', id: 'lb-gz|lbl-lb-gz|rsa.certvault.test', name: 'rsa.certvault.test', domains: ['rsa.certvault.test'], region: 'ap-guangzhou', port: null, detail: { protocol: 'HTTPS', sniSwitch: 1 } },
      { type: 'clb', id: 'lb-sh|lbl-lb-sh|www.rsa.certvault.test', name: 'www.rsa.certvault.test', domains: ['www.rsa.certvault.test'], region: 'ap-shanghai', port: null, detail: { protocol: 'HTTPS', sniSwitch: 1 } },
      { type: 'cdn', id: 'rsa.certvault.test', name: 'rsa.certvault.test', domains: ['rsa.certvault.test'], region: null, port: null, detail: { httpsBillingSwitch: 'on' } },
      { type: 'live', id: 'www.rsa.certvault.test', name: 'www.rsa.certvault.test', domains: ['www.rsa.certvault.test'], region: null, port: null, detail: {} },
    ]);
    // A fresh discovery (IsCache 0), never the half-hour cache.
    expect(state.callsOf('CreateCertificateBindResourceSyncTask')).toHaveLength(1);

    const deployStep = step(old, renewed, resources);
    const handle = await deployer.start(ctx, deployStep);
    expect(state.callsOf('UpdateCertificateInstance').map((call) => call.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(handle).toEqual({ ref: expect.stringMatching(/^\d+$/), data: { kind: 'update', deployRecordId: Number(handle.ref), adopted: false } });

    const { state: done, polls } = await watch(deployer, ctx, deployStep, handle);
    expect(polls).toBe(3);
    expect(done.resources.map((outcome) => [outcome.resourceId, outcome.state, outcome.error])).toEqual(resources.map((resource) => [resource.id, 'deployed', null]));
    expect(servingOf(state, account)).toEqual([renewed, renewed, renewed, renewed, 'other-cert']);
    expect(await deployer.discover(ctx, old)).toEqual([]);
    expect((await deployer.discover(ctx, renewed)).map((resource) => resource.id)).toEqual(resources.map((resource) => resource.id));
    // Not muted unless asked.
    expect(state.store.find(account, (entry) => entry.id === old)?.params.IsIgnore).toBeUndefined();
  });

  it('reports a failing resource and a domain NEW does not cover per resource, then rolls the succeeded ones back to OLD', async () => {
    const state = emulator().state;
    const old = seedTencentCertificate(state, { account, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key }).id;
    // NEW (the EC leaf) covers ec.certvault.test only: one resource is refused per item.
    const renewed = seedTencentCertificate(state, { account, certificatePem: pki.ec.fullchain, privateKeyPem: pki.ec.key }).id;
    clb(old, 'ap-guangzhou', 'lb-ok', 'ec.certvault.test');
    clb(old, 'ap-guangzhou', 'lb-bad', 'www.ec.certvault.test');
    cdn(old, 'rsa.certvault.test');
    cdn(old, 'www.ec.certvault.test');
    state.deploy.failing.add('lb-bad');
    const ctx = context(cloud, emulator(), credentials);

    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources, true);
    const handle = await deployer.start(ctx, deployStep);
    const { state: done } = await watch(deployer, ctx, deployStep, handle);
    const byId = new Map(done.resources.map((outcome) => [outcome.resourceId, outcome]));
    expect(byId.get('lb-ok|lbl-lb-ok|ec.certvault.test')).toMatchObject({ state: 'deployed', error: null });
    expect(byId.get('www.ec.certvault.test')).toMatchObject({ state: 'deployed', error: null });
    expect(byId.get('lb-bad|lbl-lb-bad|www.ec.certvault.test')).toMatchObject({ state: 'failed', error: { code: 'deploy.resource-failed', message: expect.stringContaining('emulated failure') } });
    expect(byId.get('rsa.certvault.test')).toMatchObject({ state: 'failed', error: { code: 'deploy.resource-failed', message: expect.stringContaining('rsa.certvault.test is not covered') } });
    expect(byId.get('rsa.certvault.test')!.error!.hint['zh-CN']).toContain('新证书');
    expect(servingOf(state, account)).toEqual([renewed, old, old, renewed]);
    // ExpiringNotificationSwitch 1 muted OLD in the same call.
    expect(state.store.find(account, (entry) => entry.id === old)?.params.IsIgnore).toBe(true);

    const back = await deployer.rollback(ctx, deployStep, handle, done.resources);
    expect(back.data).toMatchObject({ kind: 'rollback', rollbackOf: Number(handle.ref), resourceIds: ['lb-ok|lbl-lb-ok|ec.certvault.test', 'www.ec.certvault.test'] });
    // One running task per certificate: a new update is refused while the rollback runs.
    const busy = await failure(deployer.start(ctx, deployStep));
    expect(busy.info).toMatchObject({ code: 'FailedOperation.CertificateDeployHasPendingRecord', kind: 'conflict', retryable: false });
    const { state: rolled } = await watch(deployer, ctx, deployStep, back);
    expect(rolled.resources.map((outcome) => [outcome.resourceId, outcome.state])).toEqual([
      ['lb-ok|lbl-lb-ok|ec.certvault.test', 'rolled-back'],
      ['www.ec.certvault.test', 'rolled-back'],
    ]);
    expect(servingOf(state, account)).toEqual([old, old, old, old]);
  });

  it('adopts the update task already running for OLD (DeployStatus 0) and watches it to the end', async () => {
    const { old, renewed } = seedPair();
    seedEverywhere(old);
    const state = emulator().state;
    const running = seedRunningTencentUpdate(state, account, old, renewed);
    const ctx = context(cloud, emulator(), credentials);
    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources);

    const handle = await deployer.start(ctx, deployStep);
    expect(handle).toEqual({ ref: String(running), data: { kind: 'update', deployRecordId: running, adopted: true } });
    expect(state.callsOf('UpdateCertificateInstance')).toHaveLength(1);
    const { state: done } = await watch(deployer, ctx, deployStep, handle);
    expect(done.resources.every((outcome) => outcome.state === 'deployed')).toBe(true);
    expect(servingOf(state, account)).toEqual([renewed, renewed, renewed, renewed]);
  });

  it('refuses to delete OLD while it is bound (delete task status 4), deletes it once unbound, and mutes it', async () => {
    const { old, renewed } = seedPair();
    cdn(old, 'rsa.certvault.test');
    const state = emulator().state;
    const ctx = context(cloud, emulator(), credentials);

    const bound = await failure(deployer.retire(ctx, old, 'delete'));
    expect(bound.info).toMatchObject({ code: 'FailedOperation.BoundResources', kind: 'conflict', retryable: false });
    expect(state.store.find(account, (entry) => entry.id === old)).toBeDefined();

    // What settles a mute whose answer was lost: read back, not sent again.
    expect(await deployer.isMuted!(ctx, old)).toBe(false);
    await deployer.retire(ctx, old, 'mute');
    expect(state.store.find(account, (entry) => entry.id === old)?.params.IsIgnore).toBe(true);
    expect(await deployer.isMuted!(ctx, old)).toBe(true);
    expect(await deployer.isMuted!(ctx, renewed)).toBe(false);

    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources);
    await watch(deployer, ctx, deployStep, await deployer.start(ctx, deployStep));
    await deployer.retire(ctx, old, 'delete');
    expect(state.store.find(account, (entry) => entry.id === old)).toBeUndefined();
    expect(state.callsOf('DeleteCertificate')).toHaveLength(2);
  });

  it('is the deployer of the provider, and refuses a regional resource without a region before sending', async () => {
    expect(providers[cloud].deployer).toMatchObject({ action: 'replace', modes: ['rebind'], retireModes: ['mute', 'delete'] });
    const ctx = context(cloud, emulator(), credentials);
    const resource: DeployResource = { type: 'clb', id: 'lb|lbl', name: null, domains: [], region: null, port: null, detail: {} };
    const refused = await failure(deployer.start(ctx, step('a', 'b', [resource])));
    expect(refused.info).toMatchObject({ code: 'deploy.region-unknown', mayHaveReachedServer: false });
    expect(emulator().state.calls).toHaveLength(0);
  });
});

describe('Alibaba deployer against the CAS emulator', () => {
  const emulator = useEmulator(startAliyunEmulator, { isolate: true });
  const credentials = defaultCredentials.aliyun;
  const account = credentials.accessKeyId;
  const deployer = createAliyunDeployer();

  function seedPair(renewedPem = pki.rsa.fullchain, renewedKey = pki.rsa.key) {
    const state = emulator().state;
    const old = seedAliyunCertificate(state, { account, certificatePem: pki.rsa.fullchain, privateKeyPem: pki.rsa.key, name: 'old' });
    const renewed = seedAliyunCertificate(state, { account, certificatePem: renewedPem, privateKeyPem: renewedKey, name: 'new' });
    return { old: old.id, renewed: renewed.id };
  }

  function resource(certId: string, type: string, region: string, domain: string, extra: Record<string, unknown> = {}) {
    seedResource(emulator().state, { account, certificateId: certId, type, region, instance: { Domain: domain, InstanceId: `${type.toLowerCase()}-${domain}`, ...extra } });
  }

  function seedEverywhere(old: string) {
    resource(old, 'CDN', 'cn-hangzhou', 'rsa.certvault.test');
    resource(old, 'SLB', 'cn-shanghai', 'www.rsa.certvault.test', { ListenerId: 'lsn-1@8443', ListenerPort: 8443 });
    resource(old, 'ALB', 'cn-beijing', 'rsa.certvault.test', { ListenerId: 'lsn-2@443', ListenerPort: 443 });
  }

  it('replaces OLD everywhere: discovery over pages, a job left in editing until the first poll submits it, every resource ends on NEW', async () => {
    const { old, renewed } = seedPair();
    seedEverywhere(old);
    resource(renewed, 'CDN', 'cn-hangzhou', 'already.certvault.test');
    const state = emulator().state;
    seedAliyunContact(state, account);
    state.deploy.pollsBeforeDone = 2;
    const ctx = context('aliyun', emulator(), credentials);

    const resources = await deployer.discover(ctx, old);
    expect(resources).toEqual([
      { type: 'CDN', id: '4000000', name: 'rsa.certvault.test', domains: ['rsa.certvault.test'], region: 'cn-hangzhou', port: null, detail: { instanceId: 'cdn-rsa.certvault.test', listenerId: null } },
      { type: 'SLB', id: '4000001', name: 'www.rsa.certvault.test', domains: ['www.rsa.certvault.test'], region: 'cn-shanghai', port: 8443, detail: { instanceId: 'slb-www.rsa.certvault.test', listenerId: 'lsn-1@8443' } },
      { type: 'ALB', id: '4000002', name: 'rsa.certvault.test', domains: ['rsa.certvault.test'], region: 'cn-beijing', port: 443, detail: { instanceId: 'alb-rsa.certvault.test', listenerId: 'lsn-2@443' } },
    ]);
    expect(state.callsOf('ListCloudResources')).toHaveLength(1);

    const deployStep = step(old, renewed, resources);
    const handle = await deployer.start(ctx, deployStep);
    expect(handle).toEqual({ ref: expect.stringMatching(/^\d+$/), data: { kind: 'job', jobId: handle.ref, name: expect.stringContaining(`${old} to ${renewed}`) } });
    // Created, not yet submitted: the JobId is in the handle before anything can run.
    expect(state.callsOf('UpdateDeploymentJobStatus')).toHaveLength(0);
    expect(servingOf(state, account)).toEqual([old, old, old, renewed]);

    const { state: done, polls } = await watch(deployer, ctx, deployStep, handle);
    expect(state.callsOf('UpdateDeploymentJobStatus')).toHaveLength(1);
    expect(polls).toBe(4);
    expect(done.resources).toEqual(resources.map((item) => ({ resourceId: item.id, state: 'deployed', error: null })));
    expect(servingOf(state, account)).toEqual([renewed, renewed, renewed, renewed]);
    expect(await deployer.discover(ctx, old)).toEqual([]);
    expect((await deployer.discover(ctx, renewed)).map((item) => item.id)).toEqual(['4000000', '4000001', '4000002', '4000003']);
  });

  it('a job whose handle was never stored (a crash right after CreateDeploymentJob) never runs: the resources stay on OLD for the next attempt', async () => {
    const { old, renewed } = seedPair();
    seedEverywhere(old);
    const state = emulator().state;
    seedAliyunContact(state, account);
    const ctx = context('aliyun', emulator(), credentials);
    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources);
    await deployer.start(ctx, deployStep);

    // Resolved by reading state: everything still serves OLD, so the step is started again.
    expect((await deployer.discover(ctx, old)).map((item) => item.id)).toEqual(resources.map((item) => item.id));
    const retried = await deployer.start(ctx, deployStep);
    await watch(deployer, ctx, deployStep, retried);
    expect(servingOf(state, account)).toEqual([renewed, renewed, renewed]);
    expect(state.callsOf('CreateDeploymentJob')).toHaveLength(2);
    expect(state.callsOf('UpdateDeploymentJobStatus')).toHaveLength(1);
  });

  it('reports an unknown job with the not-found hint', async () => {
    const ctx = context('aliyun', emulator(), credentials);
    const lost = await failure(deployer.poll(ctx, step('1', '2', []), { ref: '123', data: { kind: 'job', jobId: '123' } }));
    expect(lost.info).toMatchObject({ code: 'InvalidJobId.NotFound', kind: 'invalid', httpStatus: 404 });
    expect(lost.info.hint.en).toContain('deployment job');
  });

  it('pages ListCloudResources and ListWorkerResource past 50 resources', async () => {
    const { old, renewed } = seedPair();
    for (let i = 0; i < 55; i += 1) resource(old, 'CDN', 'cn-hangzhou', i % 2 === 0 ? 'rsa.certvault.test' : 'www.rsa.certvault.test', { Id: 5_000_000 + i });
    seedAliyunContact(emulator().state, account);
    const ctx = context('aliyun', emulator(), credentials);
    const resources = await deployer.discover(ctx, old);
    expect(resources).toHaveLength(55);
    expect(emulator().state.callsOf('ListCloudResources')).toHaveLength(2);
    const deployStep = step(old, renewed, resources);
    const { state: done } = await watch(deployer, ctx, deployStep, await deployer.start(ctx, deployStep));
    expect(done.resources.filter((outcome) => outcome.state === 'deployed')).toHaveLength(55);
    expect(emulator().state.callsOf('ListWorkerResource').length).toBeGreaterThanOrEqual(2);
  });

  it('reports a failing worker and an uncovered domain, then rolls the succeeded workers back to OLD', async () => {
    const { old, renewed } = seedPair(pki.ec.fullchain, pki.ec.key);
    resource(old, 'CDN', 'cn-hangzhou', 'ec.certvault.test');
    resource(old, 'CDN', 'cn-hangzhou', 'rsa.certvault.test');
    resource(old, 'SLB', 'cn-shanghai', 'www.ec.certvault.test', { ListenerPort: 443 });
    resource(old, 'ALB', 'cn-beijing', 'www.ec.certvault.test');
    const state = emulator().state;
    state.deploy.failing.add('alb-www.ec.certvault.test');
    seedAliyunContact(state, account);
    const ctx = context('aliyun', emulator(), credentials);

    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources);
    const handle = await deployer.start(ctx, deployStep);
    const { state: done } = await watch(deployer, ctx, deployStep, handle);
    expect(done.resources.map((outcome) => [outcome.resourceId, outcome.state, outcome.error?.code ?? null])).toEqual([
      ['4000000', 'deployed', null],
      ['4000001', 'failed', 'deploy.worker-error'],
      ['4000002', 'deployed', null],
      ['4000003', 'failed', 'deploy.worker-error'],
    ]);
    expect(servingOf(state, account)).toEqual([renewed, old, renewed, old]);

    const back = await deployer.rollback(ctx, deployStep, handle, done.resources);
    expect(back).toMatchObject({ ref: handle.ref, data: { kind: 'rollback', resourceIds: ['4000000', '4000002'] } });
    expect(state.callsOf('UpdateWorkerResourceStatus')).toHaveLength(2);
    const { state: rolled } = await watch(deployer, ctx, deployStep, back);
    expect(rolled.resources.map((outcome) => [outcome.resourceId, outcome.state])).toEqual([
      ['4000000', 'rolled-back'],
      ['4000002', 'rolled-back'],
    ]);
    expect(servingOf(state, account)).toEqual([old, old, old, old]);
  });

  it('refuses to start without a CAS contact, saying where to add one, before creating any job', async () => {
    const { old, renewed } = seedPair();
    seedEverywhere(old);
    const ctx = context('aliyun', emulator(), credentials);
    const resources = await deployer.discover(ctx, old);
    const refused = await failure(deployer.start(ctx, step(old, renewed, resources)));
    expect(refused.info).toMatchObject({ code: 'deploy.no-contact', kind: 'invalid' });
    expect(refused.info.hint.en).toContain('Add a contact in the Certificate Management Service console');
    expect(refused.info.hint['zh-CN']).toContain('联系人');
    expect(emulator().state.callsOf('CreateDeploymentJob')).toHaveLength(0);
  });

  it('refuses to delete OLD while bound, deletes it once unbound, and offers no mute', async () => {
    const { old, renewed } = seedPair();
    resource(old, 'CDN', 'cn-hangzhou', 'rsa.certvault.test');
    const state = emulator().state;
    seedAliyunContact(state, account);
    const ctx = context('aliyun', emulator(), credentials);

    const bound = await failure(deployer.retire(ctx, old, 'delete'));
    expect(bound.info).toMatchObject({ code: 'OperationDenied.CertificateInUse', kind: 'conflict', retryable: false });
    expect(bound.info.hint.en).toContain('still bound');
    expect((await failure(deployer.retire(ctx, old, 'mute'))).info).toMatchObject({ code: 'deploy.retire-mode', mayHaveReachedServer: false });

    const resources = await deployer.discover(ctx, old);
    const deployStep = step(old, renewed, resources);
    await watch(deployer, ctx, deployStep, await deployer.start(ctx, deployStep));
    await deployer.retire(ctx, old, 'delete');
    expect(state.store.find(account, (entry) => entry.id === old)).toBeUndefined();
    expect(providers.aliyun.deployer).toMatchObject({ action: 'replace', modes: ['rebind'], retireModes: ['delete'] });
  });
});
