import { VaultError } from '../../../shared/errors';
import type { Request, Response } from '../../../shared/ipc';
import type { AuditRowView, TeamMemberView, TeamVaultView, VaultsView } from '../../../shared/team';
import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import { teamAudit } from './audit';
import { auditTamperError } from './crypto/audit-chain';
import type { PasswordSources } from './db/password';
import type { AuditRow, Member } from './db/schema';
import { watchVault } from './live-updates';
import { memberSelf } from './member-self';
import { approveRequest, changeRole, createTeam, joinTeam, listRequests, rejectRequest, removeMember, roster } from './membership';
import type { TeamEnvironment } from './session';
import { TeamSettingsStore, type TeamEntry } from './team-settings';
import { listVaults, useVault } from './vaults';

// The team channels: thin over the team service (membership.ts, audit.ts, vaults.ts), spread into
// the handler map (main/core/ipc/handlers.ts). What leaves here is a view: no password, no key,
// no wrapped key, no raw bytes.

type TeamChannel =
  | 'team.vaults'
  | 'team.use'
  | 'team.create'
  | 'team.join'
  | 'team.requests'
  | 'team.approve'
  | 'team.reject'
  | 'team.members'
  | 'team.role'
  | 'team.remove'
  | 'team.audit'
  | 'team.watch'
  | 'team.status';

type TeamHandlers = { readonly [C in TeamChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

export function teamEnvironment(ctx: HandlerContext): TeamEnvironment {
  return { dataDir: ctx.dataDir, secrets: ctx.secrets?.() ?? osKeychain(), now: ctx.now };
}

/** A password the user typed just now takes precedence; without one, the keychain's. */
const typed = (password: string | undefined): PasswordSources => ({ fromStdin: password });

export const teamHandlers: TeamHandlers = {
  'team.vaults': async (ctx) => vaultsView(teamEnvironment(ctx)),
  'team.use': async (ctx, { name }) => {
    const env = teamEnvironment(ctx);
    // The window opens the vault first: one it cannot open is neither in use nor recorded.
    await ctx.switchVault?.(name);
    useVault(env, name);
    return vaultsView(env);
  },
  'team.create': async (ctx, request) => {
    const env = teamEnvironment(ctx);
    await createTeam(env, setUpInput(request));
    return { vault: savedVault(env, request.name) };
  },
  'team.join': async (ctx, request) => {
    const env = teamEnvironment(ctx);
    const { requestId, fingerprintPhrase } = await joinTeam(env, setUpInput(request));
    return { vault: savedVault(env, request.name), requestId, fingerprintPhrase };
  },
  'team.requests': async (ctx, { vault, password }) => ({ requests: await listRequests(teamEnvironment(ctx), vault, typed(password)) }),
  'team.approve': async (ctx, { vault, requestId, role, phrase, password }) => ({
    member: memberView(await approveRequest(teamEnvironment(ctx), vault, { requestId, role, phrase }, typed(password))),
  }),
  'team.reject': async (ctx, { vault, requestId, password }) => ({ request: await rejectRequest(teamEnvironment(ctx), vault, requestId, typed(password)) }),
  'team.role': async (ctx, { vault, member, role, password }) => {
    const change = await changeRole(teamEnvironment(ctx), vault, member, role, typed(password));
    return { member: memberView(change.member), from: change.from, keyVersion: change.keyVersion, rotated: change.rotated };
  },
  'team.members': async (ctx, { vault, password }) => {
    const env = teamEnvironment(ctx);
    const { members, ownRequest } = await roster(env, vault, typed(password));
    const self = await memberSelf(env, vault, members, ownRequest);
    return { members: members.map(memberView), self: self.state === 'member' ? { state: 'member', member: memberView(self.member) } : self };
  },
  'team.remove': async (ctx, { vault, member, password }) => {
    const removed = await removeMember(teamEnvironment(ctx), vault, member, typed(password));
    return { member: memberView(removed.member), keyVersion: removed.keyVersion };
  },
  'team.watch': async (ctx, { vault }) => {
    await watchVault(ctx, teamEnvironment(ctx), vault);
    return { watching: vault };
  },
  // The vault in use's connection (vault-switch.ts owns it); a vault that could not be opened says why.
  'team.status': async (ctx, { vault }) => {
    const team = ctx.team?.();
    if (team?.name !== vault) throw new VaultError('team.not_in_use', { name: vault });
    return team.status();
  },
  'team.audit': async (ctx, { vault, verify, password }) => {
    const { rows, verdict } = await teamAudit(teamEnvironment(ctx), vault, verify ?? false, typed(password));
    return {
      rows: rows.map(auditRowView),
      verdict: verdict === null ? null : verdict.ok ? { ok: true, rows: verdict.rows } : { ok: false, firstBadSeq: verdict.firstBadSeq, error: auditTamperError(verdict).toInfo() },
    };
  },
};

function setUpInput(request: Request<'team.create'>) {
  return {
    url: withConnectionOptions(request.url, request.sslmode, request.caFile),
    name: request.name,
    memberName: request.memberName ?? defaultMemberName(),
    passwordStdin: request.password,
  };
}

/**
 * The set-up form's sslmode and CA file written into the URL (they win over the URL's own), so the
 * service parses one address. A URL that does not parse is left as typed: the service names what
 * is wrong with it.
 */
export function withConnectionOptions(url: string, sslmode: string | undefined, caFile: string | undefined): string {
  if (sslmode === undefined && caFile === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (sslmode !== undefined) parsed.searchParams.set('sslmode', sslmode);
  if (caFile !== undefined) parsed.searchParams.set('sslrootcert', caFile);
  return parsed.toString();
}

function defaultMemberName(): string {
  return process.env.USER ?? process.env.USERNAME ?? 'member';
}

function vaultsView(env: TeamEnvironment): VaultsView {
  const { current, teams } = listVaults(env);
  return { current, teams: teams.map(vaultView) };
}

/** The address and ids the window shows; what else this computer keeps about the vault stays in main. */
function vaultView(entry: TeamEntry): TeamVaultView {
  return { name: entry.name, url: entry.url, sslmode: entry.sslmode, ...(entry.caFile ? { caFile: entry.caFile } : {}), teamId: entry.teamId, memberId: entry.memberId };
}

function savedVault(env: TeamEnvironment, name: string): TeamVaultView {
  return vaultView(new TeamSettingsStore(env.dataDir).find(name.trim()));
}

function memberView(member: Member): TeamMemberView {
  return { id: member.id, name: member.name, machine: member.machine, role: member.role, status: member.status, addedAt: member.added_at.toISOString() };
}

function auditRowView(row: AuditRow): AuditRowView {
  const detail: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(row.detail)) {
    detail[key] = value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return { seq: Number(row.seq), at: row.at.toISOString(), member: row.member_name, machine: row.machine, action: row.action, subject: row.subject, detail };
}
