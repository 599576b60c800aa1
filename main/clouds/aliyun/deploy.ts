import type { CallContext, CloudErrorInfo } from '../provider';
import { CloudError } from '../provider';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, ResourceState, TaskState } from '../deploy';
import { malformedAnswer, refusedBeforeSending, type Hint } from '../cloud-error';
import { withRetry } from '../retry';
import { isLastPage, readCall } from '../remote-copy';
import { isJsonObject, stringsOf, textOf, type JsonObject } from '../json';
import { callAliyun } from './client';
import { deployHints } from './errors';

// Replace everywhere on Alibaba Cloud CAS (DEPLOY.md §2.3-2.8, §2.11): the resources serving OLD
// from ListCloudResources, one deployment job (CreateDeploymentJob, then UpdateDeploymentJobStatus
// to `pending`, without which it idles in `editing` forever), watched through DescribeDeploymentJob
// and ListWorkerResource, rolled back worker by worker with UpdateWorkerResourceStatus.
//
// CreateDeploymentJob is not idempotent (a new JobId per call), so `start` only creates the job and
// returns its JobId: the engine persists that handle, and the first `poll` that reads the job still
// in `editing` submits it. A crash before the handle is stored leaves at most one job in `editing`,
// which never runs; the resources still serve OLD (what `discover` then reads).
//
// Handle: ref = the JobId (decimal text); data = { kind: 'job', jobId, name } while deploying,
// { kind: 'rollback', jobId, resourceIds: string[], workerIds: string[], refused: { [resourceId]:
// CloudErrorInfo } (workers whose rollback call failed after others had gone through) } while rolling back.
// Resource ids are ListCloudResources' `Id` (decimal text), what CreateDeploymentJob's ResourceIds takes.

/** ListCloudResources and ListWorkerResource: ShowSize maximum unconfirmed; 50 is the recipe's and ListWorkerResource's default. */
const PAGE = 50;
/** A bound on pages read (50 each), far beyond any account. */
const MAX_PAGES = 200;

/** Worker Status (§2.7) as a resource state; in a rollback, `success` is a worker not rolled back yet. */
const WORKER_STATES: Readonly<Record<string, ResourceState>> = {
  editing: 'pending',
  pending: 'pending',
  scheduling: 'pending',
  processing: 'running',
  success: 'deployed',
  error: 'failed',
  rollback: 'running',
  rollback_success: 'rolled-back',
  rollback_error: 'rollback-failed',
};
const TERMINAL_JOB = new Set(['success', 'error']);

interface JobData {
  readonly kind: 'job' | 'rollback';
  readonly jobId: string;
  readonly resourceIds: readonly string[];
  readonly refused: Readonly<Record<string, CloudErrorInfo>>;
}

interface Worker {
  readonly id: string;
  readonly resourceId: string;
  readonly status: string;
}

const NUMERIC = /^\d+$/;

export function createAliyunDeployer(): CloudDeployer {
  const refuse = (code: string, message: string, hint: Hint) => refusedBeforeSending('aliyun', { code, kind: 'invalid', message, hint });
  /**
   * Not idempotent: retried only where the call cannot have acted (throttled, an error answer the
   * cloud marks temporary, a connection refused); a lost answer is resolved by reading state.
   */
  const write = (ctx: CallContext, action: string, params: Record<string, string>) =>
    withRetry(() => callAliyun(ctx, { action, params }), ctx.signal ? { signal: ctx.signal } : {});
  const numeric = (id: string) => {
    if (!NUMERIC.test(id)) throw refuse('deploy.id-not-numeric', `"${id.slice(0, 40)}" is not a numeric id`, deployHints.idNotNumeric);
    return id;
  };

  return {
    action: 'replace',
    modes: ['rebind'],
    retireModes: ['delete'],

    async discover(ctx, remoteId) {
      const found: DeployResource[] = [];
      for (let page = 1; page <= MAX_PAGES; page += 1) {
        // CertIds is a JSON array of numbers in one parameter (arrayToStringWithSpecifiedStyle 'json').
        const params = { CertIds: `[${numeric(remoteId)}]`, CloudName: 'aliyun', CurrentPage: String(page), ShowSize: String(PAGE) };
        const answer = await readCall(ctx, () => callAliyun(ctx, { action: 'ListCloudResources', params }));
        const items = Array.isArray(answer.Data) ? answer.Data.filter(isJsonObject) : [];
        for (const item of items) {
          // That CertIds filters by the certificate bound now is inferred (unconfirmed): an item
          // naming another certificate is left out.
          const certId = textOf(item.CertId);
          if (certId !== null && certId !== remoteId) continue;
          const resource = resourceOf(item);
          if (resource) found.push(resource);
        }
        if (isLastPage(items.length, (page - 1) * PAGE + items.length, answer.Total, PAGE)) break;
      }
      return found;
    },

    async start(ctx, step) {
      if (step.mode !== 'rebind') throw refuse('deploy.mode-unsupported', 'Alibaba deploys by rebinding only', deployHints.modeUnsupported);
      if (step.resources.length === 0) throw refuse('deploy.nothing-to-deploy', 'No resources', deployHints.nothingToDeploy);
      const resourceIds = step.resources.map((resource) => numeric(resource.id));
      const certId = numeric(step.newRemoteId);
      // ContactIds is required; certimate takes the first contact. With none the job cannot be made.
      const contacts = await readCall(ctx, () => callAliyun(ctx, { action: 'ListContact', params: { CurrentPage: '1', ShowSize: '1' } }));
      const contact = (Array.isArray(contacts.ContactList) ? contacts.ContactList.filter(isJsonObject) : []).map((item) => textOf(item.ContactId)).find(Boolean);
      if (!contact) throw refuse('deploy.no-contact', 'The account has no CAS contact', deployHints.noContact);
      const name = `certvault ${step.oldRemoteId} to ${certId} ${ctx.now().toISOString()}`;
      const answer = await write(ctx, 'CreateDeploymentJob', { Name: name, JobType: 'user', CertIds: certId, ResourceIds: resourceIds.join(','), ContactIds: contact });
      const jobId = textOf(answer.JobId);
      if (!jobId) throw malformedAnswer('aliyun', 'JobId', textOf(answer.RequestId), deployHints.malformed);
      return { ref: jobId, data: { kind: 'job', jobId, name } };
    },

    async poll(ctx, step, handle) {
      const data = jobData(handle, step, refuse);
      const job = await readCall(ctx, () => callAliyun(ctx, { action: 'DescribeDeploymentJob', params: { JobId: data.jobId } }));
      const status = textOf(job.Status) ?? '';
      if (data.kind === 'job' && status === 'editing') {
        // The job is only ever submitted after reading it in `editing`, so a repeat after a crash
        // submits nothing twice (whether the call itself is idempotent is unconfirmed).
        await write(ctx, 'UpdateDeploymentJobStatus', { JobId: data.jobId, Status: 'pending' });
        return { finished: false, resources: step.resources.map((resource) => ({ resourceId: resource.id, state: 'pending', error: null })) };
      }
      const workers = await listWorkers(ctx, data.jobId);
      const watched = step.resources.filter((resource) => data.resourceIds.includes(resource.id));
      return taskState(data, watched, workers, TERMINAL_JOB.has(status), textOf(job.RequestId));
    },

    async rollback(ctx, step, handle, outcomes) {
      const data = jobData(handle, step, refuse);
      const deployed = new Set(outcomes.filter((outcome) => outcome.state === 'deployed').map((outcome) => outcome.resourceId));
      const workers = (await listWorkers(ctx, data.jobId)).filter((worker) => deployed.has(worker.resourceId) && worker.status === 'success');
      if (data.kind !== 'job' || workers.length === 0) throw refuse('deploy.nothing-to-roll-back', 'No worker of the job succeeded', deployHints.nothingToRollBack);
      // One call per worker; each puts that resource's previous certificate (ResourceCertId) back.
      // A refusal after others went through is kept for that resource rather than thrown, so the
      // rollbacks already started are still watched.
      const refused: Record<string, CloudErrorInfo> = {};
      for (const [index, worker] of workers.entries()) {
        try {
          await write(ctx, 'UpdateWorkerResourceStatus', { JobId: data.jobId, WorkerId: worker.id, Status: 'rollback' });
        } catch (error) {
          if (index === 0 || !(error instanceof CloudError)) throw error;
          refused[worker.resourceId] = error.info;
        }
      }
      return {
        ref: data.jobId,
        data: { kind: 'rollback', jobId: data.jobId, resourceIds: workers.map((worker) => worker.resourceId), workerIds: workers.map((worker) => worker.id), refused },
      };
    },

    async retire(ctx, remoteId, mode) {
      if (mode !== 'delete') throw refuse('deploy.retire-mode', 'CAS has no per-certificate notification switch', deployHints.noMute);
      try {
        await write(ctx, 'DeleteUserCertificate', { CertId: numeric(remoteId) });
      } catch (error) {
        // No code for "still in use" is published (unconfirmed): every business refusal (400) gets
        // the delete hint, with the cloud's code and message kept; an unknown id keeps its own.
        if (error instanceof CloudError && error.info.kind === 'invalid' && error.info.httpStatus === 400) {
          throw new CloudError({ ...error.info, kind: 'conflict', hint: deployHints.deleteRefused });
        }
        throw error;
      }
    },
  };
}

function resourceOf(item: JsonObject): DeployResource | null {
  const id = textOf(item.Id);
  if (!id) return null;
  const domain = textOf(item.Domain);
  const port = Number(textOf(item.ListenerPort) ?? NaN);
  return {
    type: textOf(item.CloudProduct) ?? 'unknown',
    id,
    name: domain,
    domains: domain ? [domain] : [],
    region: textOf(item.RegionId) ?? textOf(item.CloudRegion),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : null,
    detail: { instanceId: textOf(item.InstanceId), listenerId: textOf(item.ListenerId) },
  };
}

function jobData(handle: DeployHandle, step: DeployStep, refuse: (code: string, message: string, hint: Hint) => CloudError): JobData {
  const jobId = textOf(handle.data.jobId) ?? handle.ref;
  const kind = handle.data.kind === 'rollback' ? 'rollback' : handle.data.kind === 'job' ? 'job' : null;
  if (!jobId || !NUMERIC.test(jobId) || kind === null) throw refuse('deploy.handle-invalid', 'The handle names no deployment job', deployHints.handleInvalid);
  const resourceIds = kind === 'rollback' ? stringsOf(handle.data.resourceIds) : step.resources.map((resource) => resource.id);
  const refused = kind === 'rollback' && isJsonObject(handle.data.refused) ? (handle.data.refused as Record<string, CloudErrorInfo>) : {};
  return { kind, jobId, resourceIds, refused };
}

async function listWorkers(ctx: CallContext, jobId: string): Promise<Worker[]> {
  const workers: Worker[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const params = { JobId: jobId, CurrentPage: String(page), ShowSize: String(PAGE) };
    const answer = await readCall(ctx, () => callAliyun(ctx, { action: 'ListWorkerResource', params }));
    const items = Array.isArray(answer.Data) ? answer.Data.filter(isJsonObject) : [];
    for (const item of items) {
      const id = textOf(item.Id);
      const resourceId = textOf(item.ResourceId);
      if (id && resourceId) workers.push({ id, resourceId, status: textOf(item.Status) ?? '' });
    }
    if (isLastPage(items.length, (page - 1) * PAGE + items.length, answer.Total, PAGE)) break;
  }
  return workers;
}

function taskState(data: JobData, watched: readonly DeployResource[], workers: readonly Worker[], jobEnded: boolean, requestId: string | null): TaskState {
  const stateOf = (worker: Worker): ResourceState => {
    const state = WORKER_STATES[worker.status] ?? 'running';
    return data.kind === 'rollback' && state === 'deployed' ? 'pending' : state;
  };
  const failure = (code: string, message: string, hint: Hint): CloudErrorInfo => ({
    cloud: 'aliyun', code, message, kind: 'invalid', retryable: false, requestId, httpStatus: null, mayHaveReachedServer: true, hint,
  });
  const outcomes = watched.map((resource): ResourceOutcome => {
    // The newest worker for the resource (a job has one per resource; Ids grow).
    const worker = workers.filter((candidate) => candidate.resourceId === resource.id).at(-1);
    if (!worker) {
      if (!jobEnded) return { resourceId: resource.id, state: 'pending', error: null };
      return {
        resourceId: resource.id,
        state: data.kind === 'rollback' ? 'rollback-failed' : 'failed',
        error: failure('deploy.not-in-job', `Job ${data.jobId} has no worker for resource ${resource.id}`, deployHints.notInJob),
        source: 'app',
      };
    }
    const state = stateOf(worker);
    // A worker whose rollback call was refused stays where it was, unless the cloud shows it moving after all.
    const refusal = data.refused[resource.id];
    if (refusal && state === 'pending') return { resourceId: resource.id, state: 'rollback-failed', error: refusal };
    // ListWorkerResource carries no error text; the worker's status is the cloud's word.
    const error =
      state === 'failed' ? failure('deploy.worker-error', `Worker ${worker.id} of job ${data.jobId} ended in ${worker.status}`, deployHints.workerFailed)
      : state === 'rollback-failed' ? failure('deploy.worker-rollback-error', `Worker ${worker.id} of job ${data.jobId} ended in ${worker.status}`, deployHints.rollbackFailed)
      : null;
    return { resourceId: resource.id, state, error, ...(error ? { source: 'cloud' as const } : {}) };
  });
  // Whether a job with failed workers ends `error` is unconfirmed: the workers decide; a resource
  // without a worker counts as finished only once the job has ended.
  const finished = outcomes.length === 0 ? jobEnded : outcomes.every((outcome) => outcome.state !== 'pending' && outcome.state !== 'running');
  return { finished, resources: outcomes };
}
