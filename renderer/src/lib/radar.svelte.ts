import { SvelteMap } from 'svelte/reactivity';
import type { ErrorInfo } from '../../../shared/errors';
import { radarLimits, type AccountSyncResult, type RadarRow, type RadarSummary, type SyncProgress } from '../../../shared/inventory';
import { api } from './api';
import { pagesToRelease } from './page-window';

// The expiry radar and the sync as shared reactive state: the Overview screen shows them, the
// sidebar badges the urgent count. Main keeps the whole radar; this holds its summary (group
// counts, the urgent count) and only the pages of rows around what the Overview's virtual list
// shows. Refreshed whenever a sync ends (the button's, or the app's scheduled one), whenever the
// library changes, and when a page comes back from a newer revision than the rows on screen.

export const PAGE_SIZE = radarLimits.defaultPageSize;

class Radar {
  summary = $state.raw<RadarSummary | null>(null);
  /** Loaded pages of PAGE_SIZE rows, by page number. */
  readonly pages = new SvelteMap<number, readonly RadarRow[]>();
  error = $state<ErrorInfo | null>(null);
  syncing = $state(false);
  /** Per account, the latest progress of the running sync; then its result. */
  progress = $state<Record<string, SyncProgress>>({});
  results = $state<readonly AccountSyncResult[]>([]);
  syncError = $state<ErrorInfo | null>(null);
  private started = false;
  #generation = 0;
  #requested = new Set<number>();
  /** Pages answered for the current generation; older ones stay on screen only until replaced. */
  #fresh = new Set<number>();
  #range: readonly [number, number] = [0, PAGE_SIZE - 1];
  /** A refresh's first page is on its way. */
  #refreshing = false;

  /** Loads once and listens from then on; later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.on('inventory.progress', (progress) => {
      this.syncing = true;
      this.progress = { ...this.progress, [progress.accountId]: progress };
    });
    api.on('inventory.synced', ({ accounts }) => {
      this.syncing = false;
      this.results = accounts;
      this.progress = {};
      void this.refresh();
    });
    api.on('library.changed', () => void this.refresh());
    // Another vault: another library and inventory; the last sync's results were the old vault's.
    api.on('vault.changed', () => {
      this.results = [];
      this.progress = {};
      void this.refresh();
    });
    void this.refresh();
  }

  get urgent(): number {
    return this.summary?.urgent ?? 0;
  }

  /** The row at an index of the radar, or undefined while its page is on the way. */
  rowAt(index: number): RadarRow | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /**
   * The Overview opened: its list starts at the top, and the radar is read again (the threshold
   * may have changed in Settings) unless a read is on its way already, as at the app's start.
   */
  open(): void {
    this.#range = [0, PAGE_SIZE - 1];
    if (!this.#refreshing) void this.refresh();
  }

  /** The rows the Overview shows (with some margin); fetches the pages that are missing. */
  showRange(first: number, last: number): void {
    this.#range = [Math.max(0, first), Math.max(0, last)];
    this.#releaseFarPages();
    const generation = this.#generation;
    for (let page = Math.floor(this.#range[0] / PAGE_SIZE); page <= Math.floor(this.#range[1] / PAGE_SIZE); page += 1) {
      if (this.summary !== null && page * PAGE_SIZE >= Math.max(this.summary.total, 1)) break;
      if (this.#fresh.has(page) || this.#requested.has(page)) continue;
      void this.#fetchPage(page, generation, false);
    }
  }

  /**
   * Asks main again for the pages in view (the first of them also brings the counts). The old
   * rows stay on screen until the new ones arrive, so a refresh never flashes an empty list.
   */
  async refresh(): Promise<void> {
    this.#generation += 1;
    this.#requested.clear();
    this.#fresh.clear();
    const generation = this.#generation;
    const first = Math.floor(this.#range[0] / PAGE_SIZE);
    const last = Math.floor(this.#range[1] / PAGE_SIZE);
    this.#refreshing = true;
    try {
      await this.#fetchPage(first, generation, true);
    } finally {
      if (generation === this.#generation) this.#refreshing = false;
    }
    for (let page = first + 1; page <= last; page += 1) {
      if (generation === this.#generation && page * PAGE_SIZE < (this.summary?.total ?? 0)) void this.#fetchPage(page, generation, false);
    }
  }

  async sync(): Promise<void> {
    this.syncing = true;
    this.syncError = null;
    this.results = [];
    const result = await api.inventory.sync({});
    this.syncing = false;
    this.progress = {};
    if (!result.ok) {
      this.syncError = result.error;
      return;
    }
    this.results = result.value.accounts;
    await this.refresh();
  }

  async cancel(): Promise<void> {
    await api.inventory.cancel();
  }

  async #fetchPage(page: number, generation: number, replace: boolean): Promise<void> {
    this.#requested.add(page);
    const result = await api.inventory.overview({ offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    if (generation !== this.#generation) return;
    if (!result.ok) {
      this.#requested.delete(page);
      this.error = result.error;
      return;
    }
    const { rows, total, counts, thresholdDays, urgent, revision } = result.value;
    const summary: RadarSummary = { total, counts, thresholdDays, urgent, revision };
    // Changed underneath without an event (the CLI synced or imported): the pages on hand are of
    // the older radar, so the window is asked for again rather than mixed with the new one.
    const changed = !replace && this.summary !== null && summary.revision !== this.summary.revision;
    this.error = null;
    this.summary = summary;
    this.#fresh.add(page);
    if (replace) {
      for (const index of [...this.pages.keys()]) if (!this.#fresh.has(index)) this.pages.delete(index);
    }
    this.pages.set(page, rows);
    this.#releaseFarPages();
    if (changed) void this.refresh();
  }

  /** Pages far from the rows in view (page-window.ts): a long scroll does not keep every page it passed. */
  #releaseFarPages(): void {
    for (const page of pagesToRelease(this.pages.keys(), this.#range, PAGE_SIZE)) {
      this.pages.delete(page);
      this.#fresh.delete(page);
      this.#requested.delete(page);
    }
  }
}

export const radar = new Radar();
