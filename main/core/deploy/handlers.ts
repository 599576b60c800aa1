import type { Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from '../ipc/context';
import { log } from '../log';
import { deployOf } from './index';

// The deploy channels: thin over DeployService, spread into the handler map
// (main/core/ipc/handlers.ts). A run returns its id at once; the window follows it through
// `deploy.progress` events and reads the outcome from the history.

type DeployChannel = 'deploy.plan' | 'deploy.run' | 'deploy.cancel' | 'deploy.rollback' | 'deploy.history' | 'deploy.check';

type DeployHandlers = { readonly [C in DeployChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

/** A deployment's outcome is in its events and the history; a crash inside one is only logged. */
function watch(deploymentId: string, done: Promise<unknown>): void {
  done.catch((error: unknown) => log.error('deployment_failed', { deploymentId, reason: error instanceof Error ? error.name : typeof error }));
}

export const deployHandlers: DeployHandlers = {
  'deploy.plan': async (ctx, { certificateId, options }) => deployOf(ctx).plan(certificateId, options),
  'deploy.run': async (ctx, { certificateId, options }) => {
    // A page cannot confirm an account; keys go only to accounts confirmed through accounts.confirm (the plan blocks the others).
    const { deploymentId, done } = await deployOf(ctx).start(certificateId, options);
    watch(deploymentId, done);
    return { deploymentId };
  },
  'deploy.cancel': async (ctx, { deploymentId }) => ({ cancelled: deployOf(ctx).cancel(deploymentId) }),
  'deploy.rollback': async (ctx, { deploymentId }) => {
    const started = await deployOf(ctx).rollback(deploymentId);
    watch(started.deploymentId, started.done);
    return { deploymentId: started.deploymentId };
  },
  'deploy.history': async (ctx, filter) => ({ deployments: await deployOf(ctx).history(filter) }),
  'deploy.check': async (ctx, { deploymentIds }) => ({ deployments: await deployOf(ctx).check(deploymentIds) }),
};
