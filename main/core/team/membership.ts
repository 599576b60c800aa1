import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { VaultError } from '../../../shared/errors';
import { appendAuditOrRefuse, type AuditActor } from './audit';
import { fingerprintPhrase } from './crypto/fingerprint-phrase';
import { generateMemberKeyPair, requireMemberKey, saveMemberKey } from './crypto/member-key';
import { newTeamKey, unwrapTeamKey, wrapTeamKey } from './crypto/team-key';
import { hostPort, parseTeamUrl, teamUrl, type TeamDbAddress } from './db/connection-url';
import { migrateTeamSchema, requireCurrentSchema } from './db/migrations';
import { resolveDbPassword, saveDbPassword, type PasswordSources } from './db/password';
import type { JoinRequest, Member, MemberRole, TeamDatabase } from './db/schema';
import { connectSession, currentMember, machineName, requireAdmin, withSession, type TeamEnvironment, type TeamSession } from './session';
import { checkVaultName, TeamSettingsStore, type TeamEntry } from './team-settings';
import { resealTeamVault } from './reseal-vault';
import type { VaultTables } from '../db/tables';

// Who is in a team and who holds its key. The team key exists only wrapped to each non-viewer
// member's public key: a viewer is never given one, so a viewer's app cannot open a private key
// whatever it is told. Every change writes its audit row in the same transaction.

export interface TeamAddressInput {
  readonly url: string;
  /** The local name of this vault (`team use NAME`). */
  readonly name: string;
  /** The person, as other members see them. */
  readonly memberName: string;
  readonly passwordStdin?: string | undefined;
  readonly pgPassword?: string | undefined;
}

/** `team create`: migrates the empty database (the explicit admin action), makes the creator its first admin. */
export async function createTeam(env: TeamEnvironment, input: TeamAddressInput): Promise<{ teamId: string; memberId: string }> {
  const name = checkVaultName(input.name);
  const settings = new TeamSettingsStore(env.dataDir);
  if (settings.read().teams.some((team) => team.name === name)) throw new VaultError('team.name_taken', { name });
  const { entry, session, password } = await connectNew(env, input, name);
  try {
    await session.call((db) => migrateTeamSchema(db));
    const existing = await session.call((db) => db.selectFrom('team').select(['name']).executeTakeFirst());
    if (existing) throw new VaultError('team.exists', { address: hostPort(session.address), team: existing.name });
    const pair = await generateMemberKeyPair();
    const teamKey = newTeamKey();
    const at = env.now();
    const machine = machineName(env);
    // The key goes to the keychain before the member exists in the database: a failed commit
    // leaves an unused keychain entry, never a member whose key is lost.
    await saveMemberKey(env.secrets, entry.teamId, entry.memberId, pair);
    const wrapped = await wrapTeamKey(teamKey, pair.publicKey, { teamId: entry.teamId, memberId: entry.memberId, keyVersion: 1 });
    await session.call((db) =>
      db.transaction().execute(async (tx) => {
        await tx.insertInto('team').values({ id: entry.teamId, name, created_at: at, key_version: 1 }).execute();
        await tx
          .insertInto('members')
          .values({ id: entry.memberId, name: input.memberName, machine, public_key: pair.publicKey, role: 'admin', status: 'active', added_by: null, added_at: at })
          .execute();
        await tx.insertInto('team_key_wraps').values({ member_id: entry.memberId, key_version: 1, wrapped }).execute();
        await appendAuditOrRefuse(tx, entry, { memberId: entry.memberId, memberName: input.memberName, machine }, { action: 'team.create', subject: name, detail: { keyVersion: 1 } }, at);
      }),
    );
    await saveDbPassword(env.secrets, name, password);
    settings.add(entry);
    return { teamId: entry.teamId, memberId: entry.memberId };
  } finally {
    await session.close();
  }
}

/** `team join`: publishes a join request with a new member key; an admin approves it by its fingerprint phrase. */
export async function joinTeam(env: TeamEnvironment, input: TeamAddressInput): Promise<{ requestId: string; fingerprintPhrase: string }> {
  const name = checkVaultName(input.name);
  const settings = new TeamSettingsStore(env.dataDir);
  if (settings.read().teams.some((team) => team.name === name)) throw new VaultError('team.name_taken', { name });
  const { entry: draft, session, password } = await connectNew(env, input, name);
  try {
    await session.call((db) => requireCurrentSchema(db, session.address));
    const team = await session.call((db) => db.selectFrom('team').select(['id']).executeTakeFirst());
    if (!team) throw new VaultError('team.schema_missing', { address: hostPort(session.address) });
    // Approval keeps the request's id as the member id, so the key is filed under it now.
    const entry: TeamEntry = { ...draft, teamId: team.id };
    const requestId = entry.memberId;
    const pair = await generateMemberKeyPair();
    await saveMemberKey(env.secrets, entry.teamId, requestId, pair);
    const at = env.now();
    const machine = machineName(env);
    await session.call((db) =>
      db.transaction().execute(async (tx) => {
        await tx.insertInto('join_requests').values({ id: requestId, name: input.memberName, machine, public_key: pair.publicKey, created_at: at, status: 'pending', decided_by: null }).execute();
        await appendAuditOrRefuse(tx, entry, { memberId: null, memberName: input.memberName, machine }, { action: 'member.request', subject: requestId, detail: {} }, at);
      }),
    );
    await saveDbPassword(env.secrets, name, password);
    settings.add(entry);
    return { requestId, fingerprintPhrase: fingerprintPhrase(entry.teamId, requestId, pair.publicKey) };
  } finally {
    await session.close();
  }
}

async function connectNew(env: TeamEnvironment, input: TeamAddressInput, name: string): Promise<{ entry: TeamEntry; session: TeamSession; password: string }> {
  const { address, password: fromUrl } = parseTeamUrl(input.url);
  const { password } = await resolveDbPassword(env.secrets, name, { fromStdin: input.passwordStdin, fromUrl, fromEnv: input.pgPassword });
  const entry: TeamEntry = { name, url: teamUrl(address), sslmode: address.sslmode, ...(address.caFile ? { caFile: address.caFile } : {}), teamId: randomUUID(), memberId: randomUUID() };
  return { entry, session: connectSession(entry, address, password), password };
}

export interface PendingRequest {
  readonly id: string;
  readonly member: string;
  readonly machine: string;
  readonly createdAt: string;
  readonly fingerprintPhrase: string;
}

export async function listRequests(env: TeamEnvironment, name: string, sources?: PasswordSources): Promise<PendingRequest[]> {
  return withSession(env, name, sources, async (session) => {
    const rows = await session.call((db) => db.selectFrom('join_requests').selectAll().where('status', '=', 'pending').orderBy('created_at').execute());
    return rows.map((row) => ({ id: row.id, member: row.name, machine: row.machine, createdAt: row.created_at.toISOString(), fingerprintPhrase: fingerprintPhrase(session.entry.teamId, row.id, row.public_key) }));
  });
}

/** The phrase as the admin typed it, compared on its digits only (spaces and line breaks do not matter). */
function samePhrase(typed: string, expected: string): boolean {
  return typed.replace(/\D/g, '') === expected.replace(/\D/g, '');
}

/**
 * Approves a join request after the admin confirmed its fingerprint phrase. Viewers get a member
 * record and no team key wrap; operators and admins get the current team key wrapped to them.
 */
export async function approveRequest(env: TeamEnvironment, name: string, input: { requestId: string; role: MemberRole; phrase: string }, sources?: PasswordSources): Promise<Member> {
  return withSession(env, name, sources, async (session) => {
    const { entry } = session;
    const pair = await requireMemberKey(env.secrets, entry.teamId, entry.memberId);
    return session.call((db) =>
      db.transaction().execute(async (tx) => {
        const admin = await requireAdmin(tx, entry);
        const team = await lockTeam(tx, session.address);
        const request = await tx.selectFrom('join_requests').selectAll().where('id', '=', input.requestId).where('status', '=', 'pending').forUpdate().executeTakeFirst();
        if (!request) throw new VaultError('team.request_not_found', { id: input.requestId });
        if (!samePhrase(input.phrase, fingerprintPhrase(entry.teamId, request.id, request.public_key))) throw new VaultError('team.phrase_mismatch', { id: request.id });
        const at = env.now();
        const member = { id: request.id, name: request.name, machine: request.machine, public_key: request.public_key, role: input.role, status: 'active' as const, added_by: admin.id, added_at: at };
        await tx.insertInto('members').values(member).execute();
        await tx.updateTable('join_requests').set({ status: 'approved', decided_by: admin.id }).where('id', '=', request.id).execute();
        if (input.role !== 'viewer') {
          const teamKey = await teamKeyOf(tx, entry, pair, team.key_version);
          const context = { teamId: entry.teamId, memberId: request.id, keyVersion: team.key_version };
          await tx.insertInto('team_key_wraps').values({ member_id: request.id, key_version: team.key_version, wrapped: await wrapTeamKey(teamKey, request.public_key, context) }).execute();
        }
        await appendAuditOrRefuse(tx, entry, actorOf(admin, env), { action: 'member.approve', subject: request.id, detail: { member: request.name, role: input.role, keyVersion: input.role === 'viewer' ? null : team.key_version } }, at);
        return member;
      }),
    );
  });
}

export async function listMembers(env: TeamEnvironment, name: string, sources?: PasswordSources): Promise<Member[]> {
  return (await roster(env, name, sources)).members;
}

/** The members, and this computer's own join request (whether an admin rejected it), in one session. */
export async function roster(env: TeamEnvironment, name: string, sources?: PasswordSources): Promise<{ members: Member[]; ownRequest: { status: JoinRequest['status'] } | null }> {
  return withSession(env, name, sources, (session) =>
    session.call(async (db) => ({
      members: await db.selectFrom('members').selectAll().orderBy('added_at').execute(),
      ownRequest: (await db.selectFrom('join_requests').select('status').where('id', '=', session.entry.memberId).executeTakeFirst()) ?? null,
    })),
  );
}

/**
 * Removes a member and rotates the team key in one transaction: a new key version wrapped to
 * every remaining operator and admin; every older wrap deleted, the removed member's included;
 * every private key, rollback material and shared account secret of the vault re-sealed under
 * the new key (rotateTeamKey). A removed member may still hold copies of what they could read before.
 */
export async function removeMember(env: TeamEnvironment, name: string, memberRef: string, sources?: PasswordSources): Promise<{ member: Member; keyVersion: number }> {
  return changeMember(env, name, memberRef, sources, async ({ tx, entry, pair, admin, team, member, others }) => {
    refuseLastAdmin(member, others);
    await tx.updateTable('members').set({ status: 'removed' }).where('id', '=', member.id).execute();
    const { keyVersion, resealedKeys, resealedRollbacks, resealedAccounts } = await rotateTeamKey(tx, entry, pair, team.key_version, others);
    await appendAuditOrRefuse(tx, entry, actorOf(admin, env), { action: 'member.remove', subject: member.id, detail: { member: member.name, role: member.role, keyVersion, resealedKeys, resealedRollbacks, resealedAccounts } }, env.now());
    return { member: { ...member, status: 'removed' as const }, keyVersion };
  });
}

/** What an admin's change to one active member works with, inside its transaction. */
interface MemberChange {
  readonly tx: Transaction<TeamDatabase>;
  readonly entry: TeamEntry;
  /** This computer's member key: opens the team key for a rotation or a new wrap. */
  readonly pair: Parameters<typeof unwrapTeamKey>[1];
  readonly admin: Member;
  /** The team row, locked: key versions move one change at a time. */
  readonly team: { key_version: number };
  readonly member: Member;
  /** The other active members. */
  readonly others: Member[];
}

/** Runs `work` as this computer's admin on one active member (ID or name), in one transaction. */
async function changeMember<T>(env: TeamEnvironment, name: string, memberRef: string, sources: PasswordSources | undefined, work: (change: MemberChange) => Promise<T>): Promise<T> {
  return withSession(env, name, sources, async (session) => {
    const { entry } = session;
    const pair = await requireMemberKey(env.secrets, entry.teamId, entry.memberId);
    return session.call((db) =>
      db.transaction().execute(async (tx) => {
        const admin = await requireAdmin(tx, entry);
        const team = await lockTeam(tx, session.address);
        const member = await findActiveMember(tx, memberRef);
        const others = await tx.selectFrom('members').selectAll().where('status', '=', 'active').where('id', '!=', member.id).execute();
        return work({ tx, entry, pair, admin, team, member, others });
      }),
    );
  });
}

/** A team always keeps an admin: the last one is neither removed nor given another role. */
function refuseLastAdmin(member: Member, others: readonly Member[]): void {
  if (member.role === 'admin' && !others.some((other) => other.role === 'admin')) throw new VaultError('team.last_admin', { member: member.name });
}

interface Rotation {
  readonly keyVersion: number;
  readonly resealedKeys: number;
  readonly resealedRollbacks: number;
  readonly resealedAccounts: number;
}

/**
 * A new team key version wrapped to each of `members` that is not a viewer, every older wrap
 * deleted, and every private key and rollback material of the vault (the vault tables share the
 * database) re-sealed under it: whoever is left out can no longer open what is sealed from now on.
 * Refuses unless this admin's own wrap opens the current key (an admin the last rotation left out
 * cannot rotate).
 */
async function rotateTeamKey(tx: Transaction<TeamDatabase>, entry: TeamEntry, pair: Parameters<typeof unwrapTeamKey>[1], current: number, members: readonly Member[]): Promise<Rotation> {
  const oldKey = await teamKeyOf(tx, entry, pair, current);
  const keyVersion = current + 1;
  const newKey = newTeamKey();
  try {
    const resealed = await resealTeamVault(tx as unknown as Transaction<VaultTables>, oldKey, newKey, keyVersion);
    for (const other of members.filter((candidate) => candidate.role !== 'viewer')) {
      const wrapped = await wrapTeamKey(newKey, other.public_key, { teamId: entry.teamId, memberId: other.id, keyVersion });
      await tx.insertInto('team_key_wraps').values({ member_id: other.id, key_version: keyVersion, wrapped }).execute();
    }
    await tx.deleteFrom('team_key_wraps').where('key_version', '<', keyVersion).execute();
    await tx.updateTable('team').set({ key_version: keyVersion }).where('id', '=', entry.teamId).execute();
    return { keyVersion, resealedKeys: resealed.keys, resealedRollbacks: resealed.rollbacks, resealedAccounts: resealed.accounts };
  } finally {
    oldKey.fill(0);
    newKey.fill(0);
  }
}

/** `team reject ID`: refuses a pending join request; the requester's app then says it was rejected. */
export async function rejectRequest(env: TeamEnvironment, name: string, requestId: string, sources?: PasswordSources): Promise<PendingRequest> {
  return withSession(env, name, sources, async (session) => {
    const { entry } = session;
    return session.call((db) =>
      db.transaction().execute(async (tx) => {
        const admin = await requireAdmin(tx, entry);
        const request = await tx.selectFrom('join_requests').selectAll().where('id', '=', requestId).where('status', '=', 'pending').forUpdate().executeTakeFirst();
        if (!request) throw new VaultError('team.request_not_found', { id: requestId });
        await tx.updateTable('join_requests').set({ status: 'rejected', decided_by: admin.id }).where('id', '=', request.id).execute();
        await appendAuditOrRefuse(tx, entry, actorOf(admin, env), { action: 'member.reject', subject: request.id, detail: { member: request.name, machine: request.machine } }, env.now());
        return { id: request.id, member: request.name, machine: request.machine, createdAt: request.created_at.toISOString(), fingerprintPhrase: fingerprintPhrase(entry.teamId, request.id, request.public_key) };
      }),
    );
  });
}

export interface RoleChange {
  readonly member: Member;
  readonly from: MemberRole;
  /** The team key version after the change: a new one when a demotion to viewer rotated it. */
  readonly keyVersion: number;
  readonly rotated: boolean;
}

/**
 * `team role MEMBER --role ROLE`. Becoming an operator or admin from viewer: the current team key
 * is wrapped to them. Becoming a viewer: their wraps go and the team key is rotated, as for a
 * removal (they may have copied keys while they held it). The last admin keeps the role.
 */
export async function changeRole(env: TeamEnvironment, name: string, memberRef: string, role: MemberRole, sources?: PasswordSources): Promise<RoleChange> {
  return changeMember(env, name, memberRef, sources, async ({ tx, entry, pair, admin, team, member, others }) => {
    const from = member.role;
    if (from === role) return { member, from, keyVersion: team.key_version, rotated: false };
    refuseLastAdmin(member, others);
    await tx.updateTable('members').set({ role }).where('id', '=', member.id).execute();
    let keyVersion = team.key_version;
    const rotated = role === 'viewer';
    if (rotated) {
      ({ keyVersion } = await rotateTeamKey(tx, entry, pair, team.key_version, others));
    } else if (from === 'viewer') {
      const teamKey = await teamKeyOf(tx, entry, pair, team.key_version);
      try {
        const context = { teamId: entry.teamId, memberId: member.id, keyVersion };
        await tx.insertInto('team_key_wraps').values({ member_id: member.id, key_version: keyVersion, wrapped: await wrapTeamKey(teamKey, member.public_key, context) }).execute();
      } finally {
        teamKey.fill(0);
      }
    }
    await appendAuditOrRefuse(tx, entry, actorOf(admin, env), { action: 'member.role', subject: member.id, detail: { member: member.name, from, to: role, keyVersion, rotated } }, env.now());
    return { member: { ...member, role }, from, keyVersion, rotated };
  });
}

/** The current team key as this member's wrap opens it; `team.no_team_key` for a viewer (or a member the last rotation left out). */
export async function teamKeyOf(tx: Transaction<TeamDatabase>, entry: TeamEntry, pair: Parameters<typeof unwrapTeamKey>[1], keyVersion: number): Promise<Buffer> {
  const wrap = await tx.selectFrom('team_key_wraps').select(['wrapped']).where('member_id', '=', entry.memberId).where('key_version', '=', keyVersion).executeTakeFirst();
  if (!wrap) throw new VaultError('team.no_team_key', { version: keyVersion });
  return unwrapTeamKey(wrap.wrapped, pair, { teamId: entry.teamId, memberId: entry.memberId, keyVersion });
}

/** The team row, locked: approvals and rotations touching the key version run one at a time. */
async function lockTeam(tx: Transaction<TeamDatabase>, address: TeamDbAddress): Promise<{ key_version: number }> {
  const team = await tx.selectFrom('team').select(['key_version']).forUpdate().executeTakeFirst();
  if (!team) throw new VaultError('team.schema_missing', { address: hostPort(address) });
  return team;
}

async function findActiveMember(tx: Transaction<TeamDatabase>, ref: string): Promise<Member> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const matches = await tx
    .selectFrom('members')
    .selectAll()
    .where('status', '=', 'active')
    .where((eb) => (isId ? eb('id', '=', ref) : eb('name', '=', ref)))
    .forUpdate()
    .execute();
  if (matches.length === 0) throw new VaultError('team.member_not_found', { member: ref });
  if (matches.length > 1) throw new VaultError('team.member_ambiguous', { member: ref });
  return matches[0]!;
}

function actorOf(member: Member, env: TeamEnvironment): AuditActor {
  return { memberId: member.id, memberName: member.name, machine: machineName(env) };
}

/**
 * The current team key, opened with this computer's member key: what sealing and unsealing
 * private keys in the team vault will use. A viewer gets `team.no_team_key`: it was never given one.
 */
export async function currentTeamKey(env: TeamEnvironment, name: string, sources?: PasswordSources): Promise<{ keyVersion: number; key: Buffer }> {
  return withSession(env, name, sources, async (session) => {
    const { entry } = session;
    const pair = await requireMemberKey(env.secrets, entry.teamId, entry.memberId);
    return session.call((db) =>
      db.transaction().execute(async (tx) => {
        await currentMember(tx, entry);
        const { key_version: keyVersion } = await tx.selectFrom('team').select(['key_version']).executeTakeFirstOrThrow();
        return { keyVersion, key: await teamKeyOf(tx, entry, pair, keyVersion) };
      }),
    );
  });
}
