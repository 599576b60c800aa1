import type { VaultError } from '../../../shared/errors';
import type { TeamVaultStatus } from '../../../shared/team';
import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import { resolveDbPassword } from './db/password';
import { TeamSettingsStore } from './team-settings';
import { openTeamVaultConnection, type TeamVaultConnection } from './vault-connection';

// One TeamVaultConnection per handler context (the window's, or one CLI run) and team vault,
// opened on first use and shared by everything in that context that reads or writes the vault,
// so the title bar and the stores agree on whether it is online. Each change of its status
// reaches the window as a `team.status` event.

const open = new WeakMap<HandlerContext, Map<string, Promise<TeamVaultConnection>>>();
/** The same connections once open, for what must answer without waiting (the CLI's closing notice). */
const settled = new WeakMap<HandlerContext, Map<string, TeamVaultConnection>>();

/**
 * The connection to the team vault named `name`, opened once per context (password from the
 * keychain). `keepCopy: false` for a one-shot process (a CLI command): vault-connection.ts.
 */
export function teamVaultConnectionOf(ctx: HandlerContext, name: string, { keepCopy = true }: { keepCopy?: boolean } = {}): Promise<TeamVaultConnection> {
  let byName = open.get(ctx);
  if (!byName) {
    byName = new Map();
    open.set(ctx, byName);
  }
  const known = byName.get(name);
  if (known) return known;
  const opening = connect(ctx, name, keepCopy);
  byName.set(name, opening);
  // A vault that could not be opened is tried afresh next time (the server may be back).
  opening.catch(() => {
    if (byName.get(name) === opening) byName.delete(name);
  });
  return opening;
}

async function connect(ctx: HandlerContext, name: string, keepCopy: boolean): Promise<TeamVaultConnection> {
  const entry = new TeamSettingsStore(ctx.dataDir).find(name);
  const { password } = await resolveDbPassword(ctx.secrets?.() ?? osKeychain(), name, {});
  const connection = await openTeamVaultConnection({ entry, password, dataDir: ctx.dataDir, now: ctx.now, keepCopy });
  connection.onChange((status: TeamVaultStatus) => ctx.events.emit('team.status', { vault: name, status }));
  let byName = settled.get(ctx);
  if (!byName) {
    byName = new Map();
    settled.set(ctx, byName);
  }
  byName.set(name, connection);
  return connection;
}

/** The offline error of each of the context's team vaults now offline (what a refused write says). */
export function offlineTeamVaults(ctx: HandlerContext): VaultError[] {
  return [...(settled.get(ctx)?.values() ?? [])].filter((connection) => !connection.status().online).map((connection) => connection.offlineError());
}

/**
 * Closes the context's team vault connections (the window closing, a CLI run ending), or all but
 * the one named `keep` (the window switched vaults: the others' pools, live updates and copies rest).
 */
export async function closeTeamVaultConnections(ctx: HandlerContext, keep?: string): Promise<void> {
  const byName = open.get(ctx);
  const closing = [...(byName?.entries() ?? [])].filter(([name]) => name !== keep);
  for (const [name] of closing) {
    byName?.delete(name);
    settled.get(ctx)?.delete(name);
  }
  for (const [, opening] of closing) {
    await opening.then((connection) => connection.close()).catch(() => undefined);
  }
}
