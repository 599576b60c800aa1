import type { AccountDeployment, DeployProgress, DeploymentRecord } from '../../../../shared/deploy';
import type { ErrorInfo, Result } from '../../../../shared/errors';
import type { Request } from '../../../../shared/ipc';
import { api } from '../../lib/api';

// One deployment (or rollback) as the dialog shows it: the record from the history, written
// before anything is sent, moved along by `deploy.progress` events, and read again from the
// history whenever an account finishes, until the whole deployment has. The record wins over any
// event: events only fill in what happens between two reads. Events can arrive before
// `deploy.run` has answered with the id, so they are kept until it is known.

/** The history row is finished a moment after the last account's 'done' event. */
const SETTLE_RETRY_MS = 100;
const SETTLE_ATTEMPTS = 100;
/** How many of the entry's newest deployments a read looks through for this one. */
const RECENT = 5;

export type Phase = DeployProgress['phase'];

export class DeployRun {
  deploymentId = $state<string | null>(null);
  record = $state.raw<DeploymentRecord | null>(null);
  /** The last phase each account reported, by account id. */
  phases = $state<Record<string, Phase>>({});
  busy = $state(false);
  error = $state<ErrorInfo | null>(null);

  private early: DeployProgress[] = [];
  private settling = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly certificateId: string) {
    this.unsubscribe = api.on('deploy.progress', (progress) => this.receive(progress));
  }

  get started(): boolean {
    return this.deploymentId !== null;
  }

  get done(): boolean {
    return this.record?.finishedAt != null;
  }

  /** `deploy.run`: plans again at main and starts at once. */
  run(options: Request<'deploy.run'>['options']): Promise<void> {
    return this.begin(() => api.deploy.run({ certificateId: this.certificateId, options }));
  }

  /** `deploy.rollback` of a finished deployment: followed like a deployment of its own. */
  rollback(deploymentId: string): Promise<void> {
    return this.begin(() => api.deploy.rollback({ deploymentId }));
  }

  async cancel(): Promise<void> {
    if (!this.deploymentId) return;
    const result = await api.deploy.cancel({ deploymentId: this.deploymentId });
    if (!result.ok) this.error = result.error;
  }

  dispose(): void {
    this.unsubscribe();
  }

  private async begin(start: () => Promise<Result<{ deploymentId: string }>>): Promise<void> {
    this.busy = true;
    this.error = null;
    const result = await start();
    if (!result.ok) {
      this.busy = false;
      this.early = [];
      this.error = result.error;
      return;
    }
    this.deploymentId = result.value.deploymentId;
    await this.read();
    this.busy = false;
    const early = this.early.filter((progress) => progress.deploymentId === this.deploymentId);
    this.early = [];
    for (const progress of early) this.apply(progress);
    void this.settle();
  }

  private receive(progress: DeployProgress): void {
    if (this.deploymentId === null || this.record === null) {
      if (this.busy) this.early.push(progress);
      return;
    }
    if (progress.deploymentId !== this.deploymentId) return;
    this.apply(progress);
    if (progress.phase === 'done') void this.settle();
  }

  private apply(progress: DeployProgress): void {
    this.phases = { ...this.phases, [progress.accountId]: progress.phase };
    const record = this.record;
    if (!record) return;
    const accounts = record.accounts.map((account): AccountDeployment => {
      // A finished account's record is final: a late event must not move it back.
      if (account.accountId !== progress.accountId || account.status !== 'running') return account;
      const resources = account.resources.map((resource) => progress.resources.find((moved) => moved.id === resource.id) ?? resource);
      return { ...account, resources, verified: progress.verified.length > 0 ? progress.verified : account.verified };
    });
    this.record = { ...record, accounts };
  }

  /** Reads the record again; once every account reported 'done', until the record says it finished. */
  private async settle(): Promise<void> {
    if (this.settling) return;
    this.settling = true;
    try {
      for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
        if (!(await this.read())) return;
        const record = this.record;
        if (!record || record.finishedAt !== null || record.accounts.some((account) => this.phases[account.accountId ?? ''] !== 'done')) return;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS));
      }
    } finally {
      this.settling = false;
    }
  }

  private async read(): Promise<boolean> {
    const id = this.deploymentId;
    const result = await api.deploy.history({ certificateId: this.certificateId, limit: RECENT });
    if (!result.ok) {
      this.error = result.error;
      return false;
    }
    const found = result.value.deployments.find((record) => record.id === id);
    if (found && id === this.deploymentId) this.record = found;
    return found !== undefined;
  }
}
