import { VaultError, type ErrorInfo } from '../../../shared/errors';
import type { VerifiedDomain } from '../../../shared/deploy';
import { Semaphore } from '../uploads/semaphore';
import { failureFromVaultError } from '../uploads/failure';
import { DEFAULT_PROBE_TIMEOUT_MS, readServed, type TlsResolver } from './read-served';

// After a deployment: does every domain serve NEW? CDNs take minutes to propagate, so each domain
// is probed again with a growing pause until its leaf is NEW or the time is up. Running out of
// time while OLD is still served is "deployed but not yet served", a fact for the history, not
// a failure of the deployment; a domain that cannot be read at all reports its last TLS error.

export interface VerifyTarget {
  readonly domain: string;
  /** The resource's port; 443 when null or absent. */
  readonly port?: number | null;
  /** Connect here instead of where DNS points. */
  readonly ip?: string;
}

export interface VerifyAttempt {
  readonly domain: string;
  /** 1 for the first probe. */
  readonly attempt: number;
  readonly served: string | null;
  readonly ok: boolean;
  readonly error: ErrorInfo | null;
  /** The pause before the next probe; null when this was the last one. */
  readonly nextDelayMs: number | null;
}

export interface VerifyClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface VerifyServedOptions {
  readonly domains: readonly (string | VerifyTarget)[];
  /** SHA-256 of NEW's leaf; hex, colons and case do not matter. */
  readonly expectedFingerprint: string;
  /** Give up after this long (default 10 minutes); no probe starts later. */
  readonly timeoutMs?: number;
  /** Pause before the second probe (default 5 s); each next pause is `backoff` times longer. */
  readonly initialDelayMs?: number;
  readonly backoff?: number;
  /** Longest pause between probes (default 60 s). */
  readonly maxDelayMs?: number;
  /** One probe's budget (default 10 s). */
  readonly probeTimeoutMs?: number;
  /** Domains probed at once (default 8). */
  readonly concurrency?: number;
  /** Stops probing; domains not yet verified end with `cancelled`. */
  readonly signal?: AbortSignal;
  readonly onAttempt?: (attempt: VerifyAttempt) => void;
  readonly resolve?: TlsResolver;
  readonly clock?: VerifyClock;
}

export const verifyDefaults = {
  timeoutMs: 10 * 60 * 1000,
  initialDelayMs: 5_000,
  backoff: 2,
  maxDelayMs: 60_000,
  concurrency: 8,
} as const;

export const systemClock: VerifyClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** One result per domain, in the order given; never throws for what a server does. */
export async function verifyServed(options: VerifyServedOptions): Promise<VerifiedDomain[]> {
  const expected = normalizeFingerprint(options.expectedFingerprint);
  const semaphore = new Semaphore(options.concurrency ?? verifyDefaults.concurrency);
  const targets = options.domains.map((target) => (typeof target === 'string' ? { domain: target } : target));
  return Promise.all(
    targets.map(async (target) => {
      let release: () => void;
      try {
        release = await semaphore.acquire(options.signal);
      } catch {
        return cancelled(target.domain, null);
      }
      try {
        return await verifyOne(target, expected, options);
      } finally {
        release();
      }
    }),
  );
}

async function verifyOne(target: VerifyTarget, expected: string, options: VerifyServedOptions): Promise<VerifiedDomain> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? verifyDefaults.timeoutMs;
  const backoff = options.backoff ?? verifyDefaults.backoff;
  const maxDelayMs = options.maxDelayMs ?? verifyDefaults.maxDelayMs;
  const giveUpAt = clock.now() + timeoutMs;
  let delay = Math.min(options.initialDelayMs ?? verifyDefaults.initialDelayMs, maxDelayMs);

  let lastServed: string | null = null;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) return cancelled(target.domain, lastServed);
    const probe = await probeOnce(target, options);
    lastServed = probe.served ?? lastServed;
    if (options.signal?.aborted) return cancelled(target.domain, lastServed);
    const ok = probe.served === expected;
    const remaining = giveUpAt - clock.now();
    const nextDelayMs = ok || remaining <= 0 ? null : Math.min(delay, remaining);
    options.onAttempt?.({ domain: target.domain, attempt, served: probe.served, ok, error: probe.error?.toInfo() ?? null, nextDelayMs });
    if (ok) return { domain: target.domain, served: probe.served, ok: true, error: null };
    if (nextDelayMs === null) return gaveUp(target.domain, probe, expected, timeoutMs);
    await clock.sleep(nextDelayMs, options.signal);
    delay = Math.min(delay * backoff, maxDelayMs);
  }
}

interface Probe {
  readonly served: string | null;
  readonly error: VaultError | null;
}

async function probeOnce(target: VerifyTarget, options: VerifyServedOptions): Promise<Probe> {
  try {
    const served = await readServed({
      domain: target.domain,
      ...(target.port ? { port: target.port } : {}),
      ...(target.ip ? { ip: target.ip } : {}),
      timeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      ...(options.resolve ? { resolve: options.resolve } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { served: served.leafFingerprintSha256, error: null };
  } catch (error) {
    // readServed throws only VaultErrors; anything else is a bug, reported as such rather than lost.
    return { served: null, error: error instanceof VaultError ? error : new VaultError('internal') };
  }
}

function gaveUp(domain: string, probe: Probe, expected: string, timeoutMs: number): VerifiedDomain {
  const error =
    probe.served !== null
      ? new VaultError('tls.not_yet_served', {
          domain,
          served: short(probe.served),
          expected: short(expected),
          // Seconds, as the timeout is given (--verify-timeout, the dialog): a short one would read "0 min".
          seconds: Math.round(timeoutMs / 1000),
        })
      : (probe.error ?? new VaultError('internal'));
  return { domain, served: probe.served, ok: false, error: failureFromVaultError(error) };
}

function cancelled(domain: string, served: string | null): VerifiedDomain {
  return { domain, served, ok: false, error: failureFromVaultError(new VaultError('cancelled')) };
}

/** `AB:CD:…` or `abcd…` → `abcd…`. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[:\s]/g, '').toLowerCase();
}

/** The first 16 hex digits: enough to tell two certificates apart in a sentence. */
function short(fingerprint: string): string {
  return `${fingerprint.slice(0, 16)}…`;
}
