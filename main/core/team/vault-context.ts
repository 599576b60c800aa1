import type { VaultDb } from '../db/vault-db';
import type { Actor } from '../ipc/actor';
import type { HandlerContext } from '../ipc/context';
import { appendAudit, type AuditEntry } from './audit';
import { TeamDataKeys } from './data-keys';
import { teamDbCall, type TeamConnection } from './db/connect';
import type { MemberRole } from './db/schema';
import { openTeamVaultDb } from './open-vault-db';
import { machineName, type TeamEnvironment } from './session';
import { TeamSettingsStore } from './team-settings';
import type { TeamVaultScope } from './vault-scope';

// What a handler context needs to work on a team vault instead of the local one: its database,
// the team key as the data key, who acts (for audit rows and locks) and in which role.

export interface TeamVaultContext {
  readonly vaultDb: VaultDb;
  readonly dataKeys: TeamDataKeys;
  readonly actor: Actor;
  readonly role: MemberRole;
  readonly scope: TeamVaultScope;
  /** Where and as whom it connects, for a window's LISTEN connection (live-updates.ts). */
  readonly connection: TeamConnection;
  close(): Promise<void>;
}

/** Opens the team vault `name` of this computer's settings (openTeamVaultDb: the only place that connects). */
export async function openTeamVaultContext(env: TeamEnvironment, name: string): Promise<TeamVaultContext> {
  const entry = new TeamSettingsStore(env.dataDir).find(name);
  const { vaultDb, teamDb, address, connection, member } = await openTeamVaultDb(env, entry);
  const machine = machineName(env);
  const dataKeys = new TeamDataKeys({ teamDb, vaultDb, address, secrets: env.secrets, entry });
  const scope: TeamVaultScope = {
    name: entry.name,
    teamId: entry.teamId,
    member: { id: member.id, name: member.name },
    role: member.role,
    audit: (audited: AuditEntry) =>
      teamDbCall(address, () =>
        teamDb.transaction().execute(async (tx) => {
          await appendAudit(tx, entry.teamId, { memberId: member.id, memberName: member.name, machine }, audited, env.now());
        }),
      ),
    teamKey: () => dataKeys.current(),
    memberNames: async (ids) => {
      const rows = await teamDbCall(address, () => teamDb.selectFrom('members').select(['id', 'name']).where('id', 'in', ids).execute());
      return new Map(rows.map((row) => [row.id, row.name]));
    },
  };
  return {
    vaultDb,
    dataKeys,
    actor: { machine, user: member.name, member: { id: member.id, name: member.name } },
    role: member.role,
    scope,
    connection,
    close: async () => {
      dataKeys.forget();
      await vaultDb.close();
    },
  };
}

/** What a handler context takes from a team vault: every store opens over its database, keys seal with its key. */
export function onTeamVault(team: TeamVaultContext): Pick<HandlerContext, 'vaultDb' | 'dataKeys' | 'actor' | 'team'> {
  return { vaultDb: () => team.vaultDb, dataKeys: () => team.dataKeys, actor: () => team.actor, team: () => team.scope };
}
