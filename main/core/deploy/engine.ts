import { VaultError } from '../../../shared/errors';
import type { DeployOptions, DeployProgress, DeploymentStatus, ResourceStatus, VerifiedDomain } from '../../../shared/deploy';
import type { CloudAccount, UploadFailure } from '../../../shared/uploads';
import type { CloudDeployer } from '../../clouds/deploy';
import { CloudError, type CallContext, type CloudErrorInfo, type UploadMaterial } from '../../clouds/provider';
import type { RetryPolicy } from '../../clouds/retry';
import type { Sealed } from '../seal';
import { log } from '../log';
import type { Clock } from '../uploads/clock';
import { failureFromVaultError, failureOf } from '../uploads/failure';
import type { PlannedStep } from './plan';
import type { DeployStore } from './store';

// What the deploy engine runs on, and the rules it keeps. A run (run.ts) goes per account in
// parallel (each account's requests paced by its lane, see service.ts), per step: upload NEW
// first where needed, record, start, watch the task with backoff (watch.ts), record each
// resource's outcome, verify over TLS, retire OLD. Check and rollback (resolve.ts) reuse the same
// watch. The rules that matter:
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
/** How long TLS verification retries while CDNs propagate, unless the options say otherwise. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10 * 60_000;

export interface EngineDeps {
  readonly store: DeployStore;
  readonly deployer: (account: CloudAccount) => CloudDeployer | undefined;
  readonly account: (id: string) => Promise<CloudAccount>;
  readonly context: (account: CloudAccount, signal?: AbortSignal) => Promise<CallContext>;
  readonly clock: Clock;
  readonly random: () => number;
  readonly policy?: RetryPolicy;
  readonly watch?: WatchPolicy;
  /** Uploads NEW to the account through the upload service (so the upload history records it); resolves to its remote id. */
  readonly upload: (account: CloudAccount, entryId: string, signal: AbortSignal) => Promise<{ remoteId: string } | { failure: UploadFailure }>;
  readonly loadMaterial: (entryId: string) => Promise<UploadMaterial>;
  readonly sealer: Sealer;
  /** Whether the account's certificate list (all pages, read now) still has `remoteId`: settles a delete whose answer was lost. */
  readonly stillListed: (account: CloudAccount, ctx: CallContext, remoteId: string) => Promise<boolean>;
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

export const sealingContext = (stepId: string) => `deploy-rollback:${stepId}`;

/** Any error as the history records it; an unexpected one is logged and becomes `internal`. */
export function failureFrom(error: unknown): UploadFailure {
  if (error instanceof CloudError) return failureOf(error.info);
  if (error instanceof VaultError) return failureFromVaultError(error);
  log.error('deploy_internal', { reason: error instanceof Error ? error.name : typeof error });
  return failureFromVaultError(new VaultError('internal'));
}

export const cancelled = () => failureFromVaultError(new VaultError('cancelled'));

export function unknownFailure(account: CloudAccount | { name: string; cloud: string }, reason: string): UploadFailure {
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

/**
 * A clear refusal: nothing moved (auth, invalid, a task already running for the certificate, a
 * throttling answer, a request that never reached the server).
 */
export function refusedOutright(info: CloudErrorInfo): boolean {
  return !info.mayHaveReachedServer || info.kind === 'auth' || info.kind === 'invalid' || info.kind === 'conflict' || info.kind === 'throttled';
}
