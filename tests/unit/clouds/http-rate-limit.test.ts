import { describe, expect, it } from 'vitest';
import { RateLimiter, TokenBucket, type Clock } from '../../../main/clouds/rate-limit';

/** A clock that only moves when someone sleeps, so pacing is exact and instant. */
function fakeClock(): Clock & { readonly sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('spaces requests evenly at the configured rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, { clock });
    const startedAt: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await bucket.take();
      startedAt.push(clock.now());
    }
    expect(startedAt).toEqual([0, 100, 200, 300, 400]);
  });

  it('lets a burst through at once, then paces', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, { clock, burst: 3 });
    const startedAt: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      await bucket.take();
      startedAt.push(clock.now());
    }
    expect(startedAt).toEqual([0, 0, 0, 100, 200]);
  });

  it('hands out slots in arrival order to concurrent callers', async () => {
    let now = 0;
    const waits: number[] = [];
    const clock: Clock = { now: () => now, sleep: async (ms) => void waits.push(ms) };
    const bucket = new TokenBucket(4, { clock });
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    expect(waits).toEqual([250, 500]);
    now = 10_000;
    await bucket.take();
    expect(waits).toEqual([250, 500]);
  });

  it('gives a cancelled slot back', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, { clock });
    await bucket.take();
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(bucket.take(controller.signal)).rejects.toThrow('cancelled');
    await bucket.take();
    expect(clock.now()).toBe(1000);
  });

  it('refuses a non-positive rate', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock);
    await limiter.acquire('tencent-prod', 10);
    await limiter.acquire('aliyun-prod', 100);
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire('tencent-prod', 10);
    expect(clock.sleeps).toEqual([100]);
  });

  it("starts a fresh bucket when a key's rate changes", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(clock);
    await limiter.acquire('acct', 1);
    await limiter.acquire('acct', 50);
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire('acct', 50);
    expect(clock.sleeps).toEqual([20]);
  });
});
