import { CloudError, type CloudErrorInfo } from './provider';

// When and how long to wait before trying a cloud request again.
//
// Only failures that cannot have changed anything on the cloud are retried: throttling (the cloud
// refused before acting), 5xx answers the cloud marks retryable, and connection failures where the
// request provably never left. Never auth failures (Huawei locks an AK/SK after 5 failures in a
// row, and a wrong key stays wrong), and never an upload whose fate is unknown (a timeout or reset
// after the request was written): repeating it could create a second copy, so the orchestrator
// looks for the certificate with the list call instead. Read-only calls (`idempotent`) may retry
// those too.

export interface RetryPolicy {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** Cap of the first backoff window; it doubles per failed attempt. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A cloud asking us to wait longer than this is not retried now: the target fails with its code. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 };

export interface RetryOptions {
  /** True for read-only calls (list): a request with an unknown fate may be repeated. */
  readonly idempotent?: boolean;
}

export function shouldRetry(error: unknown, options: RetryOptions = {}): boolean {
  if (!(error instanceof CloudError)) return false;
  return isRetryable(error.info, options);
}

export function isRetryable(info: CloudErrorInfo, options: RetryOptions = {}): boolean {
  switch (info.kind) {
    case 'auth':
    case 'invalid':
    case 'conflict':
      return false;
    case 'throttled':
      return true;
    case 'server':
      return info.retryable;
    case 'network':
      return info.retryable && (!info.mayHaveReachedServer || options.idempotent === true);
  }
}

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): a uniform wait in
 * [0, min(max, base * 2^(failures-1))), so many targets throttled at once do not retry in step.
 * A cloud's own Retry-After is a floor. `failures` counts failed attempts so far (1 after the first).
 */
export function backoffDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random, retryAfterMs?: number | null): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.floor(random() * window);
  return Math.max(jittered, retryAfterMs ?? 0);
}

export interface RetryRun extends RetryOptions {
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait; `attempt` is the number of the attempt that just failed. */
  readonly onRetry?: (event: { readonly attempt: number; readonly delayMs: number; readonly error: CloudError }) => void;
}

/** Runs `operation` (given its 1-based attempt number) until it succeeds or may not be retried. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, run: RetryRun = {}): Promise<T> {
  const policy = run.policy ?? defaultRetryPolicy;
  const sleep = run.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || !shouldRetry(error, run)) throw error;
      // Cancelled while the attempt ran: report the cancellation, as a cancelled wait does.
      if (run.signal?.aborted) throw run.signal.reason;
      const cloudError = error as CloudError;
      const retryAfter = cloudError.info.retryAfterMs ?? null;
      if (retryAfter !== null && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = backoffDelayMs(attempt, policy, run.random, retryAfter);
      run.onRetry?.({ attempt, delayMs, error: cloudError });
      await sleep(delayMs, run.signal);
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
