import { contract, isChannel, type Channel, type Request, type Response, type SpecificIssue } from '../../../shared/ipc';
import { isErrorCode, VaultError, type ErrorInfo, type Result } from '../../../shared/errors';
import type { HandlerContext } from './context';
import { handlers } from './handlers';
import { toErrorInfo } from './error-info';

/**
 * The one path from an untrusted request to a handler: channel known, request valid against its
 * schema, handler called, result wrapped. Electron's ipcMain and the Playwright bridge both call it,
 * so nothing thrown ever crosses the boundary and no stack trace reaches the renderer.
 */
export async function dispatch(ctx: HandlerContext, channel: unknown, request: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return failure(new VaultError('ipc.unknown_channel', { channel: String(channel).slice(0, 80) }).toInfo());
  }
  const parsed = contract[channel].request.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const specific = issue?.code === 'custom' ? specificError(issue.params) : null;
    if (specific) return failure(specific.toInfo());
    const reason = issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'invalid';
    return failure(new VaultError('ipc.bad_request', { channel, reason }).toInfo());
  }
  return invoke(ctx, channel, parsed.data as Request<typeof channel>);
}

/** The error a schema refinement asked for (a dropped file over the size limit), if any. */
function specificError(params: unknown): VaultError | null {
  const wanted = (params as Partial<SpecificIssue> | undefined)?.vaultError;
  return wanted && isErrorCode(wanted.code) ? new VaultError(wanted.code, wanted.params) : null;
}

async function invoke<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): Promise<Result<Response<C>>> {
  try {
    const handler = handlers[channel] as (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>>;
    return { ok: true, value: await handler(ctx, request) };
  } catch (error) {
    return failure(toErrorInfo(error, channel));
  }
}

export { toErrorInfo };

function failure(error: ErrorInfo): { ok: false; error: ErrorInfo } {
  return { ok: false, error };
}
