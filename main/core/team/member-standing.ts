import type { Kysely } from 'kysely';
import type { TeamStanding } from '../../../shared/team';
import type { Member, TeamDatabase } from './db/schema';
import type { TeamEntry } from './team-settings';

// This computer's member in the team vault in use, as the vault context last read it: the role its
// actions are checked against (roles.ts) and what the window is told (TeamVaultStatus.standing).

export type MemberStanding = { readonly state: 'member'; readonly member: Member } | { readonly state: 'unknown' } | { readonly state: 'removed'; readonly by: string };

/** The team's announcements after which this member's own row may have changed (`reconnected`: some may have been missed). */
export const standingActions: ReadonlySet<string> = new Set(['member.role', 'member.remove', 'reconnected']);

export async function readStanding(db: Kysely<TeamDatabase>, entry: TeamEntry): Promise<MemberStanding> {
  const member = await db.selectFrom('members').selectAll().where('id', '=', entry.memberId).executeTakeFirst();
  if (member?.status === 'active') return { state: 'member', member };
  // The removal and its audit row commit in one transaction (membership.ts), so the row names who removed this member.
  const removal = await db
    .selectFrom('audit_log')
    .select('member_name')
    .where('action', '=', 'member.remove')
    .where('subject', '=', entry.memberId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { state: 'removed', by: removal?.member_name ?? '?' };
}

export function standingView(standing: MemberStanding, team: string): TeamStanding {
  if (standing.state === 'member') return { state: 'member', name: standing.member.name, role: standing.member.role };
  if (standing.state === 'removed') return { state: 'removed', team, by: standing.by };
  return standing;
}
