import { VaultError } from '../../../shared/errors';
import type { Channel, Request } from '../../../shared/ipc';
import type { HandlerContext } from '../ipc/context';
import { keyFormats } from '../library/export';
import { requireRole, type GuardedAction } from './roles';

// What a team vault asks of each channel that changes it, in one table read by dispatch (and by
// the CLI commands that call a service directly): the role it needs. Who may open a private key
// (export one) is decided by the team key, not here; this covers what a viewer's app could
// otherwise ask for (an import, an edit, an upload, a deployment).
//
// The audit rows are not here: each store writes its change's row in the transaction that makes
// it (VaultDb.audit), so a change and its row commit together or not at all, whichever front door
// asked for it; an exported private key is audited by the library once opened, before it is
// written or printed (library/vault.ts).

interface VaultAction<C extends Channel> {
  /** Throws when this context's member may not do it; nothing happens on a local vault. */
  readonly check?: (ctx: Pick<HandlerContext, 'team'>, request: Request<C>) => void;
}

type VaultActions = { readonly [C in Channel]?: VaultAction<C> };

const operator = (action: GuardedAction) => (ctx: Pick<HandlerContext, 'team'>) => requireRole(ctx, 'operator', action);

/** This computer's vault file only: a team vault is backed up with pg_dump (README), its key is the team's. */
const localOnly = (action: 'backup' | 'restore' | 'reset-data-key') => (ctx: Pick<HandlerContext, 'team'>) => {
  const team = ctx.team?.();
  if (team) throw new VaultError('team.local_only', { team: team.name, action });
};

export const vaultActions: VaultActions = {
  'library.import': { check: operator('import') },
  'library.importContent': { check: operator('import') },
  'inventory.importRemote': { check: operator('import') },
  // A sync writes every account's inventory into the vault, with the accounts' secrets.
  'inventory.sync': { check: operator('sync') },
  'library.update': { check: operator('edit') },
  'library.remove': { check: operator('remove') },
  // No role check: a key opens only with the team key, which a viewer never holds (team.viewer_no_key).
  // Offline, a private key does not leave the vault: its audit row could not be written.
  'library.export': {
    check: (ctx, request) => {
      const offline = keyFormats.has(request.format) ? ctx.team?.().offline() : null;
      if (offline) throw offline;
    },
  },
  // Sharing (secretSource 'team') is checked by the account store, which knows an edited account's current source.
  'accounts.save': { check: operator('account') },
  'accounts.remove': { check: operator('account') },
  'accounts.confirm': { check: operator('account') },
  'uploads.start': { check: operator('upload') },
  'uploads.retryFailed': { check: operator('upload') },
  'deploy.run': { check: operator('deploy') },
  'deploy.rollback': { check: operator('rollback') },
  'vault.backup': { check: localOnly('backup') },
  'vault.restore': { check: localOnly('restore') },
  'library.resetDataKey': { check: localOnly('reset-data-key') },
};

/** The channel's check, before its handler runs. */
export function checkVaultAction<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): void {
  (vaultActions[channel] as VaultAction<C> | undefined)?.check?.(ctx, request);
}
