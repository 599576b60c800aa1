import type { CallContext, CloudErrorInfo } from '../provider';
import { CloudError } from '../provider';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, ResourceState, RetireMode, TaskState } from '../deploy';
import { malformedAnswer, refusedBeforeSending, toCloudError, type ErrorEntry, type Hint } from '../cloud-error';
import { abortableSleep, withRetry } from '../retry';
import { readCall } from '../remote-copy';
import { isJsonObject, stringsOf, textOf, type JsonObject } from '../json';
import { credentialSecrets } from '../scrub';
import { callTencent, type TencentCloudId } from './client';
import { discoverTencentResources } from './inventory';
import { classifyTencentError, DEPLOY_ITEM_FAILED, deployHints } from './errors';
import { ITEM_STATES, itemMatches, recordIdOf, ROLLBACK_STATES, SEVERITY } from './deploy-records';
import { anyRecorded, bindTaskState, lostBinds, rollbackBinds, startBinds, tencentCandidates, type BindTask } from './deploy-bind';

// Replace everywhere on Tencent SSL (DEPLOY.md §1.4-1.9): UpdateCertificateInstance moves every
// resource of the given types (and regions) bound to OLD onto NEW in one cloud task, watched with
// DescribeHostUpdateRecordDetail and undone with UpdateCertificateRecordRollback.
//
// Resources not bound to OLD (the step's `binds`) get NEW through DeployCertificateInstance
// instead (bind.ts); one step may hold both kinds.
//
// Handle: ref = the update's DeployRecordId (decimal text), or null when the step only binds;
// data = { kind: 'update' | 'rollback', deployRecordId: number | null, adopted?: boolean
// (DeployStatus 0: a task already running was adopted), rollbackOf?: number, resourceIds?: string[]
// (rollback: the resources it puts back on OLD), binds?: BindTask[] (bind.ts) }.
// Resource ids are the DeployCertificateInstance tuples of inventory.ts (`lb|lbl|domain`, `domain`...).

export interface TencentDeployOptions {
  /**
   * Wait between repeats of UpdateCertificateInstance while DeployRecordId is 0, and between polls
   * of the discovery and delete tasks (the interval is undocumented; clients use 2-10 s). The
   * requests themselves are paced by ctx.http.
   */
  readonly waitMs?: number;
  /** How many times one of those is asked before Cert Vault stops waiting. */
  readonly maxRepeats?: number;
}

const DEFAULT_WAIT_MS = 2000;
const DEFAULT_MAX_REPEATS = 60;
/** DescribeHostUpdateRecordDetail: Limit max "200". */
const RECORD_PAGE = 200;
/** Pages of one record read at most (200 per page): far beyond any account. */
const MAX_RECORD_PAGES = 50;

/** Types UpdateCertificateInstance needs ResourceTypesRegions for (§1.4). */
const REGIONAL_TYPES = new Set(['clb', 'tke', 'apigateway', 'waf', 'tcb', 'tse', 'cos', 'mqtt', 'scf', 'tdmq']);

/** DescribeDeleteCertificatesTaskResult.Status → the code whose table entry explains it (§1.8). */
const DELETE_FAILURES: Readonly<Record<number, string>> = {
  2: 'FailedOperation',
  3: 'FailedOperation.RoleNotFoundAuthorization',
  4: 'FailedOperation.BoundResources',
  5: 'InternalError',
};

interface RecordData {
  readonly kind: 'update' | 'rollback';
  /** The update (or update-rollback) record; null when the step only binds. */
  readonly deployRecordId: number | null;
  readonly adopted?: boolean;
  readonly rollbackOf?: number;
  readonly resourceIds?: readonly string[];
  /** DeployCertificateInstance tasks (or their rollbacks) for the step's bind resources. */
  readonly binds?: readonly BindTask[];
}

export function createTencentDeployer(cloud: TencentCloudId, options: TencentDeployOptions = {}): CloudDeployer {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const maxRepeats = options.maxRepeats ?? DEFAULT_MAX_REPEATS;
  const refuse = (code: string, message: string, hint: Hint) => refusedBeforeSending(cloud, { code, kind: 'invalid', message, hint });
  /**
   * Not idempotent: retried only where the call cannot have acted (throttled, an error answer the
   * cloud marks temporary, a connection refused); a lost answer is resolved by reading state.
   */
  const write = (ctx: CallContext, action: string, params: object) =>
    withRetry(() => callTencent(cloud, ctx, action, params), ctx.signal ? { signal: ctx.signal } : {});

  /** UpdateCertificateInstance, repeated while Tencent prepares the task, until it has a record id. */
  async function startUpdate(ctx: CallContext, step: DeployStep): Promise<RecordData> {
    const params = updateParams(step, refuse);
    // "调用之后DeployRecordId为0表示任务进行中，重复请求这个接口": the identical call is repeated
    // until the record exists. What the answer holds while it is 0 is unconfirmed; only the id is read.
    for (let attempt = 1; ; attempt += 1) {
      const answer = await write(ctx, 'UpdateCertificateInstance', params);
      const id = recordIdOf(answer.DeployRecordId);
      if (id === null) throw malformedAnswer(cloud, 'DeployRecordId', textOf(answer.RequestId), deployHints.malformed);
      // DeployStatus 0: a task for this certificate was already running and this is its id.
      if (id > 0) return { kind: 'update', deployRecordId: id, adopted: answer.DeployStatus === 0 };
      if (attempt >= maxRepeats) {
        throw stillWaiting(cloud, 'deploy.still-preparing', `DeployRecordId still 0 after ${attempt} requests`, deployHints.stillPreparing);
      }
      await abortableSleep(waitMs, ctx.signal);
    }
  }

  return {
    action: 'replace',
    modes: ['rebind'],
    retireModes: ['mute', 'delete'],

    discover: (ctx, remoteId) => discoverTencentResources(cloud, ctx, remoteId, waitMs),

    candidates: (ctx, newRemoteId) => tencentCandidates(cloud, ctx, newRemoteId, waitMs),

    async start(ctx, step) {
      if (step.mode !== 'rebind') throw refuse('deploy.mode-unsupported', 'Tencent deploys by rebinding only', deployHints.modeUnsupported);
      const { replacing, binding } = split(step);
      if (replacing.length === 0 && binding.length === 0) throw refuse('deploy.nothing-to-deploy', 'No resources', deployHints.nothingToDeploy);
      // The update goes first: if it is refused, nothing at all was sent and the engine says so.
      const update = replacing.length > 0 ? await startUpdate(ctx, { ...step, resources: replacing }) : null;
      if (binding.length === 0) return { ref: String(update!.deployRecordId), data: { ...update! } };
      const binds = await startBinds(cloud, ctx, step, binding);
      const refusal = binds.find((task) => task.refused)?.refused;
      // Every bind refused and no update: nothing started anywhere, a plain refusal.
      if (update === null && refusal && binds.every((task) => task.refused)) throw new CloudError(refusal);
      const data: RecordData = update ? { ...update, binds } : { kind: 'update', deployRecordId: null, binds };
      return { ref: update ? String(update.deployRecordId) : null, data: { ...data } };
    },

    async poll(ctx, step, handle) {
      const data = recordData(handle, refuse);
      const bindIds = new Set(step.binds ?? []);
      const parts: TaskState[] = [];
      if (data.deployRecordId !== null) {
        const record = await readRecord(cloud, ctx, data.deployRecordId);
        const watched = data.kind === 'rollback' ? step.resources.filter((resource) => data.resourceIds?.includes(resource.id)) : step.resources.filter((resource) => !bindIds.has(resource.id));
        parts.push(taskState(cloud, ctx, step, { ...data, deployRecordId: data.deployRecordId }, watched, record));
      }
      for (const task of data.binds ?? []) parts.push(await bindTaskState(cloud, ctx, step, data.kind === 'rollback', task));
      return { finished: parts.every((part) => part.finished), resources: parts.flatMap((part) => part.resources) };
    },

    async rollback(ctx, step, handle, outcomes) {
      const data = recordData(handle, refuse);
      const bindIds = new Set(step.binds ?? []);
      const deployed = outcomes.filter((outcome) => outcome.state === 'deployed').map((outcome) => outcome.resourceId);
      const replaced = deployed.filter((id) => !bindIds.has(id));
      const bound = new Set(deployed.filter((id) => bindIds.has(id)));
      if (data.kind !== 'update' || deployed.length === 0) throw refuse('deploy.nothing-to-roll-back', 'No resource of the record was deployed', deployHints.nothingToRollBack);
      let update: RecordData | null = null;
      if (data.deployRecordId !== null && replaced.length > 0) {
        // "只对更新已成功的记录回滚": Tencent puts OLD back on exactly the successful items.
        const answer = await write(ctx, 'UpdateCertificateRecordRollback', { DeployRecordId: data.deployRecordId });
        const id = recordIdOf(answer.DeployRecordId);
        if (id === null || id === 0) throw malformedAnswer(cloud, 'DeployRecordId', textOf(answer.RequestId), deployHints.malformed);
        update = { kind: 'rollback', deployRecordId: id, rollbackOf: data.deployRecordId, resourceIds: replaced };
      }
      const binds = bound.size > 0 ? await rollbackBinds(cloud, ctx, step, data.binds ?? [], bound) : [];
      const refusal = binds.find((task) => task.refused)?.refused;
      if (update === null && refusal && binds.every((task) => task.refused)) throw new CloudError(refusal);
      if (update === null && binds.length === 0) throw refuse('deploy.nothing-to-roll-back', 'No resource of the record was deployed', deployHints.nothingToRollBack);
      const rollback: RecordData = { ...(update ?? { kind: 'rollback', deployRecordId: null }), ...(binds.length > 0 ? { binds } : {}) };
      return { ref: update ? String(update.deployRecordId) : null, data: { ...rollback } };
    },

    /**
     * A start whose answer was lost: the bind tasks it may have created are looked up in NEW's
     * deployment records (DescribeHostDeployRecord). The update family has no such lookup here
     * (its records are per OLD and NEW), so a step that also replaces is settled by state instead.
     */
    async recover(ctx, step, since, rollback) {
      const { replacing, binding } = split(step);
      if (rollback || replacing.length > 0 || binding.length === 0) return null;
      const binds = lostBinds(step, binding, since);
      if (!(await anyRecorded(cloud, ctx, step, binds))) return null;
      const data: RecordData = { kind: 'update', deployRecordId: null, binds };
      return { ref: null, data: { ...data } };
    },

    async retire(ctx, remoteId, mode: RetireMode) {
      if (mode === 'mute') {
        // Idempotent (§1.7), so it is retried like a read.
        await readCall(ctx, () => callTencent(cloud, ctx, 'ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: [remoteId], SwitchStatus: 1 }));
        return;
      }
      // IsCheckResource: Tencent itself refuses while anything is bound (task status 4), whatever
      // the engine's own discovery said; a synchronous delete of a bound certificate is unconfirmed.
      const answer = await write(ctx, 'DeleteCertificate', { CertificateId: remoteId, IsCheckResource: true });
      const taskId = textOf(answer.TaskId);
      if (taskId === null) {
        if (answer.DeleteResult === true) return;
        throw malformedAnswer(cloud, 'TaskId', textOf(answer.RequestId), deployHints.malformed);
      }
      await waitForDelete(cloud, ctx, taskId, waitMs, maxRepeats);
    },

    async isMuted(ctx, remoteId) {
      // IsIgnore is DescribeCertificates' "expiry notices muted" flag (§1.1); a copy no longer listed has none to mute.
      const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeCertificates', { CertIds: [remoteId], Limit: 1 }));
      const listed = Array.isArray(answer.Certificates) ? answer.Certificates.filter(isJsonObject) : [];
      return listed.some((item) => textOf(item.CertificateId) === remoteId && item.IsIgnore === true);
    },
  };
}

/**
 * UpdateCertificateInstance names resource types and regions, not instances: Tencent moves every
 * instance of those types and regions bound to OLD, including any the plan left out. Only the
 * step's resources are reported; the engine's plan must therefore not rely on leaving one of them
 * on OLD (DeployCertificateInstance, with explicit instances, is the call for that). Today the plan
 * leaves a resource out only when NEW does not cover one of its domains (blocked), which Tencent
 * itself refuses per instance (CertificateNotDeployInstance, DEPLOY.md §1.9), or when it already
 * serves NEW (skip), which is not bound to OLD: neither is moved by this call.
 */
function updateParams(step: DeployStep, refuse: (code: string, message: string, hint: Hint) => CloudError): JsonObject {
  if (step.resources.length === 0) throw refuse('deploy.nothing-to-deploy', 'No resources', deployHints.nothingToDeploy);
  const types = [...new Set(step.resources.map((resource) => resource.type))];
  const regional = types.filter((type) => REGIONAL_TYPES.has(type));
  const regions = regional.map((type) => {
    const list = [...new Set(step.resources.filter((resource) => resource.type === type).map((resource) => resource.region ?? ''))];
    // Leaving ResourceTypesRegions out for a regional type has unconfirmed effects (an error, or
    // silently no instances): refused here instead.
    if (list.includes('')) throw refuse('deploy.region-unknown', `A ${type} resource has no region`, deployHints.regionUnknown);
    return { ResourceType: type, Regions: list };
  });
  return {
    OldCertificateId: step.oldRemoteId,
    CertificateId: step.newRemoteId,
    ResourceTypes: types,
    ...(regions.length > 0 ? { ResourceTypesRegions: regions } : {}),
    ...(step.muteOld ? { ExpiringNotificationSwitch: 1 } : {}),
  };
}

/** The step's resources that move from OLD (UpdateCertificateInstance) and those NEW is bound to (DeployCertificateInstance). */
function split(step: DeployStep): { replacing: DeployResource[]; binding: DeployResource[] } {
  const binds = new Set(step.binds ?? []);
  return { replacing: step.resources.filter((r) => !binds.has(r.id)), binding: step.resources.filter((r) => binds.has(r.id)) };
}

function recordData(handle: DeployHandle, refuse: (code: string, message: string, hint: Hint) => CloudError): RecordData {
  const data = handle.data;
  const id = recordIdOf(data.deployRecordId) ?? recordIdOf(handle.ref);
  const kind = data.kind === 'rollback' ? 'rollback' : data.kind === 'update' ? 'update' : null;
  // Stored as JSON by the engine: what was written by `start`/`rollback` above.
  const binds = Array.isArray(data.binds) ? (data.binds.filter(isJsonObject) as unknown as BindTask[]) : [];
  if (kind === null || ((id === null || id === 0) && binds.length === 0)) throw refuse('deploy.handle-invalid', 'The handle names no deployment record', deployHints.handleInvalid);
  return {
    kind,
    deployRecordId: id === null || id === 0 ? null : id,
    adopted: data.adopted === true,
    ...(Array.isArray(data.resourceIds) ? { resourceIds: stringsOf(data.resourceIds) } : {}),
    ...(binds.length > 0 ? { binds } : {}),
  };
}

interface RecordItem {
  readonly type: string;
  readonly item: JsonObject;
}

interface UpdateRecord {
  readonly requestId: string | null;
  readonly running: number | null;
  readonly pending: number | null;
  readonly items: readonly RecordItem[];
}

/**
 * Every item of a record. Whether Offset/Limit page per RecordDetailList group or across all items
 * is unconfirmed: pages are read while any group's TotalCount exceeds what arrived for it and the
 * last page still brought new items, and items are kept once by their Id. The three fields are
 * strings in this action's model (the Go SDK and certimate send strings; numbers may be refused).
 */
async function readRecord(cloud: TencentCloudId, ctx: CallContext, deployRecordId: number): Promise<UpdateRecord> {
  const byKey = new Map<string, RecordItem>();
  const totals = new Map<string, number>();
  let first: JsonObject | null = null;
  for (let page = 0; page < MAX_RECORD_PAGES; page += 1) {
    const params = { DeployRecordId: String(deployRecordId), Limit: String(RECORD_PAGE), Offset: String(page * RECORD_PAGE) };
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeHostUpdateRecordDetail', params));
    first ??= answer;
    let added = 0;
    for (const group of Array.isArray(answer.RecordDetailList) ? answer.RecordDetailList.filter(isJsonObject) : []) {
      const type = (textOf(group.ResourceType) ?? '').toLowerCase();
      if (typeof group.TotalCount === 'number') totals.set(type, group.TotalCount);
      for (const item of Array.isArray(group.List) ? group.List.filter(isJsonObject) : []) {
        const itemType = (textOf(item.ResourceType) ?? type).toLowerCase();
        const key = textOf(item.Id) ?? `${itemType}:${JSON.stringify(item)}`;
        if (!byKey.has(key)) added += 1;
        byKey.set(key, { type: itemType, item });
      }
    }
    const received = (type: string) => [...byKey.values()].filter((entry) => entry.type === type).length;
    if (added === 0 || ![...totals].some(([type, total]) => total > received(type))) break;
  }
  const count = (value: unknown) => (typeof value === 'number' ? value : null);
  return { requestId: textOf(first?.RequestId), running: count(first?.RunningTotalCount), pending: count(first?.PendingTotalCount), items: [...byKey.values()] };
}

function taskState(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, data: RecordData & { readonly deployRecordId: number }, watched: readonly DeployResource[], record: UpdateRecord): TaskState {
  const states = data.kind === 'rollback' ? ROLLBACK_STATES : ITEM_STATES;
  const itemState = (item: JsonObject): ResourceState => (typeof item.Status === 'number' ? states[item.Status] : undefined) ?? 'running';
  const itemsRunning = record.items.some(({ item }) => ['pending', 'running'].includes(itemState(item)));
  // "finished" is Running == 0 && Pending == 0 (status-6 items may count in neither bucket). A record
  // whose list is still empty has not been filled in yet: Tencent refuses to create an empty one.
  const finished = (record.running ?? 0) === 0 && (record.pending ?? 0) === 0 && !itemsRunning && record.items.length > 0;
  const secrets = credentialSecrets(ctx.credentials);
  const failure = (code: string, message: string, entry: ErrorEntry): CloudErrorInfo =>
    toCloudError(cloud, { code, message, requestId: record.requestId, httpStatus: 200 }, () => entry, secrets).info;

  const resources = watched.map((resource): ResourceOutcome => {
    const items = record.items.filter(({ type, item }) => type === resource.type && itemMatches(resource, item));
    if (items.length === 0) {
      if (!finished) return { resourceId: resource.id, state: 'pending', error: null };
      const state = data.kind === 'rollback' ? 'rollback-failed' : 'failed';
      const error = failure('deploy.not-in-record', `Record ${data.deployRecordId} has no item for ${resource.id}`, { kind: 'invalid', retryable: false, hint: deployHints.notInRecord });
      return { resourceId: resource.id, state, error, source: 'app' };
    }
    // An adopted task may be moving OLD's resources to another certificate than NEW.
    const foreign = data.kind === 'update' ? items.find(({ item }) => textOf(item.CertId) !== null && textOf(item.CertId) !== step.newRemoteId) : undefined;
    if (foreign && finished) {
      const message = `The running task moves ${resource.id} to ${textOf(foreign.item.CertId) ?? ''}, not ${step.newRemoteId}`;
      return { resourceId: resource.id, state: 'failed', error: failure('deploy.other-task', message, { kind: 'conflict', retryable: false, hint: deployHints.otherTask }), source: 'app' };
    }
    const worst = items.map(({ item }) => ({ item, state: itemState(item) })).sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state))[0]!;
    const failed = worst.state === 'failed' || worst.state === 'rollback-failed';
    const message = textOf(worst.item.ErrorMsg) ?? (worst.item.Status === 6 ? 'Tencent found nothing to update on this resource (status 6)' : `Item status ${String(worst.item.Status)}`);
    return { resourceId: resource.id, state: worst.state, error: failed ? failure('deploy.resource-failed', message, DEPLOY_ITEM_FAILED) : null };
  });
  return { finished, resources };
}

async function waitForDelete(cloud: TencentCloudId, ctx: CallContext, taskId: string, waitMs: number, maxPolls: number): Promise<void> {
  for (let poll = 0; poll < maxPolls; poll += 1) {
    if (poll > 0) await abortableSleep(waitMs, ctx.signal);
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeDeleteCertificatesTaskResult', { TaskIds: [taskId] }));
    const results = Array.isArray(answer.DeleteTaskResult) ? answer.DeleteTaskResult.filter(isJsonObject) : [];
    const result = results.find((candidate) => textOf(candidate.TaskId) === taskId);
    if (!result || result.Status === 0) continue;
    if (result.Status === 1) return;
    const status = typeof result.Status === 'number' ? result.Status : -1;
    const code = DELETE_FAILURES[status] ?? 'FailedOperation';
    const message = textOf(result.Error) ?? (isJsonObject(result.Error) ? textOf(result.Error.Message) : null) ?? `Delete task ${taskId} ended with status ${status}`;
    throw toCloudError(cloud, { code, message, requestId: textOf(answer.RequestId), httpStatus: 200 }, classifyTencentError, credentialSecrets(ctx.credentials));
  }
  throw stillWaiting(cloud, 'deploy.delete-pending', `Delete task ${taskId} still running after ${maxPolls} polls`, deployHints.deletePending);
}

/** Cert Vault stopped waiting for a task the cloud accepted: its outcome is read back, not repeated. */
function stillWaiting(cloud: TencentCloudId, code: string, message: string, hint: Hint): CloudError {
  return new CloudError({ cloud, code, message, kind: 'server', retryable: false, requestId: null, httpStatus: null, mayHaveReachedServer: true, hint });
}
