import type { CloudProvider } from '../../clouds/provider';
import type { Clock } from './clock';

// Per-account pacing of cloud requests, measured on the clock at the moment each request is let
// go, never on a schedule reserved in advance.
//
// Why not slots reserved ahead (a GCRA token bucket): when the process stalls (a busy shared
// machine, GC), every reserved wake-up fires late at once and the requests leave in a bunch; a
// cloud counting per sliding second then sees more than its limit. Measured with
// bench/upload-ratelimit.ts (100 uploads to one Tencent account, 10/s): reserved slots at exactly
// 10/s got 175 throttling answers and 5 failed uploads; slots at 9/s still got 3, with 12
// requests inside one second after a stall. Here a request leaves only when both hold, by the
// clock: one interval of the documented rate since the previous one left, and fewer than the
// documented limit left in the last HEADROOM_WINDOW_MS. A stall then only delays requests; it
// never bunches them.
//
// Why the margin is a longer window and not a lower rate: what a request can lose between leaving
// here and reaching the cloud (signing, the socket, a late event loop) must not let the cloud count
// limit + 1 in one of its seconds. Any limit + 1 consecutive releases here span at least the
// window, so a tenth of a second of such jitter stays within the limit. The same margin as a rate
// 10% lower, rounded down to whole requests per second, cost Huawei (5/s, so 4.5/s, so 4 a second)
// a fifth of its throughput (bench inventory-sync, docs/performance.md); the window costs every
// cloud the same tenth, and timer lateness is paid once per window rather than once per request.

/** Requests are counted over this window against the documented per-second limit: 10% of margin. */
const HEADROOM_WINDOW_MS = 1000 / 0.9;

export interface Pacer {
  /**
   * Resolves when one request for `key` may be sent, `requestsPerSecond` being the cloud's documented
   * limit (the margin is the pacer's); rejects with the signal's reason if it aborts first.
   */
  acquire(key: string, requestsPerSecond: number, signal?: AbortSignal): Promise<void>;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

class Lane {
  private readonly intervalMs: number;
  private readonly perWindow: number;
  private readonly released: number[] = [];
  private readonly queue: Waiter[] = [];
  private lastRelease = Number.NEGATIVE_INFINITY;
  private pumping = false;

  constructor(
    requestsPerSecond: number,
    private readonly clock: Clock,
  ) {
    if (!(requestsPerSecond > 0)) throw new RangeError(`requestsPerSecond must be positive, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
    this.perWindow = Math.max(1, Math.floor(requestsPerSecond));
  }

  acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        while (this.released.length > 0 && this.released[0]! <= now - HEADROOM_WINDOW_MS) this.released.shift();
        const spacing = this.lastRelease + this.intervalMs - now;
        const window = this.released.length >= this.perWindow ? this.released[0]! + HEADROOM_WINDOW_MS - now : 0;
        const waitMs = Math.max(spacing, window);
        if (waitMs > 0) {
          await this.clock.sleep(waitMs);
          continue;
        }
        const waiter = this.queue.shift()!;
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        this.lastRelease = now;
        this.released.push(now);
        waiter.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** One lane per account, created on first use with that account's rate; shared by every job of the process. */
export class AccountPacer implements Pacer {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly clock: Clock) {}

  acquire(key: string, requestsPerSecond: number, signal?: AbortSignal): Promise<void> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new Lane(requestsPerSecond, this.clock);
      this.lanes.set(key, lane);
    }
    return lane.acquire(signal);
  }
}
