import { VaultError } from '../../../shared/errors';
import { closeVaultDbOf } from '../db/context-db';
import type { HandlerContext } from '../ipc/context';
import { closeVaultOf } from '../library';
import { log } from '../log';
import { teamEnvironment } from './handlers';
import { vaultEvents } from './live-updates';
import { LOCAL_VAULT, TeamSettingsStore } from './team-settings';
import { onTeamVault, openTeamVaultContext } from './vault-context';

// Which vault a front door works on. Every service is opened lazily per handler context, so a
// switch builds a NEW context over the chosen vault and closes what the old one opened; nothing
// of the old vault can answer a request made after the switch.

export interface VaultOnContext {
  readonly name: string;
  readonly ctx: HandlerContext;
  close(): Promise<void>;
}

/**
 * `base` working on vault `name` (`local` or a team vault of this computer's settings). With
 * `live`, a window's: it keeps the vault's local copy fresh, hears other members' changes as
 * events (live-updates.ts) and each change of the connection's state, or of this member's role
 * or membership, as `team.status`. The
 * connection lives as long as this context: `close()` ends it.
 */
export async function contextOnVault(base: HandlerContext, name: string, { live = false } = {}): Promise<VaultOnContext> {
  if (name === LOCAL_VAULT) {
    const ctx = derive(base, {});
    return { name, ctx, close: () => closeOpened(ctx) };
  }
  const team = await openTeamVaultContext(teamEnvironment(base), name, {
    keepCopy: live,
    announce: live ? (action) => vaultEvents(name, action, (event, payload) => base.events.emit(event, payload)) : undefined,
  });
  const stopStatus = team.onStatus((status) => base.events.emit('team.status', { vault: name, status }));
  const ctx = derive(base, onTeamVault(team));
  return {
    name,
    ctx,
    close: async () => {
      stopStatus();
      await closeOpened(ctx);
      await team.close();
    },
  };
}

/** The vault in use per this computer's settings (`team use`), or `override` (the CLI's `--vault`). */
export function selectedVault(dataDir: string, override?: string): string {
  const settings = new TeamSettingsStore(dataDir);
  const name = override ?? settings.read().current;
  if (name !== LOCAL_VAULT) settings.find(name);
  return name;
}

/**
 * A new context object (so every service is opened anew for it) with `overrides`; the base's
 * getters stay getters (a test's TLS resolver set after the switch still reaches it).
 */
function derive(base: HandlerContext, overrides: Partial<HandlerContext>): HandlerContext {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(base), ...Object.getOwnPropertyDescriptors(overrides) }) as HandlerContext;
}

async function closeOpened(ctx: HandlerContext): Promise<void> {
  await closeVaultOf(ctx);
  await closeVaultDbOf(ctx);
}

/**
 * The window's vault: one context at a time. A switch opens the new vault first (an unreachable
 * server leaves the window on the old one, with the error), then closes the old and tells the
 * window. At start, a team vault that cannot be opened still gives a context: every request that
 * needs the vault answers with why, and the switcher can go elsewhere.
 */
export class VaultSwitcher {
  private active: VaultOnContext;

  private constructor(
    private readonly base: HandlerContext,
    active: VaultOnContext,
  ) {
    this.active = active;
  }

  static async start(base: HandlerContext): Promise<VaultSwitcher> {
    const holder: { switcher: VaultSwitcher | null } = { switcher: null };
    const withSwitch = derive(base, { switchVault: (name) => holder.switcher!.use(name) });
    const name = selectedVault(base.dataDir);
    let active: VaultOnContext;
    try {
      active = await contextOnVault(withSwitch, name, { live: true });
    } catch (error) {
      log.warn('vault_open_failed', { vault: name, error });
      active = unopened(withSwitch, name, error);
    }
    holder.switcher = new VaultSwitcher(withSwitch, active);
    return holder.switcher;
  }

  get current(): HandlerContext {
    return this.active.ctx;
  }

  get name(): string {
    return this.active.name;
  }

  async use(name: string): Promise<void> {
    const next = await contextOnVault(this.base, name, { live: true });
    const previous = this.active;
    this.active = next;
    await previous.close().catch((error: unknown) => log.warn('vault_close_failed', { vault: previous.name, error }));
    this.base.events.emit('vault.changed', { current: name });
  }

  async close(): Promise<void> {
    await this.active.close();
  }
}

/** A context on a vault that could not be opened: whatever needs the vault is told why. */
function unopened(base: HandlerContext, name: string, error: unknown): VaultOnContext {
  const reason = error instanceof VaultError ? error : new VaultError('team.database_error', { address: name, reason: error instanceof Error ? error.message : String(error) });
  const refuse = (): never => {
    throw reason;
  };
  const ctx = derive(base, { vaultDb: refuse, dataKeys: refuse, vault: refuse, uploads: refuse, team: refuse });
  return { name, ctx, close: async () => undefined };
}
