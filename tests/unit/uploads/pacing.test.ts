import { describe, expect, it } from 'vitest';
import { AccountPacer } from '../../../main/core/uploads/pacing';
import { FakeClock } from './support/fake-clock';

/** What limit + 1 consecutive requests span at 90% of the documented rate. */
const MARGIN_WINDOW_MS = 1000 / 0.9;

function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j += 1) {
    while (times[j]! - times[i]! >= windowMs) i += 1;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

describe('account pacer', () => {
  it('spaces requests evenly a tenth under the documented rate and serves them in arrival order', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const released: [number, number][] = [];
    const all = Array.from({ length: 12 }, (_, i) => pacer.acquire('a', 10).then(() => released.push([i, clock.now()])));
    await clock.settle(Promise.all(all));
    expect(released.map(([i]) => i)).toEqual([...Array(12).keys()]);
    const times = released.map(([, t]) => t);
    for (const gap of times.slice(1).map((t, i) => t - times[i]!)) expect(gap).toBeCloseTo(1000 / 9, 2);
    // Any 11 consecutive requests span 1.11 s: room for a tenth of a second of transit jitter.
    expect(times[10]! - times[0]!).toBeCloseTo(MARGIN_WINDOW_MS, 2);
  });

  it('paces 5/s at 4.5/s, not rounded down to whole requests per second', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const times: number[] = [];
    const all = Array.from({ length: 46 }, () => pacer.acquire('a', 5).then(() => times.push(clock.now())));
    await clock.settle(Promise.all(all));
    // 45 intervals at 4.5/s take 10 s; a cap of floor(4.5) = 4 a second took 11.25 s.
    expect((times[45]! - times[0]!) / 1000).toBeCloseTo(10, 3);
    expect(maxInWindow(times, 1000)).toBe(5);
  });

  it('keeps accounts independent', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const start = clock.now();
    const times: number[] = [];
    await clock.settle(Promise.all(['a', 'b', 'c'].map((key) => pacer.acquire(key, 1).then(() => times.push(clock.now() - start)))));
    expect(times).toEqual([0, 0, 0]);
  });

  it('after a stall, lets requests go one interval apart by the clock, never in a bunch', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const times: number[] = [];
    const all = Array.from({ length: 30 }, () => pacer.acquire('a', 10).then(() => times.push(clock.now())));
    await clock.advance(300);
    clock.stall(700); // every wake-up due in these 700 ms fires late, together
    await clock.settle(Promise.all(all));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / 9 - 1e-3);
    expect(maxInWindow(times, 1000 - 1e-3)).toBeLessThanOrEqual(9);
  });

  it('drops a cancelled waiter without holding up the others', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const controller = new AbortController();
    const first = pacer.acquire('a', 1);
    const cancelled = pacer.acquire('a', 1, controller.signal);
    const third = pacer.acquire('a', 1).then(() => clock.now());
    const start = clock.now();
    controller.abort(new Error('stop'));
    await expect(cancelled).rejects.toThrow('stop');
    await first;
    expect((await clock.settle(third)) - start).toBeCloseTo(MARGIN_WINDOW_MS, 2);
  });

  it('refuses a request whose upload was already cancelled, without using up a slot', async () => {
    const clock = new FakeClock();
    const pacer = new AccountPacer(clock);
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(pacer.acquire('a', 1, controller.signal)).rejects.toThrow('cancelled');
    const start = clock.now();
    await clock.settle(pacer.acquire('a', 1));
    expect(clock.now()).toBe(start);
  });

  it('refuses a rate that is not positive', () => {
    const pacer = new AccountPacer(new FakeClock());
    expect(() => pacer.acquire('a', 0)).toThrow(RangeError);
    expect(() => pacer.acquire('b', Number.NaN)).toThrow(RangeError);
  });
});
