import { createHttpClient } from '../../clouds/http-client';
import { getProvider } from '../../clouds/registry';
import { vaultDbOf } from '../db/context-db';
import { inventoryOf } from '../inventory';
import { actorOf } from '../ipc/actor';
import type { HandlerContext } from '../ipc/context';
import { vaultOf } from '../library';
import { verifyServed } from '../tls';
import { uploadsOf } from '../uploads';
import { DeployService, type DeployerLookup } from './service';

export { DeployService } from './service';
export type { DeployerLookup } from './service';

// The deployments behind a handler context, opened on first use over the context's VaultDb (vaultDbOf), with
// the accounts, pacing and uploads of `uploadsOf(ctx)` and progress out as `deploy.progress`.
// A context may bring its own deployers (tests: scripted fakes); otherwise each cloud's own.

const opened = new WeakMap<HandlerContext, DeployService>();

/** Each cloud's deployer, where its folder has one yet. */
export const cloudDeployers: DeployerLookup = (account) => getProvider(account.cloud).deployer;

export function deployOf(ctx: HandlerContext): DeployService {
  let service = opened.get(ctx);
  if (!service) {
    service = new DeployService({
      db: vaultDbOf(ctx),
      uploads: uploadsOf(ctx),
      inventory: inventoryOf(ctx),
      vault: () => vaultOf(ctx),
      deployers: ctx.deployers ?? cloudDeployers,
      http: createHttpClient(),
      // OLD's material for an in-place rollback, sealed with the vault's data key as library keys are.
      sealer: { seal: (plaintext, context) => vaultOf(ctx).sealAside(plaintext, context), unseal: (sealed, context) => vaultOf(ctx).unsealAside(sealed, context) },
      emit: (progress) => ctx.events.emit('deploy.progress', progress),
      actor: actorOf(ctx),
      // Probes go where the context's resolver points (tests: the loopback TLS front); a request
      // never chooses where, so a renderer cannot aim the app's TLS client at arbitrary hosts.
      verify: ({ domains, expectedFingerprint, timeoutMs, signal }) =>
        verifyServed({ domains, expectedFingerprint, timeoutMs, ...(signal ? { signal } : {}), ...(ctx.tlsResolver ? { resolve: ctx.tlsResolver } : {}) }),
    });
    opened.set(ctx, service);
  }
  return service;
}
