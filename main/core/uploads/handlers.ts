import { writeFileAtomic } from '../atomic-write';
import { VaultError } from '../../../shared/errors';
import type { Request, Response } from '../../../shared/ipc';
import { cloudIds } from '../../../shared/model';
import type { CloudDescription, Deployment } from '../../../shared/uploads';
import type { CloudProvider } from '../../clouds/provider';
import { credentialsFromObject } from '../accounts/credentials';
import type { HandlerContext } from '../ipc/context';
import { vaultOf } from '../library';
import { log } from '../log';
import { historyCsv } from './history-csv';
import { uploadsOf } from './index';
import { materialFromLibrary } from './material';

// The accounts, uploads and history channels: thin over UploadService, spread into the handler
// map (main/core/ipc/handlers.ts). No response carries a secret or key material: accounts only
// say `secretStored`, and the material built for an upload never leaves the orchestrator.

type UploadChannel =
  | 'accounts.list'
  | 'accounts.save'
  | 'accounts.remove'
  | 'accounts.test'
  | 'accounts.confirm'
  | 'uploads.plan'
  | 'uploads.start'
  | 'uploads.cancel'
  | 'uploads.retryFailed'
  | 'uploads.job'
  | 'history.list'
  | 'history.check'
  | 'history.exportCsv'
  | 'history.deployments';

type UploadHandlers = { readonly [C in UploadChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

function describeCloud(provider: CloudProvider): CloudDescription {
  return {
    id: provider.id,
    displayName: provider.displayName,
    requestsPerSecond: provider.requestsPerSecond,
    accountFields: provider.accountFields,
    optionFields: provider.optionFields,
    retireModes: provider.deployer?.retireModes ?? [],
    deployModes: provider.deployer?.modes ?? [],
  };
}

/** A finished job's outcome is in its events and the history; a crash inside one is only logged. */
function watch(jobId: string, done: Promise<unknown>): void {
  done.catch((error: unknown) => log.error('upload_job_failed', { jobId, error }));
}


export const uploadHandlers: UploadHandlers = {
  'accounts.list': async (ctx) => {
    const service = uploadsOf(ctx);
    return {
      accounts: await service.accounts.list(),
      clouds: cloudIds.map((cloud) => describeCloud(service.provider(cloud))),
      canShare: ctx.team?.().role === 'admin',
    };
  },
  'accounts.save': async (ctx, { secret, ...input }) => {
    const credentials = secret ? credentialsFromObject(secret) : undefined;
    const service = uploadsOf(ctx);
    const saved = await service.accounts.save(input, credentials, (account, endpoint) => ctx.dialogs.confirmEndpoint(account, endpoint));
    if (saved.confirmed) return saved;
    // Added, or its secret or endpoint changed: asked now, while the user knows what they just
    // entered. Saved either way; an account whose secret cannot be read yet (environment variables
    // set elsewhere) is confirmed later, with accounts.confirm or by the CLI's first upload.
    try {
      return await service.confirmAccount(saved.id, (account, identity) => ctx.dialogs.confirmAccount(account, identity));
    } catch (error) {
      if (error instanceof VaultError) return saved;
      throw error;
    }
  },
  'accounts.confirm': async (ctx, { id }) => uploadsOf(ctx).confirmAccount(id, (account, identity) => ctx.dialogs.confirmAccount(account, identity)),
  'accounts.remove': async (ctx, { id }) => {
    const removed = await uploadsOf(ctx).accounts.remove(id);
    return { id: removed.id, name: removed.name, shared: removed.secretSource === 'team' };
  },
  'accounts.test': async (ctx, { id }) => uploadsOf(ctx).testAccount(id),
  'uploads.plan': async (ctx, { certificateId, targets }) => {
    const { entry, material } = await materialFromLibrary(vaultOf(ctx), certificateId);
    return await uploadsOf(ctx).plan(entry.id, material, targets);
  },
  'uploads.start': async (ctx, { certificateId, targets, force }) => {
    const vault = vaultOf(ctx);
    const service = uploadsOf(ctx);
    const { entry, material } = await materialFromLibrary(vault, certificateId);
    const resolved = await service.resolveTargets(material, targets);
    // A page cannot confirm an account; only the user can, through accounts.confirm's dialog.
    await service.ensureConfirmed(resolved.map((target) => target.account));
    const { jobId, done } = service.jobs.start(
      {
        certificateId: entry.id,
        fingerprintSha256: entry.fingerprintSha256,
        loadMaterial: async () => (await materialFromLibrary(vault, entry.id)).material,
        targets: resolved,
        force,
      },
      material,
    );
    watch(jobId, done);
    return { jobId };
  },
  'uploads.cancel': async (ctx, { jobId }) => ({ cancelled: uploadsOf(ctx).jobs.cancel(jobId) }),
  'uploads.retryFailed': async (ctx, { jobId }) => {
    const { done } = await uploadsOf(ctx).jobs.retryFailed(jobId);
    watch(jobId, done);
    return { jobId };
  },
  'uploads.job': async (ctx, { jobId }) => uploadsOf(ctx).jobs.summary(jobId),
  'history.list': async (ctx, filter) => ({ entries: await uploadsOf(ctx).history.list(filter) }),
  'history.check': async (ctx, { ids }) => ({ results: await uploadsOf(ctx).check(ids) }),
  'history.exportCsv': async (ctx, { path: file, ...filter }) => {
    const entries = await uploadsOf(ctx).history.list(filter);
    writeFileAtomic(file, historyCsv(entries));
    return { file, rows: entries.length };
  },
  'history.deployments': async (ctx, { certificateIds }) => {
    const found = await uploadsOf(ctx).history.deployments(certificateIds);
    return { deployments: Object.fromEntries(found) as Record<string, Deployment[]> };
  },
};
