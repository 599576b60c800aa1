import { VaultError } from '../../../shared/errors';
import type { HandlerContext } from '../ipc/context';
import type { MemberRole } from './db/schema';

// Roles where cryptography does not decide: a viewer could send an upload request whatever its
// window offers, so the service refuses it here. (Opening a private key needs the team key, which
// a viewer never holds: that part needs no check.) The local vault has no roles.

const rank: Readonly<Record<MemberRole, number>> = { viewer: 0, operator: 1, admin: 2 };

/** What a role is asked for, as the refusal names it. */
export type GuardedAction = 'import' | 'edit' | 'remove' | 'upload' | 'deploy' | 'rollback' | 'account' | 'share-account' | 'sync';

export function requireRole(ctx: Pick<HandlerContext, 'team'>, needed: MemberRole, action: GuardedAction): void {
  const team = ctx.team?.();
  if (!team) return;
  // Offline, every change is refused anyway: said before any work starts, whatever the role.
  const offline = team.offline();
  if (offline) throw offline;
  const removedBy = team.removedBy();
  if (removedBy !== null) throw new VaultError('team.member_removed', { team: team.name, by: removedBy });
  // Known once the server answered since the vault opened offline; until then nothing may change.
  const role = team.role;
  if (role === null) throw new VaultError('team.offline_role_unknown', { team: team.name });
  if (rank[role] >= rank[needed]) return;
  throw new VaultError('team.role_required', { team: team.name, role, needed, action });
}
