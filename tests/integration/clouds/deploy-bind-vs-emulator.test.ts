// The Tencent deployer's binds against the emulator, over the product's own HTTP client: the bind
// candidates NEW's names match (every page of the per-product lists, with what each serves now and
// a CLB's region found through the certificate it serves), DeployCertificateInstance per resource
// type and region (X-TC-Region for CLB) watched over several polls together with an update of OLD,
// a failing item rolled back to what it served before, a running task adopted (DeployStatus 0), a
// domain NEW does not cover refused, and a lost answer found again in NEW's deployment records.

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../main/clouds/http-client';
import { CloudError, type CallContext } from '../../../main/clouds/provider';
import type { DeployHandle, DeployResource, DeployStep, TaskState } from '../../../main/clouds/deploy';
import { createTencentDeployer } from '../../../main/clouds/tencent/deploy';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { seedRunningTencentDeploy } from '../../emulators/tencent-bind';
import { credentialsOf } from './material';
import { makeTestPki, type TestPki } from './pki';
import { useEmulator } from './use-emulator';
import { makeCerts } from '../deploy/world';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

describe('Tencent deployer: binding NEW where OLD is not bound', () => {
  const emulator = useEmulator(startTencentEmulator, { isolate: true });
  const credentials = defaultCredentials.tencent;
  const account = credentials.accessKeyId;
  const deployer = createTencentDeployer('tencent', { waitMs: 5 });

  const context = (): CallContext => ({
    account: { cloud: 'tencent', region: null, endpoint: emulator().url, fields: {} },
    credentials: credentialsOf(credentials),
    http: createHttpClient({ timeoutMs: 10_000 }),
    now: () => new Date(),
    nonce: () => randomUUID(),
  });
  const seed = (pem: string, key: string) => seedTencentCertificate(emulator().state, { account, certificatePem: pem, privateKeyPem: key }).id;
  const cdn = (certId: string, domain: string) =>
    seedResource(emulator().state, { account, certificateId: certId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certId, Status: 'online', HttpsBillingSwitch: 'on' } });
  const live = (certId: string, domain: string) => seedResource(emulator().state, { account, certificateId: certId, type: 'live', region: '', instance: { Domain: domain, CertId: certId } });
  const clb = (certId: string, region: string, lb: string, domain: string) =>
    seedResource(emulator().state, {
      account, certificateId: certId, type: 'clb', region,
      instance: { LoadBalancerId: lb, LoadBalancerName: lb, Listeners: [{ ListenerId: `lbl-${lb}`, Protocol: 'HTTPS', SniSwitch: 1, Rules: [{ LocationId: 'loc', Domain: domain }] }] },
    });
  const serving = () => resourcesOf(emulator().state, account).map((resource) => resource.certificateId);
  const step = (oldRemoteId: string, newRemoteId: string, resources: readonly DeployResource[], binds: readonly string[]): DeployStep => ({
    mode: 'rebind', oldRemoteId, newRemoteId, resources, material: null, muteOld: false, binds,
  });

  async function watch(deployStep: DeployStep, handle: DeployHandle): Promise<{ state: TaskState; polls: number }> {
    const stored = JSON.parse(JSON.stringify(handle)) as DeployHandle;
    for (let polls = 1; polls <= 20; polls += 1) {
      const state = await deployer.poll(context(), deployStep, stored);
      if (state.finished) return { state, polls };
    }
    throw new Error('the task never finished');
  }

  it('lists every page of candidates with what each serves, and the region of a CLB from the certificate it serves', async () => {
    const [wildcard] = makeCerts([{ names: ['*.page.certvault.test'], days: 90 }]);
    const renewed = seed(wildcard!.pem, wildcard!.key);
    const other = seed(pki.ec.fullchain, pki.ec.key);
    for (let i = 0; i < 120; i += 1) cdn('', `d${i}.page.certvault.test`);
    live(renewed, 'live.page.certvault.test');
    clb(other, 'ap-shanghai', 'lb-sh', 'sh.page.certvault.test');
    // Matches nothing from here: no CertificateId to discover its region through.
    clb('', 'ap-beijing', 'lb-bj', 'bj.page.certvault.test');
    cdn('', 'unrelated.example.test');
    cdn('', 'a.b.page.certvault.test');

    const found = await deployer.candidates!(context(), renewed);
    expect(found.filter((c) => c.type === 'cdn')).toHaveLength(120);
    expect(emulator().state.callsOf('DescribeHostCdnInstanceList')).toHaveLength(2);
    expect(found.filter((c) => c.type !== 'cdn')).toEqual([
      expect.objectContaining({ type: 'clb', id: 'lb-sh|lbl-lb-sh|sh.page.certvault.test', region: 'ap-shanghai', currentRemoteId: other, unbindable: null }),
      expect.objectContaining({ type: 'clb', id: 'lb-bj|lbl-lb-bj|bj.page.certvault.test', region: null, currentRemoteId: null, unbindable: expect.objectContaining({ en: expect.stringContaining('region') }) }),
      expect.objectContaining({ type: 'live', id: 'live.page.certvault.test', currentRemoteId: renewed }),
    ]);
    expect(found.find((c) => c.type === 'cdn')).toMatchObject({ currentRemoteId: null, detail: { httpsBillingSwitch: 'on' } });
  });

  it('replaces OLD and binds NEW in one step: an update and a task per type and region, several polls, all on NEW', async () => {
    const [older, newer, unrelated] = makeCerts([
      { names: ['mix.certvault.test', '*.mix.certvault.test'], days: 30 },
      { names: ['mix.certvault.test', '*.mix.certvault.test'], days: 90 },
      { names: ['gz.mix.certvault.test'], days: 90 },
    ]);
    const old = seed(older!.pem, older!.key);
    const renewed = seed(newer!.pem, newer!.key);
    const other = seed(unrelated!.pem, unrelated!.key);
    cdn(old, 'mix.certvault.test');
    cdn('', 'cdn.mix.certvault.test');
    live('', 'live.mix.certvault.test');
    // Serves an unrelated certificate: the plan skips it unless named; here it is named.
    clb(other, 'ap-guangzhou', 'lb-gz', 'gz.mix.certvault.test');
    const state = emulator().state;
    state.deploy.preparingCalls = 0;
    state.deploy.pollsBeforeDone = 2;
    const ctx = context();
    const replacing = await deployer.discover(ctx, old);
    const binding = (await deployer.candidates!(ctx, renewed)).filter((c) => c.currentRemoteId !== old);
    expect(binding.map((c) => c.id)).toEqual(['lb-gz|lbl-lb-gz|gz.mix.certvault.test', 'cdn.mix.certvault.test', 'live.mix.certvault.test']);
    const deployStep = step(old, renewed, [...replacing, ...binding], binding.map((c) => c.id));

    const handle = await deployer.start(ctx, deployStep);
    expect(state.callsOf('UpdateCertificateInstance')).toHaveLength(1);
    expect(state.callsOf('DeployCertificateInstance').map((call) => call.headers['x-tc-region'] ?? '')).toEqual(['ap-guangzhou', '', '']);
    expect(handle.data).toMatchObject({ kind: 'update', deployRecordId: expect.any(Number), binds: [{ type: 'clb', region: 'ap-guangzhou' }, { type: 'cdn', region: '' }, { type: 'live', region: '' }] });
    const { state: done, polls } = await watch(deployStep, handle);
    expect(polls).toBe(3);
    expect(done.resources.map((o) => [o.resourceId, o.state])).toEqual([
      ['mix.certvault.test', 'deployed'],
      ['lb-gz|lbl-lb-gz|gz.mix.certvault.test', 'deployed'],
      ['cdn.mix.certvault.test', 'deployed'],
      ['live.mix.certvault.test', 'deployed'],
    ]);
    expect(serving()).toEqual([renewed, renewed, renewed, renewed]);
  });

  it('binds one region of a resource type per deployment: Tencent runs one task per certificate and type', async () => {
    const renewed = seed(pki.rsa.fullchain, pki.rsa.key);
    const other = seed(pki.ec.fullchain, pki.ec.key);
    clb(other, 'ap-guangzhou', 'lb-gz', 'rsa.certvault.test');
    clb(other, 'ap-shanghai', 'lb-sh', 'www.rsa.certvault.test');
    const ctx = context();
    const binding = await deployer.candidates!(ctx, renewed);
    expect(binding.map((c) => c.region)).toEqual(['ap-guangzhou', 'ap-shanghai']);
    const deployStep = step('', renewed, binding, binding.map((c) => c.id));
    const handle = await deployer.start(ctx, deployStep);
    expect(emulator().state.callsOf('DeployCertificateInstance').map((call) => call.headers['x-tc-region'])).toEqual(['ap-guangzhou']);
    const { state: done } = await watch(deployStep, handle);
    expect(done.resources).toEqual([
      { resourceId: 'lb-gz|lbl-lb-gz|rsa.certvault.test', state: 'deployed', error: null },
      { resourceId: 'lb-sh|lbl-lb-sh|www.rsa.certvault.test', state: 'failed', error: expect.objectContaining({ code: 'deploy.type-busy', kind: 'conflict', mayHaveReachedServer: false }) },
    ]);
    expect(done.resources[1]!.error!.hint['zh-CN']).toContain('重新部署');
    expect(serving()).toEqual([renewed, other]);
  });

  it('a failing bind item is reported, and the rollback puts back exactly what the succeeded ones served', async () => {
    const renewed = seed(pki.rsa.fullchain, pki.rsa.key);
    cdn('', 'rsa.certvault.test');
    cdn('', 'www.rsa.certvault.test');
    const state = emulator().state;
    state.deploy.failing.add('www.rsa.certvault.test');
    const ctx = context();
    const binding = await deployer.candidates!(ctx, renewed);
    const deployStep = step('', renewed, binding, binding.map((c) => c.id));
    const handle = await deployer.start(ctx, deployStep);
    expect(handle.ref).toBeNull();
    const { state: done } = await watch(deployStep, handle);
    expect(done.resources).toEqual([
      { resourceId: 'rsa.certvault.test', state: 'deployed', error: null },
      { resourceId: 'www.rsa.certvault.test', state: 'failed', error: expect.objectContaining({ code: 'deploy.resource-failed', message: expect.stringContaining('emulated failure') }) },
    ]);
    expect(serving()).toEqual([renewed, '']);

    const back = await deployer.rollback(ctx, deployStep, handle, done.resources);
    expect(state.callsOf('DeployCertificateRecordRollback')).toHaveLength(1);
    const { state: rolled } = await watch(deployStep, back);
    expect(rolled.resources).toEqual([{ resourceId: 'rsa.certvault.test', state: 'rolled-back', error: null }]);
    expect(serving()).toEqual(['', '']);
  });

  it('adopts a deploy task already running for NEW and the type (DeployStatus 0); a resource it does not hold ends failed, never re-sent', async () => {
    const renewed = seed(pki.rsa.fullchain, pki.rsa.key);
    cdn('', 'rsa.certvault.test');
    const state = emulator().state;
    const running = seedRunningTencentDeploy(state, account, renewed, 'cdn');
    const ctx = context();
    const binding = await deployer.candidates!(ctx, renewed);
    const deployStep = step('', renewed, binding, binding.map((c) => c.id));
    const handle = await deployer.start(ctx, deployStep);
    expect(handle.data).toMatchObject({ binds: [{ type: 'cdn', deployRecordId: running, adopted: true }] });
    const { state: done } = await watch(deployStep, handle);
    expect(done.resources).toEqual([{ resourceId: 'rsa.certvault.test', state: 'failed', error: expect.objectContaining({ code: 'deploy.not-in-record', kind: 'conflict' }) }]);
    expect(done.resources[0]!.error!.hint['zh-CN']).toContain('部署任务');
    expect(state.callsOf('DeployCertificateInstance')).toHaveLength(1);
    expect(serving()).toEqual(['']);
  });

  it('Tencent refusing every bind (a domain NEW does not cover) is a plain refusal: nothing started', async () => {
    const renewed = seed(pki.ec.fullchain, pki.ec.key);
    cdn('', 'rsa.certvault.test');
    const resource: DeployResource = { type: 'cdn', id: 'rsa.certvault.test', name: 'rsa.certvault.test', domains: ['rsa.certvault.test'], region: null, port: null, detail: { httpsBillingSwitch: 'on' } };
    const refused = await deployer.start(context(), step('', renewed, [resource], [resource.id])).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(CloudError);
    expect((refused as CloudError).info).toMatchObject({ code: 'FailedOperation.CertificateNotDeployInstance', kind: 'invalid', retryable: false });
    expect((refused as CloudError).info.hint['zh-CN']).toContain('域名');
    expect(serving()).toEqual(['']);
  });

  it('a lost answer: recover finds the task in NEW deployment records and it is watched, not sent again', async () => {
    const renewed = seed(pki.rsa.fullchain, pki.rsa.key);
    cdn('', 'rsa.certvault.test');
    live('', 'www.rsa.certvault.test');
    const state = emulator().state;
    const ctx = context();
    const binding = await deployer.candidates!(ctx, renewed);
    const deployStep = step('', renewed, binding, binding.map((c) => c.id));
    const since = new Date();
    expect(await deployer.recover!(ctx, deployStep, since, false)).toBeNull();
    // The call reaches Tencent, which starts the task, but its answer is lost.
    emulator().faults.hangAfterReceive(1, 'DeployCertificateInstance');
    const lostCtx = { ...ctx, http: createHttpClient({ timeoutMs: 300 }) };
    const handle = await deployer.start(lostCtx, deployStep);
    expect(handle.data).toMatchObject({ binds: [{ type: 'cdn', deployRecordId: null, lostSince: expect.any(String) }, { type: 'live', deployRecordId: expect.any(Number) }] });
    const { state: done } = await watch(deployStep, handle);
    expect(done.resources.map((o) => o.state)).toEqual(['deployed', 'deployed']);
    expect(state.callsOf('DeployCertificateInstance')).toHaveLength(2);
    expect(serving()).toEqual([renewed, renewed]);

    // After a crash the engine has no handle at all: recover builds one from the records.
    const recovered = await deployer.recover!(ctx, deployStep, since, false);
    expect(recovered?.data).toMatchObject({ binds: [{ type: 'cdn', lostSince: since.toISOString() }, { type: 'live', lostSince: since.toISOString() }] });
    expect((await watch(deployStep, recovered!)).state.resources.map((o) => o.state)).toEqual(['deployed', 'deployed']);
  });
});
