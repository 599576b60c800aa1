import { describe, expect, it } from 'vitest';
import type { UploadProgress } from '../../../shared/uploads';
import { UploadJobs } from '../../../main/core/uploads/jobs';
import { log } from '../../../main/core/log';
import { FakeClock } from './support/fake-clock';
import { FakeCloud } from './support/fake-cloud';
import { fakeMaterial } from './support/material';
import { testVault } from './support/vault';

log.setSink(null);

async function setup() {
  const clock = new FakeClock();
  const cloud = new FakeCloud(clock);
  const vault = testVault(clock, [cloud.provider()], 1);
  const events: UploadProgress[] = [];
  const jobs = new UploadJobs(vault.deps, (p) => events.push(p));
  const accounts = [await vault.addAccount('a'), await vault.addAccount('b'), await vault.addAccount('c')];
  let loads = 0;
  const spec = {
    certificateId: 'entry-1',
    fingerprintSha256: fakeMaterial().leaf.fingerprintSha256,
    loadMaterial: async () => {
      loads += 1;
      return fakeMaterial();
    },
    targets: accounts.map((account) => ({ account, options: {} })),
  };
  return { clock, cloud, vault, events, jobs, accounts, spec, loads: () => loads };
}

describe('upload jobs', () => {
  it('"retry failed" re-runs only the failed targets, under the same job id', async () => {
    const { clock, cloud, jobs, spec, loads } = await setup();
    // 'b' is refused once with a non-retryable error; the others succeed.
    cloud.uploadSteps = [{ kind: 'ok' }, { kind: 'error', error: { kind: 'invalid', code: 'InvalidParameter', retryable: false } }];
    const { jobId, done } = jobs.start(spec, fakeMaterial());
    const first = await clock.settle(done);
    expect(first.results.map((r) => [r.accountName, r.status])).toEqual([
      ['a', 'uploaded'],
      ['b', 'failed'],
      ['c', 'uploaded'],
    ]);
    const uploadsBefore = cloud.calls.filter((c) => c.op === 'upload').length;

    const again = await jobs.retryFailed(jobId);
    const second = await clock.settle(again.done);

    expect(again.jobId).toBe(jobId);
    expect(second.results.map((r) => [r.accountName, r.status])).toEqual([
      ['a', 'uploaded'],
      ['b', 'uploaded'],
      ['c', 'uploaded'],
    ]);
    const retried = cloud.calls.filter((c) => c.op === 'upload').slice(uploadsBefore);
    expect(retried.map((c) => c.accessKeyId)).toEqual(['b']);
    // The key is unsealed again for the retry, not kept between runs.
    expect(loads()).toBe(1);
  });

  it('cancel stops pending targets; retry failed leaves the cancelled ones alone', async () => {
    const { clock, cloud, jobs, spec } = await setup();
    cloud.latencyMs = 1000;
    const { jobId, done } = jobs.start(spec, fakeMaterial());
    await clock.advance(1500); // 'a' has listed and its upload is in flight
    expect(jobs.cancel(jobId)).toBe(true);
    const cancelled = await clock.settle(done);
    expect(cancelled.results.map((r) => r.status)).toEqual(['uploaded', 'cancelled', 'cancelled']);
    expect(jobs.cancel(jobId)).toBe(false);

    // Cancelled on purpose: a retry of the failed targets sends nothing to them.
    const again = await clock.settle((await jobs.retryFailed(jobId)).done);
    expect(again.results.map((r) => r.status)).toEqual(['uploaded', 'cancelled', 'cancelled']);
    expect(cloud.calls.filter((c) => c.op === 'upload').map((c) => c.accessKeyId)).toEqual(['a']);
  });

  it('refuses a retry while the job runs, and unknown job ids', async () => {
    const { clock, jobs, spec } = await setup();
    const { jobId, done } = jobs.start(spec, fakeMaterial());
    await expect(jobs.retryFailed(jobId)).rejects.toMatchObject({ code: 'upload.job_running' });
    await clock.settle(done);
    await expect(jobs.retryFailed('nope')).rejects.toMatchObject({ code: 'upload.job_not_found' });
    expect(() => jobs.start({ ...spec, targets: [] }, fakeMaterial())).toThrow(expect.objectContaining({ code: 'upload.no_targets' }));
  });
});
