import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cloudIds } from '../../../shared/model';
import type { CloudAccount } from '../../../shared/uploads';
import { call } from '../../../main/cli/handler-context';
import { log } from '../../../main/core/log';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeLeaves, type TestLeaf } from './certs';
import { addAccount, importEntry, openApp, resetClouds, startClouds, stopClouds, waitForJob, type Clouds, type TestApp } from './harness';

// One library entry to one account of each of the five clouds with one request, through the IPC
// handlers, with the real providers, keychain and emulators.
assertThrowawayKeyring();
log.setSink(null);

let clouds: Clouds;
let app: TestApp;
let accounts: CloudAccount[];
let leaves: TestLeaf[];

beforeAll(async () => {
  clouds = await startClouds();
  app = openApp();
  leaves = makeLeaves(4, { rsa: true, prefix: 'fanout' });
  accounts = [];
  for (const cloud of cloudIds) accounts.push(await addAccount(app, cloud, `${cloud}-prod`, clouds[cloud].url));
}, 60_000);
afterEach(() => resetClouds(clouds));
afterAll(async () => {
  await stopClouds(clouds);
  app.close();
});

async function upload(id: string, targets = accounts) {
  const { jobId } = await call(app.ctx, 'uploads.start', { certificateId: id, targets: targets.map((a) => ({ accountId: a.id })) });
  return { jobId, summary: await waitForJob(app, jobId) };
}

describe('one-click upload to five clouds', () => {
  it('uploads one entry to every target, with progress events and history rows', async () => {
    const id = await importEntry(app, leaves[0]!.fullchain + leaves[0]!.key);

    const plan = await call(app.ctx, 'uploads.plan', { certificateId: id, targets: accounts.map((a) => ({ accountId: a.id })) });
    expect(plan.targets.map((t) => [t.cloud, t.issues.filter((i) => i.severity === 'error')])).toEqual(cloudIds.map((c) => [c, []]));

    const { jobId, summary } = await upload(id);

    expect(summary.results.map((r) => [r.cloud, r.status, r.attempts])).toEqual(cloudIds.map((c) => [c, 'uploaded', 1]));
    for (const result of summary.results) {
      expect(result.remoteId).toBeTruthy();
      expect(clouds[result.cloud].state.store.size).toBe(1);
    }
    const states = app.progress().filter((p) => p.jobId === jobId && p.cloud === 'aliyun').map((p) => p.state);
    expect(states[0]).toBe('queued');
    expect(states.at(-1)).toBe('uploaded');
    const history = await call(app.ctx, 'history.list', { certificateId: id });
    expect(history.entries.map((e) => e.status)).toEqual(Array(5).fill('uploaded'));
    const { deployments } = await call(app.ctx, 'history.deployments', { certificateIds: [id] });
    expect(deployments[id]!.map((d) => d.cloud).sort()).toEqual([...cloudIds].sort());
  });

  it('a second upload of the same entry reports "already present" and creates no copy', async () => {
    const id = await importEntry(app, leaves[1]!.fullchain + leaves[1]!.key);
    const first = await upload(id);
    const remoteIds = first.summary.results.map((r) => r.remoteId);

    const second = await upload(id);

    expect(second.summary.results.map((r) => r.status)).toEqual(Array(5).fill('duplicate'));
    expect(second.summary.results.map((r) => r.remoteId)).toEqual(remoteIds);
    for (const cloud of cloudIds) expect(clouds[cloud].state.store.size).toBe(1);
  });

  it('retries an injected throttle to success, reports a hard failure with a hint, and "retry failed" re-runs only that one', async () => {
    const id = await importEntry(app, leaves[2]!.fullchain + leaves[2]!.key);
    clouds.tencent.faults.throttle(2, 'UploadCertificate');
    clouds.aliyun.faults.inject({ kind: 'error', operation: 'UploadUserCertificate', code: 'InvalidParameter', status: 400, message: 'The parameter Name is invalid.' });

    const { jobId, summary } = await upload(id);

    const byCloud = Object.fromEntries(summary.results.map((r) => [r.cloud, r]));
    expect(byCloud.tencent).toMatchObject({ status: 'uploaded', attempts: 3 });
    expect(app.progress().filter((p) => p.jobId === jobId && p.cloud === 'tencent' && p.state === 'retrying')).toHaveLength(2);
    expect(byCloud.aliyun).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'InvalidParameter', message: 'The parameter Name is invalid.' } });
    expect(byCloud.aliyun!.error!.hint!.en.length).toBeGreaterThan(10);
    expect(byCloud.aliyun!.requestId).toBeTruthy();
    const callsBefore = Object.fromEntries(cloudIds.map((c) => [c, clouds[c].state.calls.length]));

    await call(app.ctx, 'uploads.retryFailed', { jobId });
    const retried = await waitForJob(app, jobId);

    expect(retried.results.map((r) => r.status)).toEqual(Array(5).fill('uploaded'));
    // Only the failed target was sent again.
    for (const cloud of cloudIds.filter((c) => c !== 'aliyun')) expect(clouds[cloud].state.calls.length, cloud).toBe(callsBefore[cloud]);
    expect(clouds.aliyun.state.store.size).toBe(1);
  });

  it('never uploads twice after a request whose answer was lost: the list call finds it', async () => {
    const slow = openApp({ dataDir: app.dataDir, timeoutMs: 500 });
    const id = await importEntry(app, leaves[3]!.fullchain + leaves[3]!.key);
    const tencent = accounts.find((a) => a.cloud === 'tencent')!;
    clouds.tencent.faults.hangAfterReceive(1, 'UploadCertificate');

    const { jobId } = await call(slow.ctx, 'uploads.start', { certificateId: id, targets: [{ accountId: tencent.id }] });
    const summary = await waitForJob(slow, jobId);

    expect(summary.results[0]).toMatchObject({ status: 'uploaded', attempts: 1 });
    expect(clouds.tencent.state.store.size).toBe(1);
    expect(clouds.tencent.state.callsOf('UploadCertificate')).toHaveLength(1);
  });
});
