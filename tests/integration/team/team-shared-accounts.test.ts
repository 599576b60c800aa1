import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../../shared/i18n';
import type { Channel, Request, Response } from '../../../shared/ipc';
import type { CloudAccount, UploadJobSummary } from '../../../shared/uploads';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { osKeychain } from '../../../main/core/keychain';
import { log } from '../../../main/core/log';
import { unseal } from '../../../main/core/seal';
import { sharedSecretContext } from '../../../main/core/accounts/team-secret';
import { keychainAccount } from '../../../main/core/accounts/account-store';
import { teamAudit } from '../../../main/core/team/audit';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { approveRequest, createTeam, joinTeam, removeMember } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { VaultSwitcher } from '../../../main/core/team/vault-switch';
import { useVault } from '../../../main/core/team/vaults';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { defaultCredentials } from '../../emulators/credentials';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { makeLeaves, type TestLeaf } from '../uploads/certs';
import { assertThrowawayKeyring } from '../vault/keyring-guard';

// Cloud accounts on one team vault, through the IPC path each window uses (VaultSwitcher): Ann
// (admin) shares an account, its secret sealed with the team key; Bob (operator) uploads to a
// cloud emulator with it; Vic (viewer) holds no team key and cannot use it; Cara's personal
// account is hers alone. Removing Dan rotates the team key: the shared secret is re-sealed in the
// same transaction, Bob still uploads, and Dan's old key opens nothing new.
assertThrowawayKeyring();

/** Every IPC answer and log line of the run: none may carry the shared secret (the last test). */
const seen: string[] = [];

let cluster: PgCluster;
let tencent: RunningEmulator;
let leaves: TestLeaf[];
const homes: string[] = [];
const switchers: VaultSwitcher[] = [];
const secret = defaultCredentials.tencent;

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-shared-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

/** A window whose user agrees to every endpoint and account dialog (each account points at the loopback emulator). */
async function openWindow(env: TeamEnvironment): Promise<VaultSwitcher> {
  const base: HandlerContext = testHandlerContext({
    dataDir: env.dataDir,
    secrets: () => env.secrets,
    now: env.now,
    dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => true, confirmAccount: async () => true, confirmDataKeyReset: async () => false },
  });
  const switcher = await VaultSwitcher.start(base);
  switchers.push(switcher);
  return switcher;
}

async function ok<C extends Channel>(window: VaultSwitcher, channel: C, request: Request<C>): Promise<Response<C>> {
  const result = await dispatch(window.current, channel, request);
  seen.push(JSON.stringify(result));
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value as Response<C>;
}

async function refused<C extends Channel>(window: VaultSwitcher, channel: C, request: Request<C>) {
  const result = await dispatch(window.current, channel, request);
  seen.push(JSON.stringify(result));
  if (result.ok) throw new Error(`${channel} was not refused`);
  return result.error;
}

async function upload(window: VaultSwitcher, leaf: TestLeaf, account: CloudAccount): Promise<UploadJobSummary> {
  const imported = await ok(window, 'library.importContent', { files: [{ name: `${leaf.host}.pem`, data: new TextEncoder().encode(leaf.fullchain + leaf.key) }] });
  const { jobId } = await ok(window, 'uploads.start', { certificateId: imported.imported[0]!.id, targets: [{ accountId: account.id }] });
  for (;;) {
    const summary = await ok(window, 'uploads.job', { jobId });
    if (summary.done) return summary;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sharedInput = () =>
  ({ cloud: 'tencent', name: 'shared-tencent', endpoint: tencent.url, secretSource: 'team', secret: { accessKeyId: secret.accessKeyId, accessKeySecret: secret.accessKeySecret } }) as const;

let ann: VaultSwitcher;
let bob: VaultSwitcher;
let vic: VaultSwitcher;
let cara: VaultSwitcher;
let dan: VaultSwitcher;
let annEnv: TeamEnvironment;
let shared: CloudAccount;

beforeAll(async () => {
  log.setSink((line) => seen.push(line));
  cluster = await startPgCluster();
  tencent = await startTencentEmulator();
  leaves = makeLeaves(3, { prefix: 'shared' });
  const { address, password } = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const admin = openTeamDb({ address, password: password ?? '' });
  await sql`CREATE DATABASE certvault`.execute(admin);
  await admin.destroy();
  const url = cluster.url({ database: 'certvault', query: 'sslmode=disable' });
  annEnv = computer('ann');
  await createTeam(annEnv, { url, name: 'ops', memberName: 'Ann' });
  useVault(annEnv, 'ops');
  const members = [
    [computer('bob'), 'Bob', 'operator'],
    [computer('vic'), 'Vic', 'viewer'],
    [computer('cara'), 'Cara', 'operator'],
    [computer('dan'), 'Dan', 'operator'],
  ] as const;
  for (const [env, memberName, role] of members) {
    const request = await joinTeam(env, { url, name: 'ops', memberName });
    await approveRequest(annEnv, 'ops', { requestId: request.requestId, role, phrase: request.fingerprintPhrase });
    useVault(env, 'ops');
  }
  ann = await openWindow(annEnv);
  const windows = await Promise.all(members.map(([env]) => openWindow(env)));
  [bob, vic, cara, dan] = [windows[0]!, windows[1]!, windows[2]!, windows[3]!];
}, 120_000);

afterAll(async () => {
  log.setSink(null);
  for (const switcher of switchers) await switcher.close();
  await tencent?.close();
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('shared cloud accounts on a team vault', () => {
  it('an admin shares an account: its secret is sealed in the team database, in no keychain, and audited', async () => {
    shared = await ok(ann, 'accounts.save', sharedInput());
    expect(shared).toMatchObject({ secretSource: 'team', secretStored: true, owner: null, confirmed: true });
    const row = await ann.current.vaultDb!().db.selectFrom('cloud_accounts').selectAll().where('id', '=', shared.id).executeTakeFirstOrThrow();
    expect(row.secret_sealed).toBeInstanceOf(Buffer);
    expect(row.secret_sealed!.includes(Buffer.from(secret.accessKeySecret))).toBe(false);
    expect(JSON.stringify(row)).not.toContain(secret.accessKeySecret);
    expect(await osKeychain().get(keychainAccount(shared.id))).toBeNull();
    const { rows } = await teamAudit(annEnv, 'ops', false);
    expect(rows.at(-1)).toMatchObject({ action: 'account.save', subject: shared.id, member_name: 'Ann', detail: { name: 'shared-tencent', cloud: 'tencent', shared: true } });
  });

  it('only an admin shares: an operator is refused by role, the local vault refuses sharing at all', async () => {
    const byOperator = await refused(bob, 'accounts.save', { ...sharedInput(), name: 'bob-shared' });
    expect(byOperator).toMatchObject({ code: 'team.role_required', params: { team: 'ops', role: 'operator', needed: 'admin', action: 'share-account' } });
    const editByOperator = await refused(bob, 'accounts.save', { id: shared.id, cloud: 'tencent', name: 'shared-tencent', endpoint: tencent.url, region: 'ap-beijing' });
    expect(editByOperator.code).toBe('team.role_required');

    const localHome = computer('local');
    const local = await openWindow(localHome);
    const onLocal = await refused(local, 'accounts.save', { ...sharedInput(), name: 'local-shared' });
    expect(onLocal).toMatchObject({ code: 'account.shared_needs_team', params: { name: 'local-shared' } });
    expect((await ok(local, 'accounts.list', {})).accounts).toEqual([]);
  });

  it('an operator uploads to the cloud with the shared account; a viewer cannot use it', async () => {
    const summary = await upload(bob, leaves[0]!, shared);
    expect(summary.results.map((result) => [result.accountName, result.status, result.error])).toEqual([['shared-tencent', 'uploaded', null]]);
    expect(tencent.state.store.size).toBe(1);

    const tested = await refused(vic, 'accounts.test', { id: shared.id });
    expect(tested).toMatchObject({ code: 'team.viewer_no_key', params: { team: 'ops' } });
    const started = await refused(vic, 'uploads.start', { certificateId: summary.certificateId!, targets: [{ accountId: shared.id }] });
    expect(started).toMatchObject({ code: 'team.role_required', params: { role: 'viewer', action: 'upload' } });
    const synced = await refused(vic, 'inventory.sync', { accounts: [shared.id] });
    expect(synced).toMatchObject({ code: 'team.role_required', params: { role: 'viewer', action: 'sync' } });
  });

  it("a personal account's settings are the team's, its secret its owner's: another member is told whose it is", async () => {
    const personal = await ok(cara, 'accounts.save', { ...sharedInput(), name: 'cara-own', secretSource: 'keychain' });
    const caraId = cara.current.team!().member!.id;
    expect(personal).toMatchObject({ secretSource: 'keychain', secretStored: true, owner: { id: caraId, name: 'Cara' } });
    expect((await ok(cara, 'accounts.test', { id: personal.id })).verdict).toBe('works');

    const seenByBob = (await ok(bob, 'accounts.list', {})).accounts.find((account) => account.id === personal.id);
    expect(seenByBob).toMatchObject({ secretStored: false, owner: { name: 'Cara' }, endpoint: tencent.url });
    const error = await refused(bob, 'accounts.test', { id: personal.id });
    expect(error).toMatchObject({ code: 'account.personal_of_member', params: { name: 'cara-own', member: 'Cara' } });
    expect(error.message).toBe(translate('en', 'error.account.personal_of_member', { name: 'cara-own', member: 'Cara' }));
    expect(translate('zh-CN', 'error.account.personal_of_member', { name: 'cara-own', member: 'Cara' })).toContain('Cara');

    // Bob adds his own secret: from then on the personal account is his, and Cara is told so.
    const taken = await ok(bob, 'accounts.save', { id: personal.id, cloud: 'tencent', name: 'cara-own', endpoint: tencent.url, secret: { accessKeyId: secret.accessKeyId, accessKeySecret: secret.accessKeySecret } });
    expect(taken.owner?.name).toBe('Bob');
    expect((await ok(bob, 'accounts.test', { id: personal.id })).verdict).toBe('works');
    expect((await refused(cara, 'accounts.test', { id: personal.id })).params).toMatchObject({ member: 'Bob' });
  });

  it('removing a member re-seals the shared secret in the rotation: operators still upload, the old key opens nothing new', async () => {
    const oldKey = Buffer.from((await dan.current.team!().teamKey()).key);
    const vaultDb = ann.current.vaultDb!().db;
    const before = await vaultDb.selectFrom('cloud_accounts').select(['secret_nonce', 'secret_sealed', 'secret_key_version']).where('id', '=', shared.id).executeTakeFirstOrThrow();
    expect(unseal(oldKey, { nonce: before.secret_nonce!, ciphertext: before.secret_sealed! }, sharedSecretContext(shared.id))).not.toBeNull();

    const { keyVersion } = await removeMember(annEnv, 'ops', 'Dan');

    const after = await vaultDb.selectFrom('cloud_accounts').select(['secret_nonce', 'secret_sealed', 'secret_key_version']).where('id', '=', shared.id).executeTakeFirstOrThrow();
    expect(after.secret_key_version).toBe(keyVersion);
    expect(after.secret_key_version).toBe(before.secret_key_version! + 1);
    expect(unseal(oldKey, { nonce: after.secret_nonce!, ciphertext: after.secret_sealed! }, sharedSecretContext(shared.id))).toBeNull();
    const summary = await upload(bob, leaves[1]!, shared);
    expect(summary.results.map((result) => result.status)).toEqual(['uploaded']);
    const removed = await refused(dan, 'accounts.test', { id: shared.id });
    expect(removed.code).toBe('team.not_member');

    const { rows } = await teamAudit(annEnv, 'ops', false);
    expect(rows.find((row) => row.action === 'member.remove')?.detail).toMatchObject({ member: 'Dan', resealedAccounts: 1 });
  });

  it('a shared secret copied onto another account does not open there', async () => {
    const copy = await ok(ann, 'accounts.save', { ...sharedInput(), name: 'copy-target' });
    const vaultDb = ann.current.vaultDb!().db;
    const source = await vaultDb.selectFrom('cloud_accounts').select(['secret_nonce', 'secret_sealed']).where('id', '=', shared.id).executeTakeFirstOrThrow();
    await vaultDb.updateTable('cloud_accounts').set({ secret_nonce: source.secret_nonce, secret_sealed: source.secret_sealed }).where('id', '=', copy.id).execute();
    const error = await refused(bob, 'accounts.test', { id: copy.id });
    expect(error).toMatchObject({ code: 'account.shared_unreadable', params: { name: 'copy-target', team: 'ops' } });
  });

  it('an admin removes the shared account, audited as shared', async () => {
    expect(await ok(ann, 'accounts.remove', { id: 'copy-target' })).toMatchObject({ name: 'copy-target', shared: true });
    const { rows } = await teamAudit(annEnv, 'ops', false);
    expect(rows.at(-1)).toMatchObject({ action: 'account.remove', member_name: 'Ann', detail: { name: 'copy-target', shared: true } });
    const byOperator = await refused(bob, 'accounts.remove', { id: shared.id });
    expect(byOperator).toMatchObject({ code: 'team.role_required', params: { needed: 'admin' } });
  });

  it('no IPC answer or log line of any of the above carries the shared secret', () => {
    // The recorder saw the traffic and the log, or this proves nothing.
    expect(seen.some((line) => line.includes('"secretSource":"team"'))).toBe(true);
    expect(seen.some((line) => line.includes('account_saved'))).toBe(true);
    for (const line of seen) expect(line.includes(secret.accessKeySecret), 'an answer or log line carries the shared secret').toBe(false);
  });
});
