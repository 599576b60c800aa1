import { describe, expect, it } from 'vitest';
import { CloudError, type CloudErrorInfo } from '../../../main/clouds/provider';
import { backoffDelayMs, defaultRetryPolicy, shouldRetry, withRetry } from '../../../main/clouds/retry';

function cloudError(overrides: Partial<CloudErrorInfo>): CloudError {
  return new CloudError({
    cloud: 'tencent',
    code: 'X',
    message: '',
    kind: 'server',
    retryable: true,
    requestId: null,
    httpStatus: null,
    mayHaveReachedServer: true,
    hint: { en: '', 'zh-CN': '' },
    ...overrides,
  });
}

describe('shouldRetry', () => {
  it('retries throttling, retryable 5xx and connections that never left', () => {
    expect(shouldRetry(cloudError({ kind: 'throttled' }))).toBe(true);
    expect(shouldRetry(cloudError({ kind: 'server', retryable: true }))).toBe(true);
    expect(shouldRetry(cloudError({ kind: 'network', code: 'ECONNREFUSED', mayHaveReachedServer: false }))).toBe(true);
  });

  it('never retries auth, invalid input, conflicts or non-retryable server errors', () => {
    expect(shouldRetry(cloudError({ kind: 'auth', retryable: true }))).toBe(false);
    expect(shouldRetry(cloudError({ kind: 'invalid' }))).toBe(false);
    expect(shouldRetry(cloudError({ kind: 'conflict' }))).toBe(false);
    expect(shouldRetry(cloudError({ kind: 'server', retryable: false }))).toBe(false);
    expect(shouldRetry(new Error('boom'))).toBe(false);
  });

  it('never repeats an upload whose fate is unknown, but a read-only call may be', () => {
    const timeout = cloudError({ kind: 'network', code: 'timeout', mayHaveReachedServer: true });
    expect(shouldRetry(timeout)).toBe(false);
    expect(shouldRetry(timeout, { idempotent: true })).toBe(true);
  });
});

describe('backoffDelayMs (full jitter)', () => {
  it('draws uniformly below an exponentially growing, capped window', () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, policy, () => 0.5)).toBe(500);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(0);
  });

  it("treats the cloud's Retry-After as a floor", () => {
    expect(backoffDelayMs(1, defaultRetryPolicy, () => 0, 2000)).toBe(2000);
  });
});

describe('withRetry', () => {
  const noSleep = { sleep: async () => undefined, random: () => 0.5 };

  it('retries a throttled call until it succeeds, reporting each wait', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async (attempt) => {
        calls += 1;
        if (attempt < 3) throw cloudError({ kind: 'throttled', retryAfterMs: attempt === 1 ? 1500 : null });
        return 'done';
      },
      { ...noSleep, onRetry: (event) => waits.push(event.delayMs) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(waits).toEqual([1500, 500]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const error = cloudError({ kind: 'server' });
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw error;
        },
        { ...noSleep, policy: { ...defaultRetryPolicy, maxAttempts: 3 } },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(3);
  });

  it('does not retry auth failures (Huawei locks a key after 5)', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw cloudError({ kind: 'auth' });
      }, noSleep),
    ).rejects.toBeInstanceOf(CloudError);
    expect(calls).toBe(1);
  });

  it('does not sleep through a Retry-After longer than the policy allows', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw cloudError({ kind: 'throttled', retryAfterMs: 10 * 60_000 });
      }, noSleep),
    ).rejects.toBeInstanceOf(CloudError);
    expect(calls).toBe(1);
  });

  it('stops waiting when cancelled', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        throw cloudError({ kind: 'throttled' });
      },
      { signal: controller.signal, random: () => 1, policy: { ...defaultRetryPolicy, baseDelayMs: 60_000 } },
    );
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});
