import { abortableSleep } from '../../clouds/retry';

// Time as the upload machinery sees it: pacing, retry waits, durations and history timestamps.
// Injected so tests run on virtual time (tests/unit/uploads/support/fake-clock.ts).

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: abortableSleep };
