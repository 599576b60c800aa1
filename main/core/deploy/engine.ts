import { VaultError } from '../../../shared/errors';
import type { DeployOptions, DeployProgress, DeploymentStatus, ResourceResult, ResourceStatus, RetiredCopy, VerifiedDomain } from '../../../shared/deploy';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, TaskState } from '../../clouds/deploy';
import { CloudError, type CallContext, type CloudErrorInfo, type UploadMaterial } from '../../clouds/provider';
import { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from '../../clouds/retry';
import type { Sealed } from '../seal';
import { log } from '../log';
import type { Clock } from '../uploads/clock';
import { failureFromVaultError, failureOf, ourFailure } from '../uploads/failure';
import type { PlannedStep } from './plan';
import type { DeployStore, StoredStep } from './store';

// Running a deployment: per account in parallel (each account's requests paced by its lane, see
// service.ts), per step: upload NEW first where needed, record, start, watch the task with
// backoff, record each resource's outcome, verify over TLS, retire OLD. Rollback and check reuse
// the same watch. The rules that matter:
// - every request is recorded before it is sent; a start whose answer is lost is never sent
//   again: its fate is settled by reading the cloud's state (discover OLD and NEW);
// - an auth failure is not retried (Huawei locks a key after five);
// - retire-delete only after discover(OLD) comes back empty; a bound copy is never deleted.

/** The TLS check of what visitors get (main/core/tls provides the real one). */
export type VerifyServed = (input: {
  domains: { domain: string; port: number | null }[];
  expectedFingerprint: string;
  timeoutMs: number;
  signal?: AbortSignal;
}) => Promise<VerifiedDomain[]>;

export interface Sealer {
  seal(plaintext: Buffer, associatedData: string): Promise<Sealed>;
  unseal(sealed: Sealed, associatedData: string): Promise<Buffer | null>;
}

export interface WatchPolicy {
  /** First wait between polls of a task; doubles up to `maxPollIntervalMs`. */
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** Watching stops after this long; the step is then 'unknown' and `check` resumes from its handle. */
  readonly maxWatchMs: number;
}

export const defaultWatch: WatchPolicy = { pollIntervalMs: 2000, maxPollIntervalMs: 15_000, maxWatchMs: 30 * 60_000 };
const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60_000;

export interface EngineDeps {
  readonly store: DeployStore;
  readonly deployer: (account: CloudAccount) => CloudDeployer | undefined;
  readonly account: (id: string) => CloudAccount;
  readonly context: (account: CloudAccount, signal?: AbortSignal) => Promise<CallContext>;
  readonly clock: Clock;
  readonly random: () => number;
  readonly policy?: RetryPolicy;
  readonly watch?: WatchPolicy;
  /** Uploads NEW to the account through the upload service (so the upload history records it); resolves to its remote id. */
  readonly upload: (account: CloudAccount, entryId: string, signal: AbortSignal) => Promise<{ remoteId: string } | { failure: UploadFailure }>;
  readonly loadMaterial: (entryId: string) => Promise<UploadMaterial>;
  readonly sealer: Sealer;
  readonly verify?: VerifyServed;
  readonly emit: (progress: DeployProgress) => void;
}

export interface RunSpec {
  readonly deploymentId: string;
  readonly fingerprintSha256: string;
  readonly newEntryId: string;
  readonly options: DeployOptions;
  readonly steps: readonly { readonly planned: PlannedStep; readonly stepId: string }[];
}

const sealingContext = (stepId: string) => `deploy-rollback:${stepId}`;

/** Any error as the history records it; an unexpected one is logged and becomes `internal`. */
export function failureFrom(error: unknown): UploadFailure {
  if (error instanceof CloudError) return failureOf(error.info);
  if (error instanceof VaultError) return failureFromVaultError(error);
  log.error('deploy_internal', { reason: error instanceof Error ? error.name : typeof error });
  return failureFromVaultError(new VaultError('internal'));
}

const cancelled = () => failureFromVaultError(new VaultError('cancelled'));

function unknownFailure(account: CloudAccount | { name: string; cloud: string }, reason: string): UploadFailure {
  return failureFromVaultError(new VaultError('deploy.outcome_unknown', { account: account.name, cloud: account.cloud, reason }));
}

/** The step's status from its resources: deployed only when every one is. */
export function stepStatus(statuses: readonly ResourceStatus[], rollback = false): Exclude<DeploymentStatus, 'running'> {
  const good = rollback ? 'rolled-back' : 'deployed';
  if (statuses.some((s) => s === 'unknown' || s === 'pending' || s === 'running')) return 'unknown';
  const ok = statuses.filter((s) => s === good).length;
  if (ok === statuses.length) return rollback ? 'rolled-back' : 'deployed';
  return ok === 0 ? 'failed' : 'partial';
}

/** Watches a task until it finishes: transient errors retried with backoff, auth never; null when it could not be watched to the end. */
async function watchTask(
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

class StepRun {
  private readonly results = new Map<string, ResourceResult>();

  constructor(
    private readonly deps: EngineDeps,
    private readonly deploymentId: string,
    private readonly stepId: string,
    readonly account: CloudAccount,
    resources: readonly { readonly resource: DeployResource; readonly status: ResourceStatus; readonly error: UploadFailure | null }[],
  ) {
    for (const { resource, status, error } of resources) this.results.set(resource.id, { type: resource.type, id: resource.id, name: resource.name, status, error });
  }

  report(phase: DeployProgress['phase'], verified: readonly VerifiedDomain[] = []): void {
    this.deps.emit({ deploymentId: this.deploymentId, accountId: this.account.id, phase, resources: [...this.results.values()], verified });
  }

  set(updates: readonly { resourceId: string; status: ResourceStatus; error: UploadFailure | null }[]): void {
    const known = updates.filter((u) => this.results.has(u.resourceId));
    for (const u of known) this.results.set(u.resourceId, { ...this.results.get(u.resourceId)!, status: u.status, error: u.error });
    this.deps.store.updateResources(this.stepId, known);
  }

  fromOutcomes(outcomes: readonly ResourceOutcome[]): void {
    this.set(outcomes.map((o) => ({ resourceId: o.resourceId, status: o.state, error: o.error ? failureOf(o.error) : null })));
  }

  statuses(ids?: ReadonlySet<string>): ResourceStatus[] {
    return [...this.results.values()].filter((r) => !ids || ids.has(r.id)).map((r) => r.status);
  }

  get(id: string): ResourceResult | undefined {
    return this.results.get(id);
  }
}

/** Runs every step of a deployment: accounts side by side, an account's steps one after another. */
export async function runDeployment(deps: EngineDeps, spec: RunSpec, signal: AbortSignal): Promise<void> {
  const byAccount = new Map<string, RunSpec['steps'][number][]>();
  for (const step of spec.steps) byAccount.set(step.planned.account.id, [...(byAccount.get(step.planned.account.id) ?? []), step]);
  await Promise.all(
    [...byAccount.values()].map(async (steps) => {
      for (const step of steps) {
        try {
          await runStep(deps, spec, step.planned, step.stepId, signal);
        } catch (error) {
          // A programming error or a broken database: the step must not stay 'running'.
          deps.store.finishStep(step.stepId, { status: 'unknown', error: failureFrom(error) });
        }
      }
    }),
  );
  deps.store.finishDeployment(spec.deploymentId);
}

async function runStep(deps: EngineDeps, spec: RunSpec, planned: PlannedStep, stepId: string, signal: AbortSignal): Promise<void> {
  const { account, plan } = planned;
  const rows = planned.resources.map((resource, i) => ({ resource, action: plan.resources[i]!.action }));
  const moving = rows.filter((row) => row.action === 'replace' || row.action === 'bind').map((row) => row.resource);
  const run = new StepRun(
    deps,
    spec.deploymentId,
    stepId,
    account,
    rows.map(({ resource, action }) => ({
      resource,
      status: action === 'skip' ? 'deployed' : action === 'blocked' ? 'failed' : 'pending',
      error: action === 'blocked' ? failureFromVaultError(new VaultError('deploy.not_covered', { domains: plan.resources.find((r) => r.id === resource.id)!.diff.uncovered.join(', ') })) : null,
    })),
  );
  const finish = (status: Exclude<DeploymentStatus, 'running'>, error: UploadFailure | null, extra: { retired?: RetiredCopy[]; verified?: VerifiedDomain[] } = {}) => {
    deps.store.finishStep(stepId, { status, error, ...extra });
    run.report('done', extra.verified);
  };
  if (plan.blockedBecause) return finish('failed', plan.blockedBecause);
  const deployer = deps.deployer(account)!;
  if (signal.aborted) return finish('failed', cancelled());

  let newRemoteId = plan.newRemoteId;
  if (plan.uploadFirst) {
    run.report('uploading');
    let uploaded: { remoteId: string } | { failure: UploadFailure };
    try {
      uploaded = await deps.upload(account, spec.newEntryId, signal);
    } catch (error) {
      uploaded = { failure: signal.aborted ? cancelled() : failureFrom(error) };
    }
    if ('failure' in uploaded) return finish('failed', uploaded.failure);
    newRemoteId = uploaded.remoteId;
    deps.store.setNewRemoteId(stepId, newRemoteId);
  }
  const ctx = await deps.context(account);
  let material: UploadMaterial | null = null;
  if (plan.mode === 'in-place') {
    material = await deps.loadMaterial(spec.newEntryId);
    // Rolling back in place needs OLD's material, which some clouds never return (Huawei APIG): sealed before anything changes.
    const old = await deps.loadMaterial(planned.oldEntryId!);
    deps.store.setSealed(stepId, await deps.sealer.seal(Buffer.from(JSON.stringify(old)), sealingContext(stepId)));
  }
  const step: DeployStep = {
    mode: plan.mode,
    oldRemoteId: plan.oldRemoteId!,
    newRemoteId: newRemoteId!,
    resources: moving,
    material,
    muteOld: false,
  };
  if (moving.length > 0) {
    if (signal.aborted) return finish('failed', cancelled());
    run.report('starting');
    deps.store.markSent(stepId);
    run.set(moving.map((r) => ({ resourceId: r.id, status: 'running', error: null })));
    let handle: DeployHandle;
    try {
      handle = await deployer.start(ctx, step);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      const info = error.info;
      // A clear refusal (auth, invalid, a task already running for the certificate, throttled): nothing moved.
      const refused = !info.mayHaveReachedServer || info.kind === 'auth' || info.kind === 'invalid' || info.kind === 'conflict' || info.kind === 'throttled';
      if (refused) {
        run.set(moving.map((r) => ({ resourceId: r.id, status: 'failed', error: failureOf(info) })));
        return finish(stepStatus(run.statuses()), failureOf(info));
      }
      // The request may have reached the cloud: never sent again; what the cloud shows now settles what it can.
      await settleByState(deps, ctx, deployer, step, run, false, true);
      const status = stepStatus(run.statuses());
      return finish(status, status === 'unknown' ? unknownFailure(account, `${info.code}: ${info.message}`) : null);
    }
    deps.store.setHandle(stepId, handle);
    run.report('watching');
    const watched = await watchTask(deps, account, ctx, deployer, step, handle, signal, (state) => {
      run.fromOutcomes(state.resources);
      run.report('watching');
    });
    if (!watched.state) {
      const unfinished = moving.filter((r) => ['pending', 'running'].includes(run.get(r.id)!.status));
      run.set(unfinished.map((r) => ({ resourceId: r.id, status: 'unknown', error: null })));
      return finish(stepStatus(run.statuses()), watched.why.code === 'cancelled' ? unknownFailure(account, 'cancelled while the task ran at the cloud') : watched.why);
    }
  }
  const status = stepStatus(run.statuses());
  const verified = spec.options.verify && status !== 'failed' ? await verifyStep(deps, run, rows.map((r) => r.resource), spec, signal) : [];
  if (verified.length) run.report('verifying', verified);
  const retired = spec.options.retire !== 'keep' && status === 'deployed' && plan.mode === 'rebind' ? await retireOld(deps, ctx, deployer, account, step.oldRemoteId, spec.options.retire, run) : [];
  finish(status, null, { retired, verified });
}

async function verifyStep(deps: EngineDeps, run: StepRun, resources: readonly DeployResource[], spec: RunSpec, signal: AbortSignal): Promise<VerifiedDomain[]> {
  const targets = new Map<string, { domain: string; port: number | null }>();
  for (const resource of resources) {
    if (run.get(resource.id)?.status !== 'deployed') continue;
    // A wildcard is a pattern, not a host anyone connects to.
    for (const domain of resource.domains.filter((d) => !d.startsWith('*.'))) targets.set(`${domain}:${resource.port ?? 443}`, { domain, port: resource.port });
  }
  if (targets.size === 0) return [];
  run.report('verifying');
  if (!deps.verify) {
    const error = failureFromVaultError(new VaultError('deploy.verify_unavailable'));
    return [...targets.values()].map(({ domain }) => ({ domain, served: null, ok: false, error }));
  }
  try {
    return await deps.verify({ domains: [...targets.values()], expectedFingerprint: spec.fingerprintSha256, timeoutMs: spec.options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, signal });
  } catch (error) {
    const failure = failureFrom(error);
    return [...targets.values()].map(({ domain }) => ({ domain, served: null, ok: false, error: failure }));
  }
}

/** Mute or delete OLD, only once the cloud shows nothing bound to it any more. */
async function retireOld(
  deps: EngineDeps,
  ctx: CallContext,
  deployer: CloudDeployer,
  account: CloudAccount,
  remoteId: string,
  action: 'mute' | 'delete',
  run: StepRun,
): Promise<RetiredCopy[]> {
  run.report('retiring');
  const kept = (error: UploadFailure): RetiredCopy[] => [{ remoteId, action, done: false, error }];
  if (!deployer.retireModes.includes(action)) return kept(failureFromVaultError(new VaultError('deploy.retire_unsupported', { cloud: account.cloud, action, remoteId })));
  try {
    const still = await deployer.discover(ctx, remoteId);
    if (still.length > 0) return kept(failureFromVaultError(new VaultError('deploy.still_bound', { remoteId, count: still.length })));
    await deployer.retire(ctx, remoteId, action);
    return [{ remoteId, action, done: true, error: null }];
  } catch (error) {
    return kept(failureFrom(error));
  }
}

/**
 * What the cloud shows now: a resource serving NEW was deployed, one still serving OLD was not
 * (for a rollback the other way round). `partialOnly`: right after an unclear start, when a task
 * may still be moving resources, only what already moved is settled; the rest stays unknown.
 */
async function settleByState(deps: EngineDeps, ctx: CallContext, deployer: CloudDeployer, step: DeployStep, run: StepRun, rollback: boolean, partialOnly: boolean): Promise<void> {
  // In place, OLD and NEW share one remote id: the cloud's bindings cannot tell them apart (TLS can).
  if (step.mode === 'in-place') return;
  let onNew: Set<string>;
  let onOld: Set<string>;
  try {
    onNew = new Set((await deployer.discover(ctx, step.newRemoteId)).map((r) => r.id));
    onOld = new Set((await deployer.discover(ctx, step.oldRemoteId)).map((r) => r.id));
  } catch {
    return;
  }
  const [done, notDone] = rollback ? ([onOld, onNew] as const) : ([onNew, onOld] as const);
  const updates = step.resources.flatMap((r): { resourceId: string; status: ResourceStatus; error: UploadFailure | null }[] => {
    if (!['unknown', 'running', 'pending'].includes(run.get(r.id)?.status ?? '')) return [];
    if (done.has(r.id)) return [{ resourceId: r.id, status: rollback ? 'rolled-back' : 'deployed', error: null }];
    if (!partialOnly && notDone.has(r.id)) {
      const error = ourFailure('deploy.not_moved', 'Checked: it still serves the certificate it served before.', '已检查：它仍在使用原来的证书。');
      return [{ resourceId: r.id, status: rollback ? 'rollback-failed' : 'failed', error }];
    }
    return [{ resourceId: r.id, status: 'unknown', error: null }];
  });
  run.set(updates);
}

function stepOf(stored: StoredStep, resources: readonly DeployResource[], material: UploadMaterial | null): DeployStep {
  return { mode: stored.mode, oldRemoteId: stored.oldRemoteId!, newRemoteId: stored.newRemoteId ?? stored.oldRemoteId!, resources, material, muteOld: false };
}

/**
 * Settles a step whose outcome is unknown: a stored handle is watched again; without one (the
 * start's answer was lost) or when watching fails, the cloud's state decides. Nothing is re-sent.
 */
export async function checkStep(deps: EngineDeps, stored: StoredStep, rollback: boolean, signal: AbortSignal): Promise<void> {
  if (stored.status !== 'unknown' || stored.accountId === null) return;
  const account = deps.account(stored.accountId);
  const deployer = deps.deployer(account);
  if (!deployer) return;
  const run = new StepRun(deps, stored.deploymentId, stored.id, account, stored.resources);
  const unsettled = stored.resources.filter((r) => r.status === 'unknown' || r.status === 'running' || r.status === 'pending').map((r) => r.resource);
  if (stored.phase === 'planned' || stored.oldRemoteId === null) {
    // Nothing was sent: nothing moved.
    run.set(unsettled.map((r) => ({ resourceId: r.id, status: rollback ? 'rollback-failed' : 'failed', error: cancelled() })));
  } else {
    const ctx = await deps.context(account);
    const step = stepOf(stored, unsettled, null);
    if (stored.handle) {
      const watched = await watchTask(deps, account, ctx, deployer, step, stored.handle, signal, (state) => run.fromOutcomes(state.resources));
      // A task still running may yet move what has not moved: only a task that cannot be watched is judged by state alone.
      if (!watched.state) await settleByState(deps, ctx, deployer, step, run, rollback, watched.stillRunning);
    } else if (stored.newRemoteId !== null) {
      await settleByState(deps, ctx, deployer, step, run, rollback, false);
    }
  }
  const status = stepStatus(run.statuses(), rollback);
  const error = status === 'unknown' ? unknownFailure(account, 'checked, but the cloud could not tell') : null;
  deps.store.finishStep(stored.id, { status, error });
  run.report('done');
}

/** Rolls one step back: OLD onto the resources it moved, watched like a deployment. */
export async function rollbackStep(
  deps: EngineDeps,
  original: StoredStep,
  rollbackDeploymentId: string,
  rollbackStepId: string,
  signal: AbortSignal,
): Promise<Exclude<DeploymentStatus, 'running'>> {
  const account = deps.account(original.accountId!);
  const deployer = deps.deployer(account);
  const moved = original.resources.filter((r) => r.status === 'deployed' && (r.action === 'replace' || r.action === 'bind'));
  const run = new StepRun(deps, rollbackDeploymentId, rollbackStepId, account, moved.map((r) => ({ resource: r.resource, status: 'pending', error: null })));
  const end = (status: Exclude<DeploymentStatus, 'running'>, error: UploadFailure | null) => {
    deps.store.finishStep(rollbackStepId, { status, error });
    run.report('done');
    return status;
  };
  if (!deployer) return end('failed', failureFromVaultError(new VaultError('deploy.unsupported', { cloud: account.cloud })));
  const ctx = await deps.context(account);
  let material: UploadMaterial | null = null;
  if (original.mode === 'in-place') {
    const opened = original.sealed ? await deps.sealer.unseal(original.sealed, sealingContext(original.id)) : null;
    if (!opened) return end('failed', failureFromVaultError(new VaultError('vault.key_unrecoverable')));
    material = JSON.parse(opened.toString('utf8')) as UploadMaterial;
  }
  const step = stepOf(original, moved.map((r) => r.resource), material);
  const outcomes: ResourceOutcome[] = moved.map((r) => ({ resourceId: r.resource.id, state: 'deployed', error: null }));
  run.report('rolling-back');
  deps.store.markSent(rollbackStepId);
  run.set(moved.map((r) => ({ resourceId: r.resource.id, status: 'running', error: null })));
  let handle: DeployHandle;
  try {
    handle = await deployer.rollback(ctx, step, original.handle ?? { ref: null, data: {} }, outcomes);
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const info = error.info;
    if (!info.mayHaveReachedServer || info.kind === 'auth' || info.kind === 'invalid' || info.kind === 'conflict' || info.kind === 'throttled') {
      run.set(moved.map((r) => ({ resourceId: r.resource.id, status: 'rollback-failed', error: failureOf(info) })));
      return end('failed', failureOf(info));
    }
    await settleByState(deps, ctx, deployer, step, run, true, true);
    const status = stepStatus(run.statuses(), true);
    return end(status, status === 'unknown' ? unknownFailure(account, `${info.code}: ${info.message}`) : null);
  }
  deps.store.setHandle(rollbackStepId, handle);
  const watched = await watchTask(deps, account, ctx, deployer, step, handle, signal, (state) => {
    run.fromOutcomes(state.resources);
    run.report('rolling-back');
  });
  if (!watched.state) {
    run.set(moved.filter((r) => ['pending', 'running'].includes(run.get(r.resource.id)!.status)).map((r) => ({ resourceId: r.resource.id, status: 'unknown', error: null })));
    return end('unknown', watched.why);
  }
  return end(stepStatus(run.statuses(), true), null);
}
