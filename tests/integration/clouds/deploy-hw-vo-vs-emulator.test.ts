// The Huawei APIG and Volcengine Live deployers end to end against their emulators, over the
// product's HTTP client: every domain serving OLD is found, moved to NEW (rebind and in place) and
// read back from the emulator's state; a refused domain fails alone and rolls back with the rest;
// a bound certificate is never deleted; Volcengine's BindCert always keeps HTTPS on.

import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudDeployer, DeployHandle, DeployMode, DeployResource, DeployStep, TaskState } from '../../../main/clouds/deploy';
import { createHttpClient } from '../../../main/clouds/http-client';
import { sendHuawei } from '../../../main/clouds/huawei/client';
import { CloudError, type CallContext, type UploadMaterial } from '../../../main/clouds/provider';
import { providers } from '../../../main/clouds/registry';
import { callVolcengine } from '../../../main/clouds/volcengine/client';
import { createVolcengineDeployer } from '../../../main/clouds/volcengine/deploy';
import type { CloudId } from '../../../shared/model';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { deployState, resetDeployState } from '../../emulators/deploy-state';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../../emulators/huawei';
import { seedResource } from '../../emulators/seed';
import type { RunningEmulator } from '../../emulators/server';
import type { StoredCertificate } from '../../emulators/store';
import { seedVolcengineCertificate, startVolcengineEmulator, volcengineDomainHttps } from '../../emulators/volcengine';
import { makeDeployLeaves, type DeployLeaves } from './deploy-leaves';
import { credentialsOf, uploadMaterial } from './material';
import type { Leaf } from './pki';
import { useEmulator } from './use-emulator';

const ZONE = 'deploy.certvault.test';
let leaves: DeployLeaves;
beforeAll(() => {
  leaves = makeDeployLeaves(ZONE);
});

const materialOf = (leaf: Leaf): UploadMaterial => uploadMaterial(leaf.fullchain, leaf.key);

function context(cloud: CloudId, emulator: RunningEmulator, credentials: { accessKeyId: string; accessKeySecret: string }): CallContext {
  return {
    account: { cloud, region: cloud === 'huawei' ? 'cn-north-4' : null, endpoint: emulator.url, fields: cloud === 'huawei' ? { projectId: defaultHuaweiProjects['cn-north-4']! } : {} },
    credentials: credentialsOf(credentials),
    http: createHttpClient({ timeoutMs: 10_000 }),
    now: () => new Date(),
    nonce: () => randomUUID(),
  };
}

function step(mode: DeployMode, old: string, next: string, resources: readonly DeployResource[], material: UploadMaterial | null): DeployStep {
  return { mode, oldRemoteId: old, newRemoteId: mode === 'in-place' ? old : next, resources, material, muteOld: false };
}

/** What the engine does with a handle: poll until finished (these clouds settle on the first look). */
async function watch(deployer: CloudDeployer, ctx: CallContext, deployStep: DeployStep, handle: DeployHandle): Promise<TaskState> {
  for (let round = 0; round < 5; round += 1) {
    const state = await deployer.poll(ctx, deployStep, handle);
    if (state.finished) return state;
  }
  throw new Error('the task never finished');
}

const statesById = (state: TaskState) => Object.fromEntries(state.resources.map((outcome) => [outcome.resourceId, outcome.state]));

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('Huawei APIG deployer against the Huawei emulator', () => {
  const emulator = useEmulator(startHuaweiEmulator, { isolate: true });
  afterEach(() => resetDeployState(emulator().state));
  const { accessKeyId } = defaultCredentials.huawei;
  const deployer = providers.huawei.deployer!;
  const ctx = () => context('huawei', emulator(), defaultCredentials.huawei);

  interface Seeded {
    readonly old: StoredCertificate;
    readonly fresh: StoredCertificate;
    readonly other: StoredCertificate;
  }

  /**
   * OLD on a (mutual TLS on), b (listed twice: default and custom port 8443) and c (another
   * group); an unrelated certificate on d. NEW carries a trusted root CA, so a bind that left the
   * verification flag out would switch it on for b and c.
   */
  function seed(freshLeaf: Leaf = leaves.new): Seeded {
    const state = emulator().state;
    const params = { type: 'instance', instance_id: defaultHuaweiInstance };
    const old = seedHuaweiCertificate(state, { account: accessKeyId, certificatePem: leaves.old.fullchain, privateKeyPem: leaves.old.key, name: 'old_cert', params });
    const fresh = seedHuaweiCertificate(state, { account: accessKeyId, certificatePem: freshLeaf.fullchain, privateKeyPem: freshLeaf.key, name: 'new_cert', params: { ...params, trusted_root_ca: leaves.old.cert } });
    const other = seedHuaweiCertificate(state, { account: accessKeyId, certificatePem: leaves.narrow.fullchain, privateKeyPem: leaves.narrow.key, name: 'other_cert', params });
    const domain = (certificateId: string, name: string, group: string, extra: Record<string, unknown> = {}) =>
      seedResource(state, {
        account: accessKeyId, certificateId, type: 'apig-domain', region: '',
        instance: { url_domain: `${name}.${ZONE}`, id: `dom-${name}`, instance_id: defaultHuaweiInstance, api_group_id: group, api_group_name: group, verified_client_certificate_enabled: false, ...extra },
      });
    domain(old.id, 'a', 'grp-1', { verified_client_certificate_enabled: true });
    domain(old.id, 'b', 'grp-1');
    domain(old.id, 'b', 'grp-1', { ingress_https_port: 8443 });
    domain(old.id, 'c', 'grp-2');
    domain(other.id, 'd', 'grp-2');
    return { old, fresh, other };
  }

  const apigDomains = () => emulator().state.resources.filter((resource) => resource.type === 'apig-domain');
  const servedBy = (name: string) => apigDomains().filter((resource) => resource.instance.url_domain === `${name}.${ZONE}`).map((resource) => resource.certificateId);

  it('discovers each domain once (custom port kept) with its gateway, group and verification flag', async () => {
    const { old } = seed();
    const found = await deployer.discover(ctx(), old.id);
    expect(found).toEqual([
      { type: 'apig-domain', id: 'dom-a', name: `a.${ZONE}`, domains: [`a.${ZONE}`], region: 'cn-north-4', port: null, detail: { instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', verified_client_certificate_enabled: true } },
      { type: 'apig-domain', id: 'dom-b', name: `b.${ZONE}`, domains: [`b.${ZONE}`], region: 'cn-north-4', port: 8443, detail: { instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', verified_client_certificate_enabled: false } },
      { type: 'apig-domain', id: 'dom-c', name: `c.${ZONE}`, domains: [`c.${ZONE}`], region: 'cn-north-4', port: null, detail: { instance_id: defaultHuaweiInstance, api_group_id: 'grp-2', verified_client_certificate_enabled: false } },
    ]);
  });

  it.each([true, false])('rebinds every domain to NEW (attach replaces: %s), detaching OLD only where it stayed bound', async (attachReplaces) => {
    const { old, fresh, other } = seed();
    deployState(emulator().state).attachReplaces = attachReplaces;
    const resources = await deployer.discover(ctx(), old.id);
    const deployStep = step('rebind', old.id, fresh.id, resources, null);
    const handle = await deployer.start(ctx(), deployStep);
    expect(handle.ref).toBeNull();
    const state = await watch(deployer, ctx(), deployStep, handle);
    expect(statesById(state)).toEqual({ 'dom-a': 'deployed', 'dom-b': 'deployed', 'dom-c': 'deployed' });

    for (const name of ['a', 'b', 'c']) expect(servedBy(name).every((id) => id === fresh.id)).toBe(true);
    expect(servedBy('d')).toEqual([other.id]);
    expect(await deployer.discover(ctx(), old.id)).toEqual([]);
    // The verification flag each domain had is sent back, not NEW's trusted-root default.
    expect(apigDomains().map((resource) => [resource.instance.url_domain, resource.instance.verified_client_certificate_enabled])).toEqual([
      [`a.${ZONE}`, true], [`b.${ZONE}`, false], [`b.${ZONE}`, false], [`c.${ZONE}`, false], [`d.${ZONE}`, false],
    ]);
    expect(emulator().state.callsOf('BatchAssociateDomainsV2').map((call) => call.status)).toEqual([204, 204, 204]);
    expect(emulator().state.callsOf('BatchDisassociateDomainsV2')).toHaveLength(attachReplaces ? 0 : 3);
  });

  it('retries a throttled attach (APIG.0308) and still moves every domain', async () => {
    const { old, fresh } = seed();
    emulator().faults.throttle(1, 'BatchAssociateDomainsV2');
    const deployStep = step('rebind', old.id, fresh.id, await deployer.discover(ctx(), old.id), null);
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(new Set(state.resources.map((outcome) => outcome.state))).toEqual(new Set(['deployed']));
    expect(emulator().state.callsOf('BatchAssociateDomainsV2').map((call) => call.outcome)).toEqual(['APIG.0308', 'ok', 'ok', 'ok']);
  });

  it('fails a refused domain alone, never detaching OLD there, and rolls the others back to OLD', async () => {
    const { old, fresh } = seed();
    deployState(emulator().state).attachReplaces = false;
    deployState(emulator().state).failingDomains.add(`b.${ZONE}`);
    const resources = await deployer.discover(ctx(), old.id);
    const deployStep = step('rebind', old.id, fresh.id, resources, null);
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(statesById(state)).toEqual({ 'dom-a': 'deployed', 'dom-b': 'failed', 'dom-c': 'deployed' });
    expect(state.resources.find((outcome) => outcome.resourceId === 'dom-b')?.error).toMatchObject({ cloud: 'huawei', code: 'APIG.2012', httpStatus: 400 });
    expect(servedBy('b')).toEqual([old.id, old.id]);
    expect(emulator().state.callsOf('BatchDisassociateDomainsV2')).toHaveLength(2);

    const rollbackHandle = await deployer.rollback(ctx(), deployStep, { ref: null, data: {} }, state.resources);
    const rolled = await watch(deployer, ctx(), deployStep, rollbackHandle);
    expect(statesById(rolled)).toEqual({ 'dom-a': 'rolled-back', 'dom-c': 'rolled-back' });
    for (const name of ['a', 'b', 'c']) expect(servedBy(name).every((id) => id === old.id)).toBe(true);
    expect(await deployer.discover(ctx(), fresh.id)).toEqual([]);
  });

  it('refuses, per domain, a NEW that does not cover it', async () => {
    const { old } = seed();
    const narrow = seedHuaweiCertificate(emulator().state, { account: accessKeyId, certificatePem: leaves.narrow.fullchain, name: 'narrow_cert', params: { type: 'instance', instance_id: defaultHuaweiInstance } });
    const resources = await deployer.discover(ctx(), old.id);
    const deployStep = step('rebind', old.id, narrow.id, resources, null);
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(statesById(state)).toEqual({ 'dom-a': 'deployed', 'dom-b': 'failed', 'dom-c': 'failed' });
    expect(state.resources[1]?.error?.message).toContain('does not match the domain name');
  });

  it('replaces OLD in place (domains keep its id) and rolls the content back with OLD material', async () => {
    const { old } = seed();
    const resources = await deployer.discover(ctx(), old.id);
    const deployStep = step('in-place', old.id, old.id, resources, materialOf(leaves.new));
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(statesById(state)).toEqual({ 'dom-a': 'deployed', 'dom-b': 'deployed', 'dom-c': 'deployed' });
    const stored = () => emulator().state.store.find(accessKeyId, (entry) => entry.id === old.id)!;
    expect(stored().certificate.sha256).toBe(materialOf(leaves.new).leaf.fingerprintSha256.toUpperCase());
    expect(stored().params).toMatchObject({ name: 'old_cert', type: 'instance', instance_id: defaultHuaweiInstance, algorithm_type: 'RSA' });
    for (const name of ['a', 'b', 'c']) expect(servedBy(name).every((id) => id === old.id)).toBe(true);

    const rollbackStep = { ...deployStep, material: materialOf(leaves.old) };
    const rolled = await watch(deployer, ctx(), rollbackStep, await deployer.rollback(ctx(), rollbackStep, { ref: null, data: {} }, state.resources));
    expect(statesById(rolled)).toEqual({ 'dom-a': 'rolled-back', 'dom-b': 'rolled-back', 'dom-c': 'rolled-back' });
    expect(stored().certificate.sha256).toBe(materialOf(leaves.old).leaf.fingerprintSha256.toUpperCase());
  });

  it('never deletes a bound certificate: refused while bound (here and by the cloud), deleted once unbound', async () => {
    const { old, fresh } = seed();
    expect((await failure(deployer.retire(ctx(), old.id, 'delete'))).info).toMatchObject({ code: 'deploy.still_bound', kind: 'conflict' });
    const projectId = defaultHuaweiProjects['cn-north-4']!;
    const direct = await failure(sendHuawei(ctx(), { method: 'DELETE', service: 'apig', path: `/v2/${projectId}/apigw/certificates/${old.id}`, projectId }));
    expect(direct.info).toMatchObject({ code: 'APIG.3474', httpStatus: 400 });
    expect(emulator().state.store.list(accessKeyId).map((entry) => entry.id)).toContain(old.id);
    expect((await failure(deployer.retire(ctx(), old.id, 'mute'))).info.code).toBe('deploy.mute_unsupported');

    const deployStep = step('rebind', old.id, fresh.id, await deployer.discover(ctx(), old.id), null);
    await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    await deployer.retire(ctx(), old.id, 'delete');
    expect(emulator().state.store.list(accessKeyId).map((entry) => entry.id)).not.toContain(old.id);
    expect(emulator().state.callsOf('DeleteCertificateV2').map((call) => call.status)).toEqual([400, 204]);
  });
});

describe('Volcengine Live deployer against the Volcengine emulator', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: true });
  afterEach(() => resetDeployState(emulator().state));
  const { accessKeyId } = defaultCredentials.volcengine;
  const deployer = createVolcengineDeployer({ bindIntervalMs: 0 });
  const ctx = () => context('volcengine', emulator(), defaultCredentials.volcengine);

  /** OLD on three pull domains (one with HTTP2 on) and one push domain; an unrelated chain on a fifth. */
  function seed(): { old: StoredCertificate; fresh: StoredCertificate; other: StoredCertificate } {
    const state = emulator().state;
    const old = seedVolcengineCertificate(state, { account: accessKeyId, certificatePem: leaves.old.fullchain, privateKeyPem: leaves.old.key, name: 'old' });
    const fresh = seedVolcengineCertificate(state, { account: accessKeyId, certificatePem: leaves.new.fullchain, privateKeyPem: leaves.new.key, name: 'new' });
    const other = seedVolcengineCertificate(state, { account: accessKeyId, certificatePem: leaves.narrow.fullchain, privateKeyPem: leaves.narrow.key, name: 'other' });
    const domain = (certificateId: string, name: string, instance: Record<string, unknown> = {}) =>
      seedResource(state, { account: accessKeyId, certificateId, type: 'live-domain', region: '', instance: { Domain: `${name}.${ZONE}`, ...instance } });
    domain(old.id, 'a', { HTTP2: true });
    domain(old.id, 'b');
    domain(old.id, 'c');
    domain(old.id, 'push', { Type: 'push' });
    domain(other.id, 'a2');
    return { old, fresh, other };
  }

  const chainOf = (name: string) => emulator().state.resources.find((resource) => resource.instance.Domain === `${name}.${ZONE}`)!.certificateId;
  const OLD_DOMAINS = ['a', 'b', 'c', 'push'];

  it('discovers the domains using the chain, with HTTP2, Type and Vhost', async () => {
    const { old } = seed();
    const found = await deployer.discover(ctx(), old.id);
    expect(found.map((resource) => resource.id)).toEqual(OLD_DOMAINS.map((name) => `${name}.${ZONE}`));
    expect(found[0]).toEqual({ type: 'live-domain', id: `a.${ZONE}`, name: `a.${ZONE}`, domains: [`a.${ZONE}`], region: null, port: null, detail: { HTTP2: true, Type: 'pull-flv', Vhost: `a.${ZONE}` } });
    expect(found[3]?.detail).toMatchObject({ HTTP2: false, Type: 'push' });
  });

  it('rebinds every domain to NEW with HTTPS on and HTTP2 as it was', async () => {
    const { old, fresh, other } = seed();
    const deployStep = step('rebind', old.id, fresh.id, await deployer.discover(ctx(), old.id), null);
    const handle = await deployer.start(ctx(), deployStep);
    const state = await watch(deployer, ctx(), deployStep, handle);
    expect(new Set(state.resources.map((outcome) => outcome.state))).toEqual(new Set(['deployed']));
    for (const name of OLD_DOMAINS) {
      expect(chainOf(name)).toBe(fresh.id);
      expect(volcengineDomainHttps(emulator().state, accessKeyId, `${name}.${ZONE}`)).toBe(true);
    }
    expect(chainOf('a2')).toBe(other.id);
    const http2 = emulator().state.resources.map((resource) => [resource.instance.Domain, resource.instance.HTTP2 ?? false]);
    expect(http2).toEqual([[`a.${ZONE}`, true], [`b.${ZONE}`, false], [`c.${ZONE}`, false], [`push.${ZONE}`, false], [`a2.${ZONE}`, false]]);
    expect(await deployer.discover(ctx(), old.id)).toEqual([]);
  });

  it('retries a throttled BindCert (FlowLimitExceeded) and still moves every domain', async () => {
    const { old, fresh } = seed();
    emulator().faults.throttle(1, 'BindCert');
    const deployStep = step('rebind', old.id, fresh.id, await deployer.discover(ctx(), old.id), null);
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(new Set(state.resources.map((outcome) => outcome.state))).toEqual(new Set(['deployed']));
    expect(emulator().state.callsOf('BindCert').map((call) => call.outcome)).toEqual(['FlowLimitExceeded', 'ok', 'ok', 'ok', 'ok']);
  });

  it('the emulator turns HTTPS off for a BindCert without HTTPS:true, so the flag above is proven sent', async () => {
    const { fresh } = seed();
    await callVolcengine(ctx(), 'BindCert', { Domain: `b.${ZONE}`, ChainID: fresh.id }, false);
    expect(volcengineDomainHttps(emulator().state, accessKeyId, `b.${ZONE}`)).toBe(false);
  });

  it('fails a refused domain and one NEW does not cover alone, and rolls the others back', async () => {
    const { old } = seed();
    const narrow = seedVolcengineCertificate(emulator().state, { account: accessKeyId, certificatePem: leaves.narrow.fullchain, privateKeyPem: leaves.narrow.key, name: 'narrow' });
    deployState(emulator().state).failingDomains.add(`c.${ZONE}`);
    const deployStep = step('rebind', old.id, narrow.id, await deployer.discover(ctx(), old.id), null);
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(statesById(state)).toEqual({ [`a.${ZONE}`]: 'deployed', [`b.${ZONE}`]: 'failed', [`c.${ZONE}`]: 'failed', [`push.${ZONE}`]: 'failed' });
    expect(state.resources[1]?.error).toMatchObject({ cloud: 'volcengine', code: 'InvalidParam', message: expect.stringContaining('does not match') });
    expect(chainOf('a')).toBe(narrow.id);

    const rolled = await watch(deployer, ctx(), deployStep, await deployer.rollback(ctx(), deployStep, { ref: null, data: {} }, state.resources));
    expect(statesById(rolled)).toEqual({ [`a.${ZONE}`]: 'rolled-back' });
    for (const name of OLD_DOMAINS) expect(chainOf(name)).toBe(old.id);
    expect(volcengineDomainHttps(emulator().state, accessKeyId, `a.${ZONE}`)).toBe(true);
  });

  it('replaces the chain content in place (CreateCert with OLD ChainID) and rolls it back', async () => {
    const { old } = seed();
    const deployStep = step('in-place', old.id, old.id, await deployer.discover(ctx(), old.id), materialOf(leaves.new));
    const state = await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    expect(new Set(state.resources.map((outcome) => outcome.state))).toEqual(new Set(['deployed']));
    const stored = () => emulator().state.store.find(accessKeyId, (entry) => entry.id === old.id)!;
    expect(stored().certificate.sha256).toBe(materialOf(leaves.new).leaf.fingerprintSha256.toUpperCase());
    for (const name of OLD_DOMAINS) expect(chainOf(name)).toBe(old.id);

    const rollbackStep = { ...deployStep, material: materialOf(leaves.old) };
    const rolled = await watch(deployer, ctx(), rollbackStep, await deployer.rollback(ctx(), rollbackStep, { ref: null, data: {} }, state.resources));
    expect(new Set(rolled.resources.map((outcome) => outcome.state))).toEqual(new Set(['rolled-back']));
    expect(stored().certificate.sha256).toBe(materialOf(leaves.old).leaf.fingerprintSha256.toUpperCase());
  });

  it('never deletes a bound chain: refused while bound (here and by the cloud), deleted once unbound', async () => {
    const { old, fresh } = seed();
    expect((await failure(deployer.retire(ctx(), old.id, 'delete'))).info).toMatchObject({ code: 'deploy.still_bound', kind: 'conflict' });
    expect((await failure(callVolcengine(ctx(), 'DeleteCert', { ChainID: old.id }, false))).info).toMatchObject({ code: 'InvalidParam', httpStatus: 400 });
    expect((await failure(deployer.retire(ctx(), old.id, 'mute'))).info.code).toBe('deploy.mute_unsupported');

    const deployStep = step('rebind', old.id, fresh.id, await deployer.discover(ctx(), old.id), null);
    await watch(deployer, ctx(), deployStep, await deployer.start(ctx(), deployStep));
    await deployer.retire(ctx(), old.id, 'delete');
    expect(emulator().state.store.list(accessKeyId).map((entry) => entry.id)).not.toContain(old.id);
  });

  it('paces BindCert at the documented 1 per second', async () => {
    const { old, fresh } = seed();
    const waits: number[] = [];
    const paced = createVolcengineDeployer({ sleep: async (ms) => void waits.push(ms) });
    const deployStep = step('rebind', old.id, fresh.id, await paced.discover(ctx(), old.id), null);
    await paced.start(ctx(), deployStep);
    expect(waits).toEqual([1000, 1000, 1000]);
  });
});
