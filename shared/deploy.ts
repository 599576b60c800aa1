import type { CloudId, Inspection } from './model';
import type { Localized, UploadFailure } from './uploads';

// A deployment as every front door sees it: the plan (what would change where, and why a
// resource is skipped or blocked), its live progress, and the record kept in the history.
// The field names are the `certvault deploy --json` contract (README).

export const resourceActions = ['replace', 'bind', 'skip', 'blocked'] as const;
/**
 * replace: moves from OLD to NEW; bind: NEW is bound to a resource that does not serve OLD (it serves
 * nothing, an older copy of this certificate, or an expired one; or the user named it); skip: already
 * serves NEW, or serves another certificate the user did not name; blocked: NEW does not cover a
 * domain it serves, or the cloud cannot bind it.
 */
export type ResourceAction = (typeof resourceActions)[number];

export const retireChoices = ['keep', 'mute', 'delete'] as const;
export type RetireChoice = (typeof retireChoices)[number];

/** Old vs new for one resource: what the pre-flight diff shows. */
export interface ResourceDiff {
  /** Domains the resource serves that NEW does not cover (non-empty → blocked). */
  readonly uncovered: readonly string[];
  readonly oldKey: string | null;
  readonly newKey: string;
  readonly oldNotAfter: string | null;
  readonly newNotAfter: string;
  readonly oldSm2: boolean | null;
  readonly newSm2: boolean;
  /** "chain differs" style remarks, empty when nothing else changes. */
  readonly remarks: readonly Localized[];
}

export interface PlannedResource {
  readonly type: string;
  readonly id: string;
  readonly name: string | null;
  readonly domains: readonly string[];
  readonly port: number | null;
  readonly action: ResourceAction;
  /** Why skip, blocked or bind; null for replace. */
  readonly reason: Localized | null;
  readonly diff: ResourceDiff;
  /**
   * Bind candidates only: the remote id the resource serves now (null: none). A 'skip' row with one
   * is deployable by naming its `id` in `DeployOptions.bind`.
   */
  readonly currentRemoteId?: string | null;
}

export interface AccountPlan {
  readonly accountId: string;
  readonly account: string;
  readonly cloud: CloudId;
  readonly oldRemoteId: string | null;
  /** Null until NEW is uploaded there (`uploadFirst`). */
  readonly newRemoteId: string | null;
  readonly uploadFirst: boolean;
  readonly mode: 'rebind' | 'in-place';
  readonly resources: readonly PlannedResource[];
  /** What makes this account's step impossible as a whole (no key to upload, account unconfirmed); null when it can run. */
  readonly blockedBecause: UploadFailure | null;
}

export interface DeployPlan {
  /** The library entry being deployed (NEW). */
  readonly certificateId: string;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  readonly notAfter: string;
  readonly accounts: readonly AccountPlan[];
  readonly builtAt: string;
}

export interface DeployOptions {
  readonly accountIds?: readonly string[];
  readonly retire: RetireChoice;
  readonly verify: boolean;
  /** How long TLS verification keeps retrying while CDNs propagate (default 10 minutes). */
  readonly verifyTimeoutMs?: number;
  /** Keep OLD's remote id and replace its content, where the cloud allows it. */
  readonly inPlace?: boolean;
  /** Resource ids (as the plan lists them) serving another, unrelated certificate that NEW is to be bound to anyway. */
  readonly bind?: readonly string[];
  /** `inPlace` for these accounts only (the window's per-account choice). */
  readonly inPlaceAccountIds?: readonly string[];
}

export const resourceStatuses = ['pending', 'running', 'deployed', 'failed', 'unknown', 'rolled-back', 'rollback-failed'] as const;
export type ResourceStatus = (typeof resourceStatuses)[number];

export const deploymentStatuses = ['running', 'deployed', 'partial', 'failed', 'unknown', 'rolled-back'] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** Whose words a failure is: the cloud's answer passed through ("Alibaba Cloud said: …"), or a Cert Vault check. */
export type FailureSource = 'cloud' | 'app';

export interface ResourceResult {
  readonly type: string;
  readonly id: string;
  readonly name: string | null;
  /** What the plan did with it; a rollback keeps the action it undoes. */
  readonly action: ResourceAction;
  readonly status: ResourceStatus;
  readonly error: UploadFailure | null;
  /** Who said `error`; null without one (and for records written before it was kept). */
  readonly source: FailureSource | null;
}

export interface VerifiedDomain {
  readonly domain: string;
  /** SHA-256 of the leaf served, lower-case hex; null when nothing could be read. */
  readonly served: string | null;
  readonly ok: boolean;
  /** "deployed but not yet served", a TLS error: why ok is false. */
  readonly error: UploadFailure | null;
}

export interface RetiredCopy {
  readonly remoteId: string;
  readonly action: RetireChoice;
  readonly done: boolean;
  /** Why it was kept (still bound, cloud cannot mute) or the cloud's refusal. */
  readonly error: UploadFailure | null;
}

/** One account's part of a deployment: a row of the deployment history. */
export interface AccountDeployment {
  readonly id: string;
  readonly deploymentId: string;
  readonly accountId: string | null;
  readonly account: string;
  readonly cloud: CloudId;
  readonly oldRemoteId: string | null;
  readonly newRemoteId: string | null;
  readonly status: DeploymentStatus;
  readonly resources: readonly ResourceResult[];
  readonly retired: readonly RetiredCopy[];
  readonly verified: readonly VerifiedDomain[];
  readonly error: UploadFailure | null;
  /** Who ran it: the member's name (the OS user's on the local vault) and machine; null before this was recorded. */
  readonly ranBy: { readonly name: string; readonly machine: string } | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export interface DeploymentRecord {
  readonly id: string;
  readonly certificateId: string;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  /** The deployment this one rolled back, when it is a rollback. */
  readonly rollbackOf: string | null;
  readonly accounts: readonly AccountDeployment[];
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** `deploy.progress`: one resource (or a whole account's phase) moving on. */
export interface DeployProgress {
  readonly deploymentId: string;
  readonly accountId: string;
  readonly phase: 'syncing' | 'uploading' | 'starting' | 'watching' | 'verifying' | 'retiring' | 'rolling-back' | 'done';
  readonly resources: readonly ResourceResult[];
  readonly verified: readonly VerifiedDomain[];
}

/** What `check-served` and the inspector's "Check what is served" show. */
export interface ServedCertificate {
  readonly domain: string;
  /** The address actually connected to. */
  readonly address: string;
  readonly port: number;
  readonly protocol: string | null;
  /** Served chain as PEM, leaf first; the inspector parses it like any file. */
  readonly chainPem: string;
  readonly leafFingerprintSha256: string;
  /** Did the served chain validate for this name against the system roots (informational). */
  readonly authorized: boolean;
  readonly authorizationError: string | null;
}

/** `tls.served`: what a server serves, its chain inspected like an opened file, and the library entry of its leaf. */
export interface ServedInspection {
  readonly served: ServedCertificate;
  readonly inspection: Inspection;
  /** The library entry whose leaf is the one served; null when the library does not hold it. */
  readonly libraryId: string | null;
  readonly libraryName: string | null;
}
