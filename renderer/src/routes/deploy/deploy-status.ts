import type { DeploymentRecord, DeploymentStatus, ResourceStatus } from '../../../../shared/deploy';
import type { BadgeTone } from '../../components/Badge.svelte';

// A deployment's status as the dialog and the history show it: the record keeps one status per
// account, the screens one for the whole deployment.

/** Running until every account has finished; then the accounts' common status, or partial/unknown. */
export function overallStatus(record: DeploymentRecord): DeploymentStatus {
  const statuses = record.accounts.map((account) => account.status);
  if (record.finishedAt === null || statuses.includes('running')) return 'running';
  if (statuses.includes('unknown')) return 'unknown';
  const distinct = new Set(statuses);
  if (distinct.size === 1) return statuses[0]!;
  return distinct.size === 0 ? 'failed' : 'partial';
}

/** Green done, red failed, amber undecided or half done, blue under way. */
export const statusTones: Readonly<Record<ResourceStatus | DeploymentStatus, BadgeTone>> = {
  pending: 'neutral',
  running: 'progress',
  deployed: 'success',
  'rolled-back': 'success',
  partial: 'warning',
  unknown: 'warning',
  failed: 'danger',
  'rollback-failed': 'danger',
};

/** A resource is final once nothing will move it without a new deployment or a check. */
export function resourceFinished(status: ResourceStatus): boolean {
  return status !== 'pending' && status !== 'running';
}
