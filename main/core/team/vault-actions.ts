import { VaultError } from '../../../shared/errors';
import type { Channel, Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from '../ipc/context';
import { keyFormats } from '../library/export';
import { log } from '../log';
import type { AuditEntry } from './audit';
import { requireRole, type GuardedAction } from './roles';

// What a team vault asks of each channel that changes it, in one table read by dispatch (and by
// the CLI commands that call a service directly): the role it needs, and the audit row it leaves.
// Who may open a private key (export one) is decided by the team key, not here; this covers what a
// viewer's app could otherwise ask for (an import, an edit, an upload, a deployment).

interface VaultAction<C extends Channel> {
  /** Throws when this context's member may not do it; nothing happens on a local vault. */
  readonly check?: (ctx: Pick<HandlerContext, 'team'>, request: Request<C>) => void;
  readonly audit?: (request: Request<C>, response: Response<C>) => AuditEntry | null;
}

type VaultActions = { readonly [C in Channel]?: VaultAction<C> };

const operator = (action: GuardedAction) => (ctx: Pick<HandlerContext, 'team'>) => requireRole(ctx, 'operator', action);

/** This computer's vault file only: a team vault is backed up with pg_dump (README), its key is the team's. */
const localOnly = (action: 'backup' | 'restore' | 'reset-data-key') => (ctx: Pick<HandlerContext, 'team'>) => {
  const team = ctx.team?.();
  if (team) throw new VaultError('team.local_only', { team: team.name, action });
};

export const vaultActions: VaultActions = {
  'library.import': {
    check: operator('import'),
    audit: (request, result) => (result.counts.new + result.counts.merged > 0 ? { action: 'vault.import', subject: null, detail: { files: request.paths.length, new: result.counts.new, merged: result.counts.merged } } : null),
  },
  'library.importContent': {
    check: operator('import'),
    audit: (request, result) => (result.counts.new + result.counts.merged > 0 ? { action: 'vault.import', subject: null, detail: { files: request.files.length, new: result.counts.new, merged: result.counts.merged } } : null),
  },
  'inventory.importRemote': {
    check: operator('import'),
    audit: (request, entry) => ({ action: 'vault.import', subject: entry.id, detail: { fromAccount: request.accountId, remoteId: request.remoteId } }),
  },
  'library.update': { check: operator('edit'), audit: (request) => ({ action: 'vault.edit', subject: request.id, detail: {} }) },
  'library.remove': { check: operator('remove'), audit: (request) => ({ action: 'vault.remove', subject: request.id, detail: {} }) },
  // No role check: a key opens only with the team key, which a viewer never holds (team.viewer_no_key).
  // Offline, a private key does not leave the vault: its audit row could not be written.
  'library.export': {
    check: (ctx, request) => {
      const offline = keyFormats.has(request.format) ? ctx.team?.().offline() : null;
      if (offline) throw offline;
    },
    audit: (request) => (keyFormats.has(request.format) ? { action: 'vault.export_key', subject: request.id, detail: { format: request.format } } : null),
  },
  // Sharing (secretSource 'team') is checked by the account store, which knows an edited account's current source.
  'accounts.save': {
    check: operator('account'),
    audit: (_request, account) => ({ action: 'account.save', subject: account.id, detail: { name: account.name, cloud: account.cloud, shared: account.secretSource === 'team' } }),
  },
  'accounts.remove': { check: operator('account'), audit: (_request, removed) => ({ action: 'account.remove', subject: removed.id, detail: { name: removed.name, shared: removed.shared } }) },
  'accounts.confirm': { check: operator('account') },
  'uploads.start': {
    check: operator('upload'),
    audit: (request, started) => ({ action: 'vault.upload', subject: request.certificateId, detail: { job: started.jobId, accounts: request.targets.length } }),
  },
  'uploads.retryFailed': { check: operator('upload'), audit: (request) => ({ action: 'vault.upload', subject: null, detail: { retryOfJob: request.jobId } }) },
  'deploy.run': {
    check: operator('deploy'),
    audit: (request, started) => ({ action: 'vault.deploy', subject: request.certificateId, detail: { deployment: started.deploymentId } }),
  },
  'deploy.rollback': {
    check: operator('rollback'),
    audit: (request, started) => ({ action: 'vault.rollback', subject: request.deploymentId, detail: { deployment: started.deploymentId } }),
  },
  'vault.backup': { check: localOnly('backup') },
  'vault.restore': { check: localOnly('restore') },
  'library.resetDataKey': { check: localOnly('reset-data-key') },
};

/** The channel's check, before its handler runs. */
export function checkVaultAction<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): void {
  (vaultActions[channel] as VaultAction<C> | undefined)?.check?.(ctx, request);
}

/** The channel's audit row, after its handler succeeded (team vaults only). */
export async function auditChannel<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>, response: Response<C>): Promise<void> {
  if (!ctx.team) return;
  const entry = (vaultActions[channel] as VaultAction<C> | undefined)?.audit?.(request, response);
  if (entry) await auditVaultAction(ctx, entry);
}

/**
 * Appends the audit row of a vault action when the context is on a team vault (the local vault
 * keeps no audit log). The action already happened: a failed append is logged, never reported as
 * the action failing.
 */
export async function auditVaultAction(ctx: Pick<HandlerContext, 'team'>, entry: AuditEntry): Promise<void> {
  const team = ctx.team?.();
  if (!team) return;
  try {
    await team.audit(entry);
  } catch (error) {
    log.warn('team_audit_append_failed', { action: entry.action, error });
  }
}
