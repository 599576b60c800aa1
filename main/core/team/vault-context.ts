import type { Transaction } from 'kysely';
import type { AuditInTransaction, VaultDb } from '../db/vault-db';
import { localActor, type Actor } from '../ipc/actor';
import type { HandlerContext } from '../ipc/context';
import { log } from '../log';
import { appendAuditOrRefuse, type AuditActor } from './audit';
import { TeamDataKeys } from './data-keys';
import { teamDbCall } from './db/connect';
import type { Member, TeamDatabase } from './db/schema';
import { openTeamVaultDb, type OpenTeamVaultOptions } from './open-vault-db';
import { currentMember, machineName, type TeamEnvironment } from './session';
import { TeamSettingsStore } from './team-settings';
import { followingVaultDb, type TeamVaultConnection } from './vault-connection';
import type { TeamVaultScope } from './vault-scope';

// What a handler context needs to work on a team vault instead of the local one: its database
// (the server, or the local copy read-only while it is out of reach), the team key as the data
// key, who acts (for audit rows and locks) and in which role.

export interface TeamVaultContext {
  readonly vaultDb: VaultDb;
  readonly dataKeys: TeamDataKeys;
  readonly actor: () => Actor;
  readonly scope: TeamVaultScope;
  readonly connection: TeamVaultConnection;
  close(): Promise<void>;
}

/** Opens the team vault `name` of this computer's settings (openTeamVaultDb: the only place that connects). */
export async function openTeamVaultContext(env: TeamEnvironment, name: string, options: OpenTeamVaultOptions = { keepCopy: false }): Promise<TeamVaultContext> {
  const entry = new TeamSettingsStore(env.dataDir).find(name);
  const opened = await openTeamVaultDb(env, entry, options);
  const { vault, teamDb, address } = opened;
  // Read at open; a vault opened offline learns it once its server answers again.
  let member: Member | null = opened.member;
  const stopLearning = vault.onChange((status) => {
    if (!status.online || member) return;
    void teamDbCall(address, () => currentMember(teamDb(), entry)).then(
      (read) => (member = read),
      (error: unknown) => log.warn('team_member_read_failed', { vault: name, error }),
    );
  });
  const machine = machineName(env);
  // Whoever acts, as the vault knows them now: opened offline, nothing is written in anyone's name.
  const actor = (): AuditActor => {
    if (!member) throw vault.offlineError();
    return { memberId: member.id, memberName: member.name, machine };
  };
  const auditIn: AuditInTransaction = async (trx, audited) => {
    // The vault tables and the team tables share one database and pool: only the types differ.
    await appendAuditOrRefuse(trx as unknown as Transaction<TeamDatabase>, entry, actor(), audited, env.now());
  };
  const vaultDb = followingVaultDb(vault, auditIn);
  const dataKeys = new TeamDataKeys({ teamDb, vaultDb, address, secrets: env.secrets, entry });
  const scope: TeamVaultScope = {
    name: entry.name,
    teamId: entry.teamId,
    get member() {
      return member && { id: member.id, name: member.name };
    },
    get role() {
      return member?.role ?? null;
    },
    announcesChanges: options.keepCopy && options.announce !== undefined,
    status: () => vault.status(),
    offline: () => (vault.status().online ? null : vault.offlineError()),
    teamKey: () => dataKeys.current(),
    memberNames: async (ids) => {
      const db = teamDb();
      const rows = await teamDbCall(address, () => db.selectFrom('members').select(['id', 'name']).where('id', 'in', ids).execute());
      return new Map(rows.map((row) => [row.id, row.name]));
    },
  };
  return {
    vaultDb,
    dataKeys,
    // Opened offline, the member is not known yet: actions are refused then, nothing is written in its name.
    actor: () => ({ machine, user: member?.name ?? localActor().user, member: member && { id: member.id, name: member.name } }),
    scope,
    connection: vault,
    close: async () => {
      stopLearning();
      dataKeys.forget();
      await vault.close();
    },
  };
}

/** What a handler context takes from a team vault: every store opens over its database, keys seal with its key. */
export function onTeamVault(team: TeamVaultContext): Pick<HandlerContext, 'vaultDb' | 'dataKeys' | 'actor' | 'team'> {
  return { vaultDb: () => team.vaultDb, dataKeys: () => team.dataKeys, actor: team.actor, team: () => team.scope };
}
