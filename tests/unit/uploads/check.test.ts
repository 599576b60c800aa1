import { describe, expect, it } from 'vitest';
import { checkUnknown } from '../../../main/core/uploads/check';
import { HistoryStore } from '../../../main/core/uploads/history-store';
import { ownerOf } from '../../../main/core/db/row-owner';
import { runUpload } from '../../../main/core/uploads/orchestrator';
import { log } from '../../../main/core/log';
import { FakeClock } from './support/fake-clock';
import { FakeCloud } from './support/fake-cloud';
import { fakeMaterial } from './support/material';
import { testVault } from './support/vault';

log.setSink(null);

describe('crash -> unknown -> check', () => {
  async function crashedUpload(stored: boolean) {
    const clock = new FakeClock();
    const cloud = new FakeCloud(clock);
    const vault = testVault(clock, [cloud.provider()]);
    const account = await vault.addAccount('prod');
    // A process (pid 4242) wrote its pending row and died before learning the answer.
    const dead = new HistoryStore(vault.vault, () => new Date(clock.now()), ownerOf(undefined, 4242));
    const material = fakeMaterial();
    const id = await dead.begin({
      jobId: 'crashed-job',
      certificateId: 'entry-1',
      fingerprintSha256: material.leaf.fingerprintSha256,
      fingerprintSha1: material.leaf.fingerprintSha1,
      commonName: material.leaf.commonName,
      dnsNames: material.leaf.dnsNames,
      notAfter: material.leaf.notAfter,
      accountId: account.id,
      accountName: account.name,
      cloud: account.cloud,
    });
    if (stored) {
      cloud.uploadSteps = [{ kind: 'error', stored: true, error: { kind: 'network', code: 'timeout' } }];
      await clock.settle(cloud.provider().upload({ account: { cloud: 'tencent', region: null, endpoint: null, fields: {} }, credentials: { accessKeyId: 'prod', accessKeySecret: 'x' }, http: vault.deps.http, now: () => new Date(), nonce: () => 'n' }, material, {}).catch(() => undefined));
    }
    const checkDeps = { ...vault.deps, accounts: vault.accounts };
    return { clock, cloud, vault, account, id, material, checkDeps };
  }

  it('marks the dead process row unknown at startup and resolves it as uploaded when the cloud has it', async () => {
    const { clock, vault, id, checkDeps } = await crashedUpload(true);
    expect(await vault.history.markAbandoned(() => false)).toBe(1);
    expect((await vault.history.get(id))!.status).toBe('unknown');

    const [result] = await clock.settle(checkUnknown(checkDeps));

    expect(result!.entry).toMatchObject({ id, status: 'uploaded', remoteId: 'cert-1' });
    expect(result!.unresolvedBecause).toBeNull();
  });

  it('resolves it as failed (nothing created) when the cloud does not have it', async () => {
    const { clock, vault, id, checkDeps } = await crashedUpload(false);
    await vault.history.markAbandoned(() => false);

    const [result] = await clock.settle(checkUnknown(checkDeps, [id]));

    expect(result!.entry).toMatchObject({ status: 'failed', error: { code: 'check.not_found' } });
  });

  it('keeps it unknown when the listing cannot be read, with the reason', async () => {
    const { clock, cloud, vault, id, checkDeps } = await crashedUpload(true);
    await vault.history.markAbandoned(() => false);
    cloud.listSteps = [{ kind: 'error', error: { kind: 'network', code: 'ECONNREFUSED', mayHaveReachedServer: false } }];

    const [result] = await clock.settle(checkUnknown(checkDeps));

    expect(result!.entry).toMatchObject({ id, status: 'unknown' });
    expect(result!.unresolvedBecause?.code).toBe('ECONNREFUSED');
  });

  it('a later upload of the same certificate after a crash never creates a second copy', async () => {
    const { clock, cloud, vault, account, material } = await crashedUpload(true);
    await vault.history.markAbandoned(() => false);

    const [result] = await clock.settle(
      runUpload(vault.deps, { jobId: 'again', certificateId: 'entry-1', material, targets: [{ account, options: {} }] }, () => undefined, new AbortController().signal),
    );

    expect(result).toMatchObject({ status: 'duplicate', remoteId: 'cert-1' });
    expect(cloud.copies.get('prod')).toHaveLength(1);
  });
});
