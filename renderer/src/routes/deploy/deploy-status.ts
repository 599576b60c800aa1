import type { DeploymentRecord, DeploymentStatus, ResourceStatus } from '../../../../shared/deploy';

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

/** A resource is final once nothing will move it without a new deployment or a check. */
export function resourceFinished(status: ResourceStatus): boolean {
  return status !== 'pending' && status !== 'running';
}
