import { randomUUID } from 'node:crypto';
import type { CloudAccount } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import { createHttpClient } from '../../clouds/http-client';
import type { InventoryOptions } from '../../clouds/provider';
import { getProvider } from '../../clouds/registry';
import type { AccountStore, ProviderLookup } from '../accounts/account-store';
import { vaultDbOf } from '../db/context-db';
import type { VaultDb } from '../db/vault-db';
import type { HandlerContext } from '../ipc/context';
import { uploadsOf } from '../uploads';
import type { Pacer } from '../uploads/pacing';
import { VaultError } from '../../../shared/errors';
import type { AccountInventory, RadarPage } from '../../../shared/inventory';
import type { ImportedEntry } from '../../../shared/library';
import type { Vault } from '../library/vault';
import { dataRevision } from '../db/revision';
import { log } from '../log';
import { pageOf, radarPage, type BindingsOf, type RadarIndex } from './radar';
import { copyKey, readBindings } from './radar-source';
import { buildRadarInChunks, radarWindow } from './radar-window';
import { InventoryStore, type StoredCopy } from './store';
import { syncAccounts, type AccountSyncResult, type SyncRun } from './sync';

export type { AccountSyncResult, SyncProgress } from './sync';
export type { StoredCopy } from './store';

// The inventory behind a handler context: sync accounts, read what the last syncs recorded.

export interface InventoryServiceOptions {
  readonly vault: VaultDb;
  readonly accounts: AccountStore;
  /** Shared with uploads, so one account's syncs and uploads keep to one rate together. */
  readonly pacer: Pacer;
  readonly providers?: ProviderLookup;
  readonly http?: HttpClient;
  readonly now?: () => Date;
  readonly options?: InventoryOptions;
}

/** Rows from the top the radar answers from the database's indexes while the whole radar is not built: a few of the Overview's pages. */
const FIRST_PAGES = 500;

/** How long after the first answer from the indexes the whole radar starts to build. */
const BUILD_DELAY_MS = 1_000;

/** The radar at one revision of the database: `built` once its build is done. */
interface KeptRadar {
  readonly revision: string;
  readonly index: Promise<RadarIndex>;
  built: RadarIndex | null;
}

export class InventoryService {
  private readonly store: InventoryStore;
  private radar: KeptRadar | null = null;
  private buildTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InventoryServiceOptions) {
    this.store = new InventoryStore(deps.vault);
  }

  /** Syncs the named accounts (all when none is named); unknown names fail before anything is sent. */
  async sync(names: readonly string[], run: SyncRun = {}): Promise<AccountSyncResult[]> {
    const accounts: CloudAccount[] = names.length === 0 ? await this.deps.accounts.list() : await Promise.all(names.map((name) => this.deps.accounts.get(name)));
    return syncAccounts(
      {
        vault: this.deps.vault,
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

  /**
   * The expiry radar over the library and what the last syncs recorded: its group counts and
   * `limit` rows from `offset`. The whole radar is built once per change of the database, a chunk
   * at a time, and kept, so scrolling the Overview costs a slice; until it is built, the first
   * pages (what the Overview shows on opening) are read straight from the database's indexes.
   */
  async overview(thresholdDays: number, offset: number, limit: number): Promise<RadarPage> {
    // The token first: a commit while the radar is read changes it again (revision.ts).
    const revision = await dataRevision(this.deps.vault);
    const now = (this.deps.now ?? (() => new Date()))();
    const kept = this.radar?.revision === revision ? this.radar.built : null;
    if (kept === null && offset + limit <= FIRST_PAGES) {
      const { window, frame } = await radarWindow(this.deps.vault, now, thresholdDays, offset, limit);
      // A moment after this answer, so the screen paints it before the build takes its share of
      // the CPU; the build yields between chunks, so the next pages are answered meanwhile.
      if (!this.building()) this.buildSoon(revision);
      return { ...pageOf(window, frame, now, thresholdDays, await this.bindingsOf(window.rows)), revision };
    }
    const index = kept ?? (await this.radarAt(revision));
    return { ...radarPage(index, now, thresholdDays, offset, limit, await this.bindingsOf(index.rows.slice(offset, offset + limit))), revision };
  }

  private async bindingsOf(rows: RadarIndex['rows']): Promise<BindingsOf> {
    const bindings = await readBindings(this.deps.vault, rows.flatMap((row) => row.places));
    return () => (place) => bindings.get(copyKey(place.accountId, place.remoteId)) ?? [];
  }

  private buildSoon(revision: string): void {
    if (this.buildTimer) return;
    this.buildTimer = setTimeout(() => {
      this.buildTimer = null;
      this.radarAt(revision).catch((error: unknown) => log.warn('radar_build_failed', { error }));
    }, BUILD_DELAY_MS);
    this.buildTimer.unref();
  }

  private building(): boolean {
    return this.radar !== null && this.radar.built === null;
  }

  /** The whole radar at `revision`, built once: requests arriving while it is built wait for the one build. */
  private radarAt(revision: string): Promise<RadarIndex> {
    if (this.radar?.revision === revision) return this.radar.index;
    const index = buildRadarInChunks(this.deps.vault);
    const radar: KeptRadar = { revision, index, built: null };
    this.radar = radar;
    index.then(
      (built) => (radar.built = built),
      // A failed read is not kept: the next request reads again.
      () => {
        if (this.radar === radar) this.radar = null;
      },
    );
    return index;
  }

  /** When each account last synced and how many certificates it held then. */
  async accountInventories(): Promise<AccountInventory[]> {
    return [...(await this.store.lastSyncs())].map(([accountId, last]) => ({ accountId, ...last }));
  }

  /**
   * Imports a copy the library lacks as a certificate-only entry, from the PEM its sync stored
   * (the certificate and chain the cloud returned; never a key), and matches the copy to it.
   */
  async importRemote(vault: Vault, accountId: string, remoteId: string): Promise<ImportedEntry> {
    const account = await this.deps.accounts.get(accountId);
    const pem = await this.store.certificatePem(account.id, remoteId);
    if (pem === undefined) throw new VaultError('inventory.copy_not_found', { account: account.name, remoteId });
    if (pem === null) throw new VaultError('inventory.no_certificate', { account: account.name, cloud: account.cloud, remoteId });
    const result = await vault.importContent([{ name: `${account.name}/${remoteId}.pem`, data: new TextEncoder().encode(pem) }]);
    const imported = result.imported[0];
    if (!imported) {
      const failed = result.failed[0]?.error;
      throw failed ? new VaultError(failed.code, failed.params) : new VaultError('internal');
    }
    await this.store.matchImported(account.id, remoteId, imported.id, imported.fingerprintSha256);
    return imported;
  }

  /** What the last syncs recorded; one account's when `name` is given. */
  async list(name?: string): Promise<StoredCopy[]> {
    return this.store.list(name === undefined ? undefined : (await this.deps.accounts.get(name)).id);
  }
}

const opened = new WeakMap<HandlerContext, InventoryService>();

/** Opened on first use over the context's vault database (vaultDbOf), with the accounts and pacing of `uploadsOf(ctx)`. */
export function inventoryOf(ctx: HandlerContext): InventoryService {
  let service = opened.get(ctx);
  if (!service) {
    const uploads = uploadsOf(ctx);
    service = new InventoryService({ vault: vaultDbOf(ctx), accounts: uploads.accounts, pacer: uploads.pacer, now: ctx.now });
    opened.set(ctx, service);
  }
  return service;
}
