import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { osKeychain, type SecretStore } from '../../../main/core/keychain';
import { teamAudit } from '../../../main/core/team/audit';
import { loadMemberKey } from '../../../main/core/team/crypto/member-key';
import { unwrapTeamKey } from '../../../main/core/team/crypto/team-key';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { TeamListener } from '../../../main/core/team/db/listener';
import type { TeamNotification } from '../../../main/core/team/db/notify';
import { approveRequest, createTeam, currentTeamKey, joinTeam, listMembers, listRequests, removeMember } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { TeamSettingsStore, TEAM_SETTINGS_FILE } from '../../../main/core/team/team-settings';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// Three computers on one throwaway PostgreSQL: Ann (admin) keeps her member key in the real OS
// keychain (the throwaway Secret Service of scripts/with-keyring.sh); Bob (viewer) and Cat
// (operator) in in-memory keychains. Each has its own data folder.

let cluster: PgCluster;
const homes: string[] = [];
const ownerPassword = 'owner-' + Math.random().toString(36).slice(2);
const appPassword = 'app-' + Math.random().toString(36).slice(2);

function computer(machine: string, secrets: SecretStore): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-team-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets, now: () => new Date(), machine };
}

let ann: TeamEnvironment;
let bob: TeamEnvironment;
let cat: TeamEnvironment;
const bobKeys = new MemorySecretStore();
const catKeys = new MemorySecretStore();
const ownerUrl = () => cluster.url({ user: 'certvault_owner', password: ownerPassword, database: 'certvault', query: 'sslmode=disable' });
const appUrl = () => cluster.url({ user: 'certvault_app', password: appPassword, database: 'certvault', query: 'sslmode=disable' });

/** The ```sql blocks of docs/team-vault.md, statement by statement. */
function documentedSql(): string[][] {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/team-vault.md'), 'utf8');
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!.split(/;\s*\n/).map((statement) => statement.trim()).filter(Boolean));
}

async function asRole(url: string, statements: readonly string[]): Promise<void> {
  const { address, password } = parseTeamUrl(url);
  const db = openTeamDb({ address, password: password ?? '' });
  try {
    for (const statement of statements) await sql.raw(statement).execute(db);
  } finally {
    await db.destroy();
  }
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

const notifications: TeamNotification[] = [];
const waiting: { action: string; resolve: (at: number) => void }[] = [];
let listener: TeamListener;

/** Resolves with the arrival time of the next notification of `action`. */
function nextNotification(action: string): Promise<number> {
  return new Promise((resolve) => waiting.push({ action, resolve }));
}

beforeAll(async () => {
  assertThrowawayKeyring();
  cluster = await startPgCluster();
  const [createRoles, grants] = documentedSql();
  await asRole(cluster.url({ query: 'sslmode=disable' }), createRoles!.map((s) => s.replace('owner-password', ownerPassword).replace('app-password', appPassword)));
  ann = computer('ann-laptop', osKeychain());
  bob = computer('bob-desktop', bobKeys);
  cat = computer('cat-desktop', catKeys);
  await createTeam(ann, { url: ownerUrl(), name: 'ops', memberName: 'Ann' });
  await asRole(ownerUrl(), grants!);
  const { address } = parseTeamUrl(appUrl());
  listener = new TeamListener(
    { address, password: appPassword },
    {
      onNotification: (notification) => {
        notifications.push(notification);
        const at = performance.now();
        for (const waiter of waiting.splice(0).filter((w) => w.action === notification.action)) waiter.resolve(at);
      },
    },
  );
  await listener.start();
});

afterAll(async () => {
  await listener?.close();
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('a team of three on one PostgreSQL', () => {
  let bobRequest: { requestId: string; fingerprintPhrase: string };
  let catRequest: { requestId: string; fingerprintPhrase: string };

  it('create stores no password in the settings file; the password and member key are in the keychain', async () => {
    const text = fs.readFileSync(path.join(ann.dataDir, TEAM_SETTINGS_FILE), 'utf8');
    expect(text).not.toContain(ownerPassword);
    const entry = new TeamSettingsStore(ann.dataDir).find('ops');
    expect(entry.url).toBe(`postgres://certvault_owner@127.0.0.1:${cluster.port}/certvault?sslmode=disable`);
    expect(await ann.secrets.get('team-db:ops')).toBe(ownerPassword);
    expect(await loadMemberKey(ann.secrets, entry.teamId, entry.memberId)).not.toBeNull();
    const members = await listMembers(ann, 'ops');
    expect(members.map((m) => [m.name, m.role, m.machine])).toEqual([['Ann', 'admin', 'ann-laptop']]);
  });

  it('join publishes a request whose phrase the admin sees identically, and announces it live', async () => {
    const sent = performance.now();
    const arrived = nextNotification('member.request');
    bobRequest = await joinTeam(bob, { url: appUrl(), name: 'ops', memberName: 'Bob' });
    const latencyMs = (await arrived) - sent;
    console.info(`team: join request notification arrived ${latencyMs.toFixed(0)} ms after join started`);
    expect(bobRequest.fingerprintPhrase).toMatch(/^\d{5}( \d{5}){5}$/);
    const requests = await listRequests(ann, 'ops');
    expect(requests).toEqual([expect.objectContaining({ id: bobRequest.requestId, member: 'Bob', machine: 'bob-desktop', fingerprintPhrase: bobRequest.fingerprintPhrase })]);
    // The app role's password went to Bob's keychain, not his settings file.
    expect(fs.readFileSync(path.join(bob.dataDir, TEAM_SETTINGS_FILE), 'utf8')).not.toContain(appPassword);
    expect(await bobKeys.get('team-db:ops')).toBe(appPassword);
  });

  it('approve refuses a phrase that does not match, and an approval from a non-admin', async () => {
    const wrong = await failure(approveRequest(ann, 'ops', { requestId: bobRequest.requestId, role: 'viewer', phrase: '11111 22222 33333 44444 55555 66666' }));
    expect(wrong.code).toBe('team.phrase_mismatch');
    const notMember = await failure(approveRequest(bob, 'ops', { requestId: bobRequest.requestId, role: 'admin', phrase: bobRequest.fingerprintPhrase }));
    expect(notMember.code).toBe('team.not_member');
    expect(await listRequests(ann, 'ops')).toHaveLength(1);
  });

  it('a viewer is approved by phrase and holds no team key: its keychain cannot open one', async () => {
    // Spaces and line breaks as read aloud do not matter; the digits do.
    await approveRequest(ann, 'ops', { requestId: bobRequest.requestId, role: 'viewer', phrase: bobRequest.fingerprintPhrase.replace(/ /g, '\n') });
    expect((await failure(currentTeamKey(bob, 'ops'))).code).toBe('team.no_team_key');
    expect((await failure(removeMember(bob, 'ops', 'Ann'))).code).toBe('team.not_admin');
    // Cryptography, not a check: Bob's own key cannot open the wrap made for Ann either.
    const annEntry = new TeamSettingsStore(ann.dataDir).find('ops');
    const bobPair = (await loadMemberKey(bobKeys, annEntry.teamId, bobRequest.requestId))!;
    const db = openTeamDb({ address: parseTeamUrl(appUrl()).address, password: appPassword });
    try {
      const wraps = await db.selectFrom('team_key_wraps').selectAll().execute();
      expect(wraps.map((w) => w.member_id)).toEqual([annEntry.memberId]);
      await expect(unwrapTeamKey(wraps[0]!.wrapped, bobPair, { teamId: annEntry.teamId, memberId: bobRequest.requestId, keyVersion: 1 })).rejects.toMatchObject({ code: 'team.key_unwrap_failed' });
      await expect(unwrapTeamKey(wraps[0]!.wrapped, bobPair, { teamId: annEntry.teamId, memberId: annEntry.memberId, keyVersion: 1 })).rejects.toMatchObject({ code: 'team.key_unwrap_failed' });
    } finally {
      await db.destroy();
    }
  });

  it('an operator is given the team key: its keychain opens the same key as the admin', async () => {
    catRequest = await joinTeam(cat, { url: appUrl(), name: 'ops', memberName: 'Cat' });
    const approved = nextNotification('member.approve');
    await approveRequest(ann, 'ops', { requestId: catRequest.requestId, role: 'operator', phrase: catRequest.fingerprintPhrase });
    await approved;
    const annKey = await currentTeamKey(ann, 'ops');
    const catKey = await currentTeamKey(cat, 'ops');
    expect(catKey.keyVersion).toBe(1);
    expect(catKey.key.equals(annKey.key)).toBe(true);
  });

  it('removing the operator rotates the team key; their old wrap does not open the new version', async () => {
    const annEntry = new TeamSettingsStore(ann.dataDir).find('ops');
    const catPair = (await loadMemberKey(catKeys, annEntry.teamId, catRequest.requestId))!;
    const db = openTeamDb({ address: parseTeamUrl(appUrl()).address, password: appPassword });
    try {
      const oldWrap = (await db.selectFrom('team_key_wraps').select(['wrapped']).where('member_id', '=', catRequest.requestId).executeTakeFirstOrThrow()).wrapped;
      const oldKey = (await currentTeamKey(cat, 'ops')).key;
      const removed = await removeMember(ann, 'ops', 'Cat');
      expect(removed.keyVersion).toBe(2);
      const newKey = await currentTeamKey(ann, 'ops');
      expect(newKey.keyVersion).toBe(2);
      expect(newKey.key.equals(oldKey)).toBe(false);
      await expect(unwrapTeamKey(oldWrap, catPair, { teamId: annEntry.teamId, memberId: catRequest.requestId, keyVersion: 2 })).rejects.toMatchObject({ code: 'team.key_unwrap_failed' });
      // What Cat may have kept opens only the old version, which now seals nothing.
      expect((await unwrapTeamKey(oldWrap, catPair, { teamId: annEntry.teamId, memberId: catRequest.requestId, keyVersion: 1 })).equals(oldKey)).toBe(true);
      const wraps = await db.selectFrom('team_key_wraps').select(['member_id', 'key_version']).execute();
      expect(wraps).toEqual([{ member_id: annEntry.memberId, key_version: 2 }]);
      expect((await failure(currentTeamKey(cat, 'ops'))).code).toBe('team.not_member');
      expect((await failure(currentTeamKey(bob, 'ops'))).code).toBe('team.no_team_key');
      const members = await listMembers(ann, 'ops');
      expect(members.map((m) => [m.name, m.role, m.status])).toEqual([
        ['Ann', 'admin', 'active'],
        ['Bob', 'viewer', 'active'],
        ['Cat', 'operator', 'removed'],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('the audit log verifies, and a row changed by a superuser (trigger disabled) is detected', async () => {
    const report = await teamAudit(bob, 'ops', true);
    expect(report.rows.map((row) => [row.action, row.member_name, row.machine])).toEqual([
      ['team.create', 'Ann', 'ann-laptop'],
      ['member.request', 'Bob', 'bob-desktop'],
      ['member.approve', 'Ann', 'ann-laptop'],
      ['member.request', 'Cat', 'cat-desktop'],
      ['member.approve', 'Ann', 'ann-laptop'],
      ['member.remove', 'Ann', 'ann-laptop'],
    ]);
    expect(report.verdict).toEqual({ ok: true, rows: 6, head: expect.objectContaining({ seq: 6 }) });
    expect(notifications.map((n) => n.action)).toEqual(['member.request', 'member.approve', 'member.request', 'member.approve', 'member.remove']);

    const superuser = cluster.url({ database: 'certvault', query: 'sslmode=disable' });
    // Dropping the newest row leaves a consistent, shorter chain: only a computer that verified
    // that row before notices. Bob did; Ann never verified.
    await asRole(superuser, [
      'CREATE TABLE kept AS SELECT * FROM audit_log WHERE seq = 6',
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
      'DELETE FROM audit_log WHERE seq = 6',
    ]);
    expect((await teamAudit(bob, 'ops', true)).verdict).toEqual({ ok: false, firstBadSeq: 6, reason: 'row_removed' });
    expect((await teamAudit(ann, 'ops', true)).verdict).toMatchObject({ ok: true, rows: 5 });

    await asRole(superuser, ['INSERT INTO audit_log SELECT * FROM kept', `UPDATE audit_log SET machine = 'somewhere-else' WHERE seq = 3`, 'ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only']);
    expect((await teamAudit(bob, 'ops', true)).verdict).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_changed' });
    expect((await teamAudit(ann, 'ops', true)).verdict).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_changed' });
  });
});
