import { VaultError } from '../../../shared/errors';
import type { DeploymentStatus, RetiredCopy, VerifiedDomain } from '../../../shared/deploy';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep } from '../../clouds/deploy';
import { CloudError, type CallContext, type UploadMaterial } from '../../clouds/provider';
import { isVaultOutOfReach } from '../db/vault-db';
import { failureFromVaultError, failureOf } from '../uploads/failure';
import { recordWhenReachable } from './record-end';
import type { PlannedStep } from './plan';
import { cancelled, DEFAULT_VERIFY_TIMEOUT_MS, failureFrom, refusedOutright, sealingContext, stepStatus, unknownFailure, type EngineDeps, type RunSpec } from './engine';
import { cloudFailure, recoverTask, settleByState, startWithRetries, StepRun, watchTask } from './watch';

// A deployment's run, step by step (see engine.ts for the rules it keeps).

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
          // The step must not stay 'running'. Our own refusals (a key that cannot be unsealed) come
          // before anything is sent; anything else (a broken database, a team vault's server gone) may come after.
          const status = error instanceof VaultError && !isVaultOutOfReach(error) ? 'failed' : 'unknown';
          await recordWhenReachable(deps.clock, 'step end', async () => {
            await deps.store.settleUnfinished(step.stepId, status);
            await deps.store.finishStep(step.stepId, { status, error: failureFrom(error) });
          });
        }
      }
    }),
  );
  await recordWhenReachable(deps.clock, 'deployment end', () => deps.store.finishDeployment(spec.deploymentId));
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
      action,
      status: action === 'skip' ? 'deployed' : action === 'blocked' ? 'failed' : 'pending',
      error: action === 'blocked' ? failureFromVaultError(new VaultError('deploy.not_covered', { domains: plan.resources.find((r) => r.id === resource.id)!.diff.uncovered.join(', ') })) : null,
    })),
  );
  const finish = async (status: Exclude<DeploymentStatus, 'running'>, error: UploadFailure | null, extra: { retired?: RetiredCopy[]; verified?: VerifiedDomain[] } = {}) => {
    await run.flushed();
    await deps.store.finishStep(stepId, { status, error, ...extra });
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
    await deps.store.setNewRemoteId(stepId, newRemoteId);
  }
  const ctx = await deps.context(account);
  let material: UploadMaterial | null = null;
  if (plan.mode === 'in-place') {
    material = await deps.loadMaterial(spec.newEntryId);
    // Rolling back in place needs OLD's material, which some clouds never return (Huawei APIG): sealed before anything changes.
    const old = await deps.loadMaterial(planned.oldEntryId!);
    await deps.store.setSealed(stepId, await deps.sealer.seal(Buffer.from(JSON.stringify(old)), sealingContext(stepId)));
  }
  const binds = deployer.action === 'replace' ? rows.filter((row) => row.action === 'bind').map((row) => row.resource.id) : [];
  const step: DeployStep = {
    mode: plan.mode,
    // A step that only binds has no OLD (the account served none of NEW's older copies).
    oldRemoteId: plan.oldRemoteId ?? '',
    newRemoteId: newRemoteId!,
    resources: moving,
    material,
    muteOld: false,
    ...(binds.length > 0 ? { binds } : {}),
  };
  if (moving.length > 0) {
    if (signal.aborted) return finish('failed', cancelled());
    run.report('starting');
    await deps.store.markSent(stepId);
    run.set(moving.map((r) => ({ resourceId: r.id, status: 'running', error: null })));
    let handle: DeployHandle;
    const sentAt = new Date(deps.clock.now());
    try {
      handle = await startWithRetries(deps, () => deployer.start(ctx, step), signal);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      const info = error.info;
      if (refusedOutright(info)) {
        run.set(moving.map((r) => ({ resourceId: r.id, status: 'failed', ...cloudFailure(info) })));
        return finish(stepStatus(run.statuses()), failureOf(info));
      }
      // The request may have reached the cloud: never sent again. The cloud's task records may
      // show the task it started; otherwise what the cloud serves now settles what it can.
      const found = await recoverTask(deployer, ctx, step, sentAt, false);
      if (!found) {
        await settleByState(deps, ctx, deployer, step, run, false, true);
        const status = stepStatus(run.statuses());
        return finish(status, status === 'unknown' ? unknownFailure(account, `${info.code}: ${info.message}`) : null);
      }
      handle = found;
    }
    await deps.store.setHandle(stepId, handle);
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
  const retired = spec.options.retire !== 'keep' && status === 'deployed' && plan.mode === 'rebind' && plan.oldRemoteId !== null ? await retireOld(deps, ctx, deployer, account, stepId, step.oldRemoteId, spec.options.retire, run) : [];
  return finish(status, null, { retired, verified });
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
  stepId: string,
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
    // On record before it is sent, like every other step: a crash during the call leaves the
    // history saying a retire may have happened, never silent about it.
    await deps.store.noteRetiring(stepId, kept(failureFromVaultError(new VaultError('deploy.retire_unknown', { cloud: account.cloud, account: account.name, action, remoteId }))));
    await deployer.retire(ctx, remoteId, action);
    return [{ remoteId, action, done: true, error: null }];
  } catch (error) {
    return kept(failureFrom(error));
  }
}
