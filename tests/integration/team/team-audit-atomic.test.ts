import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, Events, Response } from '../../../shared/ipc';
import type { CloudAccount } from '../../../shared/uploads';
import { DeployStore } from '../../../main/core/deploy/store';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { readAudit, teamAudit } from '../../../main/core/team/audit';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import type { AuditRow, TeamDatabase } from '../../../main/core/team/db/schema';
import { approveRequest, createTeam, joinTeam } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { VaultSwitcher } from '../../../main/core/team/vault-switch';
import { useVault } from '../../../main/core/team/vaults';
import { startTencentEmulator } from '../../emulators/tencent';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { makeCa, makeLeaf } from '../../unit/vault/helpers/pki';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { accountInput, secretOf } from '../uploads/harness';

// On a team vault a change and its audit row commit together or not at all (issue #11 §2): the
// row is written by the store, in the change's own transaction. When the audit log refuses the
// row (here a trigger, as a revoked INSERT would), the change is absent and the member is told
// why; a private key is not given out. Uploads and deployments leave a start row and an end row
// with their outcome, each heard by another member's window.

let cluster: PgCluster;
let superuser: Kysely<TeamDatabase>;
let tencent: Awaited<ReturnType<typeof startTencentEmulator>>;
const homes: string[] = [];
const switchers: VaultSwitcher[] = [];

interface Window {
  readonly env: TeamEnvironment;
  readonly events: { event: EventName; payload: unknown }[];
  readonly switcher: VaultSwitcher;
  readonly ctx: () => HandlerContext;
}

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-audit-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

async function openWindow(env: TeamEnvironment): Promise<Window> {
  const events: Window['events'] = [];
  const base = testHandlerContext({
    dataDir: env.dataDir,
    secrets: () => env.secrets,
    now: env.now,
    events: { emit: (event, payload) => events.push({ event, payload }) },
    // The emulator's loopback endpoint and the account's first upload, as the user confirms them.
    dialogs: { ...testHandlerContext().dialogs, confirmEndpoint: async () => true, confirmAccount: async () => true },
  });
  const switcher = await VaultSwitcher.start(base);
  switchers.push(switcher);
  return { env, events, switcher, ctx: () => switcher.current };
}

/** The `team.changed` details another window heard for `action`, waiting up to 5 s for `count` of them. */
async function heard(window: Window, action: string, count: number): Promise<number> {
  const until = Date.now() + 5_000;
  for (;;) {
    const found = window.events.filter((e) => e.event === 'team.changed' && (e.payload as Events['team.changed']).action === action).length;
    if (found >= count || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function auditRows(): Promise<AuditRow[]> {
  return readAudit(superuser);
}

/** Makes every audit append fail inside its transaction, as an app role without INSERT on audit_log would. */
async function refuseAuditRows(): Promise<void> {
  await sql`
    CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'permission denied for table audit_log' USING ERRCODE = 'insufficient_privilege'; END $$;
    CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();
  `.execute(superuser);
}

async function acceptAuditRows(): Promise<void> {
  await sql`DROP TRIGGER test_refuse_audit ON audit_log; DROP FUNCTION test_refuse_audit();`.execute(superuser);
}

let ann: Window;
let bob: Window;

beforeAll(async () => {
  cluster = await startPgCluster();
  tencent = await startTencentEmulator();
  const { address, password } = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const admin = openTeamDb({ address, password: password ?? '' });
  await sql`CREATE DATABASE certvault`.execute(admin);
  await admin.destroy();
  superuser = openTeamDb({ address: { ...address, database: 'certvault' }, password: password ?? '' });
  const url = cluster.url({ database: 'certvault', query: 'sslmode=disable' });
  const [annEnv, bobEnv] = [computer('ann-laptop'), computer('bob-desktop')];
  await createTeam(annEnv, { url, name: 'ops', memberName: 'Ann' });
  useVault(annEnv, 'ops');
  const request = await joinTeam(bobEnv, { url, name: 'ops', memberName: 'Bob' });
  await approveRequest(annEnv, 'ops', { requestId: request.requestId, role: 'operator', phrase: request.fingerprintPhrase });
  useVault(bobEnv, 'ops');
  ann = await openWindow(annEnv);
  bob = await openWindow(bobEnv);
  // Bob's window hears the vault's changes as the Team screen does.
  const watching = await dispatch(bob.ctx(), 'team.watch', { vault: 'ops' });
  if (!watching.ok) throw new Error(watching.error.message);
}, 60_000);

afterAll(async () => {
  if (bob) await dispatch(bob.ctx(), 'team.watch', { vault: null });
  for (const switcher of switchers) await switcher.close();
  await superuser?.destroy();
  await tencent?.close();
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

let entryId: string;
let keyPem: string;
let account: CloudAccount;

describe('a change and its audit row commit together', () => {
  it('an import and an edit each leave a row naming what changed, written in their transaction', async () => {
    const ca = await makeCa('Audit Root');
    const leaf = await makeLeaf(ca, { commonName: 'shop.example.com' });
    keyPem = leaf.keyPem;
    const imported = await dispatch(ann.ctx(), 'library.importContent', { files: [{ name: 'shop.pem', data: new TextEncoder().encode(leaf.certPem + leaf.keyPem) }] });
    if (!imported.ok) throw new Error(imported.error.message);
    entryId = (imported.value as Response<'library.importContent'>).imported[0]!.id;
    const entry = await dispatch(ann.ctx(), 'library.get', { id: entryId });
    if (!entry.ok) throw new Error(entry.error.message);
    const edited = await dispatch(ann.ctx(), 'library.update', { id: entryId, baseUpdatedAt: (entry.value as { updatedAt: string }).updatedAt, tags: ['prod'] });
    expect(edited.ok).toBe(true);

    const rows = await auditRows();
    expect(rows.slice(-2).map((row) => [row.action, row.subject, row.member_name, row.machine, row.detail])).toEqual([
      ['vault.import', entryId, 'Ann', os.hostname(), { files: 1, new: 1, merged: 0 }],
      ['vault.edit', entryId, 'Ann', os.hostname(), { fields: 'tags' }],
    ]);
    expect(await heard(bob, 'vault.edit', 1)).toBe(1);
  });

  it('when the audit log refuses the row, nothing changes and the member is told why; no key leaves', async () => {
    const before = (await auditRows()).length;
    await refuseAuditRows();
    try {
      const ca = await makeCa('Refused Root');
      const other = await makeLeaf(ca, { commonName: 'refused.example.com' });
      const imported = await dispatch(ann.ctx(), 'library.importContent', { files: [{ name: 'refused.pem', data: new TextEncoder().encode(other.certPem) }] });
      // The import stops at the refused batch instead of writing and rolling back every later one.
      expect(imported).toMatchObject({ ok: false, error: { code: 'team.audit_failed', params: { team: 'ops', action: 'vault.import' } } });

      const entry = await dispatch(ann.ctx(), 'library.get', { id: entryId });
      if (!entry.ok) throw new Error(entry.error.message);
      const edited = await dispatch(ann.ctx(), 'library.update', { id: entryId, baseUpdatedAt: (entry.value as { updatedAt: string }).updatedAt, name: 'renamed' });
      expect(edited).toMatchObject({ ok: false, error: { code: 'team.audit_failed', params: { action: 'vault.edit', reason: 'permission denied for table audit_log' } } });
      expect(edited.ok ? '' : edited.error.message).toContain('the vault did not save it');

      const removed = await dispatch(ann.ctx(), 'library.remove', { id: entryId });
      expect(removed).toMatchObject({ ok: false, error: { code: 'team.audit_failed', params: { action: 'vault.remove' } } });

      const saved = await dispatch(ann.ctx(), 'accounts.save', accountInput('tencent', 'refused-lab', tencent.url));
      expect(saved).toMatchObject({ ok: false, error: { code: 'team.audit_failed', params: { action: 'account.save' } } });

      const keyFile = path.join(ann.env.dataDir, 'shop.key');
      const exported = await dispatch(ann.ctx(), 'library.export', { id: entryId, format: 'key', path: keyFile });
      expect(exported).toMatchObject({ ok: false, error: { code: 'team.audit_failed', params: { action: 'vault.export_key' } } });
      expect(fs.existsSync(keyFile)).toBe(false);
    } finally {
      await acceptAuditRows();
    }

    const listed = await dispatch(ann.ctx(), 'library.list', {});
    expect(listed).toMatchObject({ ok: true, value: { entries: [expect.objectContaining({ id: entryId, tags: ['prod'] })] } });
    expect((listed.ok ? (listed.value as Response<'library.list'>).entries : []).map((entry) => entry.commonName)).toEqual(['shop.example.com']);
    expect(await dispatch(ann.ctx(), 'accounts.list', {})).toMatchObject({ ok: true, value: { accounts: [] } });
    expect((await auditRows()).length).toBe(before);
    const { verdict } = await teamAudit(ann.env, 'ops', true);
    expect(verdict).toMatchObject({ ok: true, rows: before });
  });

  it('a key export is audited before the key is written', async () => {
    const keyFile = path.join(ann.env.dataDir, 'shop.key');
    const exported = await dispatch(ann.ctx(), 'library.export', { id: entryId, format: 'key', path: keyFile });
    expect(exported.ok).toBe(true);
    expect(fs.readFileSync(keyFile, 'utf8')).toBe(keyPem);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'vault.export_key', subject: entryId, member_name: 'Ann', detail: { format: 'key' } });
  });
});

describe('uploads and deployments say when they start and how they end', () => {
  it('an upload writes a start row and an end row with its outcome; another window hears both', async () => {
    const saved = await dispatch(ann.ctx(), 'accounts.save', accountInput('tencent', 'lab', tencent.url));
    if (!saved.ok) throw new Error(saved.error.message);
    account = saved.value as CloudAccount;
    const heardBefore = await heard(bob, 'vault.upload', 0);
    const started = await dispatch(ann.ctx(), 'uploads.start', { certificateId: entryId, targets: [{ accountId: account.id }] });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value as Response<'uploads.start'>;
    for (let done = false; !done; ) {
      const job = await dispatch(ann.ctx(), 'uploads.job', { jobId });
      if (!job.ok) throw new Error(job.error.message);
      done = (job.value as Response<'uploads.job'>).done;
      if (!done) await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const rows = (await auditRows()).filter((row) => row.action === 'vault.upload');
    expect(rows.map((row) => [row.subject, row.member_name, row.detail])).toEqual([
      [entryId, 'Ann', expect.objectContaining({ phase: 'start', job: jobId, account: 'lab', cloud: 'tencent' })],
      [entryId, 'Ann', expect.objectContaining({ phase: 'end', job: jobId, account: 'lab', outcome: 'succeeded', status: 'uploaded', error: null })],
    ]);
    // The end row is in the transaction that finished the history row: both say the same.
    const history = await dispatch(ann.ctx(), 'history.list', {});
    expect(history).toMatchObject({ ok: true, value: { entries: [expect.objectContaining({ id: rows[1]!.detail.history, status: 'uploaded' })] } });
    expect(await heard(bob, 'vault.upload', heardBefore + 2)).toBe(heardBefore + 2);
  });

  it('a failed upload ends with its error code', async () => {
    const broken = await dispatch(ann.ctx(), 'accounts.save', { ...accountInput('tencent', 'broken-lab', tencent.url), secret: { ...secretOf('tencent'), accessKeySecret: 'wrong-secret' } });
    if (!broken.ok) throw new Error(broken.error.message);
    const started = await dispatch(ann.ctx(), 'uploads.start', { certificateId: entryId, targets: [{ accountId: (broken.value as CloudAccount).id }] });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value as Response<'uploads.start'>;
    for (let done = false; !done; ) {
      const job = await dispatch(ann.ctx(), 'uploads.job', { jobId });
      done = job.ok && (job.value as Response<'uploads.job'>).done;
      if (!done) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const end = (await auditRows()).at(-1)!;
    expect(end).toMatchObject({ action: 'vault.upload', detail: { phase: 'end', job: jobId, account: 'broken-lab', outcome: 'failed', status: 'failed' } });
    expect(end.detail.error).toEqual(expect.stringMatching(/^AuthFailure/));
  });

  it('a deployment writes its start row with the recording transaction and its end row with the outcome; a crashed one ends interrupted', async () => {
    const vaultDb = ann.ctx().vaultDb!();
    const store = new DeployStore(vaultDb, () => new Date(), { pid: process.pid, machine: 'ann-laptop', name: 'Ann' });
    const step = { accountId: account.id, accountName: 'lab', cloud: 'tencent' as const, mode: 'rebind' as const, oldRemoteId: 'old', newRemoteId: null, resources: [] };
    const deployment = { certificateId: entryId, fingerprintSha256: 'ab'.repeat(32), commonName: 'shop.example.com', rollbackOf: null, options: { retire: 'keep' as const, verify: false } };
    const { id, stepIds } = await store.create(deployment, [step]);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'vault.deploy', subject: entryId, member_name: 'Ann', detail: { phase: 'start', deployment: id, name: 'shop.example.com', accounts: 'lab' } });
    await store.finishStep(stepIds[0]!, { status: 'failed', error: { code: 'FailedOperation.CertificateNotFound', message: 'gone', requestId: null, hint: null } });
    await store.finishDeployment(id);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'vault.deploy', subject: entryId, detail: { phase: 'end', deployment: id, outcome: 'failed', error: 'FailedOperation.CertificateNotFound', steps: 1 } });

    // A process that died mid-deployment: whoever sweeps it records the end.
    const crashed = await new DeployStore(vaultDb, () => new Date(), { pid: 999_999_999, machine: 'ann-laptop', name: 'Ann' }).create(deployment, [step]);
    expect(await store.markAbandoned(() => false)).toBe(1);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'vault.deploy', detail: { phase: 'end', deployment: crashed.id, outcome: 'interrupted' } });

    const rollback = await store.create({ ...deployment, rollbackOf: id }, [step]);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'vault.rollback', subject: id, detail: { phase: 'start', deployment: rollback.id } });
    expect(await heard(bob, 'vault.rollback', 1)).toBe(1);
  });

  it('a deployment whose start row is refused is not recorded at all', async () => {
    const store = new DeployStore(ann.ctx().vaultDb!(), () => new Date(), { pid: process.pid, machine: 'ann-laptop', name: 'Ann' });
    const before = await store.list();
    await refuseAuditRows();
    try {
      const refused = await store
        .create(
          { certificateId: entryId, fingerprintSha256: 'cd'.repeat(32), commonName: 'shop.example.com', rollbackOf: null, options: { retire: 'keep', verify: false } },
          [{ accountId: account.id, accountName: 'lab', cloud: 'tencent', mode: 'rebind', oldRemoteId: 'old', newRemoteId: null, resources: [] }],
        )
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toMatchObject({ code: 'team.audit_failed', params: { action: 'vault.deploy' } });
    } finally {
      await acceptAuditRows();
    }
    expect((await store.list()).map((record) => record.id)).toEqual(before.map((record) => record.id));
    expect((await teamAudit(ann.env, 'ops', true)).verdict?.ok).toBe(true);
  });
});
