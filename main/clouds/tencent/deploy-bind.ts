import type { BindCandidate, DeployResource, DeployStep, ResourceOutcome, ResourceState, TaskState } from '../deploy';
import { CloudError, type CallContext, type CloudErrorInfo } from '../provider';
import { refusedBeforeSending, toCloudError, type ErrorEntry, type Hint } from '../cloud-error';
import { withRetry } from '../retry';
import { isLastPage, readCall } from '../remote-copy';
import { isJsonObject, textOf, type JsonObject } from '../json';
import { credentialSecrets } from '../scrub';
import { beijingTimeToIso, callTencent, type TencentCloudId } from './client';
import { discoverTencentResources, instanceResources } from './inventory';
import { DEPLOY_ITEM_FAILED, deployHints } from './errors';
import { ITEM_STATES, itemMatches, recordIdOf, ROLLBACK_STATES, SEVERITY } from './deploy-records';

// Binding NEW to resources that do not serve OLD (DEPLOY.md §1.3.4, §1.6): the console's
// per-product instance lists find them (DescribeHost{Clb,Cdn,Live}InstanceList with NEW and
// domainMatch), DeployCertificateInstance binds an explicit instance list (one task per resource
// type and region), DescribeHostDeployRecordDetail watches it, DeployCertificateRecordRollback puts
// back what each resource served before. A task is one `BindTask` of the step's handle.

/** One DeployCertificateInstance task of a step, as the handle stores it. */
export interface BindTask {
  readonly type: string;
  /** '' for types that are not regional. */
  readonly region: string;
  readonly resourceIds: readonly string[];
  /** The record to watch; null when the call was refused or its answer lost. */
  readonly deployRecordId: number | null;
  /** DeployStatus 0: a task for NEW and this type was already running, and this is its id. */
  readonly adopted?: boolean;
  /** The cloud refused the call outright: nothing was started for these resources. */
  readonly refused?: CloudErrorInfo;
  /** The answer was lost (ISO time the call left): the record is looked up, never asked for again. */
  readonly lostSince?: string;
}

/** The per-product lists that have a DeployCertificateInstance tuple this client builds. */
const LISTS = [
  { type: 'clb', action: 'DescribeHostClbInstanceList', group: 'CLB' },
  { type: 'cdn', action: 'DescribeHostCdnInstanceList', group: 'CDN' },
  { type: 'live', action: 'DescribeHostLiveInstanceList', group: 'LIVE' },
] as const;
/** CDN's list takes at most 200 per page; the others document no maximum. */
const LIST_PAGE = 100;
const MAX_LIST_PAGES = 200;
/** DescribeHostDeployRecordDetail: Limit max 200. */
const DETAIL_PAGE = 200;
const MAX_DETAIL_PAGES = 50;
/** §1.6: X-TC-Region is required for these types. */
const REGIONAL = new Set(['clb', 'waf', 'apigateway', 'cos', 'lighthouse', 'tke', 'tse', 'tcb', 'mqtt']);
/** How far before a lost call a record may say it was created: Tencent's clock and ours differ, and CreateTime has whole seconds. */
const CLOCK_SLACK_MS = 60_000;
const RECORD_LIST_PAGE = 100;
const MAX_RECORD_LIST_PAGES = 20;

/**
 * Every CLB listener rule, CDN domain and Live domain NEW's names match, with the certificate each
 * serves now. IsCache 0: what is there now, not the half-hour cache. The async-cache refresh
 * protocol (AsyncCache, AsyncOffset, AsyncTotalNum) is unconfirmed and not used: a synchronous list
 * that Tencent refuses as too large (CertificateHostResourceInstanceHugeLimit) fails the plan.
 */
export async function tencentCandidates(cloud: TencentCloudId, ctx: CallContext, newRemoteId: string, pollMs?: number): Promise<BindCandidate[]> {
  const found: BindCandidate[] = [];
  for (const list of LISTS) {
    for (let offset = 0, page = 0; page < MAX_LIST_PAGES; page += 1) {
      const params = { CertificateId: newRemoteId, IsCache: 0, Filters: [{ FilterKey: 'domainMatch', FilterValue: '1' }], Offset: offset, Limit: LIST_PAGE };
      const answer = await readCall(ctx, () => callTencent(cloud, ctx, list.action, params));
      const items = Array.isArray(answer.InstanceList) ? answer.InstanceList.filter(isJsonObject) : [];
      for (const item of items) found.push(...candidatesOf(list.group, item));
      offset += items.length;
      if (isLastPage(items.length, offset, answer.TotalCount, LIST_PAGE)) break;
    }
  }
  return withRegions(cloud, ctx, found, pollMs);
}

function candidatesOf(group: (typeof LISTS)[number]['group'], item: JsonObject): BindCandidate[] {
  // ClbInstanceDetail documents no region: one read where the answer has it, else found below.
  return instanceResources(group, textOf(item.Region), item).map((resource) => ({ ...resource, currentRemoteId: currentOf(group, item, resource), unbindable: null }));
}

/** The certificate a listed resource serves: a CLB rule's own under SNI, else its listener's. */
function currentOf(group: (typeof LISTS)[number]['group'], item: JsonObject, resource: DeployResource): string | null {
  const certOf = (value: unknown) => (isJsonObject(value) ? textOf(value.CertId) : null) || null;
  if (group !== 'CLB') return textOf(item.CertId) || null;
  const [, listenerId, domain] = resource.id.split('|');
  const listener = (Array.isArray(item.Listeners) ? item.Listeners.filter(isJsonObject) : []).find((candidate) => textOf(candidate.ListenerId) === listenerId);
  if (!listener) return null;
  const rule = domain === undefined ? undefined : (Array.isArray(listener.Rules) ? listener.Rules.filter(isJsonObject) : []).find((candidate) => textOf(candidate.Domain) === domain);
  return certOf(rule?.Certificate) ?? certOf(listener.Certificate);
}

/**
 * A CLB's region, which DeployCertificateInstance needs and the CLB list does not give: the
 * certificate it serves now is discovered (the bind-resource task reports regions). A listener
 * serving nothing has no such source and cannot be bound from here.
 */
async function withRegions(cloud: TencentCloudId, ctx: CallContext, found: readonly BindCandidate[], pollMs?: number): Promise<BindCandidate[]> {
  const regions = new Map<string, string>();
  const lookups = [...new Set(found.filter((c) => REGIONAL.has(c.type) && !c.region && c.currentRemoteId).map((c) => c.currentRemoteId!))];
  for (const remoteId of lookups) {
    for (const resource of await discoverTencentResources(cloud, ctx, remoteId, pollMs)) if (resource.region) regions.set(`${resource.type}|${resource.id}`, resource.region);
  }
  return found.map((candidate) => {
    if (!REGIONAL.has(candidate.type) || candidate.region) return candidate;
    const region = regions.get(`${candidate.type}|${candidate.id}`) ?? null;
    return region ? { ...candidate, region } : { ...candidate, unbindable: deployHints.bindRegionUnknown };
  });
}

/** The DeployCertificateInstance tuple of a resource (§1.6); the ids of inventory.ts are the tuples, except CDN's billing switch. */
export function bindTuple(resource: DeployResource): string {
  if (resource.type !== 'cdn') return resource.id;
  const billing = resource.detail.httpsBillingSwitch === 'off' ? 'off' : 'on';
  return `${resource.id}|${billing}`;
}

/** The step's bind resources by resource type and region: one DeployCertificateInstance each. */
function groups(resources: readonly DeployResource[]): { type: string; region: string; resources: DeployResource[] }[] {
  const byKey = new Map<string, { type: string; region: string; resources: DeployResource[] }>();
  for (const resource of resources) {
    const region = REGIONAL.has(resource.type) ? (resource.region ?? '') : '';
    const key = `${resource.type}|${region}`;
    const group = byKey.get(key) ?? { type: resource.type, region, resources: [] };
    group.resources.push(resource);
    byKey.set(key, group);
  }
  return [...byKey.values()];
}

/** Refused outright: nothing was started (the engine's rule, engine.ts `refusedOutright`). */
function certainlyRefused(info: CloudErrorInfo): boolean {
  return !info.mayHaveReachedServer || info.kind === 'auth' || info.kind === 'invalid' || info.kind === 'conflict' || info.kind === 'throttled';
}

/**
 * Not idempotent: retried only where the call cannot have acted (throttled, an error answer the
 * cloud marks temporary, a connection refused).
 */
function send(cloud: TencentCloudId, ctx: CallContext, action: string, params: object, region?: string): Promise<JsonObject> {
  return withRetry(() => callTencent(cloud, ctx, action, params, region), ctx.signal ? { signal: ctx.signal } : {});
}

/**
 * One DeployCertificateInstance per resource type and region, each recorded in the returned tasks
 * whatever its fate: a refusal stays with its resources, a lost answer is looked up later. Tencent
 * allows one running task per certificate per resource type; DeployStatus 0 answers that task,
 * which is adopted and watched (resources it does not list then end failed, never re-sent).
 */
export async function startBinds(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, resources: readonly DeployResource[]): Promise<BindTask[]> {
  const tasks: BindTask[] = [];
  const local = (code: string, kind: 'invalid' | 'conflict', message: string, hint: Hint) => refusedBeforeSending(cloud, { code, kind, message, hint }).info;
  for (const group of groups(resources)) {
    const base = { type: group.type, region: group.region, resourceIds: group.resources.map((r) => r.id) };
    if (REGIONAL.has(group.type) && group.region === '') {
      tasks.push({ ...base, deployRecordId: null, refused: local('deploy.region-unknown', 'invalid', `A ${group.type} resource has no region`, deployHints.bindRegionUnknown) });
      continue;
    }
    // "一个证书ID，相同的资源类型，只能创建一个部署任务": a second region of a type would only be
    // answered with the first region's task. Not sent: a later deployment binds it.
    if (tasks.some((task) => task.type === group.type && !task.refused)) {
      tasks.push({ ...base, deployRecordId: null, refused: local('deploy.type-busy', 'conflict', `A ${group.type} task for another region runs first`, deployHints.bindOneRegionAtATime) });
      continue;
    }
    const params = {
      CertificateId: step.newRemoteId,
      InstanceIdList: group.resources.map(bindTuple),
      ResourceType: group.type,
      IsCache: 0,
      // Live only: 1 = enable HTTPS with the certificate (what a bind is for; certimate sends 1 too).
      ...(group.type === 'live' ? { Status: 1 } : {}),
    };
    const sentAt = ctx.now().toISOString();
    try {
      const answer = await send(cloud, ctx, 'DeployCertificateInstance', params, group.region || undefined);
      const id = recordIdOf(answer.DeployRecordId);
      // A success without a record id: it may have created one, so it is looked up like a lost answer.
      if (id === null || id === 0) tasks.push({ ...base, deployRecordId: null, lostSince: sentAt });
      else tasks.push({ ...base, deployRecordId: id, adopted: answer.DeployStatus === 0 });
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      tasks.push(certainlyRefused(error.info) ? { ...base, deployRecordId: null, refused: error.info } : { ...base, deployRecordId: null, lostSince: sentAt });
    }
  }
  return tasks;
}

/** Rolls back each bind task's succeeded resources: DeployCertificateRecordRollback makes a new record per task. */
export async function rollbackBinds(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, tasks: readonly BindTask[], deployed: ReadonlySet<string>): Promise<BindTask[]> {
  const out: BindTask[] = [];
  for (const task of tasks) {
    const resourceIds = task.resourceIds.filter((id) => deployed.has(id));
    if (resourceIds.length === 0) continue;
    const base = { type: task.type, region: task.region, resourceIds };
    const recordId = task.deployRecordId ?? (task.lostSince ? (await findRecord(cloud, ctx, step, task, task.lostSince))?.id ?? null : null);
    if (recordId === null) continue;
    const sentAt = ctx.now().toISOString();
    try {
      // "部署失败的记录不会回滚": Tencent puts back exactly the succeeded items.
      const answer = await send(cloud, ctx, 'DeployCertificateRecordRollback', { DeployRecordId: recordId });
      const id = recordIdOf(answer.DeployRecordId);
      out.push(id === null || id === 0 ? { ...base, deployRecordId: null, lostSince: sentAt } : { ...base, deployRecordId: id });
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      out.push(certainlyRefused(error.info) ? { ...base, deployRecordId: null, refused: error.info } : { ...base, deployRecordId: null, lostSince: sentAt });
    }
  }
  return out;
}

interface DeployRecord {
  readonly requestId: string | null;
  readonly running: number | null;
  readonly pending: number | null;
  readonly items: readonly JsonObject[];
}

/** Every item of a deploy record; here DeployRecordId is a string and Offset/Limit are ints (§1.6). */
async function readDeployRecord(cloud: TencentCloudId, ctx: CallContext, deployRecordId: number): Promise<DeployRecord> {
  const items = new Map<string, JsonObject>();
  let first: JsonObject | null = null;
  for (let page = 0; page < MAX_DETAIL_PAGES; page += 1) {
    const params = { DeployRecordId: String(deployRecordId), Offset: page * DETAIL_PAGE, Limit: DETAIL_PAGE };
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeHostDeployRecordDetail', params));
    first ??= answer;
    const list = Array.isArray(answer.DeployRecordDetailList) ? answer.DeployRecordDetailList.filter(isJsonObject) : [];
    for (const item of list) items.set(textOf(item.Id) ?? JSON.stringify(item), item);
    if (isLastPage(list.length, (page + 1) * DETAIL_PAGE, answer.TotalCount, DETAIL_PAGE)) break;
  }
  const count = (value: unknown) => (typeof value === 'number' ? value : null);
  return { requestId: textOf(first?.RequestId), running: count(first?.RunningTotalCount), pending: count(first?.PendingTotalCount), items: [...items.values()] };
}

/**
 * The record a lost DeployCertificateInstance (or rollback) created, read from NEW's deployment
 * records: same type and region, created since the call left (less the clock slack), and naming
 * one of the task's resources. Null: it created none.
 */
async function findRecord(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, task: BindTask, since: string): Promise<{ id: number; record: DeployRecord } | null> {
  const after = Date.parse(since) - CLOCK_SLACK_MS;
  // The list's order is undocumented: every page is read and filtered by creation time.
  const listed: JsonObject[] = [];
  for (let offset = 0, page = 0; page < MAX_RECORD_LIST_PAGES; page += 1) {
    const params = { CertificateId: step.newRemoteId, ResourceType: task.type, Offset: offset, Limit: RECORD_LIST_PAGE };
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeHostDeployRecord', params));
    const records = Array.isArray(answer.DeployRecordList) ? answer.DeployRecordList.filter(isJsonObject) : [];
    for (const record of records) {
      const created = beijingTimeToIso(record.CreateTime);
      if ((textOf(record.Region) ?? '') === task.region && created !== null && Date.parse(created) >= after) listed.push(record);
    }
    offset += records.length;
    if (isLastPage(records.length, offset, answer.TotalCount, RECORD_LIST_PAGE)) break;
  }
  const resources = step.resources.filter((resource) => task.resourceIds.includes(resource.id));
  for (const entry of listed) {
    const id = recordIdOf(entry.Id);
    if (id === null || id === 0) continue;
    const record = await readDeployRecord(cloud, ctx, id);
    if (record.items.some((item) => resources.some((resource) => itemMatches(resource, item)))) return { id, record };
  }
  return null;
}

/** One look at a bind task: its resources' outcomes, and whether the task is over. */
export async function bindTaskState(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, rollback: boolean, task: BindTask): Promise<TaskState> {
  const resources = step.resources.filter((resource) => task.resourceIds.includes(resource.id));
  const secrets = credentialSecrets(ctx.credentials);
  const failed: ResourceState = rollback ? 'rollback-failed' : 'failed';
  const failure = (code: string, message: string, requestId: string | null, entry: ErrorEntry): CloudErrorInfo =>
    toCloudError(cloud, { code, message, requestId, httpStatus: 200 }, () => entry, secrets).info;
  const all = (state: ResourceState, error: CloudErrorInfo | null): TaskState => ({ finished: true, resources: resources.map((r) => ({ resourceId: r.id, state, error })) });
  if (task.refused) return all(failed, task.refused);

  let id = task.deployRecordId;
  let record: DeployRecord;
  if (id === null) {
    const found = task.lostSince ? await findRecord(cloud, ctx, step, task, task.lostSince) : null;
    if (!found) return all(failed, failure('deploy.not-started', `Tencent's deployment records show no task for ${task.resourceIds.join(', ')}`, null, { kind: 'server', retryable: false, hint: deployHints.bindNotStarted }));
    id = found.id;
    record = found.record;
  } else {
    record = await readDeployRecord(cloud, ctx, id);
  }
  // This action's item Status is undocumented ("部署状态", DEPLOY.md §6): the update detail's enum
  // is assumed, and a value outside it reads as still running rather than as an outcome.
  const states = rollback ? ROLLBACK_STATES : ITEM_STATES;
  const itemState = (item: JsonObject): ResourceState => (typeof item.Status === 'number' ? states[item.Status] : undefined) ?? 'running';
  const itemsRunning = record.items.some((item) => ['pending', 'running'].includes(itemState(item)));
  // Instances are validated when the task is created (§1.6), so its list is complete from the start.
  const finished = (record.running ?? 0) === 0 && (record.pending ?? 0) === 0 && !itemsRunning;
  const outcomes = resources.map((resource): ResourceOutcome => {
    const items = record.items.filter((item) => itemMatches(resource, item));
    if (items.length === 0) {
      if (!finished) return { resourceId: resource.id, state: 'pending', error: null };
      const hint = task.adopted ? deployHints.otherBindTask : deployHints.notInRecord;
      return { resourceId: resource.id, state: failed, error: failure('deploy.not-in-record', `Record ${id} has no item for ${resource.id}`, record.requestId, { kind: 'conflict', retryable: false, hint }) };
    }
    const worst = items.map((item) => ({ item, state: itemState(item) })).sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state))[0]!;
    const bad = worst.state === 'failed' || worst.state === 'rollback-failed';
    const message = textOf(worst.item.ErrorMsg) || `Item status ${String(worst.item.Status)}`;
    return { resourceId: resource.id, state: worst.state, error: bad ? failure('deploy.resource-failed', message, record.requestId, DEPLOY_ITEM_FAILED) : null };
  });
  return { finished, resources: outcomes };
}

/** The bind tasks a lost start may have created, each to be looked up in NEW's records by `bindTaskState`. */
export function lostBinds(step: DeployStep, resources: readonly DeployResource[], since: Date): BindTask[] {
  return groups(resources).map((group) => ({ type: group.type, region: group.region, resourceIds: group.resources.map((r) => r.id), deployRecordId: null, lostSince: since.toISOString() }));
}

/** Whether any of those lost tasks shows in NEW's records. */
export async function anyRecorded(cloud: TencentCloudId, ctx: CallContext, step: DeployStep, tasks: readonly BindTask[]): Promise<boolean> {
  for (const task of tasks) if (task.lostSince && (await findRecord(cloud, ctx, step, task, task.lostSince))) return true;
  return false;
}
