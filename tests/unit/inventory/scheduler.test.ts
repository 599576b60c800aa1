import { describe, expect, it } from 'vitest';
import { runSyncScheduler, type AutoSync } from '../../../main/core/inventory/scheduler';
import { FakeClock } from '../uploads/support/fake-clock';

const HOUR = 3_600_000;

function harness(initial: AutoSync) {
  const clock = new FakeClock();
  const start = clock.now();
  const runs: number[] = [];
  /** When the notification step ran, and how many syncs had finished by then. */
  const after: [number, number][] = [];
  let setting = initial;
  const stop = new AbortController();
  const done = runSyncScheduler(
    { clock, setting: () => setting, sync: async () => void runs.push((clock.now() - start) / HOUR), afterSync: () => void after.push([(clock.now() - start) / HOUR, runs.length]) },
    stop.signal,
  );
  return { clock, runs, after, stop, done, set: (next: AutoSync) => (setting = next) };
}

describe('automatic sync', () => {
  it('syncs when the app starts and then every 6 hours', async () => {
    const h = harness('6h');
    await h.clock.advance(13 * HOUR);
    expect(h.runs).toEqual([0, 6, 12]);
    // Notifications follow each sync, the first at start once the first sync is done.
    expect(h.after).toEqual([[0, 1], [6, 2], [12, 3]]);
    h.stop.abort();
    await h.done;
  });

  it('never syncs while off, and starts within a minute of being turned on', async () => {
    const h = harness('off');
    await h.clock.advance(30 * HOUR);
    expect(h.runs).toEqual([]);
    // Off: the start still notifies once, over the library and the last sync's copies; then never on its own.
    expect(h.after).toEqual([[0, 0]]);
    h.set('24h');
    await h.clock.advance(HOUR);
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!).toBeGreaterThanOrEqual(30);
    expect(h.runs[0]!).toBeLessThanOrEqual(30 + 1 / 60);
    await h.clock.advance(25 * HOUR);
    expect(h.runs).toHaveLength(2);
    h.stop.abort();
    await h.done;
  });

  it('keeps its schedule when a sync or its notification fails, notifies after a failed sync, and stops when asked', async () => {
    const clock = new FakeClock();
    let calls = 0;
    let notified = 0;
    const stop = new AbortController();
    const done = runSyncScheduler(
      {
        clock,
        setting: () => '6h',
        sync: async () => {
          calls += 1;
          throw new Error('inventory.sync_running');
        },
        afterSync: () => {
          notified += 1;
          throw new Error('notification failed');
        },
      },
      stop.signal,
    );
    await clock.advance(7 * HOUR);
    expect(calls).toBe(2);
    expect(notified).toBe(2);
    stop.abort();
    await done;
    await clock.advance(24 * HOUR);
    expect(calls).toBe(2);
  });
});
