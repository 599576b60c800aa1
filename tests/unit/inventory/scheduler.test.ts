import { describe, expect, it } from 'vitest';
import { runSyncScheduler, type AutoSync } from '../../../main/core/inventory/scheduler';
import { FakeClock } from '../uploads/support/fake-clock';

const HOUR = 3_600_000;

function harness(initial: AutoSync) {
  const clock = new FakeClock();
  const start = clock.now();
  const runs: number[] = [];
  let setting = initial;
  const stop = new AbortController();
  const done = runSyncScheduler({ clock, setting: () => setting, sync: async () => void runs.push((clock.now() - start) / HOUR) }, stop.signal);
  return { clock, runs, stop, done, set: (next: AutoSync) => (setting = next) };
}

describe('automatic sync', () => {
  it('syncs when the app starts and then every 6 hours', async () => {
    const h = harness('6h');
    await h.clock.advance(13 * HOUR);
    expect(h.runs).toEqual([0, 6, 12]);
    h.stop.abort();
    await h.done;
  });

  it('never syncs while off, and starts within a minute of being turned on', async () => {
    const h = harness('off');
    await h.clock.advance(30 * HOUR);
    expect(h.runs).toEqual([]);
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

  it('keeps its schedule when a sync fails (a manual one running), and stops when asked', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const stop = new AbortController();
    const done = runSyncScheduler(
      {
        clock,
        setting: () => '6h',
        sync: async () => {
          calls += 1;
          throw new Error('inventory.sync_running');
        },
      },
      stop.signal,
    );
    await clock.advance(7 * HOUR);
    expect(calls).toBe(2);
    stop.abort();
    await done;
    await clock.advance(24 * HOUR);
    expect(calls).toBe(2);
  });
});
