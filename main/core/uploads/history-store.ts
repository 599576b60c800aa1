import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CloudId } from '../../../shared/model';
import type { Deployment, HistoryEntry, HistoryFilter, HistoryStatus, Localized, UploadFailure } from '../../../shared/uploads';

// The upload history. An attempt is inserted as 'pending' before its first request leaves this
// process and finished afterwards, so a crash in between leaves a row that says so. Rows belong
// to the process that wrote them (owner_pid): the app and the CLI share the database, and one
// must not declare the other's in-flight uploads lost.

interface HistoryRow {
  id: string;
  job_id: string;
  certificate_id: string | null;
  fingerprint_sha256: string;
  fingerprint_sha1: string | null;
  common_name: string | null;
  dns_names_json: string;
  not_after: string | null;
  account_id: string | null;
  account_name: string;
  cloud: string;
  status: HistoryStatus;
  remote_id: string | null;
  request_id: string | null;
  error_code: string | null;
  error_message: string | null;
  error_hint_json: string | null;
  attempts: number;
  duration_ms: number | null;
  started_at: string;
  finished_at: string | null;
  owner_pid: number | null;
}

export interface BeginAttempt {
  readonly jobId: string;
  readonly certificateId: string | null;
  readonly fingerprintSha256: string;
  readonly fingerprintSha1: string | null;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string | null;
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
}

export interface FinishAttempt {
  readonly status: Exclude<HistoryStatus, 'pending'>;
  readonly remoteId: string | null;
  readonly requestId: string | null;
  readonly error: UploadFailure | null;
  readonly attempts: number;
  readonly durationMs: number | null;
}

/** What the list call needs to recognise the certificate on the cloud again. */
export interface UnresolvedAttempt {
  readonly id: string;
  readonly accountId: string | null;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly fingerprintSha256: string;
  readonly fingerprintSha1: string | null;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string | null;
  readonly startedAt: string;
}

export const MAX_HISTORY_PAGE = 10_000;

function toEntry(row: HistoryRow): HistoryEntry {
  const error: UploadFailure | null =
    row.error_code === null
      ? null
      : {
          code: row.error_code,
          message: row.error_message ?? '',
          requestId: row.request_id,
          hint: row.error_hint_json ? (JSON.parse(row.error_hint_json) as Localized) : null,
        };
  return {
    id: row.id,
    jobId: row.job_id,
    certificateId: row.certificate_id,
    fingerprintSha256: row.fingerprint_sha256,
    commonName: row.common_name,
    notAfter: row.not_after,
    accountId: row.account_id,
    accountName: row.account_name,
    cloud: row.cloud as CloudId,
    status: row.status,
    remoteId: row.remote_id,
    requestId: row.request_id,
    error,
    attempts: row.attempts,
    durationMs: row.duration_ms,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toUnresolved(row: HistoryRow): UnresolvedAttempt {
  return {
    id: row.id,
    accountId: row.account_id,
    accountName: row.account_name,
    cloud: row.cloud as CloudId,
    fingerprintSha256: row.fingerprint_sha256,
    fingerprintSha1: row.fingerprint_sha1,
    commonName: row.common_name,
    dnsNames: JSON.parse(row.dns_names_json) as string[],
    notAfter: row.not_after,
    startedAt: row.started_at,
  };
}

/** True when a process with this id is running (EPERM: it exists but belongs to someone else). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class HistoryStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    private readonly pid: number = process.pid,
  ) {}

  /** Written before the first request of a target is sent. */
  begin(attempt: BeginAttempt): string {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO upload_history (id, job_id, certificate_id, fingerprint_sha256, fingerprint_sha1, common_name, dns_names_json,
           not_after, account_id, account_name, cloud, status, attempts, started_at, owner_pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      )
      .run(
        id,
        attempt.jobId,
        attempt.certificateId,
        attempt.fingerprintSha256.toLowerCase(),
        attempt.fingerprintSha1?.toLowerCase() ?? null,
        attempt.commonName,
        JSON.stringify(attempt.dnsNames),
        attempt.notAfter,
        attempt.accountId,
        attempt.accountName,
        attempt.cloud,
        this.now().toISOString(),
        this.pid,
      );
    return id;
  }

  /** Counts requests as they are sent, so a crash mid-retry still records how many went out. */
  recordAttempt(id: string, attempts: number): void {
    this.db.prepare('UPDATE upload_history SET attempts = ? WHERE id = ?').run(attempts, id);
  }

  /**
   * Removes a row whose target was cancelled before any upload went out (only its read-only
   * listing did): nothing happened at the cloud, and a "failed" row would say otherwise.
   */
  discard(id: string): void {
    this.db.prepare('DELETE FROM upload_history WHERE id = ? AND attempts = 0').run(id);
  }

  finish(id: string, outcome: FinishAttempt): void {
    this.db
      .prepare(
        `UPDATE upload_history SET status = @status, remote_id = @remoteId, request_id = @requestId, error_code = @code,
           error_message = @message, error_hint_json = @hint, attempts = @attempts, duration_ms = @durationMs,
           finished_at = @finishedAt, owner_pid = NULL
         WHERE id = @id`,
      )
      .run({
        id,
        status: outcome.status,
        remoteId: outcome.remoteId,
        requestId: outcome.requestId ?? outcome.error?.requestId ?? null,
        code: outcome.error?.code ?? null,
        message: outcome.error?.message ?? null,
        hint: outcome.error?.hint ? JSON.stringify(outcome.error.hint) : null,
        attempts: outcome.attempts,
        durationMs: outcome.durationMs,
        finishedAt: this.now().toISOString(),
      });
  }

  /**
   * At startup: pending rows whose writer is gone were interrupted mid-request, so nobody knows
   * whether the cloud created the certificate. They become 'unknown' until `check` resolves them.
   * Rows of a live process (the app while the CLI starts, or this very process) stay pending. A
   * recycled pid only delays the change to a later start; it never resolves a row wrongly.
   */
  markAbandoned(isAlive: (pid: number) => boolean = processIsAlive): number {
    const rows = this.db.prepare("SELECT id, owner_pid FROM upload_history WHERE status = 'pending'").all() as { id: string; owner_pid: number | null }[];
    const orphans = rows.filter((row) => row.owner_pid === null || (row.owner_pid !== this.pid && !isAlive(row.owner_pid)));
    const mark = this.db.prepare("UPDATE upload_history SET status = 'unknown', owner_pid = NULL WHERE id = ? AND status = 'pending'");
    this.db.transaction(() => orphans.forEach((row) => mark.run(row.id)))();
    return orphans.length;
  }

  get(id: string): HistoryEntry | null {
    const row = this.db.prepare('SELECT * FROM upload_history WHERE id = ?').get(id) as HistoryRow | undefined;
    return row ? toEntry(row) : null;
  }

  list(filter: HistoryFilter = {}): HistoryEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.certificateId) add('certificate_id = ?', filter.certificateId);
    if (filter.fingerprintSha256) add('fingerprint_sha256 = ?', filter.fingerprintSha256.toLowerCase());
    if (filter.cloud) add('cloud = ?', filter.cloud);
    if (filter.accountId) add('account_id = ?', filter.accountId);
    if (filter.accountName) add('account_name = ? COLLATE NOCASE', filter.accountName);
    if (filter.status && filter.status.length > 0) add(`status IN (${filter.status.map(() => '?').join(', ')})`, ...filter.status);
    if (filter.from) add('started_at >= ?', filter.from);
    if (filter.to) add('started_at <= ?', filter.to);
    const limit = Math.min(filter.limit ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
    const sql = `SELECT * FROM upload_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`;
    const rows = this.db.prepare(sql).all(...params, limit, filter.offset ?? 0) as HistoryRow[];
    return rows.map(toEntry);
  }

  /** The latest successful upload of this certificate to this account, for dedupe. */
  findPresent(accountId: string, fingerprintSha256: string): HistoryEntry | null {
    const row = this.db
      .prepare(
        `SELECT * FROM upload_history WHERE account_id = ? AND fingerprint_sha256 = ? AND status IN ('uploaded', 'duplicate')
         ORDER BY finished_at DESC LIMIT 1`,
      )
      .get(accountId, fingerprintSha256.toLowerCase()) as HistoryRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Where each of these certificates is uploaded: one line per account, the latest copy. */
  deployments(certificateIds: readonly string[]): Map<string, Deployment[]> {
    const result = new Map<string, Deployment[]>();
    if (certificateIds.length === 0) return result;
    const select = this.db.prepare(
      `SELECT certificate_id, account_id, account_name, cloud, remote_id, MAX(finished_at) AS uploaded_at
       FROM upload_history WHERE certificate_id = ? AND status IN ('uploaded', 'duplicate')
       GROUP BY COALESCE(account_id, account_name || ':' || cloud) ORDER BY account_name COLLATE NOCASE`,
    );
    for (const id of certificateIds) {
      const rows = select.all(id) as { account_id: string | null; account_name: string; cloud: string; remote_id: string | null; uploaded_at: string }[];
      result.set(
        id,
        rows.map((row) => ({ accountId: row.account_id, accountName: row.account_name, cloud: row.cloud as CloudId, remoteId: row.remote_id, uploadedAt: row.uploaded_at })),
      );
    }
    return result;
  }

  /** Rows whose outcome nobody knows; `ids` narrows to those (a `check` on selected rows). */
  unresolved(ids?: readonly string[]): UnresolvedAttempt[] {
    const rows = this.db.prepare("SELECT * FROM upload_history WHERE status = 'unknown' ORDER BY started_at").all() as HistoryRow[];
    const wanted = ids ? new Set(ids) : null;
    return rows.filter((row) => !wanted || wanted.has(row.id)).map(toUnresolved);
  }

  /** Resolves an 'unknown' row; a no-op when another process resolved it first. */
  resolve(id: string, outcome: { status: 'uploaded' | 'failed'; remoteId: string | null; error: UploadFailure | null }): boolean {
    const result = this.db
      .prepare(
        `UPDATE upload_history SET status = @status, remote_id = @remoteId, error_code = @code, error_message = @message,
           error_hint_json = @hint, finished_at = COALESCE(finished_at, @finishedAt)
         WHERE id = @id AND status = 'unknown'`,
      )
      .run({
        id,
        status: outcome.status,
        remoteId: outcome.remoteId,
        code: outcome.error?.code ?? null,
        message: outcome.error?.message ?? null,
        hint: outcome.error?.hint ? JSON.stringify(outcome.error.hint) : null,
        finishedAt: this.now().toISOString(),
      });
    return result.changes === 1;
  }
}

export function newJobId(): string {
  return randomUUID();
}
