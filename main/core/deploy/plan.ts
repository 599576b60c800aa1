import type { AccountPlan, DeployOptions, DeployPlan, PlannedResource, ResourceDiff } from '../../../shared/deploy';
import { VaultError } from '../../../shared/errors';
import type { LibraryEntry } from '../../../shared/library';
import type { CloudAccount, Localized, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer, DeployResource } from '../../clouds/deploy';
import { CloudError, type CallContext } from '../../clouds/provider';
import { log } from '../log';
import type { StoredCopy } from '../inventory/store';
import { lineageNames } from '../library/lineage';
import { failureFromVaultError, failureOf } from '../uploads/failure';
import { uncovered } from './names';
import { bindRows } from './bind-plan';

// What a deployment of NEW would change: on every account, each copy NEW renews (OLD), the
// resources serving it read fresh from the cloud, and per resource what happens and why. The plan
// is built again at run time, so a run acts on the cloud as it is, not on a plan minutes old.

export interface PlanDeps {
  readonly accounts: () => Promise<readonly CloudAccount[]>;
  /** Re-syncs these accounts; a failed sync leaves the previous one recorded (discovery below reads fresh anyway). */
  readonly sync: (accountIds: readonly string[]) => Promise<unknown>;
  readonly copies: (accountId: string) => Promise<readonly StoredCopy[]>;
  readonly deployer: (account: CloudAccount) => CloudDeployer | undefined;
  readonly context: (account: CloudAccount) => Promise<CallContext>;
  /** The library entries NEW renews, nearest first (lineage.ts). */
  readonly predecessors: (entryId: string) => Promise<readonly string[]>;
  readonly entry: (entryId: string) => Promise<LibraryEntry | null>;
  /** Whether keys may go to the account as it is configured now (uploads' confirmation rule). */
  readonly confirmed: (account: CloudAccount) => Promise<boolean>;
  readonly now: () => Date;
}

/** One account step of the plan, with what the engine needs to run it. */
export interface PlannedStep {
  readonly account: CloudAccount;
  readonly plan: AccountPlan;
  /** Aligned with `plan.resources`. */
  readonly resources: readonly DeployResource[];
  /** OLD's library entry, when the copy is matched to one (in-place rollback needs its material). */
  readonly oldEntryId: string | null;
}

export function keyLabel(entry: Pick<LibraryEntry, 'keyAlgorithm' | 'keySize' | 'curve'>): string {
  return [entry.keyAlgorithm, entry.keySize ?? entry.curve].filter((part) => part !== null && part !== undefined).join(' ');
}

const localized = (en: string, zh: string): Localized => ({ en, 'zh-CN': zh });

/** The copies on an account that NEW renews: by lineage when the copy is in the library, by names otherwise. */
export function oldCopies(copies: readonly StoredCopy[], entry: LibraryEntry, predecessors: ReadonlySet<string>): StoredCopy[] {
  const names = new Set(lineageNames(entry.commonName, entry.dnsNames));
  return copies.filter((copy) => {
    if (copy.fingerprintSha256 === entry.fingerprintSha256 || copy.libraryId === entry.id) return false;
    if (copy.libraryId !== null) return predecessors.has(copy.libraryId);
    // Not in the library: the same or fewer names, expiring earlier (a copy expiring later is not older).
    const copyNames = lineageNames(copy.commonName, copy.dnsNames);
    if (copyNames.length === 0 || copy.notAfter === null || copy.notAfter >= entry.notAfter) return false;
    return copyNames.every((name) => names.has(name));
  });
}

function diffOf(resource: DeployResource, copy: StoredCopy, oldEntry: LibraryEntry | null, entry: LibraryEntry): ResourceDiff {
  const names = lineageNames(entry.commonName, entry.dnsNames);
  const remarks: Localized[] = [];
  const oldKey = oldEntry ? keyLabel(oldEntry) : null;
  const newKey = keyLabel(entry);
  if (oldKey !== null && oldKey !== newKey) remarks.push(localized(`key changes from ${oldKey} to ${newKey}`, `密钥从 ${oldKey} 变为 ${newKey}`));
  const oldIssuer = oldEntry?.issuerCommonName ?? copy.issuer;
  const newIssuer = entry.issuerCommonName ?? entry.issuer;
  if (oldIssuer && !oldIssuer.includes(newIssuer) && !newIssuer.includes(oldIssuer)) {
    remarks.push(localized(`issued by ${newIssuer} instead of ${oldIssuer}: a different chain`, `签发者由 ${oldIssuer} 变为 ${newIssuer}：证书链不同`));
  }
  const oldSm2 = oldEntry ? oldEntry.sm2Dual : null;
  if (oldSm2 !== null && oldSm2 !== entry.sm2Dual) {
    remarks.push(entry.sm2Dual ? localized('becomes an SM2 (ShangMi) certificate', '变为国密 SM2 证书') : localized('is no longer an SM2 (ShangMi) certificate', '不再是国密 SM2 证书'));
  }
  return {
    uncovered: uncovered(names, resource.domains),
    oldKey,
    newKey,
    oldNotAfter: copy.notAfter,
    newNotAfter: entry.notAfter,
    oldSm2,
    newSm2: entry.sm2Dual,
    remarks,
  };
}

function planned(resource: DeployResource, action: PlannedResource['action'], reason: Localized | null, diff: ResourceDiff): PlannedResource {
  return { type: resource.type, id: resource.id, name: resource.name, domains: resource.domains, port: resource.port, action, reason, diff };
}

function failureFrom(error: unknown): UploadFailure {
  if (error instanceof CloudError) return failureOf(error.info);
  if (error instanceof VaultError) return failureFromVaultError(error);
  throw error;
}

export async function buildPlan(deps: PlanDeps, entry: LibraryEntry, options: DeployOptions): Promise<{ plan: DeployPlan; steps: PlannedStep[] }> {
  const wanted = options.accountIds ? new Set(options.accountIds) : null;
  const accounts = (await deps.accounts()).filter((account) => (wanted ? wanted.has(account.id) : deps.deployer(account) !== undefined));
  await deps.sync(accounts.map((account) => account.id));
  const predecessors = new Set(await deps.predecessors(entry.id));
  const perAccount = await Promise.all(accounts.map((account) => planAccount(deps, account, entry, predecessors, options)));
  const steps = perAccount.flat();
  return {
    plan: {
      certificateId: entry.id,
      fingerprintSha256: entry.fingerprintSha256,
      commonName: entry.commonName,
      notAfter: entry.notAfter,
      accounts: steps.map((step) => step.plan),
      builtAt: deps.now().toISOString(),
    },
    steps,
  };
}

async function planAccount(deps: PlanDeps, account: CloudAccount, entry: LibraryEntry, predecessors: ReadonlySet<string>, options: DeployOptions): Promise<PlannedStep[]> {
  const copies = await deps.copies(account.id);
  const olds = oldCopies(copies, entry, predecessors);
  const deployer = deps.deployer(account);
  const newCopy = copies.find((copy) => copy.fingerprintSha256 === entry.fingerprintSha256 || copy.libraryId === entry.id) ?? null;
  const inPlace = options.inPlace === true || (options.inPlaceAccountIds?.includes(account.id) ?? false);
  // Binding needs NEW's id on the account: the cloud matches names against it (DEPLOY.md §1.3.4).
  const bindsFrom = deployer?.candidates && newCopy && !inPlace ? newCopy : null;
  if (olds.length === 0 && !bindsFrom) return [];
  const base = { accountId: account.id, account: account.name, cloud: account.cloud };
  const blockedStep = (copy: StoredCopy | null, failure: UploadFailure, newRemoteId: string | null = null): PlannedStep => ({
    account,
    plan: { ...base, oldRemoteId: copy?.remoteId ?? null, newRemoteId, uploadFirst: false, mode: 'rebind', resources: [], blockedBecause: failure },
    resources: [],
    oldEntryId: copy?.libraryId ?? null,
  });
  const blockedAll = (failure: UploadFailure) => (olds.length > 0 ? olds.map((copy) => blockedStep(copy, failure)) : [blockedStep(null, failure, newCopy?.remoteId ?? null)]);
  if (!deployer) return blockedAll(failureFromVaultError(new VaultError('deploy.unsupported', { cloud: account.cloud })));

  let ctx: CallContext;
  let servingNew: readonly DeployResource[] = [];
  try {
    ctx = await deps.context(account);
    if (newCopy && !inPlace) servingNew = await deployer.discover(ctx, newCopy.remoteId);
  } catch (error) {
    return blockedAll(failureFrom(error));
  }
  const servingNewIds = new Set(servingNew.map((resource) => resource.id));

  const steps: PlannedStep[] = [];
  for (const [index, copy] of olds.entries()) {
    let found: readonly DeployResource[];
    try {
      found = await deployer.discover(ctx, copy.remoteId);
    } catch (error) {
      steps.push(blockedStep(copy, failureFrom(error)));
      continue;
    }
    const oldEntry = copy.libraryId ? await deps.entry(copy.libraryId) : null;
    const resources: DeployResource[] = [];
    const rows: PlannedResource[] = [];
    for (const resource of found) {
      const diff = diffOf(resource, copy, oldEntry, entry);
      resources.push(resource);
      if (servingNewIds.has(resource.id)) rows.push(planned(resource, 'skip', localized('already serves the new certificate', '已在使用新证书'), diff));
      else if (diff.uncovered.length > 0) {
        const list = diff.uncovered.join(', ');
        rows.push(planned(resource, 'blocked', localized(`the new certificate does not cover ${list}`, `新证书不覆盖 ${list}`), diff));
      } else {
        // In place the copy's content is replaced under its id: nothing is bound, whatever the cloud's usual action.
        rows.push(planned(resource, inPlace ? 'replace' : deployer.action, null, diff));
      }
    }
    // Resources already moved (a deployment re-run after a partial one) show once, on the account's first step.
    if (index === 0) {
      for (const resource of servingNew.filter((r) => !found.some((f) => f.id === r.id))) {
        resources.push(resource);
        rows.push(planned(resource, 'skip', localized('already serves the new certificate', '已在使用新证书'), diffOf(resource, copy, oldEntry, entry)));
      }
    }
    steps.push({
      account,
      plan: {
        ...base,
        oldRemoteId: copy.remoteId,
        newRemoteId: inPlace ? copy.remoteId : (newCopy?.remoteId ?? null),
        uploadFirst: !inPlace && newCopy === null,
        mode: inPlace ? 'in-place' : 'rebind',
        resources: rows,
        blockedBecause: await stepBlocker(deps, account, deployer, entry, copy, oldEntry, inPlace, newCopy === null),
      },
      resources,
      oldEntryId: copy.libraryId,
    });
  }
  if (!bindsFrom) return steps;
  return withBinds(deps, { account, deployer, ctx, entry, predecessors, options, newCopy: bindsFrom, copies, olds, servingNewIds }, steps, blockedStep);
}

/**
 * Adds the account's bind rows (resources NEW's names match that serve no OLD) to its first step
 * that can run, or as a step of their own where nothing serves an older copy (a first deployment).
 */
interface AccountFacts {
  readonly account: CloudAccount;
  readonly deployer: CloudDeployer;
  readonly ctx: CallContext;
  readonly entry: LibraryEntry;
  readonly predecessors: ReadonlySet<string>;
  readonly options: DeployOptions;
  readonly newCopy: StoredCopy;
  readonly copies: readonly StoredCopy[];
  readonly olds: readonly StoredCopy[];
  readonly servingNewIds: ReadonlySet<string>;
}

async function withBinds(
  deps: PlanDeps,
  facts: AccountFacts,
  steps: PlannedStep[],
  blockedStep: (copy: StoredCopy | null, failure: UploadFailure, newRemoteId?: string | null) => PlannedStep,
): Promise<PlannedStep[]> {
  const { account, deployer, ctx, entry, predecessors, options, newCopy, copies, olds, servingNewIds } = facts;
  let candidates;
  try {
    candidates = await deployer.candidates!(ctx, newCopy.remoteId);
  } catch (error) {
    const failure = failureFrom(error);
    if (steps.length === 0) return [blockedStep(null, failure, newCopy.remoteId)];
    // The replace steps stand on their own; only the extra binds are not offered this time.
    log.warn('deploy_bind_candidates_failed', { accountId: account.id, code: failure.code });
    return steps;
  }
  const planned = new Set([...servingNewIds, ...steps.flatMap((step) => step.resources.map((resource) => resource.id))]);
  const context = {
    entry,
    newRemoteId: newCopy.remoteId,
    oldRemoteIds: new Set(olds.map((copy) => copy.remoteId)),
    planned,
    copies,
    predecessors,
    named: new Set(options.bind ?? []),
    now: deps.now(),
  };
  const rows = bindRows(candidates, context, keyLabel(entry));
  const target = steps.findIndex((step) => step.plan.blockedBecause === null);
  if (target >= 0) {
    const step = steps[target]!;
    steps[target] = { ...step, plan: { ...step.plan, resources: [...step.plan.resources, ...rows.map((r) => r.row)] }, resources: [...step.resources, ...rows.map((r) => r.resource)] };
    return steps;
  }
  // Only resources that already serve NEW: nothing to do, as without binding.
  if (!rows.some((r) => r.row.currentRemoteId !== newCopy.remoteId)) return steps;
  const bindOnly: PlannedStep = {
    account,
    plan: {
      accountId: account.id,
      account: account.name,
      cloud: account.cloud,
      oldRemoteId: null,
      newRemoteId: newCopy.remoteId,
      uploadFirst: false,
      mode: 'rebind',
      resources: rows.map((r) => r.row),
      blockedBecause: null,
    },
    resources: rows.map((r) => r.resource),
    oldEntryId: null,
  };
  return [...steps, bindOnly];
}

/** What makes the whole step impossible; null when it can run. */
async function stepBlocker(
  deps: PlanDeps,
  account: CloudAccount,
  deployer: CloudDeployer,
  entry: LibraryEntry,
  copy: StoredCopy,
  oldEntry: LibraryEntry | null,
  inPlace: boolean,
  needsUpload: boolean,
): Promise<UploadFailure | null> {
  const refuse = (error: VaultError) => failureFromVaultError(error);
  if (inPlace && !deployer.modes.includes('in-place')) return refuse(new VaultError('deploy.in_place_unsupported', { cloud: account.cloud }));
  if (inPlace && !oldEntry?.hasKey) return refuse(new VaultError('deploy.old_key_missing', { remoteId: copy.remoteId }));
  if ((needsUpload || inPlace) && !entry.hasKey) {
    return refuse(new VaultError('upload.blocked', { account: account.name, reason: 'the library has no private key for this certificate, so it cannot be uploaded' }));
  }
  // Keys go only to accounts the user confirmed (uploads/service.ts): an upload or an in-place replace sends NEW's key.
  if ((needsUpload || inPlace) && !(await deps.confirmed(account))) return refuse(new VaultError('account.not_confirmed', { name: account.name }));
  return null;
}
