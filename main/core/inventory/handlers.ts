import { VaultError } from '../../../shared/errors';
import type { Request, Response } from '../../../shared/ipc';
import { radarLimits, type AccountSyncResult } from '../../../shared/inventory';
import type { HandlerContext } from '../ipc/context';
import { vaultOf } from '../library';
import { inventoryOf } from './index';

// The inventory channels: thin over InventoryService, spread into the handler map
// (main/core/ipc/handlers.ts). One sync runs at a time per context, so a second press of the
// button (or the scheduler firing during a manual sync) cannot double every request.

type InventoryChannel = 'inventory.sync' | 'inventory.cancel' | 'inventory.list' | 'inventory.accounts' | 'inventory.overview' | 'inventory.importRemote';

type InventoryHandlers = { readonly [C in InventoryChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

const running = new WeakMap<HandlerContext, AbortController>();

/**
 * Syncs the given accounts (ids or names; all when none), with `inventory.progress` events per
 * account and one `inventory.synced` at the end. The scheduler calls this too.
 */
export async function runSync(ctx: HandlerContext, accounts: readonly string[]): Promise<AccountSyncResult[]> {
  if (running.has(ctx)) throw new VaultError('inventory.sync_running');
  const controller = new AbortController();
  running.set(ctx, controller);
  try {
    const results = await inventoryOf(ctx).sync(accounts, {
      signal: controller.signal,
      onProgress: (progress) => ctx.events.emit('inventory.progress', progress),
    });
    ctx.events.emit('inventory.synced', { accounts: results });
    return results;
  } finally {
    running.delete(ctx);
  }
}

export const inventoryHandlers: InventoryHandlers = {
  'inventory.sync': async (ctx, { accounts }) => ({ accounts: await runSync(ctx, accounts ?? []) }),
  'inventory.cancel': async (ctx) => {
    const controller = running.get(ctx);
    controller?.abort();
    return { cancelled: controller !== undefined };
  },
  'inventory.list': async (ctx, { account, libraryId }) => {
    const copies = await inventoryOf(ctx).list(account);
    return { copies: libraryId === undefined ? copies : copies.filter((copy) => copy.libraryId === libraryId) };
  },
  'inventory.accounts': async (ctx) => ({ accounts: inventoryOf(ctx).accountInventories() }),
  'inventory.overview': async (ctx, { offset, limit }) =>
    inventoryOf(ctx).overview(ctx.settings.get().expiringWithinDays, offset ?? 0, limit ?? radarLimits.defaultPageSize),
  'inventory.importRemote': async (ctx, { accountId, remoteId }) => {
    const imported = await inventoryOf(ctx).importRemote(vaultOf(ctx), accountId, remoteId);
    ctx.events.emit('library.changed', { reason: 'import' });
    return imported;
  },
};
