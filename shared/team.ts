import type { ErrorInfo } from './errors';

// What the window learns about team vaults (main/core/team): addresses without passwords, members
// without keys, audit rows as written. The database password goes in (create, join, or when the
// keychain has none) and never comes back; no response carries a key, wrapped or not.

export const LOCAL_VAULT_NAME = 'local';
export const teamRoles = ['viewer', 'operator', 'admin'] as const;
export type TeamRole = (typeof teamRoles)[number];
export const teamSslModes = ['verify-full', 'require', 'disable'] as const;
export type TeamSslMode = (typeof teamSslModes)[number];

export interface TeamVaultView {
  readonly name: string;
  /** postgres://user@host:port/db?sslmode=…, never with a password. */
  readonly url: string;
  readonly sslmode: TeamSslMode;
  readonly caFile?: string | undefined;
  readonly teamId: string;
  readonly memberId: string;
}

export interface VaultsView {
  /** `local` or a team vault's name. */
  readonly current: string;
  readonly teams: readonly TeamVaultView[];
}

export interface JoinRequestView {
  readonly id: string;
  readonly member: string;
  readonly machine: string;
  readonly createdAt: string;
  readonly fingerprintPhrase: string;
}

export interface TeamMemberView {
  readonly id: string;
  readonly name: string;
  readonly machine: string;
  readonly role: TeamRole;
  readonly status: 'active' | 'removed';
  readonly addedAt: string;
}

/** This computer in the team: a member, a join request still waiting (with its phrase), one an admin rejected, or removed. */
export type TeamSelf =
  | { readonly state: 'member'; readonly member: TeamMemberView }
  | { readonly state: 'pending'; readonly fingerprintPhrase: string | null }
  | { readonly state: 'rejected' }
  | { readonly state: 'removed' };

/** A role change as the window shows it: from what, and whether the team key was rotated. */
export interface RoleChangeView {
  readonly member: TeamMemberView;
  readonly from: TeamRole;
  readonly keyVersion: number;
  readonly rotated: boolean;
}

export interface TeamMembersView {
  readonly members: readonly TeamMemberView[];
  readonly self: TeamSelf;
}

export interface AuditRowView {
  readonly seq: number;
  readonly at: string;
  readonly member: string;
  readonly machine: string;
  readonly action: string;
  readonly subject: string | null;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export type AuditVerdictView = { readonly ok: true; readonly rows: number } | { readonly ok: false; readonly firstBadSeq: number; readonly error: ErrorInfo };

export interface AuditView {
  readonly rows: readonly AuditRowView[];
  /** With `verify`: whether the hash chain holds, else the first tampered row. */
  readonly verdict: AuditVerdictView | null;
}

/**
 * A team vault's connection (main/core/team/vault-connection.ts): online, or offline and showing
 * its local copy read-only. Times are ISO 8601.
 */
export interface TeamConnectionStatus {
  readonly online: boolean;
  /** host:port of the team database. */
  readonly server: string;
  /** When the local copy was taken; null before the first one. */
  readonly snapshotAt: string | null;
  /** When the server was last found out of reach; null while online. */
  readonly offlineSince: string | null;
}

/**
 * This computer in the team vault in use, as last read: read when the vault opens, and again when
 * the team announces a member change, so the window follows a role an admin changes meanwhile.
 * `unknown` while the vault opened offline and its server has not answered since.
 */
export type TeamStanding =
  | { readonly state: 'member'; readonly name: string; readonly role: TeamRole }
  | { readonly state: 'unknown' }
  | { readonly state: 'removed'; readonly team: string; readonly by: string };

/** The team vault in use, for the window: its connection (the title bar) and what this member may do there. */
export interface TeamVaultStatus extends TeamConnectionStatus {
  readonly standing: TeamStanding;
}

/**
 * A time as the offline notice says it: the clock time when it is today (local time), else the
 * date and the time. The same text in the window, the CLI and the error message.
 */
export function offlineClock(at: string, now: Date): string {
  const time = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}`;
  const sameDay = time.getFullYear() === now.getFullYear() && time.getMonth() === now.getMonth() && time.getDate() === now.getDate();
  return sameDay ? clock : `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${clock}`;
}
