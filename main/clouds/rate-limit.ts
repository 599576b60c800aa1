import { abortableSleep } from './retry';

// Per-account request pacing, so a fan-out of many uploads stays under each cloud's documented
// rate (Tencent 10/s, Alibaba 100/s, ...) instead of collecting throttling errors.
//
// A GCRA-style bucket: each caller reserves the next free slot in arrival order and sleeps until
// it. With the default burst of 1 the requests are evenly spaced (1000/rate ms apart), the safest
// reading of "N per second" whatever window the cloud counts in.

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: abortableSleep };

export class TokenBucket {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly clock: Clock;
  /** When the next token becomes free (theoretical arrival time). */
  private nextFreeAt = Number.NEGATIVE_INFINITY;

  constructor(requestsPerSecond: number, options: { readonly burst?: number; readonly clock?: Clock } = {}) {
    if (!(requestsPerSecond > 0)) throw new RangeError(`rate must be positive, got ${requestsPerSecond}`);
    this.intervalMs = 1000 / requestsPerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.clock = options.clock ?? systemClock;
  }

  /** Resolves when the caller may send one request; rejects if `signal` aborts while waiting. */
  async take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    const now = this.clock.now();
    const slot = Math.max(this.nextFreeAt, now);
    const waitMs = slot - (this.burst - 1) * this.intervalMs - now;
    this.nextFreeAt = slot + this.intervalMs;
    if (waitMs <= 0) return;
    try {
      await this.clock.sleep(waitMs, signal);
    } catch (error) {
      // Give the slot back when nobody queued behind us, so a cancelled wait costs nothing.
      if (this.nextFreeAt === slot + this.intervalMs) this.nextFreeAt = slot;
      throw error;
    }
  }
}

/** One bucket per key (an account id), created on first use; a changed rate starts a new bucket. */
export class RateLimiter {
  private readonly buckets = new Map<string, { readonly rate: number; readonly bucket: TokenBucket }>();
  private readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  acquire(key: string, requestsPerSecond: number, signal?: AbortSignal): Promise<void> {
    let entry = this.buckets.get(key);
    if (entry?.rate !== requestsPerSecond) {
      entry = { rate: requestsPerSecond, bucket: new TokenBucket(requestsPerSecond, { clock: this.clock }) };
      this.buckets.set(key, entry);
    }
    return entry.bucket.take(signal);
  }
}
