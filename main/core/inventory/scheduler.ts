import { VaultError } from '../../../shared/errors';
import type { AutoSync } from '../../../shared/inventory';
import type { Clock } from '../uploads/clock';
import { log } from '../log';

// Automatic sync: once when the app starts and then every N hours while it runs, as Settings
// say (off / 6 h / 24 h). The setting is read at every check, so a change applies without a
// restart; a sync the button started meanwhile is simply skipped ('inventory.sync_running').
// After each automatic sync, and once at start when automatic sync is off, `afterSync` runs (the
// desktop notification): at start it sees the fresh remote copies rather than the last run's.

export type { AutoSync };

const HOUR_MS = 3_600_000;
const INTERVALS: Readonly<Record<AutoSync, number | null>> = { off: null, '6h': 6 * HOUR_MS, '24h': 24 * HOUR_MS };
/** How often the scheduler looks at the setting and the time of its last sync. */
export const CHECK_MS = 60_000;

export interface SchedulerDeps {
  readonly clock: Clock;
  readonly setting: () => AutoSync;
  readonly sync: () => Promise<unknown>;
  /** Runs after every automatic sync, failed or not (the library still has its certificates). */
  readonly afterSync?: () => void;
}

/** Runs until `signal` aborts; resolves then. */
export async function runSyncScheduler(deps: SchedulerDeps, signal: AbortSignal): Promise<void> {
  let last: number | null = null;
  let started = false;
  while (!signal.aborted) {
    const every = INTERVALS[deps.setting()];
    if (every !== null && (last === null || deps.clock.now() - last >= every)) {
      last = deps.clock.now();
      try {
        await deps.sync();
      } catch (error) {
        log.warn('auto_sync_failed', { code: error instanceof VaultError ? error.code : 'internal' });
      }
      runAfterSync(deps);
    } else if (!started) {
      runAfterSync(deps);
    }
    started = true;
    try {
      await deps.clock.sleep(CHECK_MS, signal);
    } catch {
      return;
    }
  }
}

function runAfterSync(deps: SchedulerDeps): void {
  try {
    deps.afterSync?.();
  } catch (error) {
    log.warn('after_sync_failed', { code: error instanceof VaultError ? error.code : 'internal' });
  }
}
