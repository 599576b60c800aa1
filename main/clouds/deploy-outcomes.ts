import type { CloudId } from '../../shared/model';
import { refusedBeforeSending, type Hint } from './cloud-error';
import type { DeployHandle, DeployResource, ResourceOutcome, ResourceState } from './deploy';
import { CloudError, type CloudErrorInfo } from './provider';
import { isJsonObject } from './json';

// What the deployers of clouds without asynchronous jobs (Huawei APIG, Volcengine Live) share:
// they call once per resource, keep each call's outcome in the handle the engine persists, and
// let `poll` settle those outcomes by reading what the cloud serves now.

/** `handle.data` of the bind-per-resource deployers: JSON, persisted by the engine. */
export interface BindHandleData {
  /** Which direction the calls went: `rollback` handles settle to rolled-back / rollback-failed. */
  readonly phase: 'start' | 'rollback';
  /** ISO time of the calls: an unconfirmed propagation is given up on after a while. */
  readonly startedAt: string;
  /** One per resource the calls concerned, in `step.resources` order. */
  readonly outcomes: readonly ResourceOutcome[];
}

export function bindHandle(phase: BindHandleData['phase'], startedAt: Date, outcomes: readonly ResourceOutcome[]): DeployHandle {
  const data: BindHandleData = { phase, startedAt: startedAt.toISOString(), outcomes };
  return { ref: null, data: { ...data } };
}

const STATES: readonly ResourceState[] = ['pending', 'running', 'deployed', 'failed', 'rolled-back', 'rollback-failed'];

/** The handle's data as written by `bindHandle`; a handle from anything else is refused, never guessed at. */
export function readBindHandle(cloud: CloudId, handle: DeployHandle): BindHandleData {
  const { phase, startedAt, outcomes } = handle.data;
  const valid =
    (phase === 'start' || phase === 'rollback') &&
    typeof startedAt === 'string' &&
    !Number.isNaN(Date.parse(startedAt)) &&
    Array.isArray(outcomes) &&
    outcomes.every((item) => isJsonObject(item) && typeof item.resourceId === 'string' && STATES.includes(item.state as ResourceState));
  if (!valid) {
    throw refusedBeforeSending(cloud, {
      code: 'deploy.handle_invalid',
      kind: 'invalid',
      message: 'The stored deployment handle is not one this cloud wrote',
      hint: {
        en: 'The deployment record is damaged. Check what each resource serves (discover) before deploying again.',
        'zh-CN': '部署记录已损坏。请先查看各资源当前使用的证书，再重新部署。',
      },
    });
  }
  return { phase: phase as BindHandleData['phase'], startedAt: startedAt as string, outcomes: outcomes as ResourceOutcome[] };
}

/** What a call's failure says about one resource; anything that is not a cloud's answer (a bug, a cancel) is thrown on. */
export function failureOf(error: unknown, genericHint: Hint, isKnown: (code: string) => boolean): CloudErrorInfo {
  if (!(error instanceof CloudError)) throw error;
  // An undocumented code the cloud answered got the classifier's upload-oriented hint by HTTP
  // status: say what a refused bind means instead. Transport and local failures keep their own.
  return error.info.httpStatus === null || isKnown(error.info.code) ? error.info : { ...error.info, hint: genericHint };
}

/**
 * The outcome of a call that failed: certainly refused → failed; fate unknown (the request may
 * have been received) → still running, so that `poll` settles it by reading the cloud's state
 * instead of anyone repeating the call blindly.
 */
export function failedOutcome(resource: DeployResource, info: CloudErrorInfo, failed: 'failed' | 'rollback-failed'): ResourceOutcome {
  const unknownFate = info.kind === 'network' && info.mayHaveReachedServer;
  return { resourceId: resource.id, state: unknownFate ? 'running' : failed, error: info };
}

/** A local CloudErrorInfo for a call that was answered as success but did not take effect. */
export function notAppliedError(cloud: CloudId, message: string, hint: Hint): CloudErrorInfo {
  return { cloud, code: 'deploy.not_applied', message, kind: 'server', retryable: false, requestId: null, httpStatus: null, mayHaveReachedServer: true, hint };
}

/** The terminal states of a phase. */
export function statesOf(phase: BindHandleData['phase']): { readonly done: ResourceState; readonly failed: 'failed' | 'rollback-failed' } {
  return phase === 'start' ? { done: 'deployed', failed: 'failed' } : { done: 'rolled-back', failed: 'rollback-failed' };
}

export function finished(outcomes: readonly ResourceOutcome[]): boolean {
  return outcomes.every((outcome) => outcome.state !== 'pending' && outcome.state !== 'running');
}
