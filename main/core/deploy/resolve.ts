import { VaultError } from '../../../shared/errors';
import type { DeploymentStatus } from '../../../shared/deploy';
import type { UploadFailure } from '../../../shared/uploads';
import type { DeployHandle, DeployResource, DeployStep, ResourceOutcome } from '../../clouds/deploy';
import { CloudError, type UploadMaterial } from '../../clouds/provider';
import { failureFromVaultError, failureOf, ourFailure } from '../uploads/failure';
import type { StoredStep } from './store';
import { refusedOutright, sealingContext, stepStatus, unknownFailure, type EngineDeps } from './engine';
import { settleByState, startWithRetries, StepRun, watchTask } from './watch';

// Settling a step whose outcome is unknown, and rolling a step back: both start from what the
// history stored (the handle, the resources, the sealed material), never from a fresh plan.

function stepOf(stored: StoredStep, resources: readonly DeployResource[], material: UploadMaterial | null): DeployStep {
  return { mode: stored.mode, oldRemoteId: stored.oldRemoteId!, newRemoteId: stored.newRemoteId ?? stored.oldRemoteId!, resources, material, muteOld: false };
}

/**
 * Settles a step whose outcome is unknown: a stored handle is watched again; without one (the
 * start's answer was lost) or when watching fails, the cloud's state decides. Nothing is re-sent.
 */
export async function checkStep(deps: EngineDeps, stored: StoredStep, rollback: boolean, signal: AbortSignal): Promise<void> {
  if (stored.status !== 'unknown' || stored.accountId === null) return;
  const account = await deps.account(stored.accountId);
  const deployer = deps.deployer(account);
  if (!deployer) return;
  const run = new StepRun(deps, stored.deploymentId, stored.id, account, stored.resources);
  const unsettled = stored.resources.filter((r) => r.status === 'unknown' || r.status === 'running' || r.status === 'pending').map((r) => r.resource);
  if (stored.phase === 'planned' || stored.oldRemoteId === null) {
    // Interrupted before the start call: nothing moved.
    const notSent = ourFailure('deploy.not_sent', 'Interrupted before anything was sent: it did not move.', '在发送任何请求前中断：未迁移。');
    run.set(unsettled.map((r) => ({ resourceId: r.id, status: rollback ? 'rollback-failed' : 'failed', error: notSent })));
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
  const account = await deps.account(original.accountId!);
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
    handle = await startWithRetries(deps, () => deployer.rollback(ctx, step, original.handle ?? { ref: null, data: {} }, outcomes), signal);
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const info = error.info;
    if (refusedOutright(info)) {
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
