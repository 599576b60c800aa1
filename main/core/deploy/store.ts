import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
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
import { wrapBusy } from '../db/open';
import { processIsAlive } from '../uploads/history-store';

// The deployment history. A step (one account, one old copy) is inserted 'running' with its
// resources 'pending' before its first request; its phase becomes 'sent' before the start call
// leaves, and the task handle is stored the moment the call answers. A crash therefore leaves
// either nothing sent ('planned'), a start whose answer was lost ('sent', no handle), or a task to
// watch again (a handle): `check` resolves each without sending anything twice.

interface StepRow {
  id: string;
  deployment_id: string;
  position: number;
  account_id: string | null;
  account_name: string;
  cloud: string;
  mode: DeployMode;
  old_remote_id: string | null;
  new_remote_id: string | null;
  status: DeploymentStatus;
  phase: 'planned' | 'sent';
  handle_json: string | null;
  retired_json: string;
  verified_json: string;
  error_json: string | null;
  sealed_nonce: Buffer | null;
  sealed_material: Buffer | null;
  owner_pid: number | null;
  started_at: string;
  finished_at: string | null;
}

interface ResourceRow {
  step_id: string;
  position: number;
  type: string;
  resource_id: string;
  name: string | null;
  action: ResourceAction;
  resource_json: string;
  status: ResourceStatus;
  error_json: string | null;
}

interface DeploymentRow {
  id: string;
  certificate_id: string;
  fingerprint_sha256: string;
  common_name: string | null;
  rollback_of: string | null;
  options_json: string;
  started_at: string;
  finished_at: string | null;
}

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

export class DeployStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
    private readonly pid: number = process.pid,
  ) {}

  /**
   * The deployment and its steps in one transaction: a reader never sees half a plan. `guard`
   * runs first inside it (and may throw): the app and the CLI share the file, so "nothing else is
   * running" must be checked in the same write that claims it.
   */
  create(deployment: NewDeployment, steps: readonly NewStep[], guard: () => void = () => undefined): { id: string; stepIds: string[] } {
    const id = randomUUID();
    const at = this.now().toISOString();
    const stepIds = steps.map(() => randomUUID());
    const insertStep = this.db.prepare(
      `INSERT INTO deployment_accounts (id, deployment_id, position, account_id, account_name, cloud, mode, old_remote_id, new_remote_id,
         status, phase, owner_pid, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', 'planned', ?, ?)`,
    );
    const insertResource = this.db.prepare(
      `INSERT INTO deployment_resources (step_id, position, type, resource_id, name, action, resource_json, status, error_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const write = this.db.transaction(() => {
      guard();
      this.db
        .prepare('INSERT INTO deployments (id, certificate_id, fingerprint_sha256, common_name, rollback_of, options_json, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, deployment.certificateId, deployment.fingerprintSha256.toLowerCase(), deployment.commonName, deployment.rollbackOf, JSON.stringify(deployment.options), at);
      steps.forEach((step, position) => {
        const stepId = stepIds[position]!;
        insertStep.run(stepId, id, position, step.accountId, step.accountName, step.cloud, step.mode, step.oldRemoteId, step.newRemoteId, this.pid, at);
        step.resources.forEach((row, index) =>
          insertResource.run(stepId, index, row.resource.type, row.resource.id, row.resource.name, row.action, JSON.stringify(row.resource), row.status, errorJson(row.error, 'app')),
        );
      });
    });
    wrapBusy(() => write.immediate());
    return { id, stepIds };
  }

  setNewRemoteId(stepId: string, remoteId: string): void {
    this.db.prepare('UPDATE deployment_accounts SET new_remote_id = ? WHERE id = ?').run(remoteId, stepId);
  }

  /** Written before the start (or rollback) call leaves: from here on its fate may be unknown. */
  markSent(stepId: string): void {
    this.db.prepare("UPDATE deployment_accounts SET phase = 'sent', handle_json = NULL WHERE id = ?").run(stepId);
  }

  setHandle(stepId: string, handle: DeployHandle): void {
    this.db.prepare('UPDATE deployment_accounts SET handle_json = ? WHERE id = ?').run(JSON.stringify(handle), stepId);
  }

  setSealed(stepId: string, sealed: Sealed): void {
    this.db.prepare('UPDATE deployment_accounts SET sealed_nonce = ?, sealed_material = ? WHERE id = ?').run(sealed.nonce, sealed.ciphertext, stepId);
  }

  updateResources(stepId: string, updates: readonly ResourceUpdate[]): void {
    const update = this.db.prepare('UPDATE deployment_resources SET status = ?, error_json = ? WHERE step_id = ? AND resource_id = ?');
    this.db.transaction(() => updates.forEach((u) => update.run(u.status, errorJson(u.error, u.source), stepId, u.resourceId)))();
  }

  /** Resources still pending or running when a step ends abruptly take the step's fate. */
  settleUnfinished(stepId: string, status: 'failed' | 'unknown'): void {
    this.db.prepare("UPDATE deployment_resources SET status = ? WHERE step_id = ? AND status IN ('pending', 'running')").run(status, stepId);
  }

  /** The retire about to be sent, recorded as not known to have happened until the step finishes. */
  noteRetiring(stepId: string, retired: readonly RetiredCopy[]): void {
    this.db.prepare('UPDATE deployment_accounts SET retired_json = ? WHERE id = ?').run(JSON.stringify(retired), stepId);
  }

  finishStep(stepId: string, end: StepEnd): void {
    this.db
      .prepare(
        `UPDATE deployment_accounts SET status = ?, retired_json = COALESCE(?, retired_json), verified_json = COALESCE(?, verified_json),
           error_json = ?, owner_pid = NULL, finished_at = ? WHERE id = ?`,
      )
      .run(
        end.status,
        end.retired ? JSON.stringify(end.retired) : null,
        end.verified ? JSON.stringify(end.verified) : null,
        end.error ? JSON.stringify(end.error) : null,
        this.now().toISOString(),
        stepId,
      );
  }

  /** A rollback that fully succeeded marks the step it undid. */
  markRolledBack(stepId: string): void {
    this.db.prepare("UPDATE deployment_accounts SET status = 'rolled-back' WHERE id = ?").run(stepId);
  }

  finishDeployment(id: string): void {
    this.db.prepare('UPDATE deployments SET finished_at = ? WHERE id = ?').run(this.now().toISOString(), id);
  }

  /**
   * At open: steps left running by a process that is gone were interrupted; whatever they had sent
   * may or may not have taken effect, so they and their unfinished resources become 'unknown'.
   */
  markAbandoned(isAlive: (pid: number) => boolean = processIsAlive): number {
    const rows = this.db.prepare("SELECT id, owner_pid FROM deployment_accounts WHERE status = 'running'").all() as { id: string; owner_pid: number | null }[];
    const orphans = rows.filter((row) => row.owner_pid === null || (row.owner_pid !== this.pid && !isAlive(row.owner_pid)));
    const step = this.db.prepare("UPDATE deployment_accounts SET status = 'unknown', owner_pid = NULL WHERE id = ? AND status = 'running'");
    const resources = this.db.prepare("UPDATE deployment_resources SET status = 'unknown' WHERE step_id = ? AND status IN ('pending', 'running')");
    this.db.transaction(() =>
      orphans.forEach((row) => {
        step.run(row.id);
        resources.run(row.id);
      }),
    )();
    return orphans.length;
  }

  /** A step of this certificate on this account that is running or unresolved: a new one would race it. */
  activeStep(fingerprintSha256: string, accountId: string): { deploymentId: string; status: DeploymentStatus } | null {
    const row = this.db
      .prepare(
        `SELECT a.deployment_id, a.status FROM deployment_accounts a JOIN deployments d ON d.id = a.deployment_id
         WHERE a.account_id = ? AND d.fingerprint_sha256 = ? AND a.status IN ('running', 'unknown') ORDER BY a.started_at LIMIT 1`,
      )
      .get(accountId, fingerprintSha256.toLowerCase()) as { deployment_id: string; status: DeploymentStatus } | undefined;
    return row ? { deploymentId: row.deployment_id, status: row.status } : null;
  }

  /** Deployment ids with a step whose outcome is unknown, oldest first. */
  unresolved(): string[] {
    return (
      this.db
        .prepare("SELECT DISTINCT a.deployment_id FROM deployment_accounts a JOIN deployments d ON d.id = a.deployment_id WHERE a.status = 'unknown' ORDER BY d.started_at")
        .all() as { deployment_id: string }[]
    ).map((row) => row.deployment_id);
  }

  /** The full id, from the id or a unique prefix of it (the CLI prints the first 8 characters). */
  resolveId(typed: string): string | null {
    const rows = this.db.prepare("SELECT id FROM deployments WHERE id = ? OR id LIKE ? ESCAPE '\\' LIMIT 2").all(typed, `${typed.replace(/[\\%_]/g, '\\$&')}%`) as { id: string }[];
    const exact = rows.find((row) => row.id === typed);
    if (exact) return exact.id;
    return rows.length === 1 ? rows[0]!.id : null;
  }

  deployment(id: string): { record: DeploymentRecord; options: DeployOptions } | null {
    const row = this.db.prepare('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    return row ? { record: this.toRecord(row), options: JSON.parse(row.options_json) as DeployOptions } : null;
  }

  steps(deploymentId: string): StoredStep[] {
    const rows = this.db.prepare('SELECT * FROM deployment_accounts WHERE deployment_id = ? ORDER BY position').all(deploymentId) as StepRow[];
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
      sealed: row.sealed_nonce && row.sealed_material ? { nonce: row.sealed_nonce, ciphertext: row.sealed_material } : null,
      startedAt: row.started_at,
      resources: this.resourceRows(row.id).map((r) => ({
        resource: JSON.parse(r.resource_json) as DeployResource,
        action: r.action,
        status: r.status,
        ...readError(r.error_json),
      })),
      retired: JSON.parse(row.retired_json) as RetiredCopy[],
    }));
  }

  list(filter: { certificateId?: string; limit?: number } = {}): DeploymentRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM deployments WHERE ? IS NULL OR certificate_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(filter.certificateId ?? null, filter.certificateId ?? null, filter.limit ?? 1000) as DeploymentRow[];
    return rows.map((row) => this.toRecord(row));
  }

  private resourceRows(stepId: string): ResourceRow[] {
    return this.db.prepare('SELECT * FROM deployment_resources WHERE step_id = ? ORDER BY position').all(stepId) as ResourceRow[];
  }

  private toRecord(row: DeploymentRow): DeploymentRecord {
    const steps = this.db.prepare('SELECT * FROM deployment_accounts WHERE deployment_id = ? ORDER BY position').all(row.id) as StepRow[];
    const accounts: AccountDeployment[] = steps.map((step) => ({
      id: step.id,
      deploymentId: step.deployment_id,
      accountId: step.account_id,
      account: step.account_name,
      cloud: step.cloud as CloudId,
      oldRemoteId: step.old_remote_id,
      newRemoteId: step.new_remote_id,
      status: step.status,
      resources: this.resourceRows(step.id).map(
        (r): ResourceResult => ({ type: r.type, id: r.resource_id, name: r.name, action: r.action, status: r.status, ...readError(r.error_json) }),
      ),
      retired: JSON.parse(step.retired_json) as RetiredCopy[],
      verified: JSON.parse(step.verified_json) as VerifiedDomain[],
      error: parse<UploadFailure>(step.error_json),
      startedAt: step.started_at,
      finishedAt: step.finished_at,
    }));
    return {
      id: row.id,
      certificateId: row.certificate_id,
      fingerprintSha256: row.fingerprint_sha256,
      commonName: row.common_name,
      rollbackOf: row.rollback_of,
      accounts,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}
