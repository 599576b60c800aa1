import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { CloudId } from '../../../shared/model';
import type { Deployment, HistoryEntry, HistoryFilter, HistoryStatus, Localized, UploadFailure } from '../../../shared/uploads';
import { VaultError } from '../../../shared/errors';
import { equalsNocase, insertionOrder, lockCertificateOnAccount, nocase } from '../db/dialect-sql';
import { Heartbeat, holderParams, isAbandoned, ownerColumns, ownerOf, type RowOwner } from '../db/row-owner';
import type { UploadHistoryTable } from '../db/tables';
import type { VaultDb } from '../db/vault-db';
import { log } from '../log';
import { uploadEnded, uploadStarted, type AuditedUpload } from './upload-audit';

// The upload history. An attempt is inserted as 'pending' before its first request leaves this
// process and finished afterwards, so a crash in between leaves a row that says so. Rows belong
// to whoever wrote them (owner_pid, owner_machine, owner_name; db/row-owner.ts): the app, the CLI
// and, on a team vault, other members share the database, and one must not declare another's
// in-flight uploads lost. A pending row is also the claim: one upload of a certificate to an
// account runs at a time. Either engine (docs/data-layer.md).

type HistoryRow = Selectable<UploadHistoryTable>;

/** The columns an upload's audit row is made of (upload-audit.ts). */
const AUDITED_COLUMNS = ['id', 'job_id', 'certificate_id', 'fingerprint_sha256', 'account_name', 'cloud'] as const;

function auditedOf(row: Pick<HistoryRow, (typeof AUDITED_COLUMNS)[number]>): AuditedUpload {
  return { id: row.id, jobId: row.job_id, certificateId: row.certificate_id, fingerprintSha256: row.fingerprint_sha256, accountName: row.account_name, cloud: row.cloud };
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
  /** Keeps this process's pending rows alive to other machines; each begun row holds it until finished. */
  private readonly heartbeat: Heartbeat;
  private readonly held = new Map<string, () => void>();

  constructor(
    private readonly vault: VaultDb,
    private readonly now: () => Date = () => new Date(),
    private readonly owner: RowOwner = ownerOf(),
  ) {
    this.heartbeat = new Heartbeat(
      () => this.beat(),
      (error) => log.warn('upload_heartbeat_failed', { reason: error instanceof Error ? error.name : typeof error }),
    );
  }

  /**
   * Written before the first request of a target is sent: the claim on this certificate and
   * account. Refused (`upload.in_progress`, naming who) while another upload of it to the account
   * is pending, whoever runs it. The check and the insert are one transaction, serialised per pair
   * (lockCertificateOnAccount on PostgreSQL, the write lock on SQLite), so two members starting at
   * once cannot both pass it.
   */
  async begin(attempt: BeginAttempt, isAlive: (pid: number) => boolean = processIsAlive): Promise<string> {
    await this.sweeping;
    const id = randomUUID();
    const at = this.now().toISOString();
    const fingerprint = attempt.fingerprintSha256.toLowerCase();
    await this.vault.db.transaction().execute(async (trx) => {
      await lockCertificateOnAccount(this.vault.engine, trx, fingerprint, attempt.accountId);
      const pending = await trx
        .selectFrom('upload_history')
        .select(['id', 'owner_pid', 'owner_name', 'owner_machine', 'heartbeat_at', 'started_at', ...AUDITED_COLUMNS])
        .where('fingerprint_sha256', '=', fingerprint)
        .where('account_id', '=', attempt.accountId)
        .where('status', '=', 'pending')
        .orderBy('started_at')
        .execute();
      // A crashed holder's claim (its lease run out) ends here, as the startup sweep would end it.
      const gone = pending.filter((row) => isAbandoned(row, this.owner, this.now(), isAlive));
      if (gone.length > 0) {
        await trx.updateTable('upload_history').set({ status: 'unknown', owner_pid: null, heartbeat_at: null }).where('id', 'in', gone.map((row) => row.id)).execute();
        for (const row of gone) await this.vault.audit?.(trx, uploadEnded(auditedOf(row), 'unknown', null));
      }
      const held = pending.find((row) => !gone.includes(row));
      if (held) {
        throw new VaultError('upload.in_progress', {
          account: attempt.accountName,
          ...holderParams({ name: held.owner_name, machine: held.owner_machine, since: held.started_at }, this.now()),
        });
      }
      await trx
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
        started_at: at,
        ...ownerColumns(this.owner, at),
      })
      .execute();
      await this.vault.audit?.(trx, uploadStarted({ id, jobId: attempt.jobId, certificateId: attempt.certificateId, fingerprintSha256: fingerprint, accountName: attempt.accountName, cloud: attempt.cloud }));
    });
    this.held.set(id, this.heartbeat.hold());
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
    const removed = await this.vault.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('upload_history').select(AUDITED_COLUMNS).where('id', '=', id).executeTakeFirst();
      const deleted = await trx.deleteFrom('upload_history').where('id', '=', id).where('attempts', '=', 0).executeTakeFirst();
      // The audit log keeps its start row, so it is told how the upload ended.
      if (row && deleted.numDeletedRows === 1n) await this.vault.audit?.(trx, uploadEnded(auditedOf(row), 'cancelled', null));
      return deleted.numDeletedRows === 1n;
    });
    if (removed) this.release(id);
  }

  /** The outcome and its audit row (team vault) in one transaction. */
  async finish(id: string, outcome: FinishAttempt): Promise<void> {
    await this.sweeping;
    await this.vault.db.transaction().execute(async (trx) => {
      await trx
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
          // Who uploaded stays on record; only the claim ends.
          owner_pid: null,
          heartbeat_at: null,
        })
        .where('id', '=', id)
        .execute();
      const row = await trx.selectFrom('upload_history').select(AUDITED_COLUMNS).where('id', '=', id).executeTakeFirst();
      if (row) await this.vault.audit?.(trx, uploadEnded(auditedOf(row), outcome.status, outcome.error?.code ?? null));
    });
    this.release(id);
  }

  private release(id: string): void {
    this.held.get(id)?.();
    this.held.delete(id);
  }

  /** Tells other machines this process's pending uploads are still alive (db/row-owner.ts). */
  private async beat(): Promise<void> {
    await this.vault.db
      .updateTable('upload_history')
      .set({ heartbeat_at: this.now().toISOString() })
      .where('status', '=', 'pending')
      .where('owner_pid', '=', this.owner.pid)
      .where('owner_machine', '=', this.owner.machine)
      .execute();
  }

  /**
   * At startup: pending rows whose writer is gone (db/row-owner.ts: a dead process on this
   * machine, a heartbeat older than the lease on another) were interrupted mid-request, so nobody
   * knows whether the cloud created the certificate. They become 'unknown' until `check` resolves
   * them, which also ends their claim. Rows of a live process (the app while the CLI starts, or
   * this very process) stay pending. A recycled pid only delays the change to a later start; it
   * never resolves a row wrongly.
   */
  async markAbandoned(isAlive: (pid: number) => boolean = processIsAlive): Promise<number> {
    const rows = await this.vault.db
      .selectFrom('upload_history')
      .select(['id', 'owner_pid', 'owner_machine', 'owner_name', 'heartbeat_at', ...AUDITED_COLUMNS])
      .where('status', '=', 'pending')
      .execute();
    const now = this.now();
    let swept = 0;
    // A transaction per row, none held across them (this runs at startup, beside the
    // library's first writes). `status = 'pending'` leaves a row its writer finished meanwhile,
    // and the heartbeat it was judged by one whose writer beat meanwhile.
    for (const row of rows.filter((r) => isAbandoned(r, this.owner, now, isAlive))) {
      const result = await this.vault.db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('upload_history')
          .set({ status: 'unknown', owner_pid: null, heartbeat_at: null })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) => (row.heartbeat_at === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', row.heartbeat_at)))
          .executeTakeFirst();
        // The upload's end as far as anyone will know it, recorded by whoever swept it.
        if (updated.numUpdatedRows === 1n) await this.vault.audit?.(trx, uploadEnded(auditedOf(row), 'unknown', null));
        return updated;
      });
      if (result.numUpdatedRows === 1n) swept += 1;
    }
    return swept;
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
