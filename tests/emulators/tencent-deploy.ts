// Tencent SSL's deploy actions (DEPLOY.md §1.4-1.8) over the seeded resources: UpdateCertificateInstance
// (DeployRecordId 0 for `preparingCalls` calls, then a record; a repeat while a record for OLD runs
// answers that record with DeployStatus 0), DescribeHostUpdateRecordDetail (string DeployRecordId,
// Limit, Offset; items running for `pollsBeforeDone` polls, then success or failed per item with
// ErrorMsg), UpdateCertificateRecordRollback (a new record whose items end 4 or 5),
// ModifyCertificatesExpiringNotificationSwitch, DeleteCertificate (IsCheckResource: a task that ends
// 4 while anything is bound) and DescribeDeleteCertificatesTaskResult.

import { covers, isFailing, rebindResource } from './deploy';
import type { BoundResource, EmulatorState, Reply } from './server';
import { beijingTime, invalidType, tencentError, tencentOk, unknownParameter } from './tencent-reply';

type Params = Record<string, unknown>;

/** One instance of a record: what UpdateRecordDetail describes, and the resource it moves. */
interface RecordItem {
  readonly id: number;
  /** Index into state.resources. */
  readonly resource: number;
  readonly type: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly domains: readonly string[];
  /** Why it will fail, decided when the record is made; null: it will succeed. */
  readonly failure: string | null;
  status: number;
}

interface UpdateRecord {
  readonly id: number;
  readonly account: string;
  readonly kind: 'update' | 'rollback';
  readonly oldCertId: string;
  readonly newCertId: string;
  readonly items: RecordItem[];
  readonly createdAt: Date;
  polls: number;
  done: boolean;
}

interface DeleteTask {
  readonly id: string;
  readonly account: string;
  readonly certId: string;
  polls: number;
  status: number;
  error: string | null;
}

interface TencentDeployStore {
  readonly records: Map<number, UpdateRecord>;
  /** Calls so far per identical UpdateCertificateInstance request still preparing. */
  readonly preparing: Map<string, number>;
  readonly deletes: Map<string, DeleteTask>;
  nextId: number;
}

const storeOf = (state: EmulatorState) =>
  state.deploy.storeOf<TencentDeployStore>('tencent', () => ({ records: new Map(), preparing: new Map(), deletes: new Map(), nextId: 748_300 }));

const RESOURCE_TYPES = new Set(['clb', 'cdn', 'waf', 'live', 'ddos', 'teo', 'apigateway', 'vod', 'tke', 'tcb', 'tse', 'cos', 'mqtt', 'scf', 'tdmq', 'gaap']);
const REGIONAL_TYPES = new Set(['clb', 'tke', 'apigateway', 'waf', 'tcb', 'tse', 'cos', 'mqtt', 'scf', 'tdmq']);
const UPDATE_PARAMS = new Set([
  'OldCertificateId', 'ResourceTypes', 'CertificateId', 'ResourceTypesRegions', 'Regions', 'CertificatePublicKey',
  'CertificatePrivateKey', 'ExpiringNotificationSwitch', 'Repeatable', 'AllowDownload', 'Tags', 'ProjectId',
]);
const RECORD_LIMIT_MAX = 200;

const missing = (name: string) => tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
const notFound = (id: string) => tencentError('FailedOperation.CertificateNotFound', `The certificate ${id} does not exist.`);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function certificateOf(state: EmulatorState, account: string, id: string) {
  return state.store.find(account, (entry) => entry.id === id);
}

function running(state: EmulatorState, account: string, oldCertId: string): UpdateRecord | undefined {
  return [...storeOf(state).records.values()].find((record) => record.account === account && record.oldCertId === oldCertId && !record.done);
}

export function updateCertificateInstance(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, UPDATE_PARAMS);
  if (unknown !== null) return unknown;
  if (typeof params.OldCertificateId !== 'string' || params.OldCertificateId === '') return missing('OldCertificateId');
  if (params.ResourceTypes === undefined) return missing('ResourceTypes');
  if (!isStringList(params.ResourceTypes) || params.ResourceTypes.length === 0) return invalidType('ResourceTypes');
  const badType = params.ResourceTypes.find((type) => !RESOURCE_TYPES.has(type));
  if (badType !== undefined) return tencentError('FailedOperation.CertificateHostResourceTypeInvalid', `The resource type ${badType} is invalid.`);
  if (params.CertificateId === undefined) {
    // Upload-and-update mode (PEMs instead of CertificateId) is not emulated.
    return tencentError('InvalidParameter.WithDetailReason', 'This emulator updates to an existing CertificateId only.');
  }
  if (typeof params.CertificateId !== 'string') return invalidType('CertificateId');
  const switchValue = params.ExpiringNotificationSwitch;
  if (switchValue !== undefined && switchValue !== 0 && switchValue !== 1) return invalidType('ExpiringNotificationSwitch');
  const regions = regionsOf(params.ResourceTypesRegions);
  if (!(regions instanceof Map)) return regions;
  // Leaving a regional type out of ResourceTypesRegions has unconfirmed effects; refused here.
  const unregioned = params.ResourceTypes.find((type) => REGIONAL_TYPES.has(type) && !regions.has(type));
  if (unregioned !== undefined) return tencentError('InvalidParameter.RegionNotEmpty', `ResourceTypesRegions must list the regions of ${unregioned}.`);
  const oldId = params.OldCertificateId;
  const newCertificate = certificateOf(state, account, params.CertificateId);
  if (certificateOf(state, account, oldId) === undefined) return notFound(oldId);
  if (newCertificate === undefined) return notFound(params.CertificateId);

  // An update for OLD already running: its id, DeployStatus 0. A rollback running: refused until it ends.
  const current = running(state, account, oldId);
  if (current?.kind === 'rollback') return tencentError('FailedOperation.CertificateDeployHasPendingRecord', 'A task for this certificate is still running.');
  if (current !== undefined) return tencentOk({ DeployRecordId: current.id, DeployStatus: 0, UpdateSyncProgress: null });

  const types = params.ResourceTypes;
  const matching = state.resources
    .map((resource, index) => ({ resource, index }))
    .filter(({ resource }) => resource.account === account && resource.certificateId === oldId && types.includes(resource.type))
    .filter(({ resource }) => !REGIONAL_TYPES.has(resource.type) || (regions.get(resource.type) ?? []).includes(resource.region));
  if (matching.length === 0) return tencentError('FailedOperation.CertificateDeployInstanceEmpty', '已选择的云资源无实例，无法更新。');

  const store = storeOf(state);
  const key = JSON.stringify([account, oldId, params.CertificateId, [...types].sort(), [...regions].sort()]);
  const calls = (store.preparing.get(key) ?? 0) + 1;
  if (calls <= state.deploy.preparingCalls) {
    store.preparing.set(key, calls);
    const first = matching[0]!.resource;
    return tencentOk({
      DeployRecordId: 0,
      DeployStatus: 0,
      UpdateSyncProgress: [{ ResourceType: first.type, Status: 3, UpdateSyncProgressRegions: [{ Region: first.region, TotalCount: matching.length, OffsetCount: calls - 1, Status: 3 }] }],
    });
  }
  store.preparing.delete(key);
  if (switchValue === 1) setIgnored(state, account, oldId, true);
  const items = matching.flatMap(({ resource, index }) => itemsOf(state, resource, index, store, (domains) => {
    const outside = domains.find((domain) => !covers(newCertificate.certificate, domain));
    if (outside !== undefined) return `证书与域名不匹配：${outside} is not covered by certificate ${newCertificate.id}.`;
    return isFailing(state, [...domains, ...resourceNames(resource)]) ? `Instance ${resourceNames(resource)[0] ?? ''} rejected the certificate (emulated failure).` : null;
  }));
  const record = addRecord(state, { account, kind: 'update', oldCertId: oldId, newCertId: newCertificate.id, items });
  return tencentOk({ DeployRecordId: record.id, DeployStatus: 1, UpdateSyncProgress: null });
}

function regionsOf(value: unknown): Map<string, string[]> | Reply {
  const regions = new Map<string, string[]>();
  if (value === undefined) return regions;
  if (!Array.isArray(value)) return invalidType('ResourceTypesRegions');
  for (const entry of value as unknown[]) {
    const item = entry as Params;
    if (typeof entry !== 'object' || entry === null || typeof item.ResourceType !== 'string' || !isStringList(item.Regions)) return invalidType('ResourceTypesRegions');
    regions.set(item.ResourceType, item.Regions);
  }
  return regions;
}

/** A test's stand-in for someone else's update of OLD, already running when Cert Vault asks. */
export function seedRunningTencentUpdate(state: EmulatorState, account: string, oldCertId: string, newCertId: string): number {
  const store = storeOf(state);
  const items = state.resources.flatMap((resource, index) =>
    resource.account === account && resource.certificateId === oldCertId ? itemsOf(state, resource, index, store, () => null) : [],
  );
  return addRecord(state, { account, kind: 'update', oldCertId, newCertId, items }).id;
}

function addRecord(state: EmulatorState, record: Omit<UpdateRecord, 'id' | 'polls' | 'done' | 'createdAt'>): UpdateRecord {
  const store = storeOf(state);
  store.nextId += 1;
  const made: UpdateRecord = { ...record, id: store.nextId, polls: 0, done: false, createdAt: state.now() };
  store.records.set(made.id, made);
  return made;
}

function resourceNames(resource: BoundResource): string[] {
  const text = (name: string) => (typeof resource.instance[name] === 'string' ? (resource.instance[name] as string) : null);
  return ['LoadBalancerId', 'InstanceId', 'ServiceId', 'ClusterId', 'Domain', 'Host'].map(text).filter((name): name is string => name !== null);
}

/**
 * The record items of one resource, as UpdateRecordDetail names them: a CLB gives one per SNI
 * rule (or one per listener without SNI), the others one. The emulated resource holds a single
 * certificate, so when one of its items fails none of them moves.
 */
function itemsOf(state: EmulatorState, resource: BoundResource, index: number, store: TencentDeployStore, failure: (domains: readonly string[]) => string | null): RecordItem[] {
  const instance = resource.instance;
  const text = (name: string) => (typeof instance[name] === 'string' ? (instance[name] as string) : undefined);
  const shapes: { fields: Params; domains: string[] }[] = [];
  if (resource.type === 'clb') {
    for (const listener of (instance.Listeners as Params[] | undefined) ?? []) {
      const rules = ((listener.Rules as Params[] | undefined) ?? []).map((rule) => String(rule.Domain));
      const base = { InstanceId: text('LoadBalancerId'), InstanceName: text('LoadBalancerName'), ListenerId: listener.ListenerId, ListenerName: listener.ListenerName ?? '', Protocol: listener.Protocol ?? 'HTTPS', SniSwitch: listener.SniSwitch ?? 0 };
      if (listener.SniSwitch === 1 && rules.length > 0) rules.forEach((domain) => shapes.push({ fields: base, domains: [domain] }));
      else shapes.push({ fields: base, domains: rules });
    }
  } else {
    const domain = text('Domain') ?? text('Host');
    const fields: Params =
      resource.type === 'ddos' ? { InstanceId: text('InstanceId'), Port: String(instance.VirtualPort ?? ''), Protocol: text('Protocol') }
      : resource.type === 'apigateway' ? { InstanceId: text('ServiceId'), InstanceName: text('ServiceName'), Protocol: text('Protocol') }
      : resource.type === 'cos' ? { Bucket: text('Bucket') }
      : {};
    shapes.push({ fields, domains: domain === undefined ? [] : [domain] });
  }
  const reasons = shapes.map((shape) => failure(shape.domains));
  const sibling = reasons.find((reason) => reason !== null) ?? null;
  return shapes.map((shape, position) => {
    store.nextId += 1;
    const own = reasons[position] ?? null;
    return {
      id: store.nextId,
      resource: index,
      type: resource.type,
      fields: { ...shape.fields, Region: resource.region },
      domains: shape.domains,
      failure: own ?? (sibling === null ? null : `Another item of instance ${resourceNames(state.resources[index]!)[0] ?? ''} failed: ${sibling}`),
      status: 0,
    };
  });
}

/** One poll of a record: running for `pollsBeforeDone` polls, then every item ends and the resources move. */
function advance(state: EmulatorState, record: UpdateRecord): void {
  if (record.done) return;
  record.polls += 1;
  if (record.polls <= state.deploy.pollsBeforeDone) {
    for (const item of record.items) item.status = 3;
    return;
  }
  for (const item of record.items) {
    const resource = state.resources[item.resource]!;
    if (record.kind === 'update') {
      item.status = item.failure === null ? 1 : 2;
      if (item.failure === null && resource.certificateId === record.oldCertId) rebindResource(state, item.resource, record.newCertId);
    } else {
      // Back to OLD only where the resource still serves what the update put there.
      const back = resource.certificateId === record.newCertId && !isFailing(state, [...item.domains, ...resourceNames(resource)]);
      item.status = back ? 4 : 5;
      if (back) rebindResource(state, item.resource, record.oldCertId);
    }
  }
  record.done = true;
}

function recordIdParam(params: Params, kind: 'string' | 'number'): number | Reply {
  const value = params.DeployRecordId;
  if (value === undefined) return missing('DeployRecordId');
  // Detail: DeployRecordId is a string in the model (a number may be refused, unconfirmed); rollback: an int.
  if (kind === 'string' ? !(typeof value === 'string' && /^\d+$/.test(value)) : !(typeof value === 'number' && Number.isInteger(value))) return invalidType('DeployRecordId');
  return Number(value);
}

export function describeHostUpdateRecordDetail(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['DeployRecordId', 'Limit', 'Offset']));
  if (unknown !== null) return unknown;
  const id = recordIdParam(params, 'string');
  if (typeof id !== 'number') return id;
  for (const name of ['Limit', 'Offset']) {
    if (params[name] !== undefined && !(typeof params[name] === 'string' && /^\d+$/.test(params[name]))) return invalidType(name);
  }
  const limit = Number(params.Limit ?? '10');
  const offset = Number(params.Offset ?? '0');
  if (limit > RECORD_LIMIT_MAX) return tencentError('InvalidParameterValue', `Limit must be at most ${RECORD_LIMIT_MAX}.`);
  const record = storeOf(state).records.get(id);
  if (record === undefined || record.account !== account) return tencentError('FailedOperation.CertificateDeployNotExist', 'The deployment record does not exist.');
  // Only a first page counts as a poll, so reading the later pages does not move the task on.
  if (offset === 0) advance(state, record);
  const count = (status: number) => record.items.filter((item) => item.status === status).length;
  const types = [...new Set(record.items.map((item) => item.type))];
  const finishedFailed = record.kind === 'update' ? 2 : 5;
  return tencentOk({
    TotalCount: record.items.length,
    SuccessTotalCount: count(record.kind === 'update' ? 1 : 4),
    FailedTotalCount: count(finishedFailed),
    RunningTotalCount: count(3),
    PendingTotalCount: count(0),
    // Offset and Limit page each group's List (whether the real API pages per group is unconfirmed).
    RecordDetailList: types.map((type) => {
      const ofType = record.items.filter((item) => item.type === type);
      return { ResourceType: type, TotalCount: ofType.length, List: ofType.slice(offset, offset + limit).map((item) => detailOf(state, record, item)) };
    }),
  });
}

function detailOf(state: EmulatorState, record: UpdateRecord, item: RecordItem): Params {
  const failed = item.status === 2 || item.status === 5;
  return {
    Id: item.id,
    CertId: record.kind === 'update' ? record.newCertId : record.oldCertId,
    OldCertId: record.kind === 'update' ? record.oldCertId : record.newCertId,
    Domains: item.domains,
    ResourceType: item.type,
    Status: item.status,
    ErrorMsg: failed ? (item.failure ?? 'The resource no longer serves the updated certificate.') : '',
    CreateTime: beijingTime(record.createdAt),
    UpdateTime: beijingTime(state.now()),
    ...item.fields,
  };
}

export function updateCertificateRecordRollback(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['DeployRecordId']));
  if (unknown !== null) return unknown;
  const id = recordIdParam(params, 'number');
  if (typeof id !== 'number') return id;
  const record = storeOf(state).records.get(id);
  if (record === undefined || record.account !== account || record.kind !== 'update') return tencentError('FailedOperation.CertificateDeployNotExist', 'The deployment record does not exist.');
  if (!record.done) return tencentError('FailedOperation.CertificateDeployDetailRollbackStatusInvalid', 'The record must be finished before it is rolled back.');
  if (running(state, account, record.oldCertId) !== undefined) return tencentError('FailedOperation.CertificateDeployHasPendingRecord', 'A task for this certificate is still running.');
  const succeeded = record.items.filter((item) => item.status === 1);
  if (succeeded.length === 0) return tencentError('FailedOperation.CertificateDeployRollbackStatusInvalid', 'The record needs at least one successful item to roll back.');
  const items = succeeded.map((item) => ({ ...item, status: 0 }));
  const rollback = addRecord(state, { account, kind: 'rollback', oldCertId: record.oldCertId, newCertId: record.newCertId, items });
  return tencentOk({ DeployRecordId: rollback.id });
}

function setIgnored(state: EmulatorState, account: string, id: string, ignored: boolean): void {
  const entry = certificateOf(state, account, id)!;
  state.store.replace(account, id, { name: entry.name, certificatePem: entry.certificatePem, privateKeyPem: entry.privateKeyPem, certificate: entry.certificate, params: { ...entry.params, IsIgnore: ignored } }, state.now());
}

export function modifyExpiringNotificationSwitch(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['CertificateIds', 'SwitchStatus']));
  if (unknown !== null) return unknown;
  if (params.CertificateIds === undefined) return missing('CertificateIds');
  if (!isStringList(params.CertificateIds)) return invalidType('CertificateIds');
  if (params.CertificateIds.length > 50) return tencentError('InvalidParameter.CertificatesNumberExceeded', 'At most 50 certificates per call.');
  if (params.SwitchStatus === undefined) return missing('SwitchStatus');
  if (params.SwitchStatus !== 0 && params.SwitchStatus !== 1) return invalidType('SwitchStatus');
  const absent = params.CertificateIds.find((id) => certificateOf(state, account, id) === undefined);
  if (absent !== undefined) return notFound(absent);
  for (const id of params.CertificateIds) setIgnored(state, account, id, params.SwitchStatus === 1);
  return tencentOk({ CertificateIds: params.CertificateIds });
}

function boundDomains(state: EmulatorState, account: string, certId: string): string[] | null {
  const bound = state.resources.filter((resource) => resource.account === account && resource.certificateId === certId);
  return bound.length === 0 ? null : bound.map((resource) => resourceNames(resource).at(-1) ?? resource.type);
}

export function deleteCertificate(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['CertificateId', 'IsCheckResource']));
  if (unknown !== null) return unknown;
  if (typeof params.CertificateId !== 'string' || params.CertificateId === '') return missing('CertificateId');
  if (params.IsCheckResource !== undefined && typeof params.IsCheckResource !== 'boolean') return invalidType('IsCheckResource');
  const id = params.CertificateId;
  if (certificateOf(state, account, id) === undefined) return notFound(id);
  if (params.IsCheckResource === true) {
    const store = storeOf(state);
    store.nextId += 1;
    const task: DeleteTask = { id: String(store.nextId), account, certId: id, polls: 0, status: 0, error: null };
    store.deletes.set(task.id, task);
    return tencentOk({ DeleteResult: true, TaskId: task.id });
  }
  // Whether a synchronous delete of a bound certificate succeeds is unconfirmed; refused here.
  if (boundDomains(state, account, id) !== null) return tencentError('FailedOperation.BoundResources', '有未解绑的云资源，不能被删除。');
  state.store.remove(account, id);
  return tencentOk({ DeleteResult: true, TaskId: null });
}

export function describeDeleteCertificatesTaskResult(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['TaskIds']));
  if (unknown !== null) return unknown;
  if (params.TaskIds === undefined) return missing('TaskIds');
  if (!isStringList(params.TaskIds) || params.TaskIds.length > 100) return invalidType('TaskIds');
  const store = storeOf(state);
  const results = params.TaskIds.flatMap((taskId) => {
    const task = store.deletes.get(taskId);
    if (task === undefined || task.account !== account) return [];
    let domains: string[] = [];
    if (task.status === 0) {
      task.polls += 1;
      if (task.polls > state.deploy.pollsBeforeDone) {
        const bound = boundDomains(state, account, task.certId);
        if (bound === null) {
          state.store.remove(account, task.certId);
          task.status = 1;
        } else {
          task.status = 4;
          task.error = '证书已关联云资源，无法删除。';
          domains = bound;
        }
      }
    }
    return [{ TaskId: task.id, CertId: task.certId, Status: task.status, Error: task.error, CacheTime: beijingTime(state.now()), Domains: domains }];
  });
  return tencentOk({ DeleteTaskResult: results });
}
