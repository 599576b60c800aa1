import type { DeploymentStatus } from '../../../shared/deploy';
import type { AuditEntry } from '../db/vault-db';

// A team vault's audit rows of a deployment or rollback: one in the transaction that records it
// (before anything is sent: who, from which machine, what, to which accounts) and one in the
// transaction that records how it ended. Other members' windows hear both: "Ann is deploying
// shop.example.com to prod", then the result.

export interface AuditedDeployment {
  readonly id: string;
  readonly certificateId: string;
  readonly commonName: string | null;
  /** The deployment a rollback undoes; null for a deployment. */
  readonly rollbackOf: string | null;
}

export type DeploymentOutcome = 'succeeded' | 'partial' | 'failed' | 'interrupted';

export function deploymentStarted(deployment: AuditedDeployment, accountNames: readonly string[]): AuditEntry {
  return entryOf(deployment, { phase: 'start', accounts: [...new Set(accountNames)].join(', ') });
}

/** `steps`: how each account's step ended, with its error code when it failed. */
export function deploymentEnded(deployment: AuditedDeployment, steps: readonly { readonly status: DeploymentStatus; readonly errorCode: string | null }[]): AuditEntry {
  const outcome = outcomeOf(steps.map((step) => step.status));
  const error = outcome === 'succeeded' ? null : (steps.find((step) => step.errorCode !== null)?.errorCode ?? null);
  return entryOf(deployment, { phase: 'end', outcome, error, steps: steps.length });
}

/** Ended by whoever found its process gone: what it sent may or may not have taken effect. */
export function deploymentInterrupted(deployment: AuditedDeployment): AuditEntry {
  return entryOf(deployment, { phase: 'end', outcome: 'interrupted', error: null });
}

function outcomeOf(statuses: readonly DeploymentStatus[]): DeploymentOutcome {
  if (statuses.some((status) => status === 'unknown' || status === 'running')) return 'interrupted';
  const good = statuses.filter((status) => status === 'deployed' || status === 'rolled-back').length;
  if (good === statuses.length) return 'succeeded';
  return good === 0 && !statuses.includes('partial') ? 'failed' : 'partial';
}

function entryOf(deployment: AuditedDeployment, detail: AuditEntry['detail']): AuditEntry {
  const rollback = deployment.rollbackOf !== null;
  return {
    action: rollback ? 'vault.rollback' : 'vault.deploy',
    // As before this row had a start and an end: a rollback is named by the deployment it undoes.
    subject: deployment.rollbackOf ?? deployment.certificateId,
    detail: { deployment: deployment.id, name: deployment.commonName, ...detail },
  };
}
