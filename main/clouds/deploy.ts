import type { FailureSource } from '../../shared/deploy';
import type { CallContext, CloudErrorInfo, UploadMaterial } from './provider';
import type { Hint } from './cloud-error';

// What a cloud does after an upload: find what serves a certificate, make it serve another one,
// watch that finish, undo it, retire the old copy (DEPLOY.md). Each cloud folder exports one
// `CloudDeployer` (deploy.ts beside inventory.ts) and its provider points at it; the engine in
// main/core/deploy drives every cloud through these verbs alone.

/** A resource that serves a certificate, with what the cloud's replace or bind call needs again. */
export interface DeployResource {
  /** The cloud's resource type ('clb', 'cdn', 'CDN', 'ALB', 'apig-domain', 'live-domain'). */
  readonly type: string;
  /**
   * Stable within the account: Tencent's InstanceIdList tuple, Alibaba's ListCloudResources `Id`,
   * Huawei's domain id, Volcengine's domain.
   */
  readonly id: string;
  /** The domain shown to the user, where it has one. */
  readonly name: string | null;
  /** Every host name a visitor reaches it by: what NEW must cover and what TLS verification probes. */
  readonly domains: readonly string[];
  /** '' or null where the type is not regional. */
  readonly region: string | null;
  /** The TLS port when it is not 443 (a CLB listener, a custom APIG ingress port). */
  readonly port: number | null;
  /**
   * Cloud facts the later calls must send back unchanged (Huawei instance_id and
   * verified_client_certificate_enabled, Volcengine HTTP2, Tencent HttpsBillingSwitch): read at
   * discovery so a rebind does not reset a setting the user chose.
   */
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * `rebind`: NEW is its own remote copy and each resource is moved from OLD to it.
 * `in-place`: OLD's remote id is kept and its content replaced by NEW (Huawei UpdateCertificateV2,
 * Volcengine CreateCert with OLD's ChainID); rolling back needs OLD's material, which the engine
 * keeps sealed in the vault before anything changes.
 */
export type DeployMode = 'rebind' | 'in-place';

export interface DeployStep {
  readonly mode: DeployMode;
  /** '' when the step only binds (an account where nothing serves an older copy yet). */
  readonly oldRemoteId: string;
  /** NEW's remote id; equal to `oldRemoteId` in place. */
  readonly newRemoteId: string;
  /** The resources serving OLD that this step moves to NEW. */
  readonly resources: readonly DeployResource[];
  /** In place: NEW's material. Rolling back in place: OLD's. Null for `rebind`. */
  readonly material: UploadMaterial | null;
  /** Also mute OLD's expiry notices in the same call where the cloud allows it (Tencent ExpiringNotificationSwitch). */
  readonly muteOld: boolean;
  /**
   * Ids of `resources` that are not bound to OLD and get NEW bound to them (bind candidates, see
   * `CloudDeployer.candidates`). Absent or empty: every resource moves from OLD. A deployer whose
   * action is 'bind' binds every resource anyway and may ignore it.
   */
  readonly binds?: readonly string[];
}

/** A resource NEW could be bound to that does not serve OLD: what `candidates` finds. */
export interface BindCandidate extends DeployResource {
  /** The remote id it serves now; null when it serves none. */
  readonly currentRemoteId: string | null;
  /** Why the cloud cannot bind it as found (a regional resource without a known region); null when it can. */
  readonly unbindable: Hint | null;
}

export type ResourceState = 'pending' | 'running' | 'deployed' | 'failed' | 'rolled-back' | 'rollback-failed';

export interface ResourceOutcome {
  /** `DeployResource.id`. */
  readonly resourceId: string;
  readonly state: ResourceState;
  /** The cloud's refusal for this resource (a failed task item's ErrorMsg, a bind call's error). */
  readonly error: CloudErrorInfo | null;
  /**
   * Whose words `error` is. Absent: the cloud's when it came with an HTTP answer, else ours. Set
   * where that rule is wrong: a task item the cloud reported without a status of its own (the
   * cloud's), a record that lacks the resource (our check of the cloud's answer).
   */
  readonly source?: FailureSource;
}

/**
 * What the engine stores (JSON, in the deployment history) between starting a task and watching
 * it, so that a restarted app resumes watching instead of starting it again: Tencent's
 * DeployRecordId, Alibaba's JobId and worker ids, the outcomes of synchronous bind calls.
 */
export interface DeployHandle {
  /** The cloud's task id, or null for clouds without tasks. */
  readonly ref: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface TaskState {
  /** True once no resource is pending or running. */
  readonly finished: boolean;
  readonly resources: readonly ResourceOutcome[];
}

export type RetireMode = 'mute' | 'delete';

export interface CloudDeployer {
  /** How resources move to NEW on this cloud: the cloud's own update job, or a bind per resource. */
  readonly action: 'replace' | 'bind';
  /** Which `DeployMode`s the cloud supports; 'rebind' always. */
  readonly modes: readonly DeployMode[];
  /** Retirement the cloud offers (Alibaba and Huawei cannot mute one certificate's notices). */
  readonly retireModes: readonly RetireMode[];
  /** Every resource serving `remoteId` now, read fresh (never a cached discovery), all pages. */
  discover(ctx: CallContext, remoteId: string): Promise<readonly DeployResource[]>;
  /**
   * Optional: resources whose names `newRemoteId` matches, whatever they serve now (nothing, NEW,
   * OLD, another certificate), read fresh, all pages. The plan decides which become 'bind' rows;
   * clouds without it deploy only where OLD is bound.
   */
  candidates?(ctx: CallContext, newRemoteId: string): Promise<readonly BindCandidate[]>;
  /**
   * Optional: after a start (or rollback) whose answer was lost, the cloud's own task records for
   * what that call would have created, read, never re-sent: a handle to watch, or null when the
   * records show no such task. `since` is when the call left.
   */
  recover?(ctx: CallContext, step: DeployStep, since: Date, rollback: boolean): Promise<DeployHandle | null>;
  /**
   * Starts moving `step.resources` to NEW. The engine records its intent before the call and the
   * handle after it; a call whose fate is unknown is resolved with `discover`, never repeated.
   */
  start(ctx: CallContext, step: DeployStep): Promise<DeployHandle>;
  /** One look at the task: repeated by the engine (paced, with backoff) until `finished`. */
  poll(ctx: CallContext, step: DeployStep, handle: DeployHandle): Promise<TaskState>;
  /**
   * Puts OLD back on the resources whose outcome is `deployed` (failed ones were never moved).
   * The returned handle is watched with `poll`, whose states are then rolled-back / rollback-failed.
   */
  rollback(ctx: CallContext, step: DeployStep, handle: DeployHandle, outcomes: readonly ResourceOutcome[]): Promise<DeployHandle>;
  /** Mutes or deletes `remoteId`; the engine calls delete only after `discover` found it serving nothing. */
  retire(ctx: CallContext, remoteId: string, mode: RetireMode): Promise<void>;
  /**
   * Whether `remoteId`'s expiry notices are muted now, read from the cloud: what settles a mute
   * whose answer was lost (a delete is settled by the account's listing). Where 'mute' is offered.
   */
  isMuted?(ctx: CallContext, remoteId: string): Promise<boolean>;
}
