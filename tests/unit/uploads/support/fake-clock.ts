import type { Clock } from '../../../../main/core/uploads/clock';

// Virtual time: `sleep` registers a timer, and `settle` runs the work to completion by draining
// pending microtasks, then jumping to the earliest timer, until the awaited promise settles.
// Deterministic (timers at the same instant fire in registration order) and instant.

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.parse('2025-06-01T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.time + ms,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Advances virtual time until `work` settles; fails loudly on a deadlock. */
  async settle<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const tracked = work.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let step = 0; step < 100_000; step += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return tracked;
      if (this.timers.length === 0) throw new Error('deadlock: work pending with no timer to advance');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
    throw new Error('did not settle within 100000 timer steps');
  }

  /** The process was descheduled: time moves on and every timer due meanwhile fires late. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Runs timers due up to `ms` from now (for tests that act mid-run, e.g. cancel). */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.time = next.at;
      next.resolve();
    }
    this.time = until;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
