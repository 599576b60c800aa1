import type { ErrorInfo } from '../../../shared/errors';
import type { AccountSyncResult, RadarOverview, SyncProgress } from '../../../shared/inventory';
import { api } from './api';

// The expiry radar and the sync as shared reactive state: the Overview screen shows them, the
// sidebar badges the urgent count. Refreshed whenever a sync ends (the button's, or the app's
// scheduled one) and whenever the library changes.

class Radar {
  // Raw: thousands of rows, replaced whole on every refresh, never edited in place.
  overview = $state.raw<RadarOverview | null>(null);
  error = $state<ErrorInfo | null>(null);
  syncing = $state(false);
  /** Per account, the latest progress of the running sync; then its result. */
  progress = $state<Record<string, SyncProgress>>({});
  results = $state<readonly AccountSyncResult[]>([]);
  syncError = $state<ErrorInfo | null>(null);
  private started = false;

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
    void this.refresh();
  }

  get urgent(): number {
    return this.overview?.urgent ?? 0;
  }

  async refresh(): Promise<void> {
    const result = await api.inventory.overview();
    if (result.ok) {
      this.overview = result.value;
      this.error = null;
    } else {
      this.error = result.error;
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
}

export const radar = new Radar();
