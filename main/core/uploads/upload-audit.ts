import type { HistoryStatus } from '../../../shared/uploads';
import type { AuditEntry } from '../db/vault-db';

// A team vault's audit rows of one upload target: one when its history row is written (before
// the first request, with who and from which machine), one when the row records how it ended,
// each in the transaction that writes the history row. Other members' windows hear both.

/** What the audit row needs of a history row. */
export interface AuditedUpload {
  readonly id: string;
  readonly jobId: string;
  readonly certificateId: string | null;
  readonly fingerprintSha256: string;
  readonly accountName: string;
  readonly cloud: string;
}

export type UploadOutcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

const outcomes: Readonly<Record<Exclude<HistoryStatus, 'pending'>, UploadOutcome>> = {
  uploaded: 'succeeded',
  duplicate: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  // Whether the cloud got it is not known (a crash, a lost answer): `check` settles it.
  unknown: 'interrupted',
};

export function uploadStarted(upload: AuditedUpload): AuditEntry {
  return { action: 'vault.upload', subject: subjectOf(upload), detail: { phase: 'start', ...common(upload) } };
}

export function uploadEnded(upload: AuditedUpload, status: Exclude<HistoryStatus, 'pending'>, errorCode: string | null): AuditEntry {
  return { action: 'vault.upload', subject: subjectOf(upload), detail: { phase: 'end', ...common(upload), outcome: outcomes[status], status, error: errorCode } };
}

/** The library entry; a file uploaded from outside the library is named by its fingerprint. */
function subjectOf(upload: AuditedUpload): string {
  return upload.certificateId ?? upload.fingerprintSha256;
}

function common(upload: AuditedUpload) {
  return { job: upload.jobId, history: upload.id, account: upload.accountName, cloud: upload.cloud };
}
