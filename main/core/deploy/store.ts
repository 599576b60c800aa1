import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { CloudId } from '../../../shared/model';
import type {
  AccountDeployment,
  DeployOptions,
  DeploymentRecord,
  DeploymentStatus,
  FailureSource,
  ResourceAction,
  ResourceResult,
  ResourceStatus,
  RetiredCopy,
  VerifiedDomain,
} from '../../../shared/deploy';
import type { UploadFailure } from '../../../shared/uploads';
import type { DeployHandle, DeployMode, DeployResource } from '../../clouds/deploy';
import type { Sealed } from '../seal';
import { insertionOrder, lockCertificateOnAccount } from '../db/dialect-sql';
import type { DeploymentAccountsTable, DeploymentResourcesTable, DeploymentsTable, VaultTables } from '../db/tables';
import type { AuditEntry, VaultDb } from '../db/vault-db';
import { processIsAlive } from '../uploads/history-store';
import { deploymentEnded, deploymentInterrupted, deploymentStarted, type AuditedDeployment } from './deploy-audit';
import { isAbandoned, ownerColumns, ownerOf, type Holder, type RowOwner } from '../db/row-owner';

// The deployment history. A step (one account, one old copy) is inserted 'running' with its
// resources 'pending' before its first request; its phase becomes 'sent' before the start call
// leaves, and the task handle is stored the moment the call answers. A crash therefore leaves
// either nothing sent ('planned'), a start whose answer was lost ('sent', no handle), or a task to
// watch again (a handle): `check` resolves each without sending anything twice.

type StepRow = Selectable<DeploymentAccountsTable>;

type ResourceRow = Selectable<DeploymentResourcesTable>;

type DeploymentRow = Selectable<DeploymentsTable>;

export interface NewDeployment {
  readonly certificateId: string;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  readonly rollbackOf: string | null;
  readonly options: DeployOptions;
}

export interface PlannedResourceRow {
  readonly resource: DeployResource;
  readonly action: ResourceAction;
  /** Skipped resources already serve NEW: recorded as deployed from the start. */
  readonly status: ResourceStatus;
  /** A blocked resource's reason: Cert Vault's check. */
  readonly error: UploadFailure | null;
}

export interface NewStep {
  readonly accountId: string;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly mode: DeployMode;
  readonly oldRemoteId: string | null;
  readonly newRemoteId: string | null;
  readonly resources: readonly PlannedResourceRow[];
}

/** A step with everything the engine needs to watch, resolve or roll it back. */
export interface StoredStep {
  readonly id: string;
  readonly deploymentId: string;
  readonly accountId: string | null;
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly mode: DeployMode;
  readonly oldRemoteId: string | null;
  readonly newRemoteId: string | null;
  readonly status: DeploymentStatus;
  readonly phase: 'planned' | 'sent';
  readonly handle: DeployHandle | null;
  readonly sealed: Sealed | null;
  /** When the step was recorded, before any of its requests: the earliest a task it started can date from. */
  readonly startedAt: string;
  readonly resources: readonly StoredResource[];
  readonly retired: readonly RetiredCopy[];
}

/** A resource row: what was discovered (sent back unchanged by a check or a rollback) and where it stands. */
export type StoredResource = Pick<ResourceResult, 'action' | 'status' | 'error' | 'source'> & { readonly resource: DeployResource };

export interface ResourceUpdate {
  readonly resourceId: string;
  readonly status: ResourceStatus;
  readonly error: UploadFailure | null;
  /** Who said `error`; absent: Cert Vault (only a cloud's answer passed through says otherwise). */
  readonly source?: FailureSource;
}

export interface StepEnd {
  readonly status: Exclude<DeploymentStatus, 'running'>;
  readonly retired?: readonly RetiredCopy[];
  readonly verified?: readonly VerifiedDomain[];
  readonly error: UploadFailure | null;
}

/** Rows per INSERT: well under either engine's parameter limit (9 columns a resource row). */
const INSERT_BATCH = 100;

const parse = <T>(json: string | null): T | null => (json === null ? null : (JSON.parse(json) as T));

// error_json holds the failure with its source beside it: one column, no migration for the source.
const errorJson = (error: UploadFailure | null, source: FailureSource | undefined): string | null =>
  error ? JSON.stringify({ ...error, source: source ?? 'app' }) : null;

function readError(json: string | null): { error: UploadFailure | null; source: FailureSource | null } {
  const stored = parse<UploadFailure & { source?: FailureSource }>(json);
  if (!stored) return { error: null, source: null };
  const { source, ...error } = stored;
  return { error, source: source ?? null };
}

/** Who holds a certificate on an account: a step running or unresolved there, which a new one would race. */
export interface ActiveStep {
  readonly deploymentId: string;
  readonly status: DeploymentStatus;
  readonly holder: Holder;
}

/**
 * Checks, inside the transaction that records a deployment, that none of its steps' certificate
 * and account pairs is held by another; throws to refuse (nothing is then written).
 */
export type CreateGuard = (active: (fingerprintSha256: string, accountId: string) => Promise<ActiveStep | null>) => Promise<void>;

type Reader = Kysely<VaultTables> | Transaction<VaultTables>;

export class DeployStore {
  constructor(
    private readonly vault: VaultDb,
    private readonly now: () => Date = () => new Date(),
    private readonly owner: RowOwner = ownerOf(),
  ) {}

  /**
   * The deployment and its steps in one transaction: a reader never sees half a plan. `guard`
   * runs first inside it (and may throw): the app, the CLI and, on a team vault, other members
   * share the database, so "nothing else is running" must be checked in the same write that
   * claims it. On PostgreSQL two transactions would both see no running step and both insert, so
   * each first takes a transaction-scoped lock per certificate and account (in a fixed order, so
   * two deployments over the same accounts cannot deadlock); SQLite's write lock, taken at BEGIN
   * IMMEDIATE, already serialises the check and the insert.
   */
  async create(deployment: NewDeployment, steps: readonly NewStep[], guard: CreateGuard = async () => undefined): Promise<{ id: string; stepIds: string[] }> {
    const id = randomUUID();
    const at = this.now().toISOString();
    const stepIds = steps.map(() => randomUUID());
    const fingerprint = deployment.fingerprintSha256.toLowerCase();
    await this.vault.db.transaction().execute(async (trx) => {
      for (const accountId of [...new Set(steps.map((step) => step.accountId))].sort()) {
        await lockCertificateOnAccount(this.vault.engine, trx, fingerprint, accountId);
      }
      await guard((fingerprintSha256, accountId) => this.activeIn(trx, fingerprintSha256, accountId));
      await trx
        .insertInto('deployments')
        .values({
          id,
          certificate_id: deployment.certificateId,
          fingerprint_sha256: fingerprint,
          common_name: deployment.commonName,
          rollback_of: deployment.rollbackOf,
          options_json: JSON.stringify(deployment.options),
          started_at: at,
        })
        .execute();
      if (steps.length === 0) return await this.audited(trx, id, (audited) => deploymentStarted(audited, []));
      await trx
        .insertInto('deployment_accounts')
        .values(
          steps.map((step, position) => ({
            id: stepIds[position]!,
            deployment_id: id,
            position,
            account_id: step.accountId,
            account_name: step.accountName,
            cloud: step.cloud,
            mode: step.mode,
            old_remote_id: step.oldRemoteId,
            new_remote_id: step.newRemoteId,
            status: 'running' as const,
            phase: 'planned' as const,
            ...ownerColumns(this.owner, at),
            started_at: at,
          })),
        )
        .execute();
      const resources = steps.flatMap((step, position) =>
        step.resources.map(
          (row, index): Insertable<DeploymentResourcesTable> => ({
            step_id: stepIds[position]!,
            position: index,
            type: row.resource.type,
            resource_id: row.resource.id,
            name: row.resource.name,
            action: row.action,
            resource_json: JSON.stringify(row.resource),
            status: row.status,
            error_json: errorJson(row.error, 'app'),
          }),
        ),
      );
      for (let start = 0; start < resources.length; start += INSERT_BATCH) {
        await trx.insertInto('deployment_resources').values(resources.slice(start, start + INSERT_BATCH)).execute();
      }
      await this.audited(trx, id, (audited) => deploymentStarted(audited, steps.map((step) => step.accountName)));
    });
    return { id, stepIds };
  }

  async setNewRemoteId(stepId: string, remoteId: string): Promise<void> {
    await this.vault.db.updateTable('deployment_accounts').set({ new_remote_id: remoteId }).where('id', '=', stepId).execute();
  }

  /** Written before the start (or rollback) call leaves: from here on its fate may be unknown. */
  async markSent(stepId: string): Promise<void> {
    await this.vault.db.updateTable('deployment_accounts').set({ phase: 'sent', handle_json: null }).where('id', '=', stepId).execute();
  }

  async setHandle(stepId: string, handle: DeployHandle): Promise<void> {
    await this.vault.db.updateTable('deployment_accounts').set({ handle_json: JSON.stringify(handle) }).where('id', '=', stepId).execute();
  }

  async setSealed(stepId: string, sealed: Sealed): Promise<void> {
    await this.vault.db
      .updateTable('deployment_accounts')
      .set({ sealed_nonce: Buffer.from(sealed.nonce), sealed_material: Buffer.from(sealed.ciphertext) })
      .where('id', '=', stepId)
      .execute();
  }

  async updateResources(stepId: string, updates: readonly ResourceUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    await this.vault.db.transaction().execute(async (trx) => {
      for (const u of updates) {
        await trx
          .updateTable('deployment_resources')
          .set({ status: u.status, error_json: errorJson(u.error, u.source) })
          .where('step_id', '=', stepId)
          .where('resource_id', '=', u.resourceId)
          .execute();
      }
    });
  }

  /** Resources still pending or running when a step ends abruptly take the step's fate. */
  async settleUnfinished(stepId: string, status: 'failed' | 'unknown'): Promise<void> {
    await this.vault.db.updateTable('deployment_resources').set({ status }).where('step_id', '=', stepId).where('status', 'in', ['pending', 'running']).execute();
  }

  /** The retire about to be sent, recorded as not known to have happened until the step finishes. */
  async noteRetiring(stepId: string, retired: readonly RetiredCopy[]): Promise<void> {
    await this.vault.db.updateTable('deployment_accounts').set({ retired_json: JSON.stringify(retired) }).where('id', '=', stepId).execute();
  }

  async finishStep(stepId: string, end: StepEnd): Promise<void> {
    await this.vault.db
      .updateTable('deployment_accounts')
      .set({
        status: end.status,
        // Absent: what the step recorded so far stays (a retire noted before it was sent).
        ...(end.retired ? { retired_json: JSON.stringify(end.retired) } : {}),
        ...(end.verified ? { verified_json: JSON.stringify(end.verified) } : {}),
        error_json: end.error ? JSON.stringify(end.error) : null,
        // Who ran it stays on record; only the claim ends.
        owner_pid: null,
        heartbeat_at: null,
        finished_at: this.now().toISOString(),
      })
      .where('id', '=', stepId)
      .execute();
  }

  /** A rollback that fully succeeded marks the step it undid. */
  async markRolledBack(stepId: string): Promise<void> {
    await this.vault.db.updateTable('deployment_accounts').set({ status: 'rolled-back' }).where('id', '=', stepId).execute();
  }

  /** Its end and, on a team vault, the audit row of its outcome, in one transaction. */
  async finishDeployment(id: string): Promise<void> {
    await this.vault.db.transaction().execute(async (trx) => {
      await trx.updateTable('deployments').set({ finished_at: this.now().toISOString() }).where('id', '=', id).execute();
      await this.audited(trx, id, async (audited) => {
        const steps = await trx.selectFrom('deployment_accounts').select(['status', 'error_json']).where('deployment_id', '=', id).orderBy('position').execute();
        return deploymentEnded(
          audited,
          steps.map((step) => ({ status: step.status, errorCode: step.error_json === null ? null : ((JSON.parse(step.error_json) as Partial<UploadFailure>).code ?? null) })),
        );
      });
    });
  }

  /** Appends the deployment's audit row (team vaults only) inside `trx`, from its row as `trx` sees it. */
  private async audited(trx: Kysely<VaultTables>, id: string, entry: (deployment: AuditedDeployment) => AuditEntry | Promise<AuditEntry>): Promise<void> {
    if (!this.vault.audit) return;
    const row = await trx.selectFrom('deployments').select(['certificate_id', 'common_name', 'rollback_of']).where('id', '=', id).executeTakeFirstOrThrow();
    await this.vault.audit(trx, await entry({ id, certificateId: row.certificate_id, commonName: row.common_name, rollbackOf: row.rollback_of }));
  }

  /**
   * At open, and before a new claim: steps whose holder is gone (row-owner.ts: a dead process on
   * this machine, a heartbeat older than the lease on another) were interrupted; whatever they had
   * sent may or may not have taken effect, so they and their unfinished resources become 'unknown'.
   */
  async markAbandoned(isAlive: (pid: number) => boolean = processIsAlive): Promise<number> {
    const rows = await this.vault.db
      .selectFrom('deployment_accounts')
      .select(['id', 'deployment_id', 'owner_pid', 'owner_machine', 'owner_name', 'heartbeat_at'])
      .where('status', '=', 'running')
      .execute();
    const now = this.now();
    const orphans = rows.filter((row) => isAbandoned(row, this.owner, now, isAlive));
    if (orphans.length === 0) return 0;
    let swept = 0;
    const interrupted = new Set<string>();
    await this.vault.db.transaction().execute(async (trx) => {
      for (const row of orphans) {
        // The heartbeat it was judged by: a holder that beat meanwhile keeps its claim.
        const claim = await trx
          .updateTable('deployment_accounts')
          .set({ status: 'unknown', owner_pid: null, heartbeat_at: null })
          .where('id', '=', row.id)
          .where('status', '=', 'running')
          .where((eb) => (row.heartbeat_at === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', row.heartbeat_at)))
          .executeTakeFirst();
        if (claim.numUpdatedRows === 0n) continue;
        swept += 1;
        interrupted.add(row.deployment_id);
        await trx.updateTable('deployment_resources').set({ status: 'unknown' }).where('step_id', '=', row.id).where('status', 'in', ['pending', 'running']).execute();
      }
      // Its process never recorded an end: the audit log gets one from whoever found it gone.
      for (const deploymentId of interrupted) await this.audited(trx, deploymentId, deploymentInterrupted);
    });
    return swept;
  }

  /** Tells other machines this process's running steps are still alive (row-owner.ts). */
  async heartbeat(): Promise<void> {
    await this.vault.db
      .updateTable('deployment_accounts')
      .set({ heartbeat_at: this.now().toISOString() })
      .where('status', '=', 'running')
      .where('owner_pid', '=', this.owner.pid)
      .where('owner_machine', '=', this.owner.machine)
      .execute();
  }

  /** A step of this certificate on this account that is running or unresolved: a new one would race it. */
  activeStep(fingerprintSha256: string, accountId: string): Promise<ActiveStep | null> {
    return this.activeIn(this.vault.db, fingerprintSha256, accountId);
  }

  /** Deployment ids with a step whose outcome is unknown, oldest first. */
  async unresolved(): Promise<string[]> {
    const rows = await this.vault.db
      .selectFrom('deployment_accounts as a')
      .innerJoin('deployments as d', 'd.id', 'a.deployment_id')
      .select(['a.deployment_id', 'd.started_at'])
      .distinct()
      .where('a.status', '=', 'unknown')
      .orderBy('d.started_at')
      .execute();
    return rows.map((row) => row.deployment_id);
  }

  /** The full id, from the id or a unique prefix of it (the CLI prints the first 8 characters). */
  async resolveId(typed: string): Promise<string | null> {
    const prefix = `${typed.replace(/[\\%_]/g, '\\$&')}%`;
    const rows = await this.vault.db
      .selectFrom('deployments')
      .select('id')
      .where((eb) => eb.or([eb('id', '=', typed), sql<SqlBool>`${sql.ref('id')} LIKE ${prefix} ESCAPE '\\'`]))
      .limit(2)
      .execute();
    const exact = rows.find((row) => row.id === typed);
    if (exact) return exact.id;
    return rows.length === 1 ? rows[0]!.id : null;
  }

  async deployment(id: string): Promise<{ record: DeploymentRecord; options: DeployOptions } | null> {
    const row = await this.vault.db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const [record] = await this.toRecords([row]);
    return { record: record!, options: JSON.parse(row.options_json) as DeployOptions };
  }

  async steps(deploymentId: string): Promise<StoredStep[]> {
    const rows = (await this.vault.db.selectFrom('deployment_accounts').selectAll().where('deployment_id', '=', deploymentId).orderBy('position').execute()) as StepRow[];
    const resources = await this.resourceRows(rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      deploymentId: row.deployment_id,
      accountId: row.account_id,
      accountName: row.account_name,
      cloud: row.cloud as CloudId,
      mode: row.mode,
      oldRemoteId: row.old_remote_id,
      newRemoteId: row.new_remote_id,
      status: row.status,
      phase: row.phase,
      handle: parse<DeployHandle>(row.handle_json),
      sealed: row.sealed_nonce && row.sealed_material ? { nonce: Buffer.from(row.sealed_nonce), ciphertext: Buffer.from(row.sealed_material) } : null,
      startedAt: row.started_at,
      resources: (resources.get(row.id) ?? []).map((r) => ({
        resource: JSON.parse(r.resource_json) as DeployResource,
        action: r.action,
        status: r.status,
        ...readError(r.error_json),
      })),
      retired: JSON.parse(row.retired_json) as RetiredCopy[],
    }));
  }

  async list(filter: { certificateId?: string; limit?: number } = {}): Promise<DeploymentRecord[]> {
    let query = this.vault.db
      .selectFrom('deployments')
      .selectAll()
      // Newest first; ties (one clock tick) by insertion, newest first, as SQLite's rowid had it.
      .orderBy('started_at', 'desc')
      .orderBy(insertionOrder(this.vault.engine, 'deployments'), 'desc')
      .limit(filter.limit ?? 1000);
    if (filter.certificateId !== undefined) query = query.where('certificate_id', '=', filter.certificateId);
    return this.toRecords(await query.execute());
  }

  private async activeIn(db: Reader, fingerprintSha256: string, accountId: string): Promise<ActiveStep | null> {
    const row = await db
      .selectFrom('deployment_accounts as a')
      .innerJoin('deployments as d', 'd.id', 'a.deployment_id')
      .select(['a.deployment_id', 'a.status', 'a.owner_name', 'a.owner_machine', 'a.started_at'])
      .where('a.account_id', '=', accountId)
      .where('d.fingerprint_sha256', '=', fingerprintSha256.toLowerCase())
      .where('a.status', 'in', ['running', 'unknown'])
      .orderBy('a.started_at')
      .limit(1)
      .executeTakeFirst();
    return row ? { deploymentId: row.deployment_id, status: row.status, holder: { name: row.owner_name, machine: row.owner_machine, since: row.started_at } } : null;
  }

  /** Each step's resource rows, in order, for all the steps at once. */
  private async resourceRows(stepIds: readonly string[]): Promise<Map<string, ResourceRow[]>> {
    const byStep = new Map<string, ResourceRow[]>();
    if (stepIds.length === 0) return byStep;
    const rows = (await this.vault.db.selectFrom('deployment_resources').selectAll().where('step_id', 'in', stepIds).orderBy('step_id').orderBy('position').execute()) as ResourceRow[];
    for (const row of rows) {
      const list = byStep.get(row.step_id);
      if (list) list.push(row);
      else byStep.set(row.step_id, [row]);
    }
    return byStep;
  }

  private async toRecords(rows: readonly DeploymentRow[]): Promise<DeploymentRecord[]> {
    if (rows.length === 0) return [];
    const steps = (await this.vault.db
      .selectFrom('deployment_accounts')
      .selectAll()
      .where('deployment_id', 'in', rows.map((row) => row.id))
      .orderBy('deployment_id')
      .orderBy('position')
      .execute()) as StepRow[];
    const resources = await this.resourceRows(steps.map((step) => step.id));
    const byDeployment = new Map<string, AccountDeployment[]>();
    for (const step of steps) {
      const account: AccountDeployment = {
        id: step.id,
        deploymentId: step.deployment_id,
        accountId: step.account_id,
        account: step.account_name,
        cloud: step.cloud as CloudId,
        oldRemoteId: step.old_remote_id,
        newRemoteId: step.new_remote_id,
        status: step.status,
        resources: (resources.get(step.id) ?? []).map(
          (r): ResourceResult => ({ type: r.type, id: r.resource_id, name: r.name, action: r.action, status: r.status, ...readError(r.error_json) }),
        ),
        retired: JSON.parse(step.retired_json) as RetiredCopy[],
        verified: JSON.parse(step.verified_json) as VerifiedDomain[],
        error: parse<UploadFailure>(step.error_json),
        ranBy: step.owner_name !== null && step.owner_machine !== null ? { name: step.owner_name, machine: step.owner_machine } : null,
        startedAt: step.started_at,
        finishedAt: step.finished_at,
      };
      const list = byDeployment.get(step.deployment_id);
      if (list) list.push(account);
      else byDeployment.set(step.deployment_id, [account]);
    }
    return rows.map((row) => ({
      id: row.id,
      certificateId: row.certificate_id,
      fingerprintSha256: row.fingerprint_sha256,
      commonName: row.common_name,
      rollbackOf: row.rollback_of,
      accounts: byDeployment.get(row.id) ?? [],
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    }));
  }
}
