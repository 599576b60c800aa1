import { createHttpClient } from '../../clouds/http-client';
import { getProvider } from '../../clouds/registry';
import { vaultDbOf } from '../db/context-db';
import { actorOf } from '../ipc/actor';
import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import type { AccountTeam } from '../accounts/team-secret';
import { UploadService, type UploadServiceOptions } from './service';

export { UploadService } from './service';

// The accounts and uploads behind a handler context, opened on first use (like the library's
// `vaultOf`). A context may bring its own service (tests: in-memory keychain, a fake clock);
// otherwise one is opened over the context's vault database (vaultDbOf) with the OS keychain, and its
// progress goes out as `uploads.progress` events.

const opened = new WeakMap<HandlerContext, UploadService>();

/** The service a window uses: the vault database, the OS keychain, the real clouds, events out. */
export function openUploadService(ctx: HandlerContext, options: Pick<UploadServiceOptions, 'concurrency'> = {}): UploadService {
  const team = accountTeamOf(ctx);
  return new UploadService({
    ...(team ? { team } : {}),
    vault: vaultDbOf(ctx),
    secrets: osKeychain(),
    providers: getProvider,
    http: createHttpClient(),
    emit: (progress) => ctx.events.emit('uploads.progress', progress),
    actor: actorOf(ctx),
    ...options,
  });
}

/**
 * On a team vault: who acts, in which role, and the team key for shared account secrets, read at
 * each use (a vault opened offline learns its member once the server answers). Offline, owners'
 * names are not at hand: a personal account shows its owner's id until the server is back.
 */
export function accountTeamOf(ctx: Pick<HandlerContext, 'team'>): AccountTeam | null {
  const scope = ctx.team?.();
  if (!scope) return null;
  return {
    teamName: scope.name,
    get member() {
      return scope.member;
    },
    get role() {
      return scope.role;
    },
    keys: { current: () => scope.teamKey() },
    memberNames: async (ids) => (scope.offline() ? new Map() : scope.memberNames(ids)),
  };
}

export function uploadsOf(ctx: HandlerContext): UploadService {
  if (ctx.uploads) return ctx.uploads();
  let service = opened.get(ctx);
  if (!service) {
    service = openUploadService(ctx);
    opened.set(ctx, service);
  }
  return service;
}
