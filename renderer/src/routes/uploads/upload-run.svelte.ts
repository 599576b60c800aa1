import type { ErrorInfo } from '../../../../shared/errors';
import type { CloudId } from '../../../../shared/model';
import type { TargetState, UploadFailure, UploadJobSummary, UploadProgress } from '../../../../shared/uploads';
import { api } from '../../lib/api';

// One upload job as the dialog shows it: a row per target, moved along by `uploads.progress`
// events and settled from `uploads.job` (attempts, duration) once every target is final.
// Events can arrive before `uploads.start` has answered with the job id, so they are kept until
// the id is known.

export interface TargetView {
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly state: TargetState;
  readonly attempt: number;
  readonly waitMs: number | null;
  readonly remoteId: string | null;
  readonly requestId: string | null;
  readonly error: UploadFailure | null;
  readonly durationMs: number | null;
  /** When main first reported work on this target (Date.now()), for the elapsed time while it runs. */
  readonly startedAt: number | null;
}

export interface StartTarget {
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly options: Record<string, unknown>;
}

export type FinalState = Extract<TargetState, 'uploaded' | 'duplicate' | 'failed' | 'cancelled'>;

const finalStates: ReadonlySet<TargetState> = new Set<FinalState>(['uploaded', 'duplicate', 'failed', 'cancelled']);
// Cancelled targets were stopped on purpose: "Retry failed" neither counts nor reruns them.
const retriedStates: ReadonlySet<TargetState> = new Set(['failed']);
/** `uploads.job` may lag the last event by a moment (the history row is written after it). */
const SETTLE_RETRY_MS = 100;
const SETTLE_ATTEMPTS = 50;

export function isFinal(state: TargetState): state is FinalState {
  return finalStates.has(state);
}

function queued(target: Pick<TargetView, 'accountId' | 'accountName' | 'cloud'>): TargetView {
  return { ...target, state: 'queued', attempt: 0, waitMs: null, remoteId: null, requestId: null, error: null, durationMs: null, startedAt: null };
}

export class UploadRun {
  jobId = $state<string | null>(null);
  targets = $state<TargetView[]>([]);
  /** True once every target is final and the job's summary has been read. */
  done = $state(false);
  busy = $state(false);
  error = $state<ErrorInfo | null>(null);

  private early: UploadProgress[] = [];
  private readonly unsubscribe: () => void;

  constructor() {
    this.unsubscribe = api.on('uploads.progress', (progress) => this.receive(progress));
  }

  get started(): boolean {
    return this.jobId !== null;
  }

  get failedCount(): number {
    return this.targets.filter((target) => retriedStates.has(target.state)).length;
  }

  get running(): boolean {
    return this.started && !this.done;
  }

  async start(certificateId: string, targets: readonly StartTarget[], force: boolean): Promise<void> {
    this.busy = true;
    this.error = null;
    this.done = false;
    this.targets = targets.map(queued);
    const result = await api.uploads.start({
      certificateId,
      targets: targets.map(({ accountId, options }) => ({ accountId, options })),
      ...(force ? { force } : {}),
    });
    this.busy = false;
    if (!result.ok) {
      this.error = result.error;
      this.targets = [];
      return;
    }
    this.jobId = result.value.jobId;
    const early = this.early.filter((progress) => progress.jobId === this.jobId);
    this.early = [];
    for (const progress of early) this.apply(progress);
    this.settleIfFinished();
  }

  async retryFailed(): Promise<void> {
    if (!this.jobId) return;
    this.busy = true;
    this.error = null;
    // Reset before asking: the new run's events may arrive before the answer does.
    const before = this.targets;
    this.done = false;
    this.targets = this.targets.map((target) => (retriedStates.has(target.state) ? queued(target) : target));
    const result = await api.uploads.retryFailed({ jobId: this.jobId });
    this.busy = false;
    if (!result.ok) {
      this.error = result.error;
      this.targets = before;
      this.done = true;
      return;
    }
    this.settleIfFinished();
  }

  async cancel(): Promise<void> {
    if (!this.jobId) return;
    const result = await api.uploads.cancel({ jobId: this.jobId });
    if (!result.ok) this.error = result.error;
  }

  dispose(): void {
    this.unsubscribe();
  }

  private receive(progress: UploadProgress): void {
    if (this.jobId === null) {
      if (this.busy) this.early.push(progress);
      return;
    }
    if (progress.jobId !== this.jobId) return;
    this.apply(progress);
    this.settleIfFinished();
  }

  private apply(progress: UploadProgress): void {
    this.targets = this.targets.map((target) =>
      target.accountId === progress.accountId
        ? {
            ...target,
            state: progress.state,
            attempt: progress.attempt,
            waitMs: progress.waitMs,
            remoteId: progress.remoteId,
            requestId: progress.requestId,
            error: progress.error,
            startedAt: target.startedAt ?? (progress.state === 'queued' ? null : Date.now()),
          }
        : target,
    );
  }

  private settleIfFinished(): void {
    if (this.done || this.targets.length === 0 || !this.targets.every((target) => isFinal(target.state))) return;
    void this.settle(this.jobId, SETTLE_ATTEMPTS);
  }

  private async settle(jobId: string | null, attemptsLeft: number): Promise<void> {
    if (!jobId || jobId !== this.jobId) return;
    const result = await api.uploads.job({ jobId });
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    if (!result.value.done && attemptsLeft > 0) {
      setTimeout(() => void this.settle(jobId, attemptsLeft - 1), SETTLE_RETRY_MS);
      return;
    }
    this.merge(result.value);
    this.done = result.value.done;
  }

  /** The summary is the record: it wins over any event that was missed. */
  private merge(summary: UploadJobSummary): void {
    this.targets = this.targets.map((target) => {
      const result = summary.results.find((candidate) => candidate.accountId === target.accountId);
      if (!result) return target;
      return {
        ...target,
        state: result.status,
        attempt: result.attempts,
        waitMs: null,
        remoteId: result.remoteId,
        requestId: result.requestId,
        error: result.error,
        durationMs: result.durationMs,
      };
    });
  }
}
