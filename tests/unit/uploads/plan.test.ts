import { describe, expect, it } from 'vitest';
import { certificateIssues, planTarget, resolveOptions } from '../../../main/core/uploads/plan';
import { FakeClock } from './support/fake-clock';
import { FakeCloud } from './support/fake-cloud';
import { fakeMaterial } from './support/material';
import { testVault } from './support/vault';

const NOW = new Date('2025-06-01T00:00:00Z');

async function setup(defaultOptions: Record<string, unknown> = {}) {
  const clock = new FakeClock(NOW.getTime());
  const cloud = new FakeCloud(clock);
  const vault = testVault(clock, [cloud.provider()]);
  const account = await vault.accounts.save({ cloud: 'tencent', name: 'prod', defaultOptions }, { accessKeyId: 'prod', accessKeySecret: 's' });
  return { cloud, vault, account, provider: cloud.provider() };
}

describe('upload pre-flight', () => {
  it("prefills options: the cloud's defaults, then the account's, then the user's changes", async () => {
    const { provider, account } = await setup({ alias: 'from-account', repeatable: true });
    expect(resolveOptions(provider, account, fakeMaterial()).options).toEqual({ alias: 'from-account', repeatable: true });
    expect(resolveOptions(provider, account, fakeMaterial(), { alias: 'mine' }).options).toEqual({ alias: 'mine', repeatable: true });
    const { provider: p2, account: a2 } = await setup();
    expect(resolveOptions(p2, a2, fakeMaterial()).options).toEqual({ alias: 'www.example.com' });
  });

  it('names the option a change breaks', async () => {
    const { provider, account } = await setup();
    const resolved = resolveOptions(provider, account, fakeMaterial(), { alias: 'x'.repeat(40) });
    expect(resolved.valid).toBe(false);
    expect(resolved.issues).toEqual([expect.objectContaining({ field: 'alias', severity: 'error' })]);
  });

  it("includes the cloud's own constraints", async () => {
    const { vault, provider, account } = await setup();
    const plan = await planTarget(provider, account, { ...fakeMaterial(), privateKeyPem: null, chainPem: 'intermediate' }, vault.history, NOW);
    expect(plan.issues).toEqual([expect.objectContaining({ field: 'privateKey', severity: 'error' })]);
  });

  it('blocks an expired certificate and warns about a not-yet-valid one and a missing chain', async () => {
    const expired = certificateIssues({ ...fakeMaterial({ notAfter: '2025-05-31T00:00:00.000Z' }), chainPem: 'x' }, NOW);
    expect(expired).toEqual([expect.objectContaining({ field: 'certificate', severity: 'error', message: expect.objectContaining({ en: 'The certificate expired on 2025-05-31.' }) })]);
    const notYet = certificateIssues({ ...fakeMaterial({ notBefore: '2025-07-01T00:00:00.000Z' }), chainPem: 'x' }, NOW);
    expect(notYet).toEqual([expect.objectContaining({ field: 'certificate', severity: 'warning' })]);
    const noChain = certificateIssues(fakeMaterial(), NOW);
    expect(noChain).toEqual([expect.objectContaining({ field: 'chain', severity: 'warning', message: expect.objectContaining({ en: expect.stringContaining('Example CA') }) })]);
    expect(certificateIssues(fakeMaterial({ selfSigned: true }), NOW)).toEqual([]);
  });

  it('shows a target that already holds the certificate according to the history', async () => {
    const { vault, provider, account } = await setup();
    const material = fakeMaterial();
    const id = await vault.history.begin({ jobId: 'j', certificateId: 'e', fingerprintSha256: material.leaf.fingerprintSha256, fingerprintSha1: null, commonName: null, dnsNames: [], notAfter: null, accountId: account.id, accountName: account.name, cloud: 'tencent' });
    await vault.history.finish(id, { status: 'uploaded', remoteId: 'abc123', requestId: null, error: null, attempts: 1, durationMs: 1 });
    expect((await planTarget(provider, account, material, vault.history, NOW)).alreadyPresent).toMatchObject({ remoteId: 'abc123' });
  });
});
