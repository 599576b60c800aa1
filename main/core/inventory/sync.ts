import { VaultError } from '../../../shared/errors';
import type { AccountSyncResult, SyncPhase, SyncProgress } from '../../../shared/inventory';
import type { CloudAccount } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import { CloudError, type CallContext, type CloudProvider, type InventoryOptions, type RemoteCopy } from '../../clouds/provider';
import type { VaultDb } from '../db/vault-db';
import { accountConfig, type AccountStore, type ProviderLookup } from '../accounts/account-store';
import { log } from '../log';
import { failureFromVaultError, failureOf } from '../uploads/failure';
import type { Pacer } from '../uploads/pacing';
import { Semaphore } from '../uploads/semaphore';
import { LibraryMatcher } from './match';
import { InventoryStore } from './store';

export type { AccountSyncResult, SyncPhase, SyncProgress };

// A sync reads every certificate on each account (all pages, then each copy's detail, then what
// each is bound to), matches the copies to the library, and replaces the account's recorded
// inventory in one transaction. Accounts run side by side and fail alone; every request of an
// account waits for that account's pacing lane, the one its uploads use.

/** Detail calls in flight per account: enough to keep a paced lane busy over a slow link. */
const DETAILS_IN_FLIGHT = 4;

export interface SyncDeps {
  readonly vault: VaultDb;
  readonly accounts: AccountStore;
  readonly providers: ProviderLookup;
  readonly http: HttpClient;
  readonly pacer: Pacer;
  readonly now: () => Date;
  readonly nonce: () => string;
  readonly options?: InventoryOptions;
}

export interface SyncRun {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SyncProgress) => void;
}

export async function syncAccounts(deps: SyncDeps, accounts: readonly CloudAccount[], run: SyncRun = {}): Promise<AccountSyncResult[]> {
  const library = new LibraryMatcher(deps.vault);
  const store = new InventoryStore(deps.vault);
  return Promise.all(accounts.map((account) => syncAccount(deps, account, library, store, run)));
}

/** Every request of the account leaves through its pacing lane, retries and pages included. */
function pacedHttp(deps: SyncDeps, account: CloudAccount, provider: CloudProvider, signal: AbortSignal | undefined): HttpClient {
  return {
    send: async (request) => {
      await deps.pacer.acquire(account.id, provider.requestsPerSecond, signal);
      return deps.http.send(request);
    },
  };
}

async function syncAccount(deps: SyncDeps, account: CloudAccount, library: LibraryMatcher, store: InventoryStore, run: SyncRun): Promise<AccountSyncResult> {
  const base = { accountId: account.id, account: account.name, cloud: account.cloud };
  const report = (phase: SyncPhase, done: number, total: number) => run.onProgress?.({ ...base, phase, done, total });
  const provider = deps.providers(account.cloud);
  // One failed request ends the account's sync: the detail calls still queued stop with it.
  const stop = new AbortController();
  const onCancel = () => stop.abort(run.signal?.reason);
  if (run.signal?.aborted) onCancel();
  else run.signal?.addEventListener('abort', onCancel, { once: true });
  const signal = stop.signal;
  try {
    const { listRemote, remoteDetail, bindings } = provider;
    if (!listRemote || !remoteDetail || !bindings) throw new VaultError('internal');
    const ctx: CallContext = {
      account: accountConfig(account),
      credentials: await deps.accounts.credentials(account),
      http: pacedHttp(deps, account, provider, signal),
      now: deps.now,
      nonce: deps.nonce,
      signal,
    };
    report('listing', 0, 0);
    const listed = await listRemote(ctx, deps.options);
    report('details', 0, listed.length);
    const detailed = await detailsOf(listed, (copy) => remoteDetail(ctx, copy), signal, (done) => report('details', done, listed.length));
    report('bindings', listed.length, listed.length);
    const bound = await bindings(ctx, detailed, deps.options);
    const copies = detailed.map((copy) => ({ ...copy, bindings: bound.get(copy.remoteId) ?? [] }));
    signal.throwIfAborted();
    const matches = await library.matchAll(copies);
    await store.replaceAccount(account.id, copies.map((copy, i) => ({ copy, match: matches[i]! })), deps.now().toISOString());
    report('done', listed.length, listed.length);
    log.info('inventory_synced', { account: account.id, cloud: account.cloud, certificates: copies.length });
    return { ...base, status: 'ok', certificates: copies.length, error: null };
  } catch (error) {
    stop.abort();
    report('failed', 0, 0);
    const failure = failureJson(error, run.signal);
    log.warn('inventory_sync_failed', { account: account.id, cloud: account.cloud, code: failure.code });
    return { ...base, status: 'failed', certificates: 0, error: failure };
  } finally {
    run.signal?.removeEventListener('abort', onCancel);
  }
}

/** Each copy's detail, a few at a time, in listing order. */
async function detailsOf(
  listed: readonly RemoteCopy[],
  detail: (copy: RemoteCopy) => Promise<RemoteCopy>,
  signal: AbortSignal | undefined,
  onDone: (done: number) => void,
): Promise<RemoteCopy[]> {
  const slots = new Semaphore(DETAILS_IN_FLIGHT);
  let done = 0;
  return Promise.all(
    listed.map(async (copy) => {
      const release = await slots.acquire(signal);
      try {
        const result = await detail(copy);
        onDone((done += 1));
        return result;
      } finally {
        release();
      }
    }),
  );
}

function failureJson(error: unknown, signal: AbortSignal | undefined): { code: string; message: string } {
  if (signal?.aborted) return failureFromVaultError(new VaultError('cancelled'));
  if (error instanceof CloudError) {
    const { code, message } = failureOf(error.info);
    return { code, message };
  }
  if (error instanceof VaultError) {
    const { code, message } = failureFromVaultError(error);
    return { code, message };
  }
  log.error('inventory_sync_internal', { reason: error instanceof Error ? error.name : typeof error });
  return { code: 'internal', message: 'internal error' };
}
