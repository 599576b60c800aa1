import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import type { DeployOptions } from '../../../shared/deploy';
import type { LibraryEntry } from '../../../shared/library';
import { DATABASE_FILE } from '../../../main/core/db/open';
import { log } from '../../../main/core/log';
import { makeCerts, openWorld, type TestCert, type World } from './world';

// The deploy engine over a scripted cloud (fake-deploy-cloud.ts) and virtual time: plans, runs,
// crashes, checks and rollbacks, each proven on the cloud's state read back and on the history.
log.setSink(null);

let OLD: TestCert;
let NEW: TestCert;
let worlds: World[] = [];

beforeAll(() => {
  const certs = makeCerts([
    { names: ['www.deploy.test', 'api.deploy.test'], days: 30 },
    { names: ['www.deploy.test', 'api.deploy.test', 'new.deploy.test'], days: 365 },
  ]);
  OLD = certs[0]!;
  NEW = certs[1]!;
}, 60_000);

afterEach(() => {
  for (const world of worlds) world.close();
  worlds = [];
});

function world(options: Parameters<typeof openWorld>[0] = {}): World {
  const w = openWorld(options);
  worlds.push(w);
  return w;
}

const keep: DeployOptions = { retire: 'keep', verify: false };

/** OLD and NEW in the library (NEW renews OLD), account `prod` holding OLD bound to `resources`. */
async function renewed(w: World, resources: string[] = ['www.deploy.test', 'api.deploy.test']): Promise<{ old: LibraryEntry; entry: LibraryEntry }> {
  const old = await w.import(OLD);
  const entry = await w.import(NEW);
  expect((await w.vault.predecessorOf(entry.id))?.id).toBe(old.id);
  await w.addAccount('prod');
  w.cloud.addCert('prod', { remoteId: 'old-1', fingerprintSha256: old.fingerprintSha256, commonName: old.commonName, dnsNames: old.dnsNames, notAfter: old.notAfter });
  for (const id of resources) w.cloud.bind('prod', 'old-1', { id });
  return { old, entry };
}

async function run(w: World, certificateId: string, options: DeployOptions = keep, service = w.deploy) {
  const started = await w.clock.settle(service.start(certificateId, options));
  return { id: started.deploymentId, record: await w.clock.settle(started.done) };
}

describe('deploy plan', () => {
  it('finds what NEW renews by lineage and by names, reads the resources fresh, and marks blocked, skip and upload-first', async () => {
    const w = world();
    const { old, entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.bind('prod', 'old-1', { id: 'clb-1', type: 'clb', name: 'api listener', domains: ['api.deploy.test'], port: 8443 });
    w.cloud.bind('prod', 'old-1', { id: 'legacy.other.test' });
    // Not in the library, fewer names, expiring before NEW: found by its names.
    w.cloud.addCert('prod', { remoteId: 'stray-1', fingerprintSha256: 'ee'.repeat(32), commonName: 'www.deploy.test', dnsNames: ['www.deploy.test'], notAfter: '2026-01-15T00:00:00.000Z' });
    w.cloud.bind('prod', 'stray-1', { id: 'www2', domains: ['www.deploy.test'] });
    // Same names but expiring after NEW: not something NEW renews.
    w.cloud.addCert('prod', { remoteId: 'later-1', fingerprintSha256: 'ff'.repeat(32), commonName: 'www.deploy.test', dnsNames: ['www.deploy.test'], notAfter: '2030-01-01T00:00:00.000Z' });
    w.cloud.bind('prod', 'later-1', { id: 'www3', domains: ['www.deploy.test'] });
    // stage already holds NEW, serving one resource; OLD serves another.
    await w.addAccount('stage');
    w.cloud.addCert('stage', { remoteId: 'old-s', fingerprintSha256: old.fingerprintSha256, commonName: old.commonName, dnsNames: old.dnsNames, notAfter: old.notAfter });
    w.cloud.addCert('stage', { remoteId: 'new-s', fingerprintSha256: entry.fingerprintSha256, commonName: entry.commonName, dnsNames: entry.dnsNames, notAfter: entry.notAfter });
    w.cloud.bind('stage', 'old-s', { id: 'r1', domains: ['www.deploy.test'] });
    w.cloud.bind('stage', 'new-s', { id: 'r2', domains: ['api.deploy.test'] });

    const plan = await w.clock.settle(w.deploy.plan(entry.id, keep));

    const summary = plan.accounts.map((a) => ({
      account: a.account,
      old: a.oldRemoteId,
      new: a.newRemoteId,
      uploadFirst: a.uploadFirst,
      resources: a.resources.map((r) => [r.id, r.action, r.reason?.en ?? null]),
    }));
    expect(summary).toEqual([
      // The account's copies in expiry order: the stray one expires first.
      { account: 'prod', old: 'stray-1', new: null, uploadFirst: true, resources: [['www2', 'replace', null]] },
      {
        account: 'prod', old: 'old-1', new: null, uploadFirst: true,
        resources: [['www.deploy.test', 'replace', null], ['clb-1', 'replace', null], ['legacy.other.test', 'blocked', 'the new certificate does not cover legacy.other.test']],
      },
      { account: 'stage', old: 'old-s', new: 'new-s', uploadFirst: false, resources: [['r1', 'replace', null], ['r2', 'skip', 'already serves the new certificate']] },
    ]);
    const clb = plan.accounts[1]!.resources[1]!;
    expect(clb).toMatchObject({ port: 8443, domains: ['api.deploy.test'] });
    expect(clb.diff).toMatchObject({ uncovered: [], oldKey: clb.diff.newKey, oldNotAfter: old.notAfter, newNotAfter: entry.notAfter, oldSm2: false, newSm2: false, remarks: [] });
    expect(plan.accounts[0]!.resources[0]!.diff.oldKey).toBeNull();
    expect(plan.accounts.every((a) => a.blockedBecause === null)).toBe(true);
    // A plan changes nothing: no upload, no start, and the history is empty.
    expect(w.cloud.calls.filter((c) => !['discover', 'list', 'sync'].includes(c.op))).toEqual([]);
    expect(await w.deploy.history()).toEqual([]);
  });

  it('refuses a certificate that renews nothing on any account', async () => {
    const w = world();
    const entry = await w.import(NEW);
    await w.addAccount('prod');
    await expect(w.clock.settle(w.deploy.start(entry.id, keep))).rejects.toMatchObject({ code: 'deploy.nothing_to_deploy' });
    expect(await w.deploy.history()).toEqual([]);
  });
});

describe('deploy run', () => {
  it('syncs the accounts for the plan, not again for a run right after it; later it syncs again', async () => {
    const w = world();
    const { entry } = await renewed(w);
    await w.clock.settle(w.deploy.plan(entry.id, keep));
    expect(w.cloud.ops('sync')).toHaveLength(1);
    await run(w, entry.id);
    expect(w.cloud.ops('sync')).toHaveLength(1);
    // Resources were still read fresh for the run.
    expect(w.cloud.ops('discover').length).toBeGreaterThanOrEqual(2);
    await w.clock.advance(3 * 60_000);
    await w.clock.settle(w.deploy.plan(entry.id, keep));
    expect(w.cloud.ops('sync')).toHaveLength(2);
  });

  it('records a retire before sending it: a crash during the call leaves "not known whether it happened" in the history', async () => {
    const w = world();
    const { entry } = await renewed(w);
    const deployer = w.cloud.deployer as { retire: (...args: never[]) => Promise<void> };
    const retire = deployer.retire;
    let duringCall: unknown;
    deployer.retire = async (...args) => {
      duringCall = (await w.deploy.history({ certificateId: entry.id }))[0]?.accounts[0]?.retired;
      return retire(...args);
    };

    const { record } = await run(w, entry.id, { retire: 'delete', verify: false });

    expect(duringCall).toEqual([{ remoteId: 'old-1', action: 'delete', done: false, error: expect.objectContaining({ code: 'deploy.retire_unknown' }) }]);
    expect(record.accounts[0]!.retired).toEqual([{ remoteId: 'old-1', action: 'delete', done: true, error: null }]);
  });

  it('uploads NEW first, watches a multi-poll task with backoff, verifies over TLS, deletes OLD once unbound', async () => {
    const w = world({ verify: (domains, expected) => domains.map(({ domain }) => ({ domain, served: expected, ok: true, error: null })) });
    const { entry } = await renewed(w);
    w.cloud.bind('prod', 'old-1', { id: 'clb-1', type: 'clb', domains: ['api.deploy.test'], port: 8443 });
    w.cloud.pollsBeforeDone = 3;

    const { record } = await run(w, entry.id, { retire: 'delete', verify: true });

    const newId = w.cloud.certs.get('prod')!.find((c) => c.fingerprintSha256 === entry.fingerprintSha256)!.remoteId;
    expect(w.cloud.serving('prod')).toEqual({ 'www.deploy.test': newId, 'api.deploy.test': newId, 'clb-1': newId });
    const [step] = record.accounts;
    expect(step).toMatchObject({ account: 'prod', status: 'deployed', oldRemoteId: 'old-1', newRemoteId: newId, error: null });
    expect(step!.resources.map((r) => [r.id, r.status])).toEqual([['www.deploy.test', 'deployed'], ['api.deploy.test', 'deployed'], ['clb-1', 'deployed']]);
    expect(step!.retired).toEqual([{ remoteId: 'old-1', action: 'delete', done: true, error: null }]);
    expect(w.cloud.certs.get('prod')!.map((c) => c.remoteId)).toEqual([newId]);
    // The upload went through the upload service: its history records it.
    expect((await w.uploads.history.list()).map((h) => [h.status, h.remoteId, h.certificateId])).toEqual([['uploaded', newId, entry.id]]);
    // One start, then polls until finished, further apart each time.
    expect(w.cloud.ops('start')).toHaveLength(1);
    const polls = w.cloud.ops('poll').map((c) => c.at);
    expect(polls).toHaveLength(4);
    const gaps = polls.slice(1).map((at, i) => at - polls[i]!);
    expect(gaps).toEqual([1000, 2000, 4000]);
    // Retire-delete came after a discover of OLD that found nothing.
    const ops = w.cloud.calls.map((c) => `${c.op}:${c.remoteId ?? ''}`);
    expect(ops.slice(-2)).toEqual(['discover:old-1', 'retire-delete:old-1']);
    expect(w.verifyCalls).toEqual([
      expect.objectContaining({ expectedFingerprint: entry.fingerprintSha256, domains: [{ domain: 'www.deploy.test', port: null }, { domain: 'api.deploy.test', port: null }, { domain: 'api.deploy.test', port: 8443 }] }),
    ]);
    expect(step!.verified.map((v) => [v.domain, v.ok])).toEqual([['www.deploy.test', true], ['api.deploy.test', true], ['api.deploy.test', true]]);
    // Progress per resource: running while watched, deployed at the end.
    const watching = w.events.filter((e) => e.phase === 'watching');
    expect(watching.some((e) => e.resources.every((r) => r.status === 'running'))).toBe(true);
    expect(w.events.at(-1)).toMatchObject({ phase: 'done', resources: [{ status: 'deployed' }, { status: 'deployed' }, { status: 'deployed' }] });
  });

  it('says "not available" for verification without a TLS checker instead of pretending it passed', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    const { record } = await run(w, entry.id, { retire: 'keep', verify: true });
    expect(record.accounts[0]!.verified).toEqual([{ domain: 'www.deploy.test', served: null, ok: false, error: expect.objectContaining({ code: 'deploy.verify_unavailable' }) }]);
  });

  it('records a partial failure per resource, keeps the still-bound OLD, and rolls back only what moved', async () => {
    const w = world();
    const { entry } = await renewed(w, ['a.deploy.test', 'b.deploy.test']);
    // Resources serving names NEW does not cover are blocked; here both are covered by nothing but their ids, so name them.
    w.cloud.resources.get('prod')!.get('a.deploy.test')!.resource = { ...w.cloud.resources.get('prod')!.get('a.deploy.test')!.resource, domains: ['www.deploy.test'] };
    w.cloud.resources.get('prod')!.get('b.deploy.test')!.resource = { ...w.cloud.resources.get('prod')!.get('b.deploy.test')!.resource, domains: ['api.deploy.test'] };
    w.cloud.failing.add('b.deploy.test');

    const { id, record } = await run(w, entry.id, { retire: 'delete', verify: false });
    const newId = record.accounts[0]!.newRemoteId!;
    expect(record.accounts[0]).toMatchObject({ status: 'partial', retired: [] });
    expect(record.accounts[0]!.resources.map((r) => [r.id, r.action, r.status, r.error?.code ?? null, r.source])).toEqual([
      ['a.deploy.test', 'replace', 'deployed', null, null],
      // The cloud's own refusal, passed through: the UI says whose words they are.
      ['b.deploy.test', 'replace', 'failed', 'FailedOperation.DeployFailed', 'cloud'],
    ]);
    expect(w.cloud.serving('prod')).toEqual({ 'a.deploy.test': newId, 'b.deploy.test': 'old-1' });
    expect(w.cloud.ops('retire-delete')).toEqual([]);

    const back = await w.clock.settle(w.deploy.rollback(id.slice(0, 8)));
    await expect(w.clock.settle(w.deploy.rollback(id))).rejects.toMatchObject({ code: 'deploy.running', params: { deploymentId: back.deploymentId } });
    const rolled = await w.clock.settle(back.done);
    expect(rolled).toMatchObject({ rollbackOf: id, accounts: [{ status: 'rolled-back', resources: [{ id: 'a.deploy.test', action: 'replace', status: 'rolled-back', source: null }] }] });
    expect(w.cloud.serving('prod')).toEqual({ 'a.deploy.test': 'old-1', 'b.deploy.test': 'old-1' });
    expect((await w.deploy.record(id)).accounts[0]!.status).toBe('rolled-back');
    await expect(w.clock.settle(w.deploy.rollback(id))).rejects.toMatchObject({ code: 'deploy.nothing_to_roll_back' });
  });

  it('keeps OLD when something still serves it after the move, even when asked to delete', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    // Someone binds OLD somewhere else while the task runs.
    w.cloud.onPoll = () => w.cloud.bind('prod', 'old-1', { id: 'late.deploy.test', domains: ['www.deploy.test'] });
    const { record } = await run(w, entry.id, { retire: 'delete', verify: false });
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', retired: [{ remoteId: 'old-1', action: 'delete', done: false, error: { code: 'deploy.still_bound' } }] });
    expect(w.cloud.ops('retire-delete')).toEqual([]);
    expect(w.cloud.certs.get('prod')!.some((c) => c.remoteId === 'old-1')).toBe(true);
  });

  it('keeps OLD and says why when the cloud cannot mute one certificate', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    // Alibaba and Huawei: delete only.
    (w.cloud.deployer as { retireModes: readonly string[] }).retireModes = ['delete'];
    const { record } = await run(w, entry.id, { retire: 'mute', verify: false });
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', retired: [{ remoteId: 'old-1', action: 'mute', done: false, error: { code: 'deploy.retire_unsupported' } }] });
    expect(w.cloud.calls.filter((c) => c.op.startsWith('retire'))).toEqual([]);
  });

  it('stops at a task already running at the cloud, without retrying', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.startFault = 'pending';
    const { record } = await run(w, entry.id);
    expect(record.accounts[0]).toMatchObject({ status: 'failed', error: { code: 'FailedOperation.CertificateDeployHasPendingRecord' } });
    expect(w.cloud.ops('start')).toHaveLength(1);
    expect(w.cloud.ops('poll')).toEqual([]);
    expect(w.cloud.serving('prod')).toEqual({ 'www.deploy.test': 'old-1' });
  });

  it('sends the start again after a throttling answer (the cloud did nothing), and never after an auth failure', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.startFault = 'throttled';
    const throttled = await run(w, entry.id);
    expect(throttled.record.accounts[0]).toMatchObject({ status: 'deployed' });
    expect(w.cloud.ops('start')).toHaveLength(2);

    w.cloud.resources.get('prod')!.get('www.deploy.test')!.certId = 'old-1';
    w.cloud.startFault = 'auth';
    const refused = await run(w, entry.id);
    expect(refused.record.accounts[0]).toMatchObject({ status: 'failed', error: { code: 'AuthFailure.SignatureFailure' } });
    expect(w.cloud.ops('start')).toHaveLength(3);
  });

  it('does not retry an auth failure: at discovery the step is blocked, while watching the fate is left to check', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.discoverAuthErrors = 1;
    const blocked = await run(w, entry.id);
    expect(blocked.record.accounts[0]).toMatchObject({ status: 'failed', error: { code: 'AuthFailure.SecretIdNotFound' } });
    expect(w.cloud.ops('discover')).toHaveLength(1);
    expect(w.cloud.ops('start')).toEqual([]);

    w.cloud.pollAuthError = true;
    const watched = await run(w, entry.id);
    expect(watched.record.accounts[0]).toMatchObject({ status: 'unknown', error: { code: 'AuthFailure.TokenFailure' } });
    expect(w.cloud.ops('poll')).toHaveLength(1);

    w.cloud.pollAuthError = false;
    const [checked] = await w.clock.settle(w.deploy.check());
    expect(checked).toMatchObject({ id: watched.id, accounts: [{ status: 'deployed', resources: [{ status: 'deployed' }] }] });
    expect(w.cloud.ops('start')).toHaveLength(1);
  });

  it('allows one deployment per certificate per account: a second is refused naming the first, cancel leaves it unknown, check settles it', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.pollsBeforeDone = 50;
    const first = await w.clock.settle(w.deploy.start(entry.id, keep));
    await w.clock.advance(3000);
    expect(w.cloud.ops('poll').length).toBeGreaterThan(0);

    const second = w.deploy.start(entry.id, keep);
    const refused = await w.clock.settle(second).catch((error: unknown) => error as VaultError);
    expect(refused).toMatchObject({ code: 'deploy.running', params: { deploymentId: first.deploymentId, account: 'prod', owner: 'ann', machine: 'ops-1' } });
    expect((refused as VaultError).message).toMatch(/^ann \(ops-1\) has been deploying this certificate to "prod" since \d\d:\d\d \(deployment /);

    expect(w.deploy.cancel(first.deploymentId)).toBe(true);
    const cancelled = await w.clock.settle(first.done);
    expect(cancelled.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'unknown' }], error: { code: 'deploy.outcome_unknown' } });
    await expect(w.clock.settle(w.deploy.start(entry.id, keep))).rejects.toMatchObject({ code: 'deploy.unresolved' });

    // Watched for as long as the policy allows, a task still running stays unknown; once it finishes, check settles it.
    const [still] = await w.clock.settle(w.deploy.check([first.deploymentId]));
    expect(still!.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'unknown' }] });
    for (const task of w.cloud.tasks.values()) task.polls = 1;
    const [checked] = await w.clock.settle(w.deploy.check([first.deploymentId]));
    expect(checked!.accounts[0]).toMatchObject({ status: 'deployed', resources: [{ status: 'deployed' }] });
    expect(w.cloud.ops('start')).toHaveLength(1);
  });

  it('cancelled before the start call, nothing changes at the cloud', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    const started = await w.clock.settle(w.deploy.start(entry.id, keep));
    w.deploy.cancel(started.deploymentId);
    const record = await w.clock.settle(started.done);
    expect(record.accounts[0]).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    expect(w.cloud.ops('start')).toEqual([]);
    expect(w.cloud.serving('prod')).toEqual({ 'www.deploy.test': 'old-1' });
  });
});

describe('crash safety', () => {
  it('a start whose answer was lost is never sent again: what the cloud shows settles it', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    w.cloud.startFault = 'lost';
    const { record } = await run(w, entry.id);
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', resources: [{ status: 'deployed' }] });
    expect(w.cloud.ops('start')).toHaveLength(1);
  });

  it('after a crash mid-task the step is unknown at the next open, and check resumes watching its stored handle', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test', 'api.deploy.test']);
    w.cloud.pollsBeforeDone = 10;
    const started = await w.clock.settle(w.deploy.start(entry.id, keep));
    await w.clock.advance(2000);
    expect(w.cloud.ops('start')).toHaveLength(1);
    // The process dies here: its rows say running, owned by a pid that no longer exists.
    const db = new Database(path.join(w.dir, DATABASE_FILE));
    db.prepare('UPDATE deployment_accounts SET owner_pid = 999999999').run();
    const row = db.prepare('SELECT phase, handle_json, sealed_material FROM deployment_accounts').get() as { phase: string; handle_json: string; sealed_material: Buffer | null };
    expect(row).toMatchObject({ phase: 'sent', sealed_material: null });
    expect(JSON.parse(row.handle_json)).toMatchObject({ ref: expect.stringMatching(/^task-/) });
    db.close();

    const restarted = w.reopen();
    const after = await restarted.record(started.deploymentId);
    expect(after.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'unknown' }, { status: 'unknown' }] });
    // A new deployment of the same certificate there waits for the check.
    await expect(w.clock.settle(restarted.start(entry.id, keep))).rejects.toMatchObject({ code: 'deploy.unresolved' });

    const [checked] = await w.clock.settle(restarted.check());
    expect(checked!.accounts[0]).toMatchObject({ status: 'deployed', resources: [{ status: 'deployed' }, { status: 'deployed' }] });
    expect(w.cloud.ops('start')).toHaveLength(1);
    const newId = checked!.accounts[0]!.newRemoteId!;
    expect(w.cloud.serving('prod')).toEqual({ 'www.deploy.test': newId, 'api.deploy.test': newId });
    // The history survives the reopen, as the first service wrote it.
    expect((await restarted.history()).map((d) => d.id)).toEqual([started.deploymentId]);
    void started.done.catch(() => undefined);
  });

  it('a crash after the start left without a handle is resolved by reading state: not moved means failed, nothing re-sent', async () => {
    const w = world();
    const { entry } = await renewed(w, ['www.deploy.test']);
    // A server error after sending: the cloud did not act on it this time, but nobody can know that.
    w.cloud.startFault = 'unclear';
    const { id, record } = await run(w, entry.id);
    expect(record.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'unknown' }] });
    const [checked] = await w.clock.settle(w.deploy.check([id]));
    // Cert Vault's check of the cloud's state, not the cloud's words.
    expect(checked!.accounts[0]).toMatchObject({ status: 'failed', resources: [{ status: 'failed', error: { code: 'deploy.not_moved' }, source: 'app' }] });
    expect(w.cloud.ops('start')).toHaveLength(1);
  });
});

describe('a retire the process stopped during', () => {
  /** Runs a deployment whose retire call hangs after `act` (the cloud acted, or not); the process then dies. */
  async function stopDuringRetire(w: World, retire: 'mute' | 'delete', act: boolean) {
    const { entry } = await renewed(w, ['www.deploy.test']);
    const deployer = w.cloud.deployer as { retire: (...args: never[]) => Promise<void> };
    const real = deployer.retire;
    let entered!: () => void;
    const inRetire = new Promise<void>((resolve) => (entered = resolve));
    deployer.retire = async (...args) => {
      if (act) await real(...args);
      entered();
      return new Promise<void>(() => undefined);
    };
    const started = await w.clock.settle(w.deploy.start(entry.id, { retire, verify: false }));
    await w.clock.settle(inRetire);
    const db = new Database(path.join(w.dir, DATABASE_FILE));
    db.prepare('UPDATE deployment_accounts SET owner_pid = 999999999').run();
    db.close();
    deployer.retire = real;
    const restarted = w.reopen();
    const after = await restarted.record(started.deploymentId);
    expect(after.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'deployed' }] });
    expect(after.accounts[0]!.retired).toEqual([{ remoteId: 'old-1', action: retire, done: false, error: expect.objectContaining({ code: 'deploy.retire_unknown' }) }]);
    void started.done.catch(() => undefined);
    return { restarted, id: started.deploymentId };
  }

  it('a delete that went through is settled as done by the listing on the next check, not sent again', async () => {
    const w = world();
    const { restarted, id } = await stopDuringRetire(w, 'delete', true);
    const [checked] = await w.clock.settle(restarted.check([id]));
    expect(checked!.accounts[0]).toMatchObject({ status: 'deployed', retired: [{ remoteId: 'old-1', action: 'delete', done: true, error: null }] });
    expect(w.cloud.ops('retire-delete')).toHaveLength(1);
    expect(await restarted.store.unresolved()).toEqual([]);
  });

  it('a delete that never arrived is settled as not done (OLD still listed), with what to do', async () => {
    const w = world();
    const { restarted, id } = await stopDuringRetire(w, 'delete', false);
    const [checked] = await w.clock.settle(restarted.check([id]));
    expect(checked!.accounts[0]!.retired).toEqual([{ remoteId: 'old-1', action: 'delete', done: false, error: expect.objectContaining({ code: 'deploy.retire_not_done' }) }]);
    expect(w.cloud.certs.get('prod')!.some((c) => c.remoteId === 'old-1')).toBe(true);
    expect(w.cloud.ops('retire-delete')).toHaveLength(0);
  });

  it('a mute is settled by reading whether the cloud shows OLD muted', async () => {
    const w = world();
    const { restarted, id } = await stopDuringRetire(w, 'mute', true);
    const [checked] = await w.clock.settle(restarted.check([id]));
    expect(checked!.accounts[0]!.retired).toEqual([{ remoteId: 'old-1', action: 'mute', done: true, error: null }]);
    expect(w.cloud.ops('read-muted')).toHaveLength(1);
    expect(w.cloud.ops('retire-mute')).toHaveLength(1);
  });
});

describe('in place', () => {
  it('seals OLD with the vault key before replacing, and gives it back to the rollback', async () => {
    const w = world();
    const { old, entry } = await renewed(w, ['www.deploy.test']);
    const { id, record } = await run(w, entry.id, { retire: 'delete', verify: false, inPlace: true });
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', oldRemoteId: 'old-1', newRemoteId: 'old-1', retired: [] });
    const db = new Database(path.join(w.dir, DATABASE_FILE), { readonly: true });
    const sealed = db.prepare('SELECT sealed_material FROM deployment_accounts').pluck().get() as Buffer;
    db.close();
    const keyBody = OLD.key.split('\n')[1]!;
    expect(sealed.length).toBeGreaterThan(100);
    expect(sealed.includes(Buffer.from(keyBody))).toBe(false);
    expect(sealed.includes(Buffer.from('PRIVATE KEY'))).toBe(false);

    await w.clock.settle((await w.clock.settle(w.deploy.rollback(id))).done);
    expect(w.cloud.rollbackMaterial).toHaveLength(1);
    expect(w.cloud.rollbackMaterial[0]).toMatchObject({ leaf: { fingerprintSha256: old.fingerprintSha256 }, privateKeyPem: expect.stringContaining('PRIVATE KEY') });
  });

  it('replaces in place only on the accounts chosen for it; the others rebind to an uploaded NEW', async () => {
    const w = world();
    const { old, entry } = await renewed(w, ['www.deploy.test']);
    const stage = await w.addAccount('stage');
    w.cloud.addCert('stage', { remoteId: 'old-s', fingerprintSha256: old.fingerprintSha256, commonName: old.commonName, dnsNames: old.dnsNames, notAfter: old.notAfter });
    w.cloud.bind('stage', 'old-s', { id: 'www.deploy.test' });
    const plan = await w.clock.settle(w.deploy.plan(entry.id, { ...keep, inPlaceAccountIds: [stage.id] }));
    expect(plan.accounts.map((a) => [a.account, a.mode, a.oldRemoteId, a.newRemoteId, a.uploadFirst])).toEqual([
      ['prod', 'rebind', 'old-1', null, true],
      ['stage', 'in-place', 'old-s', 'old-s', false],
    ]);
  });

  it('blocks in place when the library lacks OLD\'s key: no rollback would be possible', async () => {
    const w = world();
    const old = await w.import(OLD, false);
    const entry = await w.import(NEW);
    await w.addAccount('prod');
    w.cloud.addCert('prod', { remoteId: 'old-1', fingerprintSha256: old.fingerprintSha256, commonName: old.commonName, dnsNames: old.dnsNames, notAfter: old.notAfter });
    w.cloud.bind('prod', 'old-1', { id: 'www.deploy.test' });
    const plan = await w.clock.settle(w.deploy.plan(entry.id, { ...keep, inPlace: true }));
    expect(plan.accounts[0]!.blockedBecause).toMatchObject({ code: 'deploy.old_key_missing' });
  });
});
