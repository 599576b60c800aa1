import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../../shared/deploy';
import type { Channel, Request, Response } from '../../../shared/ipc';
import type { LibraryEntry } from '../../../shared/library';
import type { CloudAccount, UploadJobSummary } from '../../../shared/uploads';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { log } from '../../../main/core/log';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { makeCerts, type TestCert } from '../deploy/world';
import { openTeamWindow, type TeamWindow } from './team-window';

// PostgreSQL restarted in the middle of a deployment on a team vault (issue 11 §3): the real
// Tencent deployer against the Tencent emulator, through the window's handlers. The emulator holds
// the first poll of the replace's task (DescribeHostUpdateRecordDetail) while the server is
// stopped, then answers it: the cloud did the work, and the deployment's next writes find the
// vault offline. The step must
// not stay "running": it is recorded as unknown once the vault is back (by itself), its resources
// with it, and `deploy.check` then settles it from the cloud's task; the rollback material (OLD's
// copy on the account) is on record, and the rollback puts OLD back.

log.setSink(null);
const domains = ['www.restart.test', 'api.restart.test'];
const secretId = defaultCredentials.tencent.accessKeyId;
let cluster: PgCluster;
let emulator: RunningEmulator;
let home: string;
let OLD: TestCert;
let NEW: TestCert;

beforeAll(async () => {
  cluster = await startPgCluster();
  emulator = await startTencentEmulator({ latencyMs: 0 });
  // The record exists on the first UpdateCertificateInstance, so the deployer never waits its 2 s.
  emulator.state.deploy.preparingCalls = 0;
  // The task ends on its first poll: the one held while the server is down.
  emulator.state.deploy.pollsBeforeDone = 0;
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-restart-deploy-'));
  [OLD, NEW] = makeCerts([
    { names: domains, days: 30 },
    { names: domains, days: 365 },
  ]) as [TestCert, TestCert];
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

const confirming: Partial<HandlerContext> = {
  dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => true, confirmAccount: async () => true, confirmDataKeyReset: async () => false },
};

async function call<C extends Channel>(window: TeamWindow, channel: C, request: Request<C>): Promise<Response<C>> {
  const result = await dispatch(window.switcher.current, channel, request);
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`);
  return result.value as Response<C>;
}

async function importCert(window: TeamWindow, name: string, cert: TestCert): Promise<LibraryEntry['id']> {
  const result = await call(window, 'library.importContent', { files: [{ name, data: new TextEncoder().encode(cert.pem + cert.key) }] });
  return result.imported[0]!.id;
}

async function record(window: TeamWindow, id: string): Promise<DeploymentRecord> {
  const { deployments } = await call(window, 'deploy.history', {});
  return deployments.find((deployment) => deployment.id === id)!;
}

describe('PostgreSQL restarted in the middle of a deployment', () => {
  it('records the step that was running as unknown once back, never running; check settles it and the rollback puts OLD back', async () => {
    const window = await openTeamWindow(cluster, 'restart_deploy', path.join(home, 'ann'), confirming);
    try {
      const tencent = defaultCredentials.tencent;
      const account = (await call(window, 'accounts.save', { cloud: 'tencent', name: 'tprod', endpoint: emulator.url, fields: { projectId: '0' }, secret: tencent })) as CloudAccount;
      const oldId = await importCert(window, 'old.pem', OLD);
      const newId = await importCert(window, 'new.pem', NEW);
      const { jobId } = await call(window, 'uploads.start', { certificateId: oldId, targets: [{ accountId: account.id }] });
      let job: UploadJobSummary;
      await expect.poll(async () => (job = await call(window, 'uploads.job', { jobId })).done, { timeout: 30_000 }).toBe(true);
      const oldRemote = job!.results[0]!.remoteId!;
      for (const domain of domains) {
        seedResource(emulator.state, { account: secretId, certificateId: oldRemote, type: 'cdn', region: '', instance: { Domain: domain, CertId: oldRemote, Status: 'online', HttpsBillingSwitch: 'on' } });
      }

      // The first look at the cloud's task, after the replace was sent and its task recorded.
      const poll = emulator.faults.hold('DescribeHostUpdateRecordDetail');
      const { deploymentId } = await call(window, 'deploy.run', { certificateId: newId, options: { retire: 'keep', verify: false } });
      await poll.reached;
      await cluster.halt();
      try {
        // The cloud's task ends (the resources move to NEW) while the team vault's server is down.
        poll.release();
        await expect.poll(() => window.statusEvents().some((event) => !event.status.online), { timeout: 30_000 }).toBe(true);
        // The app is offline on its read-only copy: nothing of the deployment's end could be written.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await cluster.start();
      }
      await expect.poll(() => window.switcher.current.team?.().status().online, { timeout: 30_000 }).toBe(true);

      // Recorded by itself once the vault is back: finished, the step unknown, nothing left running.
      await expect.poll(async () => (await record(window, deploymentId)).finishedAt, { timeout: 60_000 }).not.toBeNull();
      const cut = await record(window, deploymentId);
      expect(cut.accounts).toHaveLength(1);
      const step = cut.accounts[0]!;
      expect(step.status).toBe('unknown');
      expect(step.resources.map((resource) => resource.status)).toEqual(['unknown', 'unknown']);
      // The rollback material: OLD's copy on the account and NEW's, both on record.
      expect(step.oldRemoteId).toBe(oldRemote);
      const newRemote = emulator.state.store.list().map((c) => c.id).find((id) => id !== oldRemote)!;
      expect(step.newRemoteId).toBe(newRemote);
      expect(resourcesOf(emulator.state, secretId).map((r) => r.certificateId)).toEqual([newRemote, newRemote]);

      // Checking watches the cloud's task again (its handle was on record before the cut): deployed.
      const [checked] = (await call(window, 'deploy.check', { deploymentIds: [deploymentId] })).deployments;
      expect(checked!.accounts[0]).toMatchObject({ status: 'deployed', resources: domains.map(() => expect.objectContaining({ status: 'deployed' })) });
      expect(resourcesOf(emulator.state, secretId).map((r) => r.certificateId)).toEqual([newRemote, newRemote]);

      const { deploymentId: rollbackId } = await call(window, 'deploy.rollback', { deploymentId });
      await expect.poll(async () => (await record(window, rollbackId)).finishedAt, { timeout: 60_000 }).not.toBeNull();
      expect((await record(window, rollbackId)).accounts[0]!.status).toBe('rolled-back');
      expect(resourcesOf(emulator.state, secretId).map((r) => r.certificateId)).toEqual([oldRemote, oldRemote]);
    } finally {
      await window.switcher.close();
    }
  }, 240_000);
});
