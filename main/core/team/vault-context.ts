import type { Transaction } from 'kysely';
import type { AuditInTransaction, VaultDb } from '../db/vault-db';
import { localActor, type Actor } from '../ipc/actor';
import type { HandlerContext } from '../ipc/context';
import { log } from '../log';
import { appendAuditOrRefuse, type AuditActor } from './audit';
import { TeamDataKeys } from './data-keys';
import { teamDbCall } from './db/connect';
import type { TeamDatabase } from './db/schema';
import type { TeamVaultStatus } from '../../../shared/team';
import { openTeamVaultDb, type OpenTeamVaultOptions } from './open-vault-db';
import { readStanding, standingActions, standingView, type MemberStanding } from './member-standing';
import { machineName, type TeamEnvironment } from './session';
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
  /** Each change of the connection, and of this member's role or membership (re-read on the team's announcements). */
  onStatus(listener: (status: TeamVaultStatus) => void): () => void;
  close(): Promise<void>;
}

/** Opens the team vault `name` of this computer's settings (openTeamVaultDb: the only place that connects). */
export async function openTeamVaultContext(env: TeamEnvironment, name: string, options: OpenTeamVaultOptions = { keepCopy: false }): Promise<TeamVaultContext> {
  const entry = new TeamSettingsStore(env.dataDir).find(name);
  const standingListeners = new Set<(status: TeamVaultStatus) => void>();
  let reread: () => void = () => undefined;
  const opened = await openTeamVaultDb(env, entry, {
    ...options,
    // An admin may change this member's role (or remove it) while the window is open: it follows at once.
    announce: (action) => {
      if (standingActions.has(action)) reread();
      options.announce?.(action);
    },
  });
  const { vault, teamDb, address } = opened;
  let standing: MemberStanding = opened.member ? { state: 'member', member: opened.member } : { state: 'unknown' };
  const status = (): TeamVaultStatus => ({ ...vault.status(), standing: standingView(standing, entry.name) });
  const rereads = new Rereads(async () => {
    const read = await teamDbCall(address, () => readStanding(teamDb(), entry));
    if (sameStanding(read, standing)) return;
    standing = read;
    const now = status();
    for (const listener of standingListeners) listener(now);
  }, name);
  reread = () => rereads.request();
  // A vault opened offline learns its member once its server answers again.
  const stopLearning = vault.onChange((connection) => {
    if (connection.online && standing.state === 'unknown') reread();
  });
  const member = () => (standing.state === 'member' ? standing.member : null);
  const machine = machineName(env);
  // Whoever acts, as the vault knows them now: opened offline, nothing is written in anyone's name.
  const actor = (): AuditActor => {
    const current = member();
    if (!current) throw vault.offlineError();
    return { memberId: current.id, memberName: current.name, machine };
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
      const current = member();
      return current && { id: current.id, name: current.name };
    },
    get role() {
      return member()?.role ?? null;
    },
    announcesChanges: options.keepCopy && options.announce !== undefined,
    removedBy: () => (standing.state === 'removed' ? standing.by : null),
    status,
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
    actor: () => {
      const current = member();
      return { machine, user: current?.name ?? localActor().user, member: current && { id: current.id, name: current.name } };
    },
    scope,
    connection: vault,
    onStatus: (listener) => {
      const stopConnection = vault.onChange(() => listener(status()));
      standingListeners.add(listener);
      return () => {
        stopConnection();
        standingListeners.delete(listener);
      };
    },
    close: async () => {
      stopLearning();
      reread = () => undefined;
      standingListeners.clear();
      await rereads.settled();
      dataKeys.forget();
      await vault.close();
    },
  };
}

function sameStanding(a: MemberStanding, b: MemberStanding): boolean {
  if (a.state === 'member' && b.state === 'member') return a.member.role === b.member.role && a.member.name === b.member.name;
  if (a.state === 'removed' && b.state === 'removed') return a.by === b.by;
  return a.state === b.state;
}

/** One read of the member's row at a time; announcements during a read ask for one more after it, not one each. */
class Rereads {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly read: () => Promise<void>,
    private readonly vault: string,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = null));
  }

  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      // Offline, or a query the server refused: the last standing holds; the next announcement or reconnect reads again.
      await this.read().catch((error: unknown) => log.warn('team_member_read_failed', { vault: this.vault, error }));
    } while (this.again);
  }
}

/** What a handler context takes from a team vault: every store opens over its database, keys seal with its key. */
export function onTeamVault(team: TeamVaultContext): Pick<HandlerContext, 'vaultDb' | 'dataKeys' | 'actor' | 'team'> {
  return { vaultDb: () => team.vaultDb, dataKeys: () => team.dataKeys, actor: team.actor, team: () => team.scope };
}
