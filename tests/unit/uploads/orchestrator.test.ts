import { describe, expect, it } from 'vitest';
import type { UploadProgress } from '../../../shared/uploads';
import { HistoryStore } from '../../../main/core/uploads/history-store';
import { runUpload, type UploadJob } from '../../../main/core/uploads/orchestrator';
import { log } from '../../../main/core/log';
import { FakeClock } from './support/fake-clock';
import { FakeCloud } from './support/fake-cloud';
import { fakeMaterial } from './support/material';
import { testVault } from './support/vault';

log.setSink(null);

async function setup(options: { rps?: number; concurrency?: number } = {}) {
  const clock = new FakeClock();
  const cloud = new FakeCloud(clock, 'tencent', options.rps ?? 10);
  const vault = testVault(clock, [cloud.provider()], options.concurrency);
  const events: UploadProgress[] = [];
  const controller = new AbortController();
  const job = (accounts: Awaited<ReturnType<typeof vault.addAccount>>[], jobId = 'job-1', material = fakeMaterial()): UploadJob => ({
    jobId,
    certificateId: 'entry-1',
    material,
    targets: accounts.map((account) => ({ account, options: {} })),
  });
  const run = (j: UploadJob, signal = controller.signal) => clock.settle(runUpload(vault.deps, j, (p) => events.push(p), signal));
  return { clock, cloud, vault, events, controller, job, run };
}

function statesOf(events: UploadProgress[], accountName: string): string[] {
  return events.filter((e) => e.accountName === accountName).map((e) => e.state);
}

describe('upload orchestrator', () => {
  it('uploads to every target, records history before and after, and reports each state', async () => {
    const { vault, cloud, events, job, run } = await setup();
    const a = await vault.addAccount('prod');
    const b = await vault.addAccount('staging');

    const results = await run(job([a, b]));

    expect(results.map((r) => [r.accountName, r.status, r.attempts])).toEqual([
      ['prod', 'uploaded', 1],
      ['staging', 'uploaded', 1],
    ]);
    expect(results[0]!.remoteId).toMatch(/^cert-/);
    expect(results[0]!.requestId).toBe(`req-${results[0]!.remoteId}`);
    expect(cloud.copies.get('prod')).toHaveLength(1);
    expect(statesOf(events, 'prod')).toEqual(['queued', 'checking', 'uploading', 'uploaded']);
    const rows = await vault.history.list({ certificateId: 'entry-1' });
    expect(rows.map((r) => [r.accountName, r.status, r.attempts, r.remoteId !== null, r.finishedAt !== null]).sort()).toEqual([
      ['prod', 'uploaded', 1, true, true],
      ['staging', 'uploaded', 1, true, true],
    ]);
  });

  it('refuses a target another member is uploading the same certificate to, naming them, without a request or a row', async () => {
    const { vault, cloud, clock, job, run } = await setup();
    const a = await vault.addAccount('prod');
    const b = await vault.addAccount('staging');
    const material = fakeMaterial();
    const ann = new HistoryStore(vault.vault, () => new Date(clock.now()), { pid: 4242, machine: 'ann-laptop', name: 'Ann' });
    await ann.begin({ jobId: 'anns-job', certificateId: 'entry-1', ...material.leaf, fingerprintSha1: null, accountId: a.id, accountName: a.name, cloud: a.cloud });

    const results = await run(job([a, b], 'job-1', material));

    expect(results.map((r) => [r.accountName, r.status, r.error?.code ?? null])).toEqual([
      ['prod', 'failed', 'upload.in_progress'],
      ['staging', 'uploaded', null],
    ]);
    expect(results[0]!.error!.hint).toEqual({
      en: expect.stringMatching(/^Ann \(ann-laptop\) has been uploading this certificate to "prod" since /),
      'zh-CN': expect.stringMatching(/^Ann（ann-laptop）自 .* 起正在将此证书上传到“prod”/),
    });
    expect(cloud.calls.filter((call) => call.accessKeyId === 'prod')).toEqual([]);
    expect((await vault.history.list({ accountId: a.id })).map((r) => r.jobId)).toEqual(['anns-job']);
  });

  it('writes the history row as pending before the upload request is sent', async () => {
    const { vault, job, run } = await setup();
    const a = await vault.addAccount('prod');
    const seen: string[] = [];
    const provider = vault.deps.providers('tencent');
    const upload = provider.upload;
    Object.assign(provider, {
      upload: async (...args: Parameters<typeof upload>) => {
        seen.push(...(await vault.history.list()).map((row) => row.status));
        return upload(...args);
      },
    });

    await run(job([a]));

    expect(seen).toEqual(['pending']);
    expect((await vault.history.list())[0]!.status).toBe('uploaded');
  });

  it('keeps every account under its rate limit across concurrent jobs', async () => {
    const { vault, cloud, job, clock } = await setup({ rps: 10 });
    const a = await vault.addAccount('prod');
    const jobs = Array.from({ length: 20 }, (_, i) =>
      runUpload(vault.deps, job([a], `job-${i}`, fakeMaterial({ fingerprintSha256: i.toString(16).padStart(64, '0'), commonName: `h${i}.example.com`, dnsNames: [`h${i}.example.com`] })), () => undefined, new AbortController().signal),
    );
    const results = await clock.settle(Promise.all(jobs));

    expect(results.flat().every((r) => r.status === 'uploaded')).toBe(true);
    const times = cloud.calls.filter((c) => c.accessKeyId === 'prod').map((c) => c.at);
    expect(times).toHaveLength(40); // a list and an upload per certificate
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 10/s documented, paced with 10% headroom: one request every 111 ms.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(111);
  });

  it('retries throttling with growing, jittered backoff and reports each wait', async () => {
    const { vault, cloud, events, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [
      { kind: 'error', error: { kind: 'throttled', code: 'RequestLimitExceeded', mayHaveReachedServer: true } },
      { kind: 'error', error: { kind: 'throttled', code: 'RequestLimitExceeded', mayHaveReachedServer: true } },
    ];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', attempts: 3 });
    const retries = events.filter((e) => e.state === 'retrying');
    // random() = 0.5: half of a window that doubles from 500 ms.
    expect(retries.map((e) => [e.attempt, e.waitMs, e.error?.code])).toEqual([
      [1, 250, 'RequestLimitExceeded'],
      [2, 500, 'RequestLimitExceeded'],
    ]);
    const uploads = cloud.uploadsBy('prod').map((c) => c.at);
    expect(uploads[1]! - uploads[0]!).toBeGreaterThanOrEqual(250);
    expect(uploads[2]! - uploads[1]!).toBeGreaterThanOrEqual(500);
    // Throttled requests created nothing, so the listing was not asked again before retrying.
    expect(cloud.calls.filter((c) => c.op === 'list')).toHaveLength(1);
    expect(cloud.copies.get('prod')).toHaveLength(1);
  });

  it('gives up after the policy maximum and reports the last cloud error', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = Array.from({ length: 10 }, () => ({ kind: 'error' as const, error: { kind: 'throttled' as const, code: 'LimitExceeded.RateLimitExceeded', requestId: 'r-9' } }));

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'failed', attempts: 4, requestId: 'r-9' });
    expect(result!.error?.code).toBe('LimitExceeded.RateLimitExceeded');
    expect((await vault.history.list())[0]).toMatchObject({ status: 'failed', attempts: 4, requestId: 'r-9' });
  });

  it('never retries an authentication failure', async () => {
    const { vault, cloud, events, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'auth', code: 'AuthFailure.SignatureFailure', retryable: false } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'failed', attempts: 1 });
    expect(result!.error).toMatchObject({ code: 'AuthFailure.SignatureFailure', hint: { en: 'fake hint' } });
    expect(cloud.uploadsBy('prod')).toHaveLength(1);
    expect(events.some((e) => e.state === 'retrying')).toBe(false);
  });

  it('does not upload at all when the listing already says the key is wrong', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.listSteps = [{ kind: 'error', error: { kind: 'auth', code: 'APIG.0301', message: 'verify aksk signature fail', retryable: false } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'failed', attempts: 0 });
    expect(result!.error?.code).toBe('APIG.0301');
    expect(cloud.uploadsBy('prod')).toHaveLength(0);
  });

  it('uploads anyway when the key may upload but not list', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.listSteps = [{ kind: 'error', error: { kind: 'auth', code: 'AuthFailure.UnauthorizedOperation', httpStatus: 403, retryable: false } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', attempts: 1 });
  });

  it('after a timeout that reached the cloud, finds the certificate with the list call instead of uploading again', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', stored: true, error: { kind: 'network', code: 'timeout', mayHaveReachedServer: true, requestId: null } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', attempts: 1, remoteId: 'cert-1' });
    expect(cloud.uploadsBy('prod')).toHaveLength(1);
    expect(cloud.copies.get('prod')).toHaveLength(1);
    expect((await vault.history.list())[0]).toMatchObject({ status: 'uploaded', remoteId: 'cert-1' });
  });

  it('matches by names and expiry on clouds that list no fingerprint', async () => {
    const { vault, cloud, job, run } = await setup();
    cloud.listsFingerprints = false;
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', stored: true, error: { kind: 'network', code: 'ECONNRESET', mayHaveReachedServer: true } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', remoteId: 'cert-1' });
    expect(cloud.copies.get('prod')).toHaveLength(1);
  });

  it('after a timeout that created nothing, checks the list and then uploads again (one copy in the end)', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'network', code: 'timeout', mayHaveReachedServer: true } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', attempts: 2 });
    expect(cloud.calls.map((c) => c.op)).toEqual(['list', 'upload', 'list', 'upload']);
    expect(cloud.copies.get('prod')).toHaveLength(1);
  });

  it('treats a 5xx like an unknown outcome: list first, then retry', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', stored: true, error: { kind: 'server', code: 'InternalError', httpStatus: 500 } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', remoteId: 'cert-1', attempts: 1 });
    expect(cloud.copies.get('prod')).toHaveLength(1);
  });

  it('leaves the outcome unknown, without uploading again, when the list cannot be read after a timeout', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'network', code: 'timeout', mayHaveReachedServer: true } }];
    cloud.listSteps = [
      { kind: 'ok' },
      ...Array.from({ length: 4 }, () => ({ kind: 'error' as const, error: { kind: 'network' as const, code: 'ECONNREFUSED', mayHaveReachedServer: false } })),
    ];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'failed', attempts: 1 });
    expect(result!.error?.code).toBe('upload.unknown_outcome');
    expect(cloud.uploadsBy('prod')).toHaveLength(1);
    expect((await vault.history.list())[0]).toMatchObject({ status: 'unknown', attempts: 1 });
  });

  it("fails an unreachable endpoint after the list call's retries, without trying to upload", async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.listSteps = Array.from({ length: 4 }, () => ({ kind: 'error' as const, error: { kind: 'network' as const, code: 'ECONNREFUSED', mayHaveReachedServer: false } }));

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'ECONNREFUSED' } });
    expect(cloud.calls.map((c) => c.op)).toEqual(['list', 'list', 'list', 'list']);
  });

  it('retries a connection that never reached the cloud without asking the list again', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'network', code: 'ECONNREFUSED', mayHaveReachedServer: false } }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'uploaded', attempts: 2 });
    expect(cloud.calls.map((c) => c.op)).toEqual(['list', 'upload', 'upload']);
  });

  it('reports "already present" from the cloud listing without uploading', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    await run(job([a], 'first'));
    vault.db.prepare('DELETE FROM upload_history').run(); // local history lost: only the cloud knows

    const [result] = await run(job([a], 'second'));

    expect(result).toMatchObject({ status: 'duplicate', remoteId: 'cert-1', attempts: 0 });
    expect(cloud.uploadsBy('prod')).toHaveLength(1);
    expect((await vault.history.list())[0]).toMatchObject({ status: 'duplicate', remoteId: 'cert-1' });
  });

  it('reports "already present" from the local history without calling the cloud', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    await run(job([a], 'first'));
    const callsBefore = cloud.calls.length;

    const [result] = await run(job([a], 'second'));

    expect(result).toMatchObject({ status: 'duplicate', remoteId: 'cert-1', historyId: null });
    expect(cloud.calls.length).toBe(callsBefore);
  });

  it("reports the cloud's duplicate answer with the existing copy's id", async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'duplicate-answer' }];

    const [result] = await run(job([a]));

    expect(result).toMatchObject({ status: 'duplicate', remoteId: 'existing-1', requestId: 'req-dup' });
  });

  it('fails a name conflict that is not this certificate, and dedupes one that is', async () => {
    const { vault, cloud, job, run } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'conflict', code: 'NameExists', retryable: false } }];
    const [clash] = await run(job([a], 'clash'));
    expect(clash).toMatchObject({ status: 'failed', attempts: 1 });
    expect(clash!.error?.code).toBe('NameExists');

    cloud.uploadSteps = [{ kind: 'error', stored: true, error: { kind: 'conflict', code: 'FailedOperation.CertificateExists', retryable: false } }];
    const [same] = await run(job([a], 'same'));
    expect(same).toMatchObject({ status: 'duplicate', remoteId: 'cert-1' });
  });

  it('cancel stops the targets that have not sent, lets the one in flight finish', async () => {
    const { vault, cloud, clock, events, job } = await setup({ concurrency: 1 });
    cloud.latencyMs = 1000;
    const accounts = [await vault.addAccount('a'), await vault.addAccount('b'), await vault.addAccount('c')];
    const controller = new AbortController();
    const running = runUpload(vault.deps, job(accounts), (p) => events.push(p), controller.signal);

    await clock.advance(1500); // 'a' listed and is uploading
    controller.abort(new Error('cancel'));
    const results = await clock.settle(running);

    expect(results.map((r) => [r.accountName, r.status])).toEqual([
      ['a', 'uploaded'],
      ['b', 'cancelled'],
      ['c', 'cancelled'],
    ]);
    expect(cloud.calls.filter((c) => c.accessKeyId !== 'a')).toHaveLength(0);
    expect((await vault.history.list()).map((r) => r.accountName)).toEqual(['a']);
  });

  it('a target cancelled while it only listed leaves no history row: nothing was uploaded', async () => {
    const { vault, cloud, clock, job } = await setup({ concurrency: 2 });
    cloud.latencyMs = 1000;
    const accounts = [await vault.addAccount('a'), await vault.addAccount('b')];
    const controller = new AbortController();
    const running = runUpload(vault.deps, job(accounts), () => undefined, controller.signal);

    await clock.advance(500); // both are reading their cloud's list
    controller.abort(new Error('cancel'));
    const results = await clock.settle(running);

    expect(results.map((r) => [r.status, r.attempts, r.historyId])).toEqual([
      ['cancelled', 0, null],
      ['cancelled', 0, null],
    ]);
    expect(cloud.calls.filter((c) => c.op === 'upload')).toHaveLength(0);
    expect(await vault.history.list()).toEqual([]);
  });

  it('cancel during a backoff wait ends the target as cancelled', async () => {
    const { vault, cloud, clock, job } = await setup();
    const a = await vault.addAccount('prod');
    cloud.uploadSteps = [{ kind: 'error', error: { kind: 'throttled', retryAfterMs: 10_000 } }];
    const controller = new AbortController();
    const running = runUpload(vault.deps, job([a]), () => undefined, controller.signal);
    await clock.advance(1000);
    controller.abort(new Error('cancel'));
    const [result] = await clock.settle(running);

    expect(result).toMatchObject({ status: 'cancelled', attempts: 1 });
    // An upload request went out and was answered: the row stays, saying the user stopped it.
    expect((await vault.history.list())[0]).toMatchObject({ status: 'cancelled', attempts: 1, error: { code: 'cancelled' } });
    expect(await vault.history.list({ status: ['cancelled'] })).toHaveLength(1);
    expect(await vault.history.list({ status: ['failed'] })).toEqual([]);
  });

  it('caps requests in flight across targets', async () => {
    const { vault, cloud, job, run } = await setup({ concurrency: 2 });
    cloud.latencyMs = 300;
    const accounts = await Promise.all(['a', 'b', 'c', 'd'].map((name) => vault.addAccount(name)));
    let inFlight = 0;
    let peak = 0;
    const provider = vault.deps.providers('tencent');
    const upload = provider.upload;
    Object.assign(provider, {
      upload: async (...args: Parameters<typeof upload>) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return await upload(...args);
        } finally {
          inFlight -= 1;
        }
      },
    });
    const results = await run(job(accounts));
    expect(results.every((r) => r.status === 'uploaded')).toBe(true);
    expect(peak).toBe(2);
  });

  it('fails a target whose keychain entry is gone, without touching the others', async () => {
    const { vault, job, run } = await setup();
    const a = await vault.addAccount('prod');
    const b = await vault.addAccount('lost');
    vault.secrets.entries.delete(`cloud-account:${b.id}`);

    const results = await run(job([a, b]));

    expect(results.map((r) => [r.accountName, r.status, r.error?.code ?? null])).toEqual([
      ['prod', 'uploaded', null],
      ['lost', 'failed', 'account.secret_missing'],
    ]);
  });
});
