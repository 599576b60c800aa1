import { VaultError } from '../../shared/errors';
import { pickLocale } from '../../shared/i18n';
import type { Channel, Request, Response } from '../../shared/ipc';
import type { HandlerContext } from '../core/ipc/context';
import { dispatch } from '../core/ipc/dispatch';
import { FileSettingsStore } from '../core/settings-store';
import type { DeployerLookup } from '../core/deploy/service';
import type { TlsResolver } from '../core/tls';

// The CLI calls the very handlers the window calls, through the same dispatch (schema checks and
// limits included), so `certvault inspect` and the Inspect screen cannot disagree.

export interface CliHandlerOptions {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => Date;
  readonly deployers?: DeployerLookup | undefined;
  readonly tlsResolver?: TlsResolver | undefined;
}

export function cliHandlerContext({ dataDir, appVersion, env, now, deployers, tlsResolver }: CliHandlerOptions): HandlerContext {
  return {
    ...(deployers ? { deployers } : {}),
    ...(tlsResolver ? { tlsResolver } : {}),
    dataDir,
    appVersion,
    platform: process.platform,
    systemLocale: pickLocale(env.LC_ALL || env.LC_MESSAGES || env.LANG),
    dialogs: {
      // Paths are arguments on a command line; no command asks for a dialog.
      chooseFiles: () => Promise.reject(new VaultError('cancelled')),
      chooseSave: () => Promise.reject(new VaultError('cancelled')),
      // The endpoint is an argument the user typed on this command line: that is the confirmation.
      confirmEndpoint: async () => true,
      // So is the account: the user at this terminal added it (or names it for an upload) themselves.
      confirmAccount: async () => true,
      // `keychain reset` runs only with --confirm, after its help said what stays unrecoverable.
      confirmDataKeyReset: async () => true,
    },
    // Nothing listens to push events in a one-shot process.
    events: { emit: () => undefined },
    settings: new FileSettingsStore(dataDir),
    now: now ?? (() => new Date()),
  };
}

/** One request through dispatch; a failure comes back as the VaultError it was. */
export async function call<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): Promise<Response<C>> {
  const result = await dispatch(ctx, channel, request);
  if (!result.ok) throw new VaultError(result.error.code, result.error.params);
  return result.value as Response<C>;
}
