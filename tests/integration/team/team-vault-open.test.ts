import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { seal, unseal } from '../../../main/core/seal';
import { teamAudit } from '../../../main/core/team/audit';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { approveRequest, createTeam, joinTeam, removeMember } from '../../../main/core/team/membership';
import { requireRole } from '../../../main/core/team/roles';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { TeamSettingsStore } from '../../../main/core/team/team-settings';
import { openTeamVaultContext, type TeamVaultContext } from '../../../main/core/team/vault-context';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// Three computers open one team vault as their vault: Ann (admin), Bob (operator), Vic (viewer),
// each with its own data folder and keychain. What one seals with the team key another member
// opens; the viewer's keychain opens nothing; removing a member re-seals every key.

let cluster: PgCluster;
const homes: string[] = [];
const opened: TeamVaultContext[] = [];

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-open-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

const ann = computer('ann-laptop');
const bob = computer('bob-desktop');
const vic = computer('vic-desktop');

async function open(env: TeamEnvironment): Promise<TeamVaultContext> {
  const context = await openTeamVaultContext(env, 'ops');
  opened.push(context);
  return context;
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

async function join(env: TeamEnvironment, memberName: string, role: 'viewer' | 'operator'): Promise<void> {
  const request = await joinTeam(env, { url: cluster.url({ database: 'certvault', query: 'sslmode=disable' }), name: 'ops', memberName });
  await approveRequest(ann, 'ops', { requestId: request.requestId, role, phrase: request.fingerprintPhrase });
}

/**
 * A sealed private key row as the library writes it. Only the sealed key matters here, so its
 * entry row is left out: the superuser's replica mode skips the foreign key for this one insert.
 */
async function insertSealedKey(context: TeamVaultContext, entryId: string, sealed: { nonce: Buffer; ciphertext: Buffer }): Promise<void> {
  await context.vaultDb.db.transaction().execute(async (tx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(tx);
    await sql`INSERT INTO sealed_keys (entry_id, role, key_algorithm, nonce, ciphertext) VALUES (${entryId}, 'leaf', 'EC', ${sealed.nonce}, ${sealed.ciphertext})`.execute(tx);
  });
}

beforeAll(async () => {
  cluster = await startPgCluster();
  const { address, password } = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const admin = openTeamDb({ address, password: password ?? '' });
  await sql`CREATE DATABASE certvault`.execute(admin);
  await admin.destroy();
  await createTeam(ann, { url: cluster.url({ database: 'certvault', query: 'sslmode=disable' }), name: 'ops', memberName: 'Ann' });
  await join(bob, 'Bob', 'operator');
  await join(vic, 'Vic', 'viewer');
});

afterAll(async () => {
  for (const context of opened) await context.close();
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('opening a team vault as the vault', () => {
  it('gives the member, its role and a PostgreSQL vault database', async () => {
    const context = await open(bob);
    expect(context.vaultDb.engine).toBe('postgres');
    expect(context.scope.role).toBe('operator');
    expect(context.actor()).toEqual({ machine: 'bob-desktop', user: 'Bob', member: { id: new TeamSettingsStore(bob.dataDir).find('ops').memberId, name: 'Bob' } });
    expect(await context.vaultDb.db.selectFrom('cloud_accounts').select('id').execute()).toEqual([]);
  });

  it('an unreachable server is team.unreachable naming host and port, with nothing left open', async () => {
    const home = computer('far-away');
    const entry = new TeamSettingsStore(ann.dataDir).find('ops');
    new TeamSettingsStore(home.dataDir).add({ ...entry, url: entry.url.replace(`:${cluster.port}/`, ':1/') });
    await home.secrets.set('team-db:ops', 'whatever');
    const error = await failure(openTeamVaultContext(home, 'ops'));
    expect(error.code).toBe('team.unreachable');
    expect(error.params.address).toBe('127.0.0.1:1');
  });

  it('without the database password in the keychain: team.password_missing', async () => {
    const home = computer('no-password');
    new TeamSettingsStore(home.dataDir).add(new TeamSettingsStore(ann.dataDir).find('ops'));
    expect((await failure(openTeamVaultContext(home, 'ops'))).code).toBe('team.password_missing');
  });
});

describe('the team key as the data key', () => {
  it('what the admin seals an operator opens; the viewer holds no key and is told why', async () => {
    const annVault = await open(ann);
    const bobVault = await open(bob);
    const vicVault = await open(vic);
    const sealed = seal(await annVault.dataKeys.forSealing(), Buffer.from('private key bytes'), 'entry-1');
    const bobStatus = await bobVault.dataKeys.status();
    expect(bobStatus.state).toBe('ready');
    expect(unseal(bobStatus.state === 'ready' ? bobStatus.key : Buffer.alloc(32), sealed, 'entry-1')?.toString()).toBe('private key bytes');

    await insertSealedKey(annVault, 'entry-1', sealed);
    expect(await vicVault.dataKeys.status()).toEqual({ state: 'missing', sealedKeys: 1 });
    const refused = await failure(vicVault.dataKeys.forSealing());
    expect(refused.code).toBe('team.viewer_no_key');
    expect(refused.params.team).toBe('ops');
    await sql`DELETE FROM sealed_keys`.execute(annVault.vaultDb.db);
  });
});

describe('roles at the service boundary', () => {
  it('a viewer may not upload, an operator may, an admin may do all, the local vault has no roles', async () => {
    const vicVault = await open(vic);
    const bobVault = await open(bob);
    const annVault = await open(ann);
    const refused = (() => {
      try {
        requireRole({ team: () => vicVault.scope }, 'operator', 'upload');
        return null;
      } catch (error) {
        return error as VaultError;
      }
    })();
    expect(refused?.code).toBe('team.role_required');
    expect(refused?.params).toEqual({ team: 'ops', role: 'viewer', needed: 'operator', action: 'upload' });
    expect(() => requireRole({ team: () => bobVault.scope }, 'operator', 'upload')).not.toThrow();
    expect(() => requireRole({ team: () => bobVault.scope }, 'admin', 'account')).toThrow(VaultError);
    expect(() => requireRole({ team: () => annVault.scope }, 'admin', 'account')).not.toThrow();
    expect(() => requireRole({}, 'admin', 'account')).not.toThrow();
  });

  it("a vault action's audit row names the member and machine, and the chain still verifies", async () => {
    const bobVault = await open(bob);
    await bobVault.vaultDb.db.transaction().execute((trx) => bobVault.vaultDb.audit!(trx, { action: 'vault.import', subject: 'entry-9', detail: { imported: 1 } }));
    const { rows, verdict } = await teamAudit(ann, 'ops', true);
    expect(rows.at(-1)).toEqual(expect.objectContaining({ action: 'vault.import', subject: 'entry-9', member_name: 'Bob', machine: 'bob-desktop' }));
    expect(verdict?.ok).toBe(true);
  });
});

describe('removing a member rotates the key and re-seals the vault', () => {
  it('keys open with the new key for the remaining members; the removed member opens nothing new', async () => {
    const annVault = await open(ann);
    const bobVault = await open(bob);
    const oldKey = Buffer.from(await annVault.dataKeys.forSealing());
    await insertSealedKey(annVault, 'entry-2', seal(oldKey, Buffer.from('second key'), 'entry-2'));

    await removeMember(ann, 'ops', 'Bob');

    const newKey = await annVault.dataKeys.forSealing();
    expect(newKey.equals(oldKey)).toBe(false);
    const row = await annVault.vaultDb.db.selectFrom('sealed_keys').select(['nonce', 'ciphertext']).where('entry_id', '=', 'entry-2').executeTakeFirstOrThrow();
    expect(unseal(newKey, row, 'entry-2')?.toString()).toBe('second key');
    // Bob kept the old key: it opens nothing sealed now, and his app is refused as a member.
    expect(unseal(oldKey, row, 'entry-2')).toBeNull();
    expect((await failure(bobVault.dataKeys.status())).code).toBe('team.not_member');
    expect((await failure(openTeamVaultContext(bob, 'ops'))).code).toBe('team.not_member');
  });
});
