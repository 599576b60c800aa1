import { VaultError, type Result } from '../../shared/errors';
import { isChannel } from '../../shared/ipc';
import type { HandlerContext } from '../core/ipc/context';
import { dispatch } from '../core/ipc/dispatch';
import { log } from '../core/log';
import { isAppUrl } from './app-url';
import type { PathGrants } from './path-grants';

// Who may call the vault: only the top-level frame of our own window, showing our own page.
// A frame that navigated elsewhere, an iframe, or another webContents is refused before any
// request is even parsed. Even our own page names only files the user chose (path-grants.ts).

/** What ipc.ts learns about a request's origin from Electron's IpcMainInvokeEvent. */
export interface SenderFrame {
  readonly url: string;
  /** The top-level frame of the Cert Vault window's webContents (not an iframe, not another window). */
  readonly isOurMainFrame: boolean;
}

export function isTrustedUrl(url: string, devServer: URL | null): boolean {
  if (isAppUrl(url)) return true;
  if (devServer === null) return false;
  try {
    return new URL(url).origin === devServer.origin;
  } catch {
    return false;
  }
}

export function isTrustedSender(frame: SenderFrame | null, devServer: URL | null): boolean {
  return frame !== null && frame.isOurMainFrame && isTrustedUrl(frame.url, devServer);
}

/** The whole main-process side of one `window.vault.invoke`: sender check, path check, then the shared dispatch. */
export async function handleInvoke(
  ctx: HandlerContext,
  frame: SenderFrame | null,
  channel: unknown,
  request: unknown,
  devServer: URL | null,
  grants: PathGrants,
): Promise<Result<unknown>> {
  if (!isTrustedSender(frame, devServer)) {
    log.warn('ipc_forbidden_sender', { channel: String(channel).slice(0, 80), frameUrl: frame ? originOf(frame.url) : null });
    return { ok: false, error: new VaultError('ipc.forbidden_sender').toInfo() };
  }
  if (!isChannel(channel)) return dispatch(ctx, channel, request);
  const stray = grants.ungranted(channel, request);
  if (stray !== null) {
    log.warn('ipc_path_not_chosen', { channel });
    return { ok: false, error: new VaultError('ipc.path_not_chosen', { file: stray.slice(0, 300) }).toInfo() };
  }
  const result = await dispatch(ctx, channel, request);
  grants.record(channel, result);
  return result;
}

/** Only the origin goes to the log: a URL's path or query is nobody's business. */
function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'unparseable';
  }
}
