import type { Events } from '../../../shared/ipc';
import type { EventSink, HandlerContext } from '../ipc/context';
import { teamDbCall } from './db/connect';
import { parseTeamUrl } from './db/connection-url';
import { TeamListener } from './db/listener';
import { resolveDbPassword } from './db/password';
import type { TeamEnvironment } from './session';
import { TeamSettingsStore } from './team-settings';

// Live updates for the window: `team.changed` events for the team vault the Team screen shows, so
// a join request, an approval or a removal made on another computer appears without a refresh.
// The vault in use already hears its changes on its own LISTEN connection (vault-connection.ts),
// which announces them as these events: watching it opens nothing more. Another team vault gets a
// LISTEN connection of its own, one per handler context: watching another vault (or none) closes it.

const watching = new WeakMap<HandlerContext, { readonly vault: string; readonly listener: TeamListener | null }>();

/** Watches `vault` (a team vault's name), or stops watching with null. */
export async function watchVault(ctx: HandlerContext, env: TeamEnvironment, vault: string | null): Promise<void> {
  const previous = watching.get(ctx);
  if (previous && previous.vault === vault) return;
  watching.delete(ctx);
  await previous?.listener?.close();
  if (vault === null) return;
  if (announcedByVaultInUse(ctx, vault)) {
    watching.set(ctx, { vault, listener: null });
    return;
  }
  const entry = new TeamSettingsStore(env.dataDir).find(vault);
  const { address } = parseTeamUrl(entry.url);
  const { password } = await resolveDbPassword(env.secrets, vault, {});
  const listener = new TeamListener(
    { address, password },
    {
      onNotification: (notification) => ctx.events.emit('team.changed', { vault, action: notification.action }),
      // Changes made while the connection was down were not announced: the window reads again.
      onListening: (reconnected) => {
        if (reconnected) ctx.events.emit('team.changed', { vault, action: 'reconnected' });
      },
    },
  );
  // Claimed before connecting: a second call for the same vault meanwhile does not open a second connection.
  watching.set(ctx, { vault, listener });
  try {
    await teamDbCall(address, () => listener.start());
  } catch (error) {
    if (watching.get(ctx)?.listener === listener) watching.delete(ctx);
    throw error;
  }
}

/** True when the context's own vault is `vault` and its connection already announces changes. */
function announcedByVaultInUse(ctx: HandlerContext, vault: string): boolean {
  let team;
  try {
    team = ctx.team?.();
  } catch {
    // A vault in use that could not be opened hears nothing: the watch gets its own connection.
    return false;
  }
  return team?.name === vault && team.announcesChanges;
}

/**
 * The window's events for a change another member (or this app) committed to the vault in use:
 * `team.changed` always (the Team, Uploads and Accounts screens read again), and `library.changed`
 * for what changes the library, so its screens refresh in place as after a local import.
 */
export function vaultEvents(vault: string, action: string, emit: EventSink['emit']): void {
  emit('team.changed', { vault, action });
  const reason = libraryReasons[action];
  if (reason) emit('library.changed', { reason });
}

const libraryReasons: Readonly<Record<string, Events['library.changed']['reason']>> = {
  'vault.import': 'import',
  'vault.edit': 'update',
  'vault.remove': 'delete',
  // A rotation, or a role given or taken, changes which keys this member can open.
  'member.remove': 'keychain',
  'member.approve': 'keychain',
  'member.role': 'keychain',
  reconnected: 'import',
};
