import { contract, isChannel, type Channel, type Request, type Response, type SpecificIssue } from '../../../shared/ipc';
import { isErrorCode, VaultError, type ErrorInfo, type Result } from '../../../shared/errors';
import type { HandlerContext } from './context';
import { checkVaultAction } from '../team/vault-actions';
import { handlers } from './handlers';
import type { z } from 'zod';
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
  if (!parsed.success) return failure(requestError(channel, parsed.error.issues[0]).toInfo());
  return invoke(ctx, channel, parsed.data as Request<typeof channel>);
}

/**
 * Why `request` is not a valid request of `channel`, or null: for a front door that must check what
 * the user typed before it reads anything (the CLI's `edit` reads the entry's revision first).
 */
export function requestProblem<C extends Channel>(channel: C, request: unknown): VaultError | null {
  const parsed = contract[channel].request.safeParse(request);
  return parsed.success ? null : requestError(channel, parsed.error.issues[0]);
}

function requestError(channel: Channel, issue: z.core.$ZodIssue | undefined): VaultError {
  const specific = issue?.code === 'custom' ? specificError(issue.params) : null;
  if (specific) return specific;
  const field = issue ? issue.path.map((part) => (typeof part === 'string' ? part : '*')).join('.') : '';
  const problem = issue ? describeIssue(issue) : 'is not valid';
  // A refinement's own message is a whole sentence; the others read after the field's name.
  const reason = issue?.code === 'custom' ? problem : `${field || 'request'} ${problem}`;
  return new VaultError('ipc.bad_request', { channel, reason, field, problem });
}

/**
 * What is wrong with a field, in words a person reads after the field's name (the CLI puts its
 * option there: "--name is longer than 200 characters"), instead of the schema library's wording.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string') return minimum <= 1 ? 'is empty' : `is shorter than ${minimum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return minimum <= 1 ? 'is missing' : `needs at least ${minimum} items`;
      return `must be at least ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'string') return `is longer than ${maximum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has more than ${maximum} items`;
      return `must be at most ${maximum}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? 'is missing' : 'has the wrong type';
    case 'custom':
      return issue.message;
    case 'unrecognized_keys':
      return `has unknown fields (${issue.keys.join(', ')})`;
    default:
      return 'is not valid';
  }
}

/** The error a schema refinement asked for (a dropped file over the size limit), if any. */
function specificError(params: unknown): VaultError | null {
  const wanted = (params as Partial<SpecificIssue> | undefined)?.vaultError;
  return wanted && isErrorCode(wanted.code) ? new VaultError(wanted.code, wanted.params) : null;
}

async function invoke<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): Promise<Result<Response<C>>> {
  try {
    const handler = handlers[channel] as (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>>;
    checkVaultAction(ctx, channel, request);
    return { ok: true, value: await handler(ctx, request) };
  } catch (error) {
    return failure(toErrorInfo(error, channel));
  }
}

export { toErrorInfo };

function failure(error: ErrorInfo): { ok: false; error: ErrorInfo } {
  return { ok: false, error };
}
