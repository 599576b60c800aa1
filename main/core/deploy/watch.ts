import type { DeployProgress, FailureSource, ResourceAction, ResourceResult, ResourceStatus, VerifiedDomain } from '../../../shared/deploy';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, TaskState } from '../../clouds/deploy';
import { CloudError, type CallContext, type CloudErrorInfo } from '../../clouds/provider';
import { backoffDelayMs, defaultRetryPolicy } from '../../clouds/retry';
import { failureOf, ourFailure } from '../uploads/failure';
import { cancelled, defaultWatch, failureFrom, unknownFailure, type EngineDeps } from './engine';
import type { ResourceUpdate } from './store';

// Watching a cloud task, and what the engine knows of each resource while it does: polls with
// backoff until the task finishes, the cloud's state read when a task cannot be watched, and the
// few calls that may be sent again because the cloud certainly did nothing.

/**
 * Sends a start (or rollback) call again only where the cloud certainly did nothing: throttled,
 * or never reached it. Auth is not retried; an answer that may hide a started task never is.
 */
export async function startWithRetries(deps: EngineDeps, send: () => Promise<DeployHandle>, signal: AbortSignal): Promise<DeployHandle> {
  const policy = deps.policy ?? defaultRetryPolicy;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      const info = error.info;
      const safe = info.retryable && info.kind !== 'auth' && (info.kind === 'throttled' || !info.mayHaveReachedServer);
      if (!safe || attempt >= policy.maxAttempts || signal.aborted) throw error;
      await deps.clock.sleep(backoffDelayMs(attempt, policy, deps.random, info.retryAfterMs), signal).catch(() => {
        throw error;
      });
    }
  }
}

/** The task a start (or rollback) whose answer was lost created, from the cloud's records where the deployer can read them. */
export async function recoverTask(deployer: CloudDeployer, ctx: CallContext, step: DeployStep, since: Date, rollback: boolean): Promise<DeployHandle | null> {
  if (!deployer.recover) return null;
  try {
    return await deployer.recover(ctx, step, since, rollback);
  } catch {
    // Unreadable records leave the decision to what the resources serve.
    return null;
  }
}

/** Watches a task until it finishes: transient errors retried with backoff, auth never; null when it could not be watched to the end. */
export async function watchTask(
  deps: EngineDeps,
  account: CloudAccount,
  ctx: CallContext,
  deployer: CloudDeployer,
  step: DeployStep,
  handle: DeployHandle,
  signal: AbortSignal,
  onState: (state: TaskState) => void,
): Promise<{ state: TaskState } | { state: null; why: UploadFailure; stillRunning: boolean }> {
  const watch = deps.watch ?? defaultWatch;
  const policy = deps.policy ?? defaultRetryPolicy;
  const started = deps.clock.now();
  let interval = watch.pollIntervalMs;
  let failures = 0;
  for (;;) {
    let info: CloudErrorInfo | null = null;
    try {
      const state = await deployer.poll(ctx, step, handle);
      onState(state);
      if (state.finished) return { state };
      failures = 0;
    } catch (error) {
      if (!(error instanceof CloudError)) return { state: null, why: failureFrom(error), stillRunning: false };
      info = error.info;
      failures += 1;
      const transient = info.retryable && info.kind !== 'auth';
      if (!transient || failures >= policy.maxAttempts) return { state: null, why: failureOf(info), stillRunning: false };
    }
    if (deps.clock.now() - started >= watch.maxWatchMs) {
      return { state: null, why: unknownFailure(account, 'the task did not finish while it was watched'), stillRunning: true };
    }
    const wait = info ? backoffDelayMs(failures, policy, deps.random, info.retryAfterMs) : interval;
    try {
      await deps.clock.sleep(wait, signal);
    } catch {
      return { state: null, why: cancelled(), stillRunning: true };
    }
    if (!info) interval = Math.min(interval * 2, watch.maxPollIntervalMs);
  }
}

export class StepRun {
  private readonly results = new Map<string, ResourceResult>();
  /**
   * The resource writes, one after another: progress arrives in callbacks that cannot wait, yet
   * each write must land after the one before it (a pool may run two unordered) and all of them
   * before the step's end is recorded (`flushed`).
   */
  private writes: Promise<void> = Promise.resolve();
  private writeFailure: unknown = null;

  constructor(
    private readonly deps: EngineDeps,
    private readonly deploymentId: string,
    private readonly stepId: string,
    readonly account: CloudAccount,
    resources: readonly {
      readonly resource: DeployResource;
      readonly action: ResourceAction;
      readonly status: ResourceStatus;
      readonly error: UploadFailure | null;
      readonly source?: FailureSource | null;
    }[],
  ) {
    for (const { resource, action, status, error, source } of resources) {
      this.results.set(resource.id, { type: resource.type, id: resource.id, name: resource.name, action, status, error, source: error ? (source ?? 'app') : null });
    }
  }

  report(phase: DeployProgress['phase'], verified: readonly VerifiedDomain[] = []): void {
    this.deps.emit({ deploymentId: this.deploymentId, accountId: this.account.id, phase, resources: [...this.results.values()], verified });
  }

  set(updates: readonly ResourceUpdate[]): void {
    const known = updates.filter((u) => this.results.has(u.resourceId));
    for (const u of known) this.results.set(u.resourceId, { ...this.results.get(u.resourceId)!, status: u.status, error: u.error, source: u.error ? (u.source ?? 'app') : null });
    if (known.length === 0) return;
    this.writes = this.writes
      .then(() => this.deps.store.updateResources(this.stepId, known))
      .catch((error: unknown) => {
        this.writeFailure ??= error;
      });
  }

  /** Every resource write so far on record; throws what the first failed one threw. */
  async flushed(): Promise<void> {
    await this.writes;
    if (this.writeFailure !== null) throw this.writeFailure;
  }

  fromOutcomes(outcomes: readonly ResourceOutcome[]): void {
    this.set(outcomes.map((o) => (o.error ? { resourceId: o.resourceId, status: o.state, ...cloudFailure(o.error, o.source) } : { resourceId: o.resourceId, status: o.state, error: null })));
  }

  statuses(ids?: ReadonlySet<string>): ResourceStatus[] {
    return [...this.results.values()].filter((r) => !ids || ids.has(r.id)).map((r) => r.status);
  }

  get(id: string): ResourceResult | undefined {
    return this.results.get(id);
  }
}


/** A deployer's error as recorded: the cloud's words when it answered with them, unless the deployer says whose they are. */
export function cloudFailure(info: CloudErrorInfo, source?: FailureSource): { error: UploadFailure; source: FailureSource } {
  return { error: failureOf(info), source: source ?? (info.httpStatus !== null ? 'cloud' : 'app') };
}

/**
 * What the cloud shows now: a resource serving NEW was deployed, one still serving OLD was not
 * (for a rollback the other way round). A resource the step binds (it served no OLD) was not
 * deployed while it does not serve NEW, and is rolled back once it no longer does. `partialOnly`:
 * right after an unclear start, when a task may still be moving resources, only what already moved
 * is settled; the rest stays unknown.
 */
export async function settleByState(deps: EngineDeps, ctx: CallContext, deployer: CloudDeployer, step: DeployStep, run: StepRun, rollback: boolean, partialOnly: boolean): Promise<void> {
  // In place, OLD and NEW share one remote id: the cloud's bindings cannot tell them apart (TLS can).
  if (step.mode === 'in-place') return;
  let onNew: Set<string>;
  let onOld: Set<string>;
  try {
    onNew = new Set((await deployer.discover(ctx, step.newRemoteId)).map((r) => r.id));
    onOld = step.oldRemoteId === '' ? new Set() : new Set((await deployer.discover(ctx, step.oldRemoteId)).map((r) => r.id));
  } catch {
    return;
  }
  const binds = new Set(step.binds ?? []);
  const updates = step.resources.flatMap((r): ResourceUpdate[] => {
    if (!['unknown', 'running', 'pending'].includes(run.get(r.id)?.status ?? '')) return [];
    const served = binds.has(r.id) ? { moved: onNew.has(r.id) !== rollback, stayed: onNew.has(r.id) === rollback } : { moved: (rollback ? onOld : onNew).has(r.id), stayed: (rollback ? onNew : onOld).has(r.id) };
    if (served.moved) return [{ resourceId: r.id, status: rollback ? 'rolled-back' : 'deployed', error: null }];
    if (!partialOnly && served.stayed) {
      const error = ourFailure('deploy.not_moved', 'Checked: it still serves the certificate it served before.', '已检查：它仍在使用原来的证书。');
      return [{ resourceId: r.id, status: rollback ? 'rollback-failed' : 'failed', error }];
    }
    return [{ resourceId: r.id, status: 'unknown', error: null }];
  });
  run.set(updates);
}
