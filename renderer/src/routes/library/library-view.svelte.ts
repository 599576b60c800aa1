import type { ErrorInfo } from '../../../../shared/errors';
import { defaultLibrarySort, type KeychainStatus, type LibraryListEntry, type LibraryQuery, type LibrarySort, type SortColumn } from '../../../../shared/library';
import type { Deployment } from '../../../../shared/uploads';
import { SvelteMap } from 'svelte/reactivity';
import { api } from '../../lib/api';
import { pagesToRelease } from '../../lib/page-window';
import { preferences } from '../../lib/preferences.svelte';

// What the Library screen shows: the query (search, filters, sort) and a sparse window of its
// result. The list is virtualised, so only the pages around the visible rows are ever fetched;
// main does the searching and sorting (SQLite), and pages far from the rows in view are let go
// (page-window.ts), so the renderer holds about 2,000 rows whatever the library's size.

export type Validity = 'all' | 'expiring' | 'expired' | 'valid';
export type KindFilter = 'all' | 'ca' | 'leaf';
export type KeyFilter = 'any' | 'with' | 'without';

export const PAGE_SIZE = 100;
/** Typing pauses shorter than this are one search; main answers in a few ms, so it can be short. */
const SEARCH_DEBOUNCE_MS = 60;
/** Uploads finish in bursts (one event per target); refresh the "uploaded to" column once per burst. */
const DEPLOYMENTS_DEBOUNCE_MS = 400;

class LibraryView {
  search = $state('');
  validity = $state<Validity>('all');
  kind = $state<KindFilter>('all');
  key = $state<KeyFilter>('any');
  /** Only the current version of each renewal lineage. */
  currentOnly = $state(false);
  sort = $state<SortColumn>(defaultLibrarySort.column);
  descending = $state(defaultLibrarySort.descending);
  /** The "expiring within" threshold (Settings). */
  expiringWithinDays = $state(30);

  /** Entries matching the query; null until the first answer. */
  total = $state<number | null>(null);
  /** The search matched more than `total`: main counts a margin past the rows asked for (core/library/search.ts). */
  totalCapped = $state(false);
  /** Entries in the vault regardless of the query (for the empty state). */
  vaultSize = $state<number | null>(null);
  /** Loaded pages of PAGE_SIZE rows, by page number. */
  readonly pages = new SvelteMap<number, readonly LibraryListEntry[]>();
  readonly deployments = new SvelteMap<string, readonly Deployment[]>();
  status = $state.raw<KeychainStatus | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** Bumped when the result is a different list (not a refresh of the same one): the table scrolls to the top. */
  resetCount = $state(0);
  selectedId = $state<string | null>(null);

  filtered = $derived(this.search.trim() !== '' || this.validity !== 'all' || this.kind !== 'all' || this.key !== 'any' || this.currentOnly);

  #generation = 0;
  #requested = new Set<number>();
  /** Pages answered for the current generation; older ones are only kept on screen until replaced. */
  #fresh = new Set<number>();
  #range: readonly [number, number] = [0, PAGE_SIZE - 1];
  #searchTimer: ReturnType<typeof setTimeout> | undefined;
  #deploymentsTimer: ReturnType<typeof setTimeout> | undefined;

  /** The entry at a row index, or undefined while its page is on the way. */
  entryAt(index: number): LibraryListEntry | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  query(): LibraryQuery {
    return {
      search: this.search.trim() || undefined,
      expiringWithinDays: this.validity === 'expiring' ? this.expiringWithinDays : undefined,
      expired: this.validity === 'expired' || undefined,
      hideExpired: this.validity === 'valid' || undefined,
      kind: this.kind === 'all' ? undefined : this.kind,
      hasKey: this.key === 'any' ? undefined : this.key === 'with',
      currentOnly: this.currentOnly || undefined,
      sort: this.sort,
      descending: this.descending,
    };
  }

  setSearch(text: string): void {
    this.search = text;
    clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.reload(true), SEARCH_DEBOUNCE_MS);
  }

  /** Click on a column header: first ascending, again descending. Remembered in the settings. */
  sortBy(column: SortColumn): void {
    const chosen: LibrarySort = { column, descending: this.sort === column ? !this.descending : false };
    this.applySort(chosen);
    void preferences.update({ librarySort: chosen });
  }

  /** The stored sort (on opening, or once the settings arrive); a no-op when it is already in force. */
  applySort(sort: LibrarySort): void {
    if (sort.column === this.sort && sort.descending === this.descending) return;
    this.sort = sort.column;
    this.descending = sort.descending;
    void this.reload(true);
  }

  clearFilters(): void {
    clearTimeout(this.#searchTimer);
    this.search = '';
    this.validity = 'all';
    this.kind = 'all';
    this.key = 'any';
    this.currentOnly = false;
    void this.reload(true);
  }

  /** The rows the table shows (with some margin); fetches the pages that are missing. */
  showRange(first: number, last: number): void {
    this.#range = [Math.max(0, first), Math.max(0, last)];
    this.#releaseFarPages();
    const generation = this.#generation;
    for (let page = Math.floor(this.#range[0] / PAGE_SIZE); page <= Math.floor(this.#range[1] / PAGE_SIZE); page += 1) {
      if (this.total !== null && page * PAGE_SIZE >= Math.max(this.total, 1)) break;
      if (this.#fresh.has(page) || this.#requested.has(page)) continue;
      void this.#fetchPage(page, generation, false);
    }
  }

  /**
   * Asks main again. `reset`: the query changed, so the list starts at the top; otherwise (the
   * library changed underneath) the visible window is refreshed in place. The old rows stay on
   * screen until the new ones arrive, so typing never flashes an empty list.
   */
  async reload(reset: boolean): Promise<void> {
    this.#generation += 1;
    this.#requested.clear();
    this.#fresh.clear();
    if (reset) {
      this.resetCount += 1;
      this.#range = [0, PAGE_SIZE - 1];
    }
    const generation = this.#generation;
    const first = Math.floor(this.#range[0] / PAGE_SIZE);
    const last = Math.floor(this.#range[1] / PAGE_SIZE);
    await this.#fetchPage(first, generation, true);
    for (let page = first + 1; page <= last; page += 1) {
      if (generation === this.#generation && page * PAGE_SIZE < (this.total ?? 0)) void this.#fetchPage(page, generation, false);
    }
  }

  /** The vault's size and keychain state: on opening the screen and whenever the library changes. */
  async loadVaultState(): Promise<void> {
    const [count, status] = await Promise.all([api.library.list({ limit: 0 }), api.library.status()]);
    if (count.ok) this.vaultSize = count.value.total;
    else this.error = count.error;
    if (status.ok) this.status = status.value;
  }

  /** After uploads: the "uploaded to" column of the loaded rows, once the burst of events settles. */
  refreshDeploymentsSoon(): void {
    clearTimeout(this.#deploymentsTimer);
    this.#deploymentsTimer = setTimeout(() => {
      const ids = [...this.pages.values()].flat().map((entry) => entry.id);
      void this.#loadDeployments(ids);
    }, DEPLOYMENTS_DEBOUNCE_MS);
  }

  async #fetchPage(page: number, generation: number, replace: boolean): Promise<void> {
    this.#requested.add(page);
    const result = await api.library.list({ ...this.query(), offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    if (generation !== this.#generation) return;
    if (!result.ok) {
      this.#requested.delete(page);
      this.error = result.error;
      return;
    }
    this.error = null;
    // A capped count ("at least") grows as deeper pages are asked for; a shallower page answering
    // late never shrinks it, and an exact count is never below a capped one.
    if (replace || !this.totalCapped || this.total === null || result.value.total >= this.total) {
      this.total = result.value.total;
      this.totalCapped = result.value.totalCapped === true;
    }
    this.#fresh.add(page);
    if (replace) {
      for (const index of [...this.pages.keys()]) if (!this.#fresh.has(index)) this.pages.delete(index);
    }
    this.pages.set(page, result.value.entries);
    // A page the list scrolled far past while it was on the way is let go at once.
    this.#releaseFarPages();
    if (this.pages.has(page)) void this.#loadDeployments(result.value.entries.map((entry) => entry.id));
  }

  /** Pages far from the rows in view, with their rows' deployments (page-window.ts). */
  #releaseFarPages(): void {
    for (const page of pagesToRelease(this.pages.keys(), this.#range, PAGE_SIZE)) {
      for (const entry of this.pages.get(page) ?? []) this.deployments.delete(entry.id);
      this.pages.delete(page);
      this.#fresh.delete(page);
      this.#requested.delete(page);
    }
  }

  async #loadDeployments(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const result = await api.history.deployments({ certificateIds: [...ids] });
    // No history yet (or no uploads service) simply leaves the column empty.
    if (!result.ok) return;
    for (const id of ids) this.deployments.set(id, result.value.deployments[id] ?? []);
  }
}

export const libraryView = new LibraryView();
