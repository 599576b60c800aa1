import { VaultError } from '../../../shared/errors';
import type { TargetResult, UploadJobSummary, UploadProgress } from '../../../shared/uploads';
import type { UploadMaterial } from '../../clouds/provider';
import { newJobId } from './history-store';
import { runUpload, type OrchestratorDeps, type UploadTarget } from './orchestrator';

// The upload jobs of this process, for the IPC front door: start returns at once with a job id,
// progress goes out as events, Cancel and "Retry failed" address the job by id.
//
// A job keeps a way to load its material, not the material: the unsealed private key lives only
// while a run is in progress and is reloaded (unsealed again) for a retry.

export interface StartJob {
  readonly certificateId: string | null;
  readonly fingerprintSha256: string;
  /** Unseals the material again for "Retry failed". */
  readonly loadMaterial: () => Promise<UploadMaterial>;
  readonly targets: readonly UploadTarget[];
  readonly force?: boolean;
}

interface JobState {
  readonly spec: StartJob;
  /** The starter's own view of this job's progress (the CLI's terminal), beside the shared events. */
  readonly listener: ((progress: UploadProgress) => void) | null;
  readonly results: Map<string, TargetResult>;
  controller: AbortController;
  running: Promise<void> | null;
}

/** Finished jobs kept for "Retry failed"; older ones are forgotten. */
const KEEP_FINISHED = 50;

export class UploadJobs {
  private readonly jobs = new Map<string, JobState>();

  constructor(
    private readonly deps: OrchestratorDeps,
    private readonly emit: (progress: UploadProgress) => void,
  ) {}

  /** Starts in the background with `material` (already loaded, so a bad entry fails before any job exists). */
  start(spec: StartJob, material: UploadMaterial, listener?: (progress: UploadProgress) => void): { jobId: string; done: Promise<UploadJobSummary> } {
    if (spec.targets.length === 0) throw new VaultError('upload.no_targets');
    const jobId = newJobId();
    const state: JobState = { spec, listener: listener ?? null, results: new Map(), controller: new AbortController(), running: null };
    this.jobs.set(jobId, state);
    const done = this.run(jobId, state, spec.targets, material);
    this.forgetOld();
    return { jobId, done };
  }

  /** Stops the targets that have not sent yet; requests in flight finish and are recorded. */
  cancel(jobId: string): boolean {
    const state = this.jobs.get(jobId);
    if (!state?.running) return false;
    state.controller.abort(new VaultError('cancelled'));
    return true;
  }

  /** Runs again only the targets that failed, under the same job id; cancelled ones were stopped on purpose. */
  async retryFailed(jobId: string): Promise<{ jobId: string; done: Promise<UploadJobSummary> }> {
    const state = this.requireJob(jobId);
    if (state.running) throw new VaultError('upload.job_running');
    const material = await state.spec.loadMaterial();
    // Checked again: another retry may have started while the key was being unsealed.
    if (state.running) throw new VaultError('upload.job_running');
    const again = state.spec.targets.filter((target) => {
      const result = state.results.get(target.account.id);
      return !result || result.status === 'failed';
    });
    state.controller = new AbortController();
    return { jobId, done: this.run(jobId, state, again, material) };
  }

  summary(jobId: string): UploadJobSummary {
    const state = this.requireJob(jobId);
    return this.summarize(jobId, state);
  }

  private run(jobId: string, state: JobState, targets: readonly UploadTarget[], material: UploadMaterial): Promise<UploadJobSummary> {
    const work = (async () => {
      const results = await runUpload(
        this.deps,
        { jobId, certificateId: state.spec.certificateId, material, targets, force: state.spec.force },
        (progress) => {
          this.emit(progress);
          state.listener?.(progress);
        },
        state.controller.signal,
      );
      for (const result of results) state.results.set(result.accountId, result);
    })();
    state.running = work.finally(() => {
      state.running = null;
    });
    return state.running.then(() => this.summarize(jobId, state));
  }

  private summarize(jobId: string, state: JobState): UploadJobSummary {
    return {
      jobId,
      certificateId: state.spec.certificateId,
      fingerprintSha256: state.spec.fingerprintSha256,
      done: state.running === null,
      results: state.spec.targets.map((target) => state.results.get(target.account.id)).filter((r): r is TargetResult => r !== undefined),
    };
  }

  private requireJob(jobId: string): JobState {
    const state = this.jobs.get(jobId);
    if (!state) throw new VaultError('upload.job_not_found', { jobId: jobId.slice(0, 64) });
    return state;
  }

  private forgetOld(): void {
    const finished = [...this.jobs.entries()].filter(([, state]) => state.running === null);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(id);
  }
}
