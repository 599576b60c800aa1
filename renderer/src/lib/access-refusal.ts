import { translate, type Locale } from '../../../shared/i18n';
import { offlineClock, type TeamVaultStatus } from '../../../shared/team';

// Whether this member may change the vault in use (import, edit, delete, upload, deploy, roll back,
// accounts, sync, key export: an operator's or admin's work), so the window offers only what it
// may and says why not on the control itself; main refuses the rest anyway (main/core/team/roles.ts).
// It follows `team.status`: a role an admin changes, a removal, the server going out of reach.
// (The Team screen's admin controls follow the member list it reads itself.)

/** The team vault in use as the window knows it; null on the local vault. */
export interface TeamInUse {
  readonly name: string;
  /** null before main answered (main decides then). */
  readonly status: TeamVaultStatus | null;
}

/** Why this member cannot change `team`, in `language`; null when it can. */
export function refusalIn(team: TeamInUse | null, language: Locale, now: Date): string | null {
  const status = team?.status;
  if (!team || !status) return null;
  const say = (key: Parameters<typeof translate>[1], params: Record<string, string>) => translate(language, key, { team: team.name, ...params });
  const { standing } = status;
  if (standing.state === 'removed') return say('ui.access.removed', { by: standing.by });
  if (!status.online) return say('ui.access.offline', { copyAt: status.snapshotAt ? offlineClock(status.snapshotAt, now) : '—' });
  if (standing.state === 'unknown') return say('ui.access.reading', {});
  return standing.role === 'viewer' ? say('ui.access.viewer', {}) : null;
}
