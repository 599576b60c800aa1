import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CloudAccount } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import { createHttpClient } from '../../clouds/http-client';
import type { InventoryOptions } from '../../clouds/provider';
import { getProvider } from '../../clouds/registry';
import type { AccountStore, ProviderLookup } from '../accounts/account-store';
import { openDatabase } from '../db/open';
import type { HandlerContext } from '../ipc/context';
import { uploadsOf } from '../uploads';
import type { Pacer } from '../uploads/pacing';
import { InventoryStore, type StoredCopy } from './store';
import { syncAccounts, type AccountSyncResult, type SyncRun } from './sync';

export type { AccountSyncResult, SyncProgress } from './sync';
export type { StoredCopy } from './store';

// The inventory behind a handler context: sync accounts, read what the last syncs recorded.

export interface InventoryServiceOptions {
  readonly db: Database.Database;
  readonly accounts: AccountStore;
  /** Shared with uploads, so one account's syncs and uploads keep to one rate together. */
  readonly pacer: Pacer;
  readonly providers?: ProviderLookup;
  readonly http?: HttpClient;
  readonly now?: () => Date;
  readonly options?: InventoryOptions;
}

export class InventoryService {
  private readonly store: InventoryStore;

  constructor(private readonly deps: InventoryServiceOptions) {
    this.store = new InventoryStore(deps.db);
  }

  /** Syncs the named accounts (all when none is named); unknown names fail before anything is sent. */
  sync(names: readonly string[], run: SyncRun = {}): Promise<AccountSyncResult[]> {
    const accounts: CloudAccount[] = names.length === 0 ? this.deps.accounts.list() : names.map((name) => this.deps.accounts.get(name));
    return syncAccounts(
      {
        db: this.deps.db,
        accounts: this.deps.accounts,
        providers: this.deps.providers ?? getProvider,
        http: this.deps.http ?? createHttpClient(),
        pacer: this.deps.pacer,
        now: this.deps.now ?? (() => new Date()),
        nonce: () => randomUUID(),
        ...(this.deps.options ? { options: this.deps.options } : {}),
      },
      accounts,
      run,
    );
  }

  /** What the last syncs recorded; one account's when `name` is given. */
  list(name?: string): StoredCopy[] {
    return this.store.list(name === undefined ? undefined : this.deps.accounts.get(name).id);
  }
}

const opened = new WeakMap<HandlerContext, InventoryService>();

/** Opened on first use over the vault database in `ctx.dataDir`, with the accounts and pacing of `uploadsOf(ctx)`. */
export function inventoryOf(ctx: HandlerContext): InventoryService {
  let service = opened.get(ctx);
  if (!service) {
    const uploads = uploadsOf(ctx);
    service = new InventoryService({ db: openDatabase(ctx.dataDir), accounts: uploads.accounts, pacer: uploads.pacer, now: ctx.now });
    opened.set(ctx, service);
  }
  return service;
}
