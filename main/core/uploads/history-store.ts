import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { CloudId } from '../../../shared/model';
import type { Deployment, HistoryEntry, HistoryFilter, HistoryStatus, Localized, UploadFailure } from '../../../shared/uploads';
import { equalsNocase, insertionOrder, nocase } from '../db/dialect-sql';
import type { UploadHistoryTable } from '../db/tables';
import type { VaultDb } from '../db/vault-db';

// The upload history. An attempt is inserted as 'pending' before its first request leaves this
// process and finished afterwards, so a crash in between leaves a row that says so. Rows belong
// to the process that wrote them (owner_pid): the app and the CLI share the database, and one
// must not declare the other's in-flight uploads lost. Either engine (docs/data-layer.md).

type HistoryRow = Selectable<UploadHistoryTable>;

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

/** Certificates per deployments query: well under either engine's limit on bound parameters. */
const DEPLOYMENTS_BATCH = 500;

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
  /** The startup sweep (`sweepAbandoned`) while it runs: every other call waits for it. */
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly vault: VaultDb,
    private readonly now: () => Date = () => new Date(),
    private readonly pid: number = process.pid,
  ) {}

  /** Written before the first request of a target is sent. */
  async begin(attempt: BeginAttempt): Promise<string> {
    await this.sweeping;
    const id = randomUUID();
    await this.vault.db
      .insertInto('upload_history')
      .values({
        id,
        job_id: attempt.jobId,
        certificate_id: attempt.certificateId,
        fingerprint_sha256: attempt.fingerprintSha256.toLowerCase(),
        fingerprint_sha1: attempt.fingerprintSha1?.toLowerCase() ?? null,
        common_name: attempt.commonName,
        dns_names_json: JSON.stringify(attempt.dnsNames),
        not_after: attempt.notAfter,
        account_id: attempt.accountId,
        account_name: attempt.accountName,
        cloud: attempt.cloud,
        status: 'pending',
        attempts: 0,
        started_at: this.now().toISOString(),
        owner_pid: this.pid,
      })
      .execute();
    return id;
  }

  /** Counts requests as they are sent, so a crash mid-retry still records how many went out. */
  async recordAttempt(id: string, attempts: number): Promise<void> {
    await this.sweeping;
    await this.vault.db.updateTable('upload_history').set({ attempts }).where('id', '=', id).execute();
  }

  /**
   * Removes a row whose target was cancelled before any upload went out (only its read-only
   * listing did): nothing happened at the cloud, and a "failed" row would say otherwise.
   */
  async discard(id: string): Promise<void> {
    await this.sweeping;
    await this.vault.db.deleteFrom('upload_history').where('id', '=', id).where('attempts', '=', 0).execute();
  }

  async finish(id: string, outcome: FinishAttempt): Promise<void> {
    await this.sweeping;
    await this.vault.db
      .updateTable('upload_history')
      .set({
        status: outcome.status,
        remote_id: outcome.remoteId,
        request_id: outcome.requestId ?? outcome.error?.requestId ?? null,
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        error_hint_json: outcome.error?.hint ? JSON.stringify(outcome.error.hint) : null,
        attempts: outcome.attempts,
        duration_ms: outcome.durationMs,
        finished_at: this.now().toISOString(),
        owner_pid: null,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * At startup: pending rows whose writer is gone were interrupted mid-request, so nobody knows
   * whether the cloud created the certificate. They become 'unknown' until `check` resolves them.
   * Rows of a live process (the app while the CLI starts, or this very process) stay pending. A
   * recycled pid only delays the change to a later start; it never resolves a row wrongly.
   */
  async markAbandoned(isAlive: (pid: number) => boolean = processIsAlive): Promise<number> {
    const rows = await this.vault.db.selectFrom('upload_history').select(['id', 'owner_pid']).where('status', '=', 'pending').execute();
    const orphans = rows.filter((row) => row.owner_pid === null || (row.owner_pid !== this.pid && !isAlive(row.owner_pid)));
    if (orphans.length === 0) return 0;
    // One statement, so no transaction held across an await (it runs at startup, beside the
    // library's first writes); `status = 'pending'` leaves a row another process finished meanwhile.
    await this.vault.db
      .updateTable('upload_history')
      .set({ status: 'unknown', owner_pid: null })
      .where('id', 'in', orphans.map((row) => row.id))
      .where('status', '=', 'pending')
      .execute();
    return orphans.length;
  }

  /**
   * `markAbandoned` as a service starts it, without waiting: the store's other calls wait for it
   * instead, so none reads a row it is about to change or writes one it would misjudge.
   */
  sweepAbandoned(isAlive?: (pid: number) => boolean): Promise<number> {
    const sweep = this.markAbandoned(isAlive);
    this.sweeping = sweep.catch(() => undefined);
    return sweep;
  }

  async get(id: string): Promise<HistoryEntry | null> {
    await this.sweeping;
    const row = await this.vault.db.selectFrom('upload_history').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  async list(filter: HistoryFilter = {}): Promise<HistoryEntry[]> {
    await this.sweeping;
    const { engine } = this.vault;
    let query = this.vault.db.selectFrom('upload_history').selectAll();
    if (filter.certificateId) query = query.where('certificate_id', '=', filter.certificateId);
    if (filter.fingerprintSha256) query = query.where('fingerprint_sha256', '=', filter.fingerprintSha256.toLowerCase());
    if (filter.cloud) query = query.where('cloud', '=', filter.cloud);
    if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
    if (filter.accountName) query = query.where(equalsNocase(engine, 'account_name', filter.accountName));
    if (filter.status && filter.status.length > 0) query = query.where('status', 'in', filter.status);
    if (filter.from) query = query.where('started_at', '>=', filter.from);
    if (filter.to) query = query.where('started_at', '<=', filter.to);
    const limit = Math.min(filter.limit ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
    const rows = await query
      .orderBy('started_at', 'desc')
      .orderBy(insertionOrder(engine, 'upload_history'), 'desc')
      .limit(limit)
      .offset(filter.offset ?? 0)
      .execute();
    return rows.map(toEntry);
  }

  /** The latest successful upload of this certificate to this account, for dedupe. */
  async findPresent(accountId: string, fingerprintSha256: string): Promise<HistoryEntry | null> {
    await this.sweeping;
    const row = await this.vault.db
      .selectFrom('upload_history')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('fingerprint_sha256', '=', fingerprintSha256.toLowerCase())
      .where('status', 'in', ['uploaded', 'duplicate'])
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  /** Where each of these certificates is uploaded: one line per account, the latest copy. */
  async deployments(certificateIds: readonly string[]): Promise<Map<string, Deployment[]>> {
    await this.sweeping;
    const result = new Map<string, Deployment[]>(certificateIds.map((id) => [id, []]));
    for (let start = 0; start < certificateIds.length; start += DEPLOYMENTS_BATCH) {
      for (const row of await this.latestCopies(certificateIds.slice(start, start + DEPLOYMENTS_BATCH))) {
        result.get(row.certificate_id)!.push({
          accountId: row.account_id,
          accountName: row.account_name,
          cloud: row.cloud as CloudId,
          remoteId: row.remote_id,
          uploadedAt: row.finished_at,
        });
      }
    }
    return result;
  }

  /**
   * Per certificate and account (by id, or by name and cloud once the account is removed), the
   * newest successful upload, ordered by account name: a window function, which both engines
   * have, where SQLite alone would take a bare column next to MAX().
   */
  private async latestCopies(certificateIds: readonly string[]) {
    const { engine } = this.vault;
    const ranked = this.vault.db
      .selectFrom('upload_history')
      .select([
        'certificate_id',
        'account_id',
        'account_name',
        'cloud',
        'remote_id',
        'finished_at',
        sql<number>`row_number() OVER (
          PARTITION BY certificate_id, COALESCE(account_id, account_name || ':' || cloud) ORDER BY finished_at DESC)`.as('newest'),
      ])
      .where('certificate_id', 'in', certificateIds)
      .where('status', 'in', ['uploaded', 'duplicate']);
    const rows = await this.vault.db
      .selectFrom(ranked.as('ranked'))
      .select(['certificate_id', 'account_id', 'account_name', 'cloud', 'remote_id', 'finished_at'])
      .where('newest', '=', 1)
      .orderBy(nocase(engine, 'account_name'))
      .execute();
    return rows.map((row) => ({ ...row, certificate_id: row.certificate_id!, finished_at: row.finished_at! }));
  }

  /** Rows whose outcome nobody knows; `ids` narrows to those (a `check` on selected rows). */
  async unresolved(ids?: readonly string[]): Promise<UnresolvedAttempt[]> {
    await this.sweeping;
    const rows = await this.vault.db.selectFrom('upload_history').selectAll().where('status', '=', 'unknown').orderBy('started_at').execute();
    const wanted = ids ? new Set(ids) : null;
    return rows.filter((row) => !wanted || wanted.has(row.id)).map(toUnresolved);
  }

  /** Resolves an 'unknown' row; a no-op when another process resolved it first. */
  async resolve(id: string, outcome: { status: 'uploaded' | 'failed'; remoteId: string | null; error: UploadFailure | null }): Promise<boolean> {
    await this.sweeping;
    const finishedAt = this.now().toISOString();
    const result = await this.vault.db
      .updateTable('upload_history')
      .set((eb) => ({
        status: outcome.status,
        remote_id: outcome.remoteId,
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        error_hint_json: outcome.error?.hint ? JSON.stringify(outcome.error.hint) : null,
        finished_at: eb.fn.coalesce('finished_at', eb.val(finishedAt)),
      }))
      .where('id', '=', id)
      .where('status', '=', 'unknown')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

export function newJobId(): string {
  return randomUUID();
}
