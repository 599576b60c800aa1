import { randomUUID } from 'node:crypto';
import type { DeployOptions, DeployPlan, DeployProgress, DeploymentRecord } from '../../../shared/deploy';
import { VaultError } from '../../../shared/errors';
import type { LibraryEntry } from '../../../shared/library';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer } from '../../clouds/deploy';
import type { HttpClient } from '../../clouds/http';
import type { CallContext } from '../../clouds/provider';
import type { RetryPolicy } from '../../clouds/retry';
import { accountIdentity } from '../accounts/account-confirmation';
import { accountConfig } from '../accounts/account-store';
import type { VaultDb } from '../db/vault-db';
import { Lineage } from '../library/lineage';
import type { Vault } from '../library/vault';
import { log } from '../log';
import type { AccountSyncResult, StoredCopy } from '../inventory';
import { systemClock, type Clock } from '../uploads/clock';
import { isVaultOutOfReach } from '../db/vault-db';
import { recordWhenReachable } from './record-end';
import { failureFromVaultError } from '../uploads/failure';
import { materialFromLibrary } from '../uploads/material';
import type { ConfirmAccount, UploadService } from '../uploads/service';
import { failureFrom, type EngineDeps, type Sealer, type VerifyServed, type WatchPolicy } from './engine';
import { checkStep, rollbackStep } from './resolve';
import { runDeployment } from './run';
import { buildPlan, type PlanDeps, type PlannedStep } from './plan';
import { DeployStore, type ActiveStep, type CreateGuard, type NewStep } from './store';
import { Heartbeat, holderParams, ownerOf } from '../db/row-owner';
import type { Actor } from '../ipc/actor';

// Deployments over one vault database, as the IPC handlers and the CLI use them. Accounts, the
// pacing lanes and uploads are the upload service's, so a deployment's requests and an upload's
// to the same account keep to one rate together.

export type DeployerLookup = (account: CloudAccount) => CloudDeployer | undefined;

export interface DeployServiceOptions {
  /** The context's vault database (vaultDbOf), shared with every other store. */
  readonly db: VaultDb;
  readonly uploads: UploadService;
  readonly inventory: { sync(accounts: readonly string[]): Promise<AccountSyncResult[]>; list(account?: string): Promise<StoredCopy[]> };
  readonly vault: () => Vault;
  readonly deployers: DeployerLookup;
  readonly http: HttpClient;
  readonly sealer: Sealer;
  readonly emit: (progress: DeployProgress) => void;
  readonly verify?: VerifyServed;
  readonly clock?: Clock;
  readonly watch?: WatchPolicy;
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
  /** Who runs the deployments (recorded on each step, named to whoever finds it held); default this computer's user. */
  readonly actor?: Actor;
}

export interface StartedDeployment {
  readonly deploymentId: string;
  /** What the run acts on: planned again when it started. */
  readonly plan: DeployPlan | null;
  readonly done: Promise<DeploymentRecord>;
}

/** A plan reuses its accounts' sync for this long (the dialog's plan, then its run). */
const PLAN_SYNC_FRESH_MS = 2 * 60_000;

export class DeployService {
  readonly store: DeployStore;
  private readonly clock: Clock;
  private readonly running = new Map<string, AbortController>();
  /** When each account was last synced for a plan: the dialog plans, then runs, and need not sync twice. */
  private readonly syncedForPlan = new Map<string, number>();
  private readonly engine: EngineDeps;
  /** Steps a gone process left running, made 'unknown' before anything reads or writes the history. */
  private readonly ready: Promise<void>;
  /** Keeps this process's running steps visibly alive to other machines while any deployment runs. */
  private readonly heartbeat: Heartbeat;

  constructor(private readonly options: DeployServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.store = new DeployStore(options.db, () => this.now(), ownerOf(options.actor));
    this.heartbeat = new Heartbeat(
      () => this.store.heartbeat(),
      (error) => log.warn('deploy_heartbeat_failed', { reason: error instanceof Error ? error.name : typeof error }),
    );
    this.ready = this.store.markAbandoned().then((abandoned) => {
      if (abandoned > 0) log.warn('deployments_abandoned', { count: abandoned });
    });
    // A failure reaches the first call that awaits it, not the process as an unhandled rejection.
    this.ready.catch(() => undefined);
    this.engine = {
      store: this.store,
      deployer: options.deployers,
      account: (id) => options.uploads.accounts.get(id),
      context: (account, signal) => this.context(account, signal),
      clock: this.clock,
      random: options.random ?? Math.random,
      policy: options.policy,
      watch: options.watch,
      upload: (account, entryId, signal) => this.uploadTo(account, entryId, signal),
      loadMaterial: async (entryId) => (await materialFromLibrary(options.vault(), entryId)).material,
      sealer: options.sealer,
      stillListed: async (account, ctx, remoteId) => {
        const provider = options.uploads.provider(account.cloud);
        const listed = provider.listRemote ? await provider.listRemote(ctx) : await provider.list(ctx);
        return listed.some((copy) => copy.remoteId === remoteId);
      },
      verify: options.verify,
      emit: options.emit,
    };
  }

  /** What a deployment would change; re-syncs the accounts involved first. Sends nothing that changes a cloud. */
  async plan(certificateId: string, options: DeployOptions): Promise<DeployPlan> {
    await this.ready;
    return (await this.buildPlan(await this.entry(certificateId), options)).plan;
  }

  /**
   * Plans again, refuses while a deployment of this certificate on one of these accounts is
   * running or unresolved, records every step, then runs in the background.
   */
  async start(certificateId: string, options: DeployOptions, confirm?: ConfirmAccount): Promise<StartedDeployment> {
    await this.ready;
    const entry = await this.entry(certificateId);
    if (confirm) {
      const accounts = options.accountIds ? await this.options.uploads.accountsNamed(options.accountIds) : await this.options.uploads.accounts.list();
      // The CLI's user typed the command: the accounts they name are confirmed on the spot, as for an upload.
      await this.options.uploads.ensureConfirmed(accounts, confirm).catch(() => undefined);
    }
    const built = await this.buildPlan(entry, options);
    const plan = built.plan;
    // A step that only binds and is left with nothing to bind has nothing to run.
    const steps = built.steps.map(withoutOthersResources).filter((step) => step.plan.oldRemoteId !== null || step.resources.length > 0);
    if (steps.length === 0) throw new VaultError('deploy.nothing_to_deploy', { name: entry.name });
    // A member whose app crashed mid-deployment holds nothing once its lease ran out: its step is
    // declared unknown (to be checked) rather than reported as still running.
    await this.store.markAbandoned();
    const noneActive: CreateGuard = async (activeStep) => {
      for (const step of steps) refuseIfActive(await activeStep(entry.fingerprintSha256, step.account.id), step.account.name, this.now());
    };
    const { id, stepIds } = await this.store.create(
      { certificateId: entry.id, fingerprintSha256: entry.fingerprintSha256, commonName: entry.commonName, rollbackOf: null, options },
      steps.map(newStep),
      noneActive,
    );
    const controller = new AbortController();
    this.running.set(id, controller);
    const work = runDeployment(
      this.engine,
      { deploymentId: id, fingerprintSha256: plan.fingerprintSha256, newEntryId: entry.id, options, steps: steps.map((planned, i) => ({ planned, stepId: stepIds[i]! })) },
      controller.signal,
    );
    return { deploymentId: id, plan, done: this.settle(id, work) };
  }

  /** Stops sending; a task already at a cloud finishes there and its step is recorded as unknown (check settles it). */
  cancel(deploymentId: string): boolean {
    const controller = this.running.get(deploymentId);
    controller?.abort(new VaultError('cancelled'));
    return controller !== undefined;
  }

  async rollback(typed: string): Promise<StartedDeployment> {
    await this.ready;
    const deploymentId = await this.resolveId(typed);
    const found = (await this.store.deployment(deploymentId))!;
    // A step that only bound NEW has no OLD but still moved resources; one with neither never ran.
    const steps = (await this.store.steps(deploymentId)).filter((step) => step.accountId !== null && (step.oldRemoteId !== null || step.newRemoteId !== null));
    if (steps.some((step) => step.status === 'running' || step.status === 'unknown') || this.running.has(deploymentId)) {
      throw new VaultError('deploy.not_finished', { deploymentId });
    }
    const undo = steps.filter((step) => step.status !== 'rolled-back' && step.resources.some((r) => r.status === 'deployed' && (r.action === 'replace' || r.action === 'bind')));
    if (undo.length === 0) throw new VaultError('deploy.nothing_to_roll_back', { deploymentId });
    await this.store.markAbandoned();
    const record = found.record;
    const { id, stepIds } = await this.store.create(
      { certificateId: record.certificateId, fingerprintSha256: record.fingerprintSha256, commonName: record.commonName, rollbackOf: deploymentId, options: found.options },
      undo.map((step) => ({
        accountId: step.accountId!,
        accountName: step.accountName,
        cloud: step.cloud,
        mode: step.mode,
        // A rollback moves resources from NEW back to OLD.
        oldRemoteId: step.oldRemoteId,
        newRemoteId: step.newRemoteId,
        resources: step.resources
          .filter((r) => r.status === 'deployed' && (r.action === 'replace' || r.action === 'bind'))
          .map((r) => ({ resource: r.resource, action: r.action, status: 'pending' as const, error: null })),
      })),
      // A second press of Roll back (or a deployment started meanwhile) must not race this one.
      async (activeStep) => {
        for (const step of undo) refuseIfActive(await activeStep(record.fingerprintSha256, step.accountId!), step.accountName, this.now());
      },
    );
    const controller = new AbortController();
    this.running.set(id, controller);
    const work = (async () => {
      await Promise.all(
        undo.map(async (step, i) => {
          try {
            const status = await rollbackStep(this.engine, step, id, stepIds[i]!, controller.signal);
            if (status === 'rolled-back') await this.store.markRolledBack(step.id);
          } catch (error) {
            // Before its first request (the account was removed, the keychain is locked) nothing moved; after (or the team vault's server gone), nobody knows.
            const status = error instanceof VaultError && !isVaultOutOfReach(error) ? 'failed' : 'unknown';
            await recordWhenReachable(this.clock, 'rollback step end', async () => {
              await this.store.settleUnfinished(stepIds[i]!, status);
              await this.store.finishStep(stepIds[i]!, { status, error: failureFrom(error) });
            });
          }
        }),
      );
      await recordWhenReachable(this.clock, 'rollback end', () => this.store.finishDeployment(id));
    })();
    return { deploymentId: id, plan: null, done: this.settle(id, work) };
  }

  async history(filter: { certificateId?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    await this.ready;
    return this.store.list(filter);
  }

  async record(typed: string): Promise<DeploymentRecord> {
    await this.ready;
    return (await this.store.deployment(await this.resolveId(typed)))!.record;
  }

  /** Settles unknown steps (all, or these deployments'): their task watched again, or the cloud's state read. */
  async check(typed?: readonly string[]): Promise<DeploymentRecord[]> {
    await this.ready;
    const ids: string[] = [];
    if (typed) for (const id of typed) ids.push(await this.resolveId(id));
    else ids.push(...(await this.store.unresolved()));
    const signal = new AbortController().signal;
    for (const id of ids) {
      if (this.running.has(id)) continue;
      const rollback = (await this.store.deployment(id))!.record.rollbackOf !== null;
      for (const step of await this.store.steps(id)) {
        await checkStep(this.engine, step, rollback, signal).catch((error: unknown) => log.warn('deploy_check_failed', { deploymentId: id, reason: error instanceof Error ? error.name : typeof error }));
      }
    }
    const records: DeploymentRecord[] = [];
    for (const id of ids) records.push((await this.store.deployment(id))!.record);
    return records;
  }

  private async resolveId(typed: string): Promise<string> {
    const id = await this.store.resolveId(typed);
    if (!id) throw new VaultError('deploy.not_found', { deploymentId: typed.slice(0, 64) });
    return id;
  }

  private async settle(id: string, work: Promise<void>): Promise<DeploymentRecord> {
    const release = this.heartbeat.hold();
    try {
      await work;
    } finally {
      release();
      this.running.delete(id);
    }
    return (await this.store.deployment(id))!.record;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  private entry(typed: string): Promise<LibraryEntry> {
    return this.options.vault().entry(typed);
  }

  private async buildPlan(entry: LibraryEntry, options: DeployOptions): Promise<{ plan: DeployPlan; steps: PlannedStep[] }> {
    const accounts = this.options.uploads.accounts;
    const lineage = new Lineage(this.options.db);
    const deps: PlanDeps = {
      accounts: () => (options.accountIds ? this.options.uploads.accountsNamed(options.accountIds) : accounts.list()),
      sync: async (ids) => {
        // Which old copies exist may come from a sync a minute old; what each serves is always read fresh (discover).
        const stale = ids.filter((id) => this.clock.now() - (this.syncedForPlan.get(id) ?? -Infinity) > PLAN_SYNC_FRESH_MS);
        const results = stale.length > 0 ? await this.options.inventory.sync(stale) : [];
        for (const ok of results.filter((r) => r.status === 'ok')) this.syncedForPlan.set(ok.accountId, this.clock.now());
        // The plan still reads each old copy's resources fresh; only which copies exist comes from the previous sync.
        for (const failed of results.filter((r) => r.status === 'failed')) log.warn('deploy_plan_sync_failed', { accountId: failed.accountId, code: failed.error?.code ?? null });
      },
      copies: (accountId) => this.options.inventory.list(accountId),
      deployer: this.options.deployers,
      context: (account) => this.context(account),
      predecessors: async (entryId) => {
        const chain: string[] = [];
        for (let ref = await lineage.predecessorOf(entryId); ref && !chain.includes(ref.id); ref = await lineage.predecessorOf(ref.id)) chain.push(ref.id);
        return chain;
      },
      entry: async (entryId) => {
        try {
          return await this.options.vault().entry(entryId);
        } catch {
          return null;
        }
      },
      confirmed: async (account) => {
        try {
          return accounts.confirmations.matches(account.id, accountIdentity(account, await accounts.credentials(account)));
        } catch {
          return false;
        }
      },
      now: () => new Date(this.clock.now()),
    };
    // Accounts are named by id or name on the way in; the plan filters by id.
    const resolved = options.accountIds ? { ...options, accountIds: (await this.options.uploads.accountsNamed(options.accountIds)).map((account) => account.id) } : options;
    const built = await buildPlan(deps, entry, resolved);
    // A resource named to be bound that no plan row lists is a typo, not something to ignore.
    const listed = new Set(built.plan.accounts.flatMap((a) => a.resources.filter((r) => r.currentRemoteId !== undefined).map((r) => r.id)));
    const unknown = (options.bind ?? []).filter((id) => !listed.has(id));
    if (unknown.length > 0) throw new VaultError('deploy.bind_unknown', { ids: unknown.map((id) => id.slice(0, 200)).join(', ') });
    return built;
  }

  /** Every request of the account leaves through its pacing lane, the one its uploads and syncs use. */
  private async context(account: CloudAccount, signal?: AbortSignal): Promise<CallContext> {
    const provider = this.options.uploads.provider(account.cloud);
    const http = this.options.http;
    const pacer = this.options.uploads.pacer;
    return {
      account: accountConfig(account),
      credentials: await this.options.uploads.accounts.credentials(account),
      http: {
        send: async (request) => {
          await pacer.acquire(account.id, provider.requestsPerSecond, signal);
          return http.send(request);
        },
      },
      now: () => new Date(this.clock.now()),
      nonce: () => randomUUID(),
      ...(signal ? { signal } : {}),
    };
  }

  /** NEW uploaded as any upload is (dedupe, retries, the upload history), to this account only. */
  private async uploadTo(account: CloudAccount, entryId: string, signal: AbortSignal): Promise<{ remoteId: string } | { failure: UploadFailure }> {
    const vault = this.options.vault();
    const uploads = this.options.uploads;
    const { entry, material } = await materialFromLibrary(vault, entryId);
    const targets = await uploads.resolveTargets(material, [{ accountId: account.id }]);
    const { jobId, done } = uploads.jobs.start(
      { certificateId: entry.id, fingerprintSha256: entry.fingerprintSha256, loadMaterial: async () => (await materialFromLibrary(vault, entry.id)).material, targets },
      material,
    );
    const onAbort = () => uploads.jobs.cancel(jobId);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = (await done).results[0];
      if (result?.remoteId && (result.status === 'uploaded' || result.status === 'duplicate')) return { remoteId: result.remoteId };
      return { failure: result?.error ?? failureFromVaultError(new VaultError('internal')) };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The step without the resources skipped because they serve another certificate: they stay as
 * they are, so the run neither records them as serving NEW nor verifies them (the plan still
 * shows them, with why).
 */
function withoutOthersResources(step: PlannedStep): PlannedStep {
  const keep = step.plan.resources.map((row) => !(row.action === 'skip' && row.currentRemoteId !== undefined && row.currentRemoteId !== step.plan.newRemoteId));
  if (keep.every(Boolean)) return step;
  return { ...step, plan: { ...step.plan, resources: step.plan.resources.filter((_, i) => keep[i]) }, resources: step.resources.filter((_, i) => keep[i]) };
}

/** One deployment per certificate per account: a second would race the first's task at the cloud. */
function refuseIfActive(active: ActiveStep | null, account: string, now: Date): void {
  if (!active) return;
  if (active.status === 'unknown') throw new VaultError('deploy.unresolved', { deploymentId: active.deploymentId, account });
  throw new VaultError('deploy.running', { deploymentId: active.deploymentId, account, ...holderParams(active.holder, now) });
}

function newStep(step: PlannedStep): NewStep {
  return {
    accountId: step.account.id,
    accountName: step.account.name,
    cloud: step.account.cloud,
    mode: step.plan.mode,
    oldRemoteId: step.plan.oldRemoteId,
    newRemoteId: step.plan.newRemoteId,
    resources: step.resources.map((resource, i) => {
      const action = step.plan.resources[i]!.action;
      const error = action === 'blocked' ? failureFromVaultError(new VaultError('deploy.not_covered', { domains: step.plan.resources[i]!.diff.uncovered.join(', ') })) : null;
      return { resource, action, status: action === 'skip' ? 'deployed' : action === 'blocked' ? 'failed' : 'pending', error };
    }),
  };
}
