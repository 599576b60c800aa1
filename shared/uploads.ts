import type { CloudId } from './model';
import type { Locale } from './i18n';

// What the accounts, upload and history screens (and the CLI) see. Nothing here can carry a
// secret: an account only says whether its secret is stored, and a failure carries the cloud's
// scrubbed code and message.

export type Localized = Readonly<Record<Locale, string>>;

/** 'team': a shared account of a team vault, its secret sealed with the team key (never on the local vault). */
export const secretSources = ['keychain', 'environment', 'team'] as const;
export type SecretSource = (typeof secretSources)[number];

/** A cloud account as every front door sees it. The secret itself never leaves main/core. */
export interface CloudAccount {
  readonly id: string;
  readonly name: string;
  readonly cloud: CloudId;
  readonly region: string | null;
  readonly endpoint: string | null;
  /** The cloud's own account fields (projectId, instanceId, projectName, resourceGroupId). */
  readonly fields: Readonly<Record<string, string>>;
  /** Prefills the upload form; validated by the cloud's options schema when saved. */
  readonly defaultOptions: Readonly<Record<string, unknown>>;
  /** Where the secret comes from: the OS keychain, or the cloud's environment variables at each use. */
  readonly secretSource: SecretSource;
  /** True when this computer can use the stored secret: in its keychain, or shared with the team (it is never sent here; it can only be replaced). */
  readonly secretStored: boolean;
  /** On a team vault, the member whose keychain holds a personal account's secret; null otherwise. */
  readonly owner: { readonly id: string; readonly name: string } | null;
  /**
   * True when the user confirmed, in a main-process dialog, that private keys may go to this
   * account (its cloud, access key id and endpoint) since it was added or its secret or endpoint
   * changed. Uploads to an unconfirmed account are refused (`account.not_confirmed`).
   */
  readonly confirmed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One documented form field (account field or upload option), mirrored from the cloud provider. */
export interface FormField {
  readonly key: string;
  /** `multiline` keeps its line breaks (a PEM), so it is a text area, not a one-line input. */
  readonly kind: 'text' | 'multiline' | 'choice' | 'boolean' | 'tags' | 'number';
  readonly choices?: readonly string[];
  readonly label: Localized;
  readonly help?: Localized;
}

export type ConnectionVerdict = 'works' | 'wrong_key' | 'no_permission' | 'unreachable' | 'clock_skew' | 'error';

export interface ConnectionTest {
  readonly verdict: ConnectionVerdict;
  /** How many certificates the list call returned, when it worked. */
  readonly certificates: number | null;
  readonly error: UploadFailure | null;
}

/** A cloud's refusal or a transport failure, as kept in the history and shown per target. */
export interface UploadFailure {
  /** The cloud's own code ('AuthFailure.SignatureFailure'), or ours ('cancelled', 'check.not_found'). */
  readonly code: string;
  /** The cloud's own message (scrubbed), or ours. */
  readonly message: string;
  readonly requestId: string | null;
  /** What to do about it. */
  readonly hint: Localized | null;
}

export const targetStates = ['queued', 'checking', 'uploading', 'retrying', 'uploaded', 'duplicate', 'failed', 'cancelled'] as const;
export type TargetState = (typeof targetStates)[number];

/** Pushed as `uploads.progress`, one event per state change of one target. */
export interface UploadProgress {
  readonly jobId: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly state: TargetState;
  /** 1-based number of the request being sent (or about to be retried). */
  readonly attempt: number;
  /** Only for `retrying`: how long until the next attempt. */
  readonly waitMs: number | null;
  readonly remoteId: string | null;
  readonly requestId: string | null;
  readonly error: UploadFailure | null;
}

export type FinalTargetState = Extract<TargetState, 'uploaded' | 'duplicate' | 'failed' | 'cancelled'>;

export interface TargetResult {
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly status: FinalTargetState;
  readonly remoteId: string | null;
  readonly requestId: string | null;
  readonly attempts: number;
  readonly durationMs: number;
  readonly error: UploadFailure | null;
  /** The history row of this target's attempt; null when nothing was sent (dedupe, cancel, pre-flight). */
  readonly historyId: string | null;
}

export interface UploadJobSummary {
  readonly jobId: string;
  readonly certificateId: string | null;
  readonly fingerprintSha256: string;
  readonly done: boolean;
  readonly results: readonly TargetResult[];
}

export interface PlanIssue {
  /** The option or part of the certificate concerned ('name', 'privateKey', 'certificate', 'chain'). */
  readonly field: string;
  readonly message: Localized;
  /** Blocking issues stop the target from being sent; warnings are shown and may be accepted. */
  readonly severity: 'error' | 'warning';
}

/** The pre-flight of one target: prefilled options, the form, and what is wrong before sending. */
export interface PlanTarget {
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly options: Readonly<Record<string, unknown>>;
  readonly optionFields: readonly FormField[];
  readonly issues: readonly PlanIssue[];
  /** This account already holds this certificate according to the local history. */
  readonly alreadyPresent: { readonly remoteId: string | null; readonly uploadedAt: string } | null;
}

export interface UploadPlan {
  readonly certificateId: string;
  readonly fingerprintSha256: string;
  readonly targets: readonly PlanTarget[];
}

export const historyStatuses = ['pending', 'uploaded', 'duplicate', 'failed', 'cancelled', 'unknown'] as const;
export type HistoryStatus = (typeof historyStatuses)[number];

/** One row of the upload history: one target of one upload, written before the request is sent. */
export interface HistoryEntry {
  readonly id: string;
  readonly jobId: string;
  /** The library entry; null for `certvault upload --cert FILE` without an import. */
  readonly certificateId: string | null;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  readonly notAfter: string | null;
  /** Null once the account was deleted; its name and cloud stay for the record. */
  readonly accountId: string | null;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly status: HistoryStatus;
  readonly remoteId: string | null;
  readonly requestId: string | null;
  readonly error: UploadFailure | null;
  readonly attempts: number;
  readonly durationMs: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export interface HistoryFilter {
  readonly certificateId?: string;
  readonly fingerprintSha256?: string;
  readonly cloud?: CloudId;
  readonly accountId?: string;
  readonly accountName?: string;
  readonly status?: readonly HistoryStatus[];
  /** ISO 8601; inclusive bounds on startedAt. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** "Deployed to Tencent prod as abc123": the library's "where is it uploaded" column. */
export interface Deployment {
  readonly accountId: string | null;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly remoteId: string | null;
  readonly uploadedAt: string;
}

/** What the accounts and upload forms need to know about each cloud. */
export interface CloudDescription {
  readonly id: CloudId;
  readonly displayName: Localized;
  /** The per-account request rate uploads are paced to. */
  readonly requestsPerSecond: number;
  readonly accountFields: readonly FormField[];
  readonly optionFields: readonly FormField[];
  /** What a deployment may do with the old copy once nothing serves it (empty: the cloud cannot deploy, or can only keep it). */
  readonly retireModes: readonly ('mute' | 'delete')[];
  /** How a deployment may move resources here: 'rebind' (a new copy), and 'in-place' where the cloud can replace a copy's content under its id. */
  readonly deployModes: readonly ('rebind' | 'in-place')[];
}

/** One row after "Check". */
export interface HistoryCheck {
  readonly entry: HistoryEntry;
  /** Why the row is still unknown (account removed, list unreadable); null once resolved. */
  readonly unresolvedBecause: UploadFailure | null;
}
