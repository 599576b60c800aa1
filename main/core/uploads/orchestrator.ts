import { VaultError } from '../../../shared/errors';
import type { CloudAccount, TargetResult, TargetState, UploadFailure, UploadProgress } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import { CloudError, type CallContext, type CloudCredentials, type CloudErrorInfo, type UploadMaterial } from '../../clouds/provider';
import { accountConfig, type ProviderLookup } from '../accounts/account-store';
import { authVerdict } from '../accounts/connection-test';
import { log } from '../log';
import type { Pacer } from './pacing';
import type { Clock } from './clock';
import { backoffDelayMs, defaultRetryPolicy, type RetryPolicy } from '../../clouds/retry';
import { failureFromVaultError, failureOf } from './failure';
import type { HistoryStore } from './history-store';
import { findCertificate, searchTerm, type CertificateIdentity } from './match';
import type { Semaphore } from './semaphore';

// One certificate to N accounts. Each target runs on its own: a slot under the global concurrency
// cap, its account's rate limit, dedupe (history, then the cloud's listing), the upload with
// retries where a retry cannot create a second copy, and a history row written before the first
// request and finished after the last.
//
// The one rule that matters most: a request that may have reached the cloud and got no clear
// answer (a timeout or reset after sending, a 5xx) is never simply sent again. The listing is
// asked first; only when the certificate is certainly not there is the upload repeated.

export interface UploadTarget {
  readonly account: CloudAccount;
  /** Options for this target, already validated against the provider's schema. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface UploadJob {
  readonly jobId: string;
  /** The library entry, or null for a certificate given as files (`certvault upload --cert`). */
  readonly certificateId: string | null;
  readonly material: UploadMaterial;
  readonly targets: readonly UploadTarget[];
  /** Upload even where the local history says the account already holds this certificate. */
  readonly force?: boolean;
}

export interface OrchestratorDeps {
  readonly providers: ProviderLookup;
  readonly credentials: (account: CloudAccount) => Promise<CloudCredentials>;
  readonly history: HistoryStore;
  readonly http: HttpClient;
  readonly clock: Clock;
  /** Per-account pacing, keyed by account id, shared by every job of this process. */
  readonly limiter: Pacer;
  readonly concurrency: Semaphore;
  readonly random: () => number;
  readonly nonce: () => string;
  readonly policy?: RetryPolicy;
}

export type ProgressListener = (progress: UploadProgress) => void;

/** Which way a failed upload request goes. */
type Decision = 'fail' | 'retry' | 'look-then-retry' | 'look-then-fail';

function decide(info: CloudErrorInfo): Decision {
  if (info.kind === 'auth' || info.kind === 'invalid') return 'fail';
  // "Already exists" may be this very certificate (dedupe) or only a clashing name (a real failure).
  if (info.kind === 'conflict') return 'look-then-fail';
  // A throttling answer is a definite refusal: nothing was created.
  if (info.kind === 'throttled') return info.retryable ? 'retry' : 'fail';
  if (!info.mayHaveReachedServer) return info.retryable ? 'retry' : 'fail';
  return info.retryable ? 'look-then-retry' : 'look-then-fail';
}

class TargetRun {
  private attempts = 0;
  private historyId: string | null = null;
  private readonly startedAt: number;
  private readonly identity: CertificateIdentity;
  private ctx: CallContext | null = null;
  private lastState: TargetState | null = null;

  constructor(
    private readonly deps: OrchestratorDeps,
    private readonly job: UploadJob,
    private readonly target: UploadTarget,
    private readonly emit: ProgressListener,
    private readonly signal: AbortSignal,
  ) {
    this.startedAt = deps.clock.now();
    const leaf = job.material.leaf;
    this.identity = {
      fingerprintSha256: leaf.fingerprintSha256,
      fingerprintSha1: leaf.fingerprintSha1,
      commonName: leaf.commonName,
      dnsNames: leaf.dnsNames,
      notAfter: leaf.notAfter,
    };
  }

  private get provider() {
    return this.deps.providers(this.target.account.cloud);
  }

  private pace(): Promise<void> {
    return this.deps.limiter.acquire(this.target.account.id, this.provider.requestsPerSecond, this.signal);
  }

  private get policy(): RetryPolicy {
    return this.deps.policy ?? defaultRetryPolicy;
  }

  async run(): Promise<TargetResult> {
    this.report('queued');
    let release: () => void;
    try {
      release = await this.deps.concurrency.acquire(this.signal);
    } catch {
      return this.finish('cancelled', null, null, ourCancel());
    }
    try {
      return await this.runWithSlot();
    } catch (error) {
      // Unexpected (a programming error, a broken database): the row must not stay pending, and
      // once an upload went out nobody knows its outcome, so the row says 'unknown' (Check settles it).
      log.error('upload_target_crashed', { accountId: this.target.account.id, error });
      const failure = error instanceof VaultError ? failureFromVaultError(error) : failureFromVaultError(new VaultError('internal'));
      return this.finish(this.attempts > 0 ? 'unknown' : 'failed', null, null, failure);
    } finally {
      release();
    }
  }

  private async runWithSlot(): Promise<TargetResult> {
    if (this.signal.aborted) return this.finish('cancelled', null, null, ourCancel());
    this.report('checking');
    if (!this.job.force) {
      const present = await this.deps.history.findPresent(this.target.account.id, this.identity.fingerprintSha256);
      if (present) return this.finish('duplicate', present.remoteId, null, null);
    }
    let credentials: CloudCredentials;
    try {
      credentials = await this.deps.credentials(this.target.account);
    } catch (error) {
      if (error instanceof VaultError) return this.finish('failed', null, null, failureFromVaultError(error));
      throw error;
    }
    this.ctx = {
      account: accountConfig(this.target.account),
      credentials,
      http: this.deps.http,
      now: () => new Date(this.deps.clock.now()),
      nonce: this.deps.nonce,
      // Deliberately no abort signal: Cancel stops targets that have not sent yet. Aborting a
      // request in flight would only turn a clear answer into an unknown one.
    };
    try {
      this.historyId = await this.deps.history.begin({
        jobId: this.job.jobId,
        certificateId: this.job.certificateId,
        ...this.identity,
        accountId: this.target.account.id,
        accountName: this.target.account.name,
        cloud: this.target.account.cloud,
      });
    } catch (error) {
      // Someone else is uploading it there (upload.in_progress names who): nothing was sent, nothing recorded.
      if (error instanceof VaultError) return this.finish('failed', null, null, failureFromVaultError(error));
      throw error;
    }

    // The listing first, always: it finds copies made outside this app (or by an attempt whose
    // outcome was never learnt), and a wrong key shows up on a read instead of an upload.
    const looked = await this.look();
    if (looked.kind === 'found') return this.finish('duplicate', looked.remoteId, null, null);
    if (looked.kind === 'stop') return this.finish('failed', null, null, failureOf(looked.error));
    if (looked.kind === 'cancelled') return this.finish('cancelled', null, null, ourCancel());
    // The endpoint could not be reached even after retries: the upload would go the same way.
    if (looked.kind === 'unreadable' && looked.error.kind === 'network') return this.finish('failed', null, null, failureOf(looked.error));
    return this.uploadWithRetries();
  }

  private async uploadWithRetries(): Promise<TargetResult> {
    for (;;) {
      try {
        await this.pace();
      } catch {
        return this.finish('cancelled', null, null, ourCancel());
      }
      this.attempts += 1;
      await this.deps.history.recordAttempt(this.historyId!, this.attempts);
      this.report('uploading');
      let info: CloudErrorInfo;
      try {
        const result = await this.provider.upload(this.ctx!, this.job.material, this.target.options);
        if (result.duplicateOf) return this.finish('duplicate', result.duplicateOf, result.requestId, null);
        return this.finish('uploaded', result.remoteId, result.requestId, null);
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        info = error.info;
      }

      const decision = decide(info);
      if (decision === 'fail') return this.finish('failed', null, null, failureOf(info));

      if (decision === 'look-then-retry' || decision === 'look-then-fail') {
        const looked = await this.look();
        if (looked.kind === 'found') {
          // Our earlier request did create it ('uploaded'); a conflict answer means it was there before ('duplicate').
          return this.finish(info.kind === 'conflict' ? 'duplicate' : 'uploaded', looked.remoteId, info.kind === 'conflict' ? info.requestId : null, null);
        }
        // A conflict is a clear refusal: if the listing does not show our certificate, the name clashed.
        if (info.kind === 'conflict') return this.finish('failed', null, null, failureOf(info));
        if (looked.kind === 'cancelled') return this.finish('cancelled', null, null, ourCancel());
        if (looked.kind !== 'absent') {
          // The listing could not be read: the certificate may or may not be on the cloud.
          return this.finish('unknown', null, null, unknownFate(info));
        }
        if (decision === 'look-then-fail') return this.finish('failed', null, null, failureOf(info));
      }

      if (this.attempts >= this.policy.maxAttempts) return this.finish('failed', null, null, failureOf(info));
      // A cloud asking for a long pause gets its answer reported now, not a frozen progress bar.
      if ((info.retryAfterMs ?? 0) > this.policy.maxRetryAfterMs) return this.finish('failed', null, null, failureOf(info));
      const waitMs = backoffDelayMs(this.attempts, this.policy, this.deps.random, info.retryAfterMs);
      this.report('retrying', { waitMs, error: failureOf(info) });
      try {
        await this.deps.clock.sleep(waitMs, this.signal);
      } catch {
        return this.finish('cancelled', null, null, ourCancel());
      }
    }
  }

  /**
   * The cloud's listing, read-only and so safe to repeat: retried on throttling and transient
   * failures. 'stop' = the credentials are wrong (going on would only count more auth failures,
   * and Huawei locks an AK/SK after five); 'unreadable' = no answer, the upload may go on.
   */
  private async look(): Promise<
    | { kind: 'found'; remoteId: string }
    | { kind: 'absent' }
    | { kind: 'stop'; error: CloudErrorInfo }
    | { kind: 'unreadable'; error: CloudErrorInfo }
    | { kind: 'cancelled' }
  > {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.pace();
      } catch {
        return { kind: 'cancelled' };
      }
      this.report('checking');
      try {
        const search = searchTerm(this.identity);
        const listing = await this.provider.list(this.ctx!, search ? { search } : {});
        const found = findCertificate(this.identity, listing);
        return found ? { kind: 'found', remoteId: found.remoteId } : { kind: 'absent' };
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        const info = error.info;
        if (info.kind === 'auth') {
          // A key that may upload but not list: skip the check rather than refuse the upload.
          return authVerdict(info) === 'no_permission' ? { kind: 'unreadable', error: info } : { kind: 'stop', error: info };
        }
        const transient = info.retryable && (info.kind === 'throttled' || info.kind === 'server' || info.kind === 'network');
        if (!transient || attempt >= this.policy.maxAttempts) return { kind: 'unreadable', error: info };
        try {
          await this.deps.clock.sleep(backoffDelayMs(attempt, this.policy, this.deps.random, info.retryAfterMs), this.signal);
        } catch {
          return { kind: 'cancelled' };
        }
      }
    }
  }

  private report(state: TargetState, extra: { waitMs?: number; remoteId?: string | null; requestId?: string | null; error?: UploadFailure | null } = {}): void {
    // A repeated list call (dedupe, then again after an unclear answer) is still one 'checking' phase.
    if (state === 'checking' && this.lastState === 'checking') return;
    this.lastState = state;
    this.emit({
      jobId: this.job.jobId,
      accountId: this.target.account.id,
      accountName: this.target.account.name,
      cloud: this.target.account.cloud,
      state,
      attempt: Math.max(1, this.attempts),
      waitMs: extra.waitMs ?? null,
      remoteId: extra.remoteId ?? null,
      requestId: extra.requestId ?? null,
      error: extra.error ?? null,
    });
  }

  /** 'unknown' is a history status only; the caller sees a failure that tells them to Check. */
  private async finish(
    status: 'uploaded' | 'duplicate' | 'failed' | 'cancelled' | 'unknown',
    remoteId: string | null,
    requestId: string | null,
    error: UploadFailure | null,
  ): Promise<TargetResult> {
    const durationMs = Math.max(0, Math.round(this.deps.clock.now() - this.startedAt));
    if (this.historyId && status === 'cancelled' && this.attempts === 0) {
      await this.deps.history.discard(this.historyId);
      this.historyId = null;
    } else if (this.historyId) {
      await this.deps.history.finish(this.historyId, {
        status,
        remoteId,
        requestId,
        error,
        attempts: this.attempts,
        durationMs,
      });
    }
    const state = status === 'unknown' ? 'failed' : status;
    this.report(state, { remoteId, requestId: requestId ?? error?.requestId ?? null, error });
    log.info('upload_target_done', {
      jobId: this.job.jobId,
      accountId: this.target.account.id,
      cloud: this.target.account.cloud,
      status,
      attempts: this.attempts,
      durationMs,
      code: error?.code ?? null,
      requestId: requestId ?? error?.requestId ?? null,
    });
    return {
      accountId: this.target.account.id,
      accountName: this.target.account.name,
      cloud: this.target.account.cloud,
      status: state,
      remoteId,
      requestId: requestId ?? error?.requestId ?? null,
      attempts: this.attempts,
      durationMs,
      error,
      historyId: this.historyId,
    };
  }
}

function ourCancel(): UploadFailure {
  return failureFromVaultError(new VaultError('cancelled'));
}

/**
 * The message says what happened; what to do is in the hint, because the window (the "Check"
 * button) and the CLI (`certvault history --check`) say it differently.
 */
function unknownFate(info: CloudErrorInfo): UploadFailure {
  return {
    code: 'upload.unknown_outcome',
    message: `The upload may or may not have reached ${info.cloud} (${info.code}: ${info.message}) and its certificate list could not be read.`,
    requestId: null,
    hint: {
      en: 'Use "Check" in the upload history before uploading again.',
      'zh-CN': `上传请求可能已到达 ${info.cloud}（${info.code}：${info.message}），且无法读取其证书列表确认。再次上传前，请在上传历史中点击“检查”。`,
    },
  };
}

/** Runs one job: every target in parallel, each bounded by the shared limits. */
export async function runUpload(deps: OrchestratorDeps, job: UploadJob, onProgress: ProgressListener, signal: AbortSignal): Promise<TargetResult[]> {
  const seen = new Set<string>();
  for (const target of job.targets) {
    if (seen.has(target.account.id)) throw new VaultError('account.invalid', { field: 'targets', reason: `account "${target.account.name}" is listed twice` });
    seen.add(target.account.id);
  }
  return Promise.all(job.targets.map((target) => new TargetRun(deps, job, target, onProgress, signal).run()));
}
