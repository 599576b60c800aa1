import { VaultError } from '../../../shared/errors';
import type { DeploymentStatus, RetiredCopy } from '../../../shared/deploy';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome } from '../../clouds/deploy';
import { CloudError, type CallContext, type UploadMaterial } from '../../clouds/provider';
import { failureFromVaultError, failureOf, ourFailure } from '../uploads/failure';
import type { StoredStep } from './store';
import { refusedOutright, sealingContext, stepStatus, unknownFailure, type EngineDeps } from './engine';
import { cloudFailure, recoverTask, settleByState, startWithRetries, StepRun, watchTask } from './watch';

// Settling a step whose outcome is unknown, and rolling a step back: both start from what the
// history stored (the handle, the resources, the sealed material), never from a fresh plan.

function stepOf(deployer: CloudDeployer, stored: StoredStep, resources: readonly DeployResource[], material: UploadMaterial | null): DeployStep {
  const ids = new Set(resources.map((r) => r.id));
  const replaces = deployer.action === 'replace';
  const binds = replaces ? stored.resources.filter((r) => r.action === 'bind' && ids.has(r.resource.id)).map((r) => r.resource.id) : [];
  return {
    mode: stored.mode,
    oldRemoteId: stored.oldRemoteId ?? '',
    newRemoteId: stored.newRemoteId ?? stored.oldRemoteId ?? '',
    resources,
    material,
    muteOld: false,
    ...(binds.length > 0 ? { binds } : {}),
  };
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
  let ctx: CallContext | null = null;
  const context = async () => (ctx ??= await deps.context(account));
  // A stop during the retire leaves every resource settled: then there is nothing to watch.
  if (unsettled.length > 0 && (stored.phase === 'planned' || (stored.oldRemoteId === null && stored.newRemoteId === null))) {
    // Interrupted before the start call: nothing moved.
    const notSent = ourFailure('deploy.not_sent', 'Interrupted before anything was sent: it did not move.', '在发送任何请求前中断：未迁移。');
    run.set(unsettled.map((r) => ({ resourceId: r.id, status: rollback ? 'rollback-failed' : 'failed', error: notSent })));
  } else if (unsettled.length > 0) {
    const step = stepOf(deployer, stored, unsettled, null);
    // No handle: the start's answer was lost. The cloud's task records may show the task it made.
    const handle = stored.handle ?? (await recoverTask(deployer, await context(), step, new Date(stored.startedAt), rollback));
    if (handle) {
      if (!stored.handle) await deps.store.setHandle(stored.id, handle);
      const watched = await watchTask(deps, account, await context(), deployer, step, handle, signal, (state) => run.fromOutcomes(state.resources));
      // A task still running may yet move what has not moved: only a task that cannot be watched is judged by state alone.
      if (!watched.state) await settleByState(deps, await context(), deployer, step, run, rollback, watched.stillRunning);
    } else if (stored.newRemoteId !== null) {
      await settleByState(deps, await context(), deployer, step, run, rollback, false);
    }
  }
  const status = stepStatus(run.statuses(), rollback);
  const error = status === 'unknown' ? unknownFailure(account, 'checked, but the cloud could not tell') : null;
  const retired = await settleRetired(deps, account, deployer, context, stored.retired);
  await run.flushed();
  await deps.store.finishStep(stored.id, { status, error, retired });
  run.report('done');
}

/**
 * A retire whose process stopped during the call ('deploy.retire_unknown') is settled by reading
 * the cloud, never sent again: a delete happened when the account no longer lists OLD, a mute when
 * the cloud shows its notices muted. A cloud that cannot be read leaves it unknown.
 */
async function settleRetired(
  deps: EngineDeps,
  account: CloudAccount,
  deployer: CloudDeployer,
  context: () => Promise<CallContext>,
  retired: readonly RetiredCopy[],
): Promise<RetiredCopy[]> {
  const settled: RetiredCopy[] = [];
  for (const copy of retired) {
    if (copy.done || copy.action === 'keep' || copy.error?.code !== 'deploy.retire_unknown') {
      settled.push(copy);
      continue;
    }
    let happened: boolean | null;
    try {
      if (copy.action === 'delete') happened = !(await deps.stillListed(account, await context(), copy.remoteId));
      else happened = deployer.isMuted ? await deployer.isMuted(await context(), copy.remoteId) : null;
    } catch {
      happened = null;
    }
    if (happened === null) settled.push(copy);
    else if (happened) settled.push({ ...copy, done: true, error: null });
    else {
      const params = { cloud: account.cloud, account: account.name, action: copy.action, remoteId: copy.remoteId };
      settled.push({ ...copy, error: failureFromVaultError(new VaultError('deploy.retire_not_done', params)) });
    }
  }
  return settled;
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
  const run = new StepRun(deps, rollbackDeploymentId, rollbackStepId, account, moved.map((r) => ({ resource: r.resource, action: r.action, status: 'pending', error: null })));
  const end = async (status: Exclude<DeploymentStatus, 'running'>, error: UploadFailure | null) => {
    await run.flushed();
    await deps.store.finishStep(rollbackStepId, { status, error });
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
  const step = stepOf(deployer, original, moved.map((r) => r.resource), material);
  const outcomes: ResourceOutcome[] = moved.map((r) => ({ resourceId: r.resource.id, state: 'deployed', error: null }));
  run.report('rolling-back');
  await deps.store.markSent(rollbackStepId);
  run.set(moved.map((r) => ({ resourceId: r.resource.id, status: 'running', error: null })));
  let handle: DeployHandle;
  try {
    handle = await startWithRetries(deps, () => deployer.rollback(ctx, step, original.handle ?? { ref: null, data: {} }, outcomes), signal);
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const info = error.info;
    if (refusedOutright(info)) {
      run.set(moved.map((r) => ({ resourceId: r.resource.id, status: 'rollback-failed', ...cloudFailure(info) })));
      return end('failed', failureOf(info));
    }
    await settleByState(deps, ctx, deployer, step, run, true, true);
    const status = stepStatus(run.statuses(), true);
    return end(status, status === 'unknown' ? unknownFailure(account, `${info.code}: ${info.message}`) : null);
  }
  await deps.store.setHandle(rollbackStepId, handle);
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
