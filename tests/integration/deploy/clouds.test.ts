import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { log } from '../../../main/core/log';
import { readServed } from '../../../main/core/tls';
import type { CloudId } from '../../../shared/model';
import { seedAliyunContact, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { deployState } from '../../emulators/deploy-state';
import { startHuaweiEmulator } from '../../emulators/huawei';
import { resourcesOf, seedResource } from '../../emulators/seed';
import type { BoundResource, EmulatorState, RecordedCall, RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { emulatorLookup, TlsFront, type CertificateLookup } from '../../emulators/tls-front';
import { startVolcengineEmulator } from '../../emulators/volcengine';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeCerts, type TestCert } from './world';

// The engine with each cloud's real deployer against its emulator, driven through the CLI
// in-process (accounts, sync, upload of NEW, plan, run, verify, rollback, retire), with
// verification over TLS through one loopback front that serves, for every name, what the
// emulators bind to it right now. Per cloud: a partial failure rolled back to OLD, then a
// replace-everywhere proved over TLS with OLD deleted once nothing is bound to it.
assertThrowawayKeyring();
log.setSink(null);

interface CloudCase {
  readonly cloud: CloudId;
  /** What the plan does to a resource serving OLD here (the deployer's action). */
  readonly action: 'replace' | 'bind';
  readonly start: () => Promise<RunningEmulator>;
  readonly addArgs: (url: string) => string[];
  readonly account: string;
  readonly secret: string;
  /** A resource serving `domain` with certificate `certificateId`, as the cloud's inventory lists it. */
  readonly resource: (certificateId: string, domain: string) => Omit<BoundResource, 'account'>;
  readonly domainsOf: (resource: BoundResource) => string[];
  /** Makes the cloud refuse `domain` per item. */
  readonly fail: (state: EmulatorState, domain: string) => void;
  readonly prepare?: (state: EmulatorState, account: string) => void;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

const cases: readonly CloudCase[] = [
  {
    cloud: 'tencent', action: 'replace', start: () => startTencentEmulator({ latencyMs: 0 }), account: defaultCredentials.tencent.accessKeyId,
    secret: JSON.stringify({ secretId: defaultCredentials.tencent.accessKeyId, secretKey: defaultCredentials.tencent.accessKeySecret }),
    addArgs: (url) => ['--endpoint', url, '--project-id', '0'],
    resource: (certificateId, domain) => ({ certificateId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certificateId, Status: 'online', HttpsBillingSwitch: 'on' } }),
    domainsOf: (r) => [text(r.instance.Domain)],
    fail: (state, domain) => state.deploy.failing.add(domain),
    // The record exists on the first UpdateCertificateInstance: no 2 s wait for it.
    prepare: (state) => void (state.deploy.preparingCalls = 0),
  },
  {
    cloud: 'aliyun', action: 'replace', start: () => startAliyunEmulator({ latencyMs: 0 }), account: defaultCredentials.aliyun.accessKeyId,
    secret: JSON.stringify({ accessKeyId: defaultCredentials.aliyun.accessKeyId, accessKeySecret: defaultCredentials.aliyun.accessKeySecret }),
    addArgs: (url) => ['--endpoint', url],
    resource: (certificateId, domain) => ({ certificateId, type: 'CDN', region: 'cn-hangzhou', instance: { Domain: domain, InstanceId: `cdn-${domain}` } }),
    domainsOf: (r) => [text(r.instance.Domain)],
    fail: (state, domain) => state.deploy.failing.add(domain),
    prepare: (state, account) => seedAliyunContact(state, account),
  },
  {
    cloud: 'huawei', action: 'bind', start: () => startHuaweiEmulator({ latencyMs: 0 }), account: defaultCredentials.huawei.accessKeyId,
    secret: JSON.stringify({ ak: defaultCredentials.huawei.accessKeyId, sk: defaultCredentials.huawei.accessKeySecret }),
    addArgs: (url) => ['--endpoint', url, '--region', 'cn-north-4', '--project-id', defaultHuaweiProjects['cn-north-4']!, '--instance-id', defaultHuaweiInstance],
    resource: (certificateId, domain) => ({
      certificateId, type: 'apig-domain', region: '',
      instance: { url_domain: domain, id: `dom-${domain}`, instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', api_group_name: 'grp-1', verified_client_certificate_enabled: false },
    }),
    domainsOf: (r) => [text(r.instance.url_domain)],
    fail: (state, domain) => deployState(state).failingDomains.add(domain),
  },
  {
    cloud: 'volcengine', action: 'bind', start: () => startVolcengineEmulator({ latencyMs: 0 }), account: defaultCredentials.volcengine.accessKeyId,
    secret: JSON.stringify({ accessKeyId: defaultCredentials.volcengine.accessKeyId, accessKeySecret: defaultCredentials.volcengine.accessKeySecret }),
    addArgs: (url) => ['--endpoint', url],
    resource: (certificateId, domain) => ({ certificateId, type: 'live-domain', region: '', instance: { Domain: domain } }),
    domainsOf: (r) => [text(r.instance.Domain)],
    fail: (state, domain) => deployState(state).failingDomains.add(domain),
  },
];

const emulators = new Map<CloudId, RunningEmulator>();
let front: TlsFront;
let home: string;

const fingerprint = (cert: TestCert) => new X509Certificate(cert.pem).fingerprint256.replace(/:/g, '').toLowerCase();

beforeAll(async () => {
  for (const c of cases) emulators.set(c.cloud, await c.start());
  const lookups: CertificateLookup[] = cases.map((c) => emulatorLookup(emulators.get(c.cloud)!.state, c.domainsOf));
  front = await TlsFront.start({ lookup: (domain) => lookups.reduce<ReturnType<CertificateLookup>>((found, lookup) => found ?? lookup(domain), null) });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-deploy-clouds-'));
}, 60_000);
afterAll(async () => {
  await front.close();
  for (const emulator of emulators.values()) await emulator.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], stdin = '', via: TlsFront = front) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (chunk) => void (stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1')),
    stderr: (chunk) => void (stderr += chunk),
    readStdin: async () => stdin,
    env: {},
  };
  const code = await runCli(['--home', home, ...args], io, { tlsResolver: via.resolver });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

async function importCert(name: string, cert: TestCert): Promise<string> {
  const target = path.join(home, name);
  fs.writeFileSync(target, cert.pem + cert.key);
  const result = await cli(['import', '--json', target]);
  return (result.json().imported as { id: string }[])[0]!.id;
}

const served = async (domain: string) => (await readServed({ domain, resolve: front.resolver, timeoutMs: 5000 })).leafFingerprintSha256;

interface Result {
  status: string;
  resources: { id: string; action: string; status: string; error: { code: string } | null; source: string | null }[];
  retired: { remoteId: string; action: string; done: boolean }[];
  verified: { domain: string; served: string | null; ok: boolean }[];
}

describe.each(cases)('deploy on $cloud: real deployer, emulator, TLS front', (c) => {
  const name = `acct-${c.cloud}`;
  const domains = ['a', 'b', 'c'].map((label) => `${label}.${c.cloud}.deploy.test`);
  let OLD: TestCert;
  let NEW: TestCert;
  let oldRemote: string;
  let newId: string;
  const state = () => emulators.get(c.cloud)!.state;
  const serving = () => resourcesOf(state(), c.account).map((r) => r.certificateId);

  beforeAll(async () => {
    [OLD, NEW] = makeCerts([
      { names: domains, days: 30 },
      { names: domains, days: 365 },
    ]) as [TestCert, TestCert];
    const added = await cli(['account', 'add', '--cloud', c.cloud, '--name', name, ...c.addArgs(emulators.get(c.cloud)!.url)], c.secret);
    expect(added.stderr).toBe('');
    c.prepare?.(state(), c.account);
    const oldId = await importCert(`old-${c.cloud}.pem`, OLD);
    newId = await importCert(`new-${c.cloud}.pem`, NEW);
    const uploaded = await cli(['upload', '--json', oldId, '--to', name]);
    expect(uploaded.code).toBe(0);
    oldRemote = (uploaded.json().results as { remoteId: string }[])[0]!.remoteId;
    for (const domain of domains) seedResource(state(), { account: c.account, ...c.resource(oldRemote, domain) });
    front.snapshot(domains);
  }, 60_000);

  it('a resource the cloud refuses fails the step partly; rollback puts the others back on OLD, on the cloud and over TLS', async () => {
    c.fail(state(), domains[1]!);
    const result = await cli(['deploy', newId, '--account', name, '--json']);
    expect(result.code).toBe(3);
    const [partial] = result.json().results as Result[];
    expect(partial!.status).toBe('partial');
    // Each cloud lists them in the order they were seeded: b is the one refused.
    expect(partial!.resources.map((r) => r.status)).toEqual(['deployed', 'failed', 'deployed']);
    expect(partial!.resources[1]!.error).not.toBeNull();
    // The refusal is the cloud's own answer, passed through; the action is what the plan chose.
    expect(partial!.resources.map((r) => [r.action, r.source])).toEqual([[c.action, null], [c.action, 'cloud'], [c.action, null]]);
    const newRemote = serving().find((id) => id !== oldRemote)!;
    expect(serving()).toEqual([newRemote, oldRemote, newRemote]);
    expect(await served(domains[0]!)).toBe(fingerprint(NEW));

    const back = await cli(['rollback', String(result.json().deploymentId), '--json']);
    expect(back.code).toBe(0);
    expect((back.json().results as Result[])[0]!.resources.map((r) => r.status)).toEqual(['rolled-back', 'rolled-back']);
    expect(serving()).toEqual([oldRemote, oldRemote, oldRemote]);
    for (const domain of domains) expect(await served(domain)).toBe(fingerprint(OLD));
  }, 60_000);

  it('replaces OLD everywhere, verified over TLS, and deletes OLD once nothing is bound to it', async () => {
    deployState(state()).failingDomains.clear();
    state().deploy.failing.clear();
    const result = await cli(['deploy', newId, '--account', name, '--verify', '--verify-timeout', '30', '--retire', 'delete', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [done] = result.json().results as Result[];
    expect(done!.status).toBe('deployed');
    expect(done!.resources.map((r) => r.status)).toEqual(['deployed', 'deployed', 'deployed']);
    expect([...done!.verified].sort((x, y) => x.domain.localeCompare(y.domain))).toEqual(domains.map((domain) => ({ domain, served: fingerprint(NEW), ok: true })));
    const newRemote = serving()[0]!;
    expect(newRemote).not.toBe(oldRemote);
    expect(serving()).toEqual([newRemote, newRemote, newRemote]);
    expect(done!.retired).toEqual([{ remoteId: oldRemote, action: 'delete', done: true, error: null }]);
    expect(state().store.find(c.account, (entry) => entry.id === oldRemote)).toBeUndefined();
  }, 60_000);
});

/** OLD uploaded and bound to `domains` on the cloud's account of the suite above; NEW in the library. */
async function renewal(c: CloudCase, label: string, domains: readonly string[]) {
  const [old, fresh] = makeCerts([
    { names: domains, days: 30 },
    { names: domains, days: 365 },
  ]) as [TestCert, TestCert];
  const oldId = await importCert(`old-${c.cloud}-${label}.pem`, old);
  const newId = await importCert(`new-${c.cloud}-${label}.pem`, fresh);
  const oldRemote = ((await cli(['upload', '--json', oldId, '--to', `acct-${c.cloud}`])).json().results as { remoteId: string }[])[0]!.remoteId;
  const state = emulators.get(c.cloud)!.state;
  for (const domain of domains) seedResource(state, { account: c.account, ...c.resource(oldRemote, domain) });
  return { old, fresh, newId, oldRemote };
}

/** Which certificate each of `domains` is bound to on the cloud now. */
const boundOn = (c: CloudCase, domains: readonly string[]) =>
  domains.map((d) => resourcesOf(emulators.get(c.cloud)!.state, c.account).find((r) => c.domainsOf(r).includes(d))!.certificateId);

/**
 * How a cloud is caught mid-deployment: `hold` keeps it there (a task that keeps running, or a
 * bind call the cloud carries out but never answers), `reached` says the engine got there,
 * `release` lets the cloud go on. `sent` is the call that must not be sent again by the check.
 */
interface CrashCase {
  readonly case: CloudCase;
  readonly sent: string;
  readonly hold: (emulator: RunningEmulator) => void;
  /** Over the calls the emulator received since the child started. */
  readonly reached: (calls: readonly RecordedCall[]) => boolean;
  readonly release: (emulator: RunningEmulator) => void;
  /** What the check finds per domain once the cloud is read (a task finishes everything; lost bind answers settle what moved). */
  readonly settled: readonly string[];
  readonly status: string;
}

const taskRuns = (poll: string) => ({
  hold: (emulator: RunningEmulator) => void (emulator.state.deploy.pollsBeforeDone = 1_000_000),
  reached: (calls: readonly RecordedCall[]) => calls.some((call) => call.operation === poll),
  release: (emulator: RunningEmulator) => void (emulator.state.deploy.pollsBeforeDone = 0),
  settled: ['deployed', 'deployed', 'deployed'],
  status: 'deployed',
});

// The second bind is carried out by the cloud and its answer never comes: the process dies waiting.
const bindAnswerLost = (bind: string) => ({
  hold: (emulator: RunningEmulator) => emulator.faults.inject({ kind: 'hang', operation: bind, after: 1 }),
  reached: (calls: readonly RecordedCall[]) => calls.some((call) => call.operation === bind && call.outcome === 'hang'),
  release: (emulator: RunningEmulator) => emulator.faults.clear(),
  // a moved, b moved (the cloud did it), c never sent: still on OLD, so failed, not re-sent.
  settled: ['deployed', 'deployed', 'failed'],
  status: 'partial',
});

const crashCases: readonly CrashCase[] = [
  { case: cases[0]!, sent: 'UpdateCertificateInstance', ...taskRuns('DescribeHostUpdateRecordDetail') },
  { case: cases[1]!, sent: 'CreateDeploymentJob', ...taskRuns('DescribeDeploymentJob') },
  { case: cases[2]!, sent: 'BatchAssociateDomainsV2', ...bindAnswerLost('BatchAssociateDomainsV2') },
  { case: cases[3]!, sent: 'BindCert', ...bindAnswerLost('BindCert') },
];

const ROOT = path.resolve(__dirname, '../../..');

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(crashCases)('$case.cloud: the engine killed mid-deployment', (crash) => {
  const c = crash.case;
  it('check reads the cloud and settles the deployment; nothing is sent twice', async () => {
    const emulator = emulators.get(c.cloud)!;
    const domains = ['a', 'b', 'c'].map((label) => `${label}.crash.${c.cloud}.deploy.test`);
    const { newId, oldRemote } = await renewal(c, 'crash', domains);
    const before = emulator.state.callsOf(crash.sent).length;
    const mark = emulator.state.calls.length;
    crash.hold(emulator);
    // node with tsx's loader, not the tsx wrapper: SIGKILL must reach the process that runs the engine.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'certvault.ts'), '--home', home, 'deploy', newId, '--account', `acct-${c.cloud}`, '--json'], {
      cwd: ROOT, env: { ...process.env, CERTVAULT_LOG: 'off' }, stdio: 'ignore',
    });
    try {
      await until(() => crash.reached(emulator.state.calls.slice(mark)), 'the child to be caught mid-deployment');
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    crash.release(emulator);
    const sent = emulator.state.callsOf(crash.sent).length;
    expect(sent).toBeGreaterThan(before);

    const checked = await cli(['history', '--kind', 'deployments', '--check', '--json']);
    expect(checked.code).toBe(0);
    const latest = (checked.json().deployments as { certificateId: string; results: Result[] }[]).find((d) => d.certificateId === newId)!;
    expect(latest.results).toMatchObject([{ status: crash.status }]);
    expect(latest.results[0]!.resources.map((r) => r.status)).toEqual(crash.settled);
    const newRemote = boundOn(c, domains)[0]!;
    expect(newRemote).not.toBe(oldRemote);
    expect(boundOn(c, domains)).toEqual(crash.settled.map((status) => (status === 'deployed' ? newRemote : oldRemote)));
    expect(emulator.state.callsOf(crash.sent)).toHaveLength(sent);
  }, 60_000);
});

describe('Tencent: slow propagation, and a retire that must wait', () => {
  const c = cases[0]!;
  const name = 'acct-tencent';
  const state = () => emulators.get('tencent')!.state;

  it('propagation slower than the verify timeout: deployed, but the domains are reported as still serving OLD', async () => {
    const domains = ['a.slow.deploy.test'];
    const { old, newId } = await renewal(c, 'slow', domains);
    const slow = await TlsFront.start({ lookup: emulatorLookup(state(), c.domainsOf), propagationDelayMs: 120_000 });
    try {
      slow.snapshot(domains);
      const result = await cli(['deploy', newId, '--account', name, '--verify', '--verify-timeout', '1', '--json'], '', slow);
      expect(result.code).toBe(0);
      const [done] = result.json().results as Result[];
      expect(done).toMatchObject({ status: 'deployed', resources: [{ status: 'deployed' }] });
      expect(done!.verified).toEqual([{ domain: domains[0], served: fingerprint(old), ok: false }]);
      const text = await cli(['history', '--kind', 'deployments', '--cert', newId]);
      expect(text.stdout).toContain(domains[0]);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('retire delete keeps OLD while a resource NEW does not cover still serves it', async () => {
    const domains = ['a.keep.deploy.test'];
    const { newId, oldRemote } = await renewal(c, 'keep', domains);
    // Bound to OLD too, but NEW does not name it: blocked, so OLD stays in use there.
    seedResource(state(), { account: c.account, ...c.resource(oldRemote, 'legacy.keep.deploy.test') });
    const result = await cli(['deploy', newId, '--account', name, '--retire', 'delete', '--json']);
    const [done] = result.json().results as Result[];
    expect(done!.resources.find((r) => r.id === domains[0])!.status).toBe('deployed');
    expect(done!.retired.filter((r) => r.done)).toEqual([]);
    expect(boundOn(c, ['legacy.keep.deploy.test'])).toEqual([oldRemote]);
    // Blocked by Cert Vault's own check of the names, not by anything the cloud said.
    expect(done!.resources.find((r) => r.id === 'legacy.keep.deploy.test')).toMatchObject({ action: 'blocked', status: 'failed', error: { code: 'deploy.not_covered' }, source: 'app' });
    expect(state().store.find(c.account, (entry) => entry.id === oldRemote)).toBeDefined();
  }, 60_000);
});
