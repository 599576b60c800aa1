// Tencent SSL's "deploy to an explicit instance list" family (DEPLOY.md §1.3.4, §1.6) over the
// seeded resources: DescribeHost{Clb,Cdn,Live}InstanceList (the instances a certificate's names
// match, with the certificate each serves now, paged), DeployCertificateInstance (one task per
// certificate per resource type: a second call while one runs answers it with DeployStatus 0;
// X-TC-Region required for regional types; refused outright for a malformed tuple, an unknown
// instance, a domain the certificate does not cover or an instance already using it),
// DescribeHostDeployRecord, DescribeHostDeployRecordDetail (int Offset/Limit, string
// DeployRecordId; items running for `pollsBeforeDone` polls, then per item success or failure) and
// DeployCertificateRecordRollback (a new record putting back what each succeeded item served).

import { covers, isFailing, rebindResource } from './deploy';
import type { BoundResource, EmulatorState, Reply } from './server';
import { beijingTime, invalidType, tencentError, tencentOk, unknownParameter } from './tencent-reply';

type Params = Record<string, unknown>;

interface BindItem {
  readonly id: number;
  /** Index into state.resources. */
  readonly resource: number;
  readonly tuple: string;
  readonly domains: readonly string[];
  readonly fields: Readonly<Record<string, unknown>>;
  /** The certificate the item's resource served before the record (what a rollback puts back). */
  readonly before: string;
  readonly failure: string | null;
  status: number;
}

interface BindRecord {
  readonly id: number;
  readonly account: string;
  readonly kind: 'deploy' | 'rollback';
  readonly certId: string;
  readonly type: string;
  readonly region: string;
  readonly items: BindItem[];
  readonly createdAt: Date;
  polls: number;
  done: boolean;
}

interface BindStore {
  readonly records: Map<number, BindRecord>;
  nextId: number;
}

const storeOf = (state: EmulatorState) => state.deploy.storeOf<BindStore>('tencent-bind', () => ({ records: new Map(), nextId: 913_000 }));

/** §1.6: the types whose DeployCertificateInstance needs X-TC-Region. */
const REGIONAL = new Set(['clb', 'waf', 'apigateway', 'cos', 'lighthouse', 'tke', 'tse', 'tcb', 'mqtt']);
/** The types this emulator deploys to (what it can seed and list). */
const DEPLOYABLE = new Set(['clb', 'cdn', 'live']);
const ALL_TYPES = new Set(['clb', 'cdn', 'ddos', 'live', 'vod', 'waf', 'apigateway', 'teo', 'tke', 'cos', 'lighthouse', 'tse', 'tcb', 'mqtt']);
const DETAIL_LIMIT_MAX = 200;
const CDN_LIMIT_MAX = 200;

const missing = (name: string) => tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function certificateOf(state: EmulatorState, account: string, id: string) {
  return state.store.find(account, (entry) => entry.id === id);
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const listeners = (resource: BoundResource) => ((resource.instance.Listeners as Params[] | undefined) ?? []);
const rulesOf = (listener: Params) => ((listener.Rules as Params[] | undefined) ?? []);

/** The domains a resource serves, all of them (a CLB: every rule of every listener). */
function domainsOf(resource: BoundResource): string[] {
  if (resource.type === 'clb') return listeners(resource).flatMap((listener) => rulesOf(listener).map((rule) => text(rule.Domain)));
  return [text(resource.instance.Domain)].filter((domain) => domain !== '');
}

// ---- DescribeHost{Clb,Cdn,Live}InstanceList ----------------------------------------------------

const LIST_PARAMS = {
  clb: new Set(['Offset', 'Limit', 'CertificateId', 'IsCache', 'Filters', 'AsyncCache', 'OldCertificateId']),
  cdn: new Set(['Offset', 'Limit', 'CertificateId', 'IsCache', 'Filters', 'AsyncCache', 'OldCertificateId', 'ResourceType']),
  live: new Set(['Offset', 'Limit', 'CertificateId', 'IsCache', 'Filters', 'OldCertificateId']),
} as const;

export function describeHostInstanceList(state: EmulatorState, account: string, type: 'clb' | 'cdn' | 'live', params: Params): Reply {
  const unknown = unknownParameter(params, LIST_PARAMS[type]);
  if (unknown !== null) return unknown;
  for (const name of ['Offset', 'Limit', 'IsCache', 'AsyncCache']) if (params[name] !== undefined && !isInt(params[name])) return invalidType(name);
  for (const name of ['CertificateId', 'OldCertificateId', 'ResourceType']) if (params[name] !== undefined && typeof params[name] !== 'string') return invalidType(name);
  const offset = (params.Offset as number | undefined) ?? 0;
  const limit = (params.Limit as number | undefined) ?? 10;
  if (type === 'cdn' && limit > CDN_LIMIT_MAX) return tencentError('InvalidParameterValue', `Limit must be at most ${CDN_LIMIT_MAX}.`);
  let match: '0' | '1' = '1';
  if (params.Filters !== undefined) {
    if (!Array.isArray(params.Filters)) return invalidType('Filters');
    for (const filter of params.Filters as unknown[]) {
      const item = filter as Params;
      if (typeof filter !== 'object' || filter === null || typeof item.FilterKey !== 'string' || typeof item.FilterValue !== 'string') return invalidType('Filters');
      if (item.FilterKey !== 'domainMatch' || (item.FilterValue !== '0' && item.FilterValue !== '1')) return tencentError('InvalidParameterValue', 'Only the filter domainMatch with value "0" or "1" is supported.');
      match = item.FilterValue;
    }
  }
  const certId = params.CertificateId as string | undefined;
  const certificate = certId === undefined ? undefined : certificateOf(state, account, certId);
  if (certId !== undefined && certificate === undefined) return tencentError('FailedOperation.CertificateNotFound', `The certificate ${certId} does not exist.`);
  const matches = (domain: string) => certificate === undefined || covers(certificate.certificate, domain);
  const found = state.resources.filter((resource) => {
    if (resource.account !== account || resource.type !== type) return false;
    if (params.OldCertificateId !== undefined && resource.certificateId !== params.OldCertificateId) return false;
    const anyMatch = domainsOf(resource).some(matches);
    return match === '1' ? anyMatch : !anyMatch;
  });
  const page = found.slice(offset, offset + limit).map((resource) => listItem(resource, matches));
  return tencentOk({ InstanceList: page, TotalCount: found.length, AsyncTotalNum: 0, AsyncOffset: 0, AsyncCacheTime: beijingTime(state.now()) });
}

function listItem(resource: BoundResource, matches: (domain: string) => boolean): Params {
  const certId = resource.certificateId;
  if (resource.type === 'cdn') {
    return { Domain: text(resource.instance.Domain), CertId: certId, Status: text(resource.instance.Status) || 'online', HttpsBillingSwitch: text(resource.instance.HttpsBillingSwitch) || 'on' };
  }
  if (resource.type === 'live') return { Domain: text(resource.instance.Domain), CertId: certId, Status: certId === '' ? -1 : 1 };
  // ClbInstanceDetail carries no region (the documented shape): a client must know it otherwise.
  return {
    LoadBalancerId: text(resource.instance.LoadBalancerId),
    LoadBalancerName: text(resource.instance.LoadBalancerName),
    Forward: 1,
    Listeners: listeners(resource).map((listener) => {
      const rules = rulesOf(listener).map((rule) => {
        const domain = text(rule.Domain);
        return { LocationId: text(rule.LocationId), Domain: domain, IsMatch: matches(domain), Certificate: certId === '' ? null : { CertId: certId }, NoMatchDomains: matches(domain) ? [] : [domain], Url: '/' };
      });
      return {
        ListenerId: text(listener.ListenerId),
        ListenerName: text(listener.ListenerName),
        SniSwitch: listener.SniSwitch === 1 ? 1 : 0,
        Protocol: text(listener.Protocol) || 'HTTPS',
        Certificate: certId === '' ? null : { CertId: certId, DnsNames: [], SSLMode: 'UNIDIRECTIONAL' },
        Rules: rules,
        NoMatchDomains: rules.filter((rule) => !rule.IsMatch).map((rule) => rule.Domain),
      };
    }),
  };
}

// ---- DeployCertificateInstance -----------------------------------------------------------------

const DEPLOY_PARAMS = new Set(['CertificateId', 'InstanceIdList', 'ResourceType', 'Status', 'IsCache']);

interface Target {
  readonly index: number;
  readonly tuple: string;
  readonly domains: readonly string[];
  readonly fields: Params;
}

/** The resource an InstanceIdList tuple names, or why the tuple is unusable. */
function targetOf(state: EmulatorState, account: string, type: string, region: string, tuple: string): Target | 'format' | 'unknown' {
  const parts = tuple.split('|');
  const candidates = state.resources.map((resource, index) => ({ resource, index })).filter(({ resource }) => resource.account === account && resource.type === type);
  if (type === 'cdn') {
    if (parts.length !== 2 || parts[0] === '' || (parts[1] !== 'on' && parts[1] !== 'off')) return 'format';
    const found = candidates.find(({ resource }) => text(resource.instance.Domain) === parts[0]);
    return found ? { index: found.index, tuple, domains: [parts[0]!], fields: {} } : 'unknown';
  }
  if (type === 'live') {
    if (parts.length !== 1 || parts[0] === '') return 'format';
    const found = candidates.find(({ resource }) => text(resource.instance.Domain) === parts[0]);
    return found ? { index: found.index, tuple, domains: [parts[0]!], fields: {} } : 'unknown';
  }
  // clb: LoadBalancerId|ListenerId|Domain (SNI) or LoadBalancerId|ListenerId.
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((part) => part === '')) return 'format';
  const [lb, lbl, domain] = parts as [string, string, string | undefined];
  for (const { resource, index } of candidates) {
    if (text(resource.instance.LoadBalancerId) !== lb || resource.region !== region) continue;
    const listener = listeners(resource).find((candidate) => text(candidate.ListenerId) === lbl);
    if (listener === undefined) continue;
    const ruleDomains = rulesOf(listener).map((rule) => text(rule.Domain));
    const sni = listener.SniSwitch === 1;
    if (sni !== (domain !== undefined)) return 'format';
    if (domain !== undefined && !ruleDomains.includes(domain)) return 'unknown';
    const fields = { InstanceId: lb, InstanceName: text(resource.instance.LoadBalancerName), ListenerId: lbl, ListenerName: text(listener.ListenerName), Protocol: text(listener.Protocol) || 'HTTPS', SniSwitch: sni ? 1 : 0 };
    return { index, tuple, domains: domain === undefined ? ruleDomains : [domain], fields };
  }
  return 'unknown';
}

export function deployCertificateInstance(state: EmulatorState, account: string, region: string, params: Params): Reply {
  const unknown = unknownParameter(params, DEPLOY_PARAMS);
  if (unknown !== null) return unknown;
  if (params.CertificateId === undefined) return missing('CertificateId');
  if (typeof params.CertificateId !== 'string' || params.CertificateId === '') return invalidType('CertificateId');
  if (params.InstanceIdList === undefined) return missing('InstanceIdList');
  if (!Array.isArray(params.InstanceIdList) || !params.InstanceIdList.every((item) => typeof item === 'string') || params.InstanceIdList.length === 0) return invalidType('InstanceIdList');
  const type = params.ResourceType ?? 'clb';
  if (typeof type !== 'string') return invalidType('ResourceType');
  if (!ALL_TYPES.has(type)) return tencentError('FailedOperation.CertificateHostResourceTypeInvalid', `The resource type ${type} is invalid.`);
  for (const name of ['Status', 'IsCache']) if (params[name] !== undefined && !Number.isInteger(params[name])) return invalidType(name);
  if (REGIONAL.has(type) && region === '') return tencentError('InvalidParameter.RegionNotEmpty', `Region must not be empty for ${type}.`);
  const certificate = certificateOf(state, account, params.CertificateId);
  if (certificate === undefined) return tencentError('FailedOperation.CertificateNotFound', `The certificate ${params.CertificateId} does not exist.`);
  if (!DEPLOYABLE.has(type)) return tencentError('FailedOperation.CertificateHostResourceTypeInvalid', `This emulator deploys to ${[...DEPLOYABLE].join(', ')} only.`);

  // "一个证书ID，相同的资源类型，只能创建一个部署任务": the running one is answered, DeployStatus 0.
  const store = storeOf(state);
  const current = [...store.records.values()].find((record) => record.account === account && record.certId === certificate.id && record.type === type && !record.done);
  if (current?.kind === 'rollback') return tencentError('FailedOperation.CertificateDeployHasPendingRecord', 'A task for this certificate is still running.');
  if (current !== undefined) return tencentOk({ DeployRecordId: current.id, DeployStatus: 0 });

  const targets: Target[] = [];
  for (const tuple of params.InstanceIdList as string[]) {
    const target = targetOf(state, account, type, region, tuple);
    if (target === 'format') return tencentError('FailedOperation.CertificateDeployInstanceFormatError', `The instance ${tuple} does not have the format ${type} requires.`);
    if (target === 'unknown') return tencentError('FailedOperation.CertificateNotDeployInstance', `The instance ${tuple} does not exist in ${region || 'this account'}.`);
    // Validated at creation (§1.6): a domain the certificate does not cover, or an instance already using it.
    const outside = target.domains.find((domain) => !covers(certificate.certificate, domain));
    if (outside !== undefined) return tencentError('FailedOperation.CertificateNotDeployInstance', `证书与域名不匹配：${outside} is not covered by certificate ${certificate.id}.`);
    if (state.resources[target.index]!.certificateId === certificate.id) return tencentError('FailedOperation.CertificateNotDeployInstance', `The instance ${tuple} already uses certificate ${certificate.id}.`);
    targets.push(target);
  }
  const items = targets.map((target): BindItem => {
    store.nextId += 1;
    const resource = state.resources[target.index]!;
    const failing = isFailing(state, [...target.domains, target.tuple, text(resource.instance.LoadBalancerId)]);
    return {
      id: store.nextId,
      resource: target.index,
      tuple: target.tuple,
      domains: target.domains,
      fields: { ...target.fields, Region: resource.region },
      before: resource.certificateId,
      failure: failing ? `Instance ${target.tuple} rejected the certificate (emulated failure).` : null,
      status: 0,
    };
  });
  const record = addRecord(state, { account, kind: 'deploy', certId: certificate.id, type, region, items });
  return tencentOk({ DeployRecordId: record.id, DeployStatus: 1 });
}

function addRecord(state: EmulatorState, record: Omit<BindRecord, 'id' | 'polls' | 'done' | 'createdAt'>): BindRecord {
  const store = storeOf(state);
  store.nextId += 1;
  const made: BindRecord = { ...record, id: store.nextId, polls: 0, done: false, createdAt: state.now() };
  store.records.set(made.id, made);
  return made;
}

/** One poll: running for `pollsBeforeDone` polls, then every item ends and its resource moves. */
function advance(state: EmulatorState, record: BindRecord): void {
  if (record.done) return;
  record.polls += 1;
  if (record.polls <= state.deploy.pollsBeforeDone) {
    for (const item of record.items) item.status = 3;
    return;
  }
  for (const item of record.items) {
    const resource = state.resources[item.resource]!;
    if (record.kind === 'deploy') {
      item.status = item.failure === null ? 1 : 2;
      if (item.failure === null) rebindResource(state, item.resource, record.certId);
    } else {
      // Back to what it served before, only where it still serves what the deploy put there.
      const back = resource.certificateId === record.certId && !isFailing(state, [...item.domains, item.tuple]);
      item.status = back ? 4 : 5;
      if (back) rebindResource(state, item.resource, item.before);
    }
  }
  record.done = true;
}

// ---- DescribeHostDeployRecord / ...Detail / DeployCertificateRecordRollback ---------------------

export function describeHostDeployRecord(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['CertificateId', 'Offset', 'Limit', 'ResourceType']));
  if (unknown !== null) return unknown;
  if (params.CertificateId === undefined) return missing('CertificateId');
  if (typeof params.CertificateId !== 'string') return invalidType('CertificateId');
  for (const name of ['Offset', 'Limit']) if (params[name] !== undefined && !isInt(params[name])) return invalidType(name);
  if (params.ResourceType !== undefined && typeof params.ResourceType !== 'string') return invalidType('ResourceType');
  if (certificateOf(state, account, params.CertificateId) === undefined) return tencentError('FailedOperation.CertificateNotFound', `The certificate ${params.CertificateId} does not exist.`);
  const offset = (params.Offset as number | undefined) ?? 0;
  const limit = (params.Limit as number | undefined) ?? 10;
  // Newest first, as the console lists deployment records.
  const records = [...storeOf(state).records.values()]
    .filter((record) => record.account === account && record.certId === params.CertificateId && (params.ResourceType === undefined || record.type === params.ResourceType))
    .reverse();
  return tencentOk({
    TotalCount: records.length,
    DeployRecordList: records.slice(offset, offset + limit).map((record) => ({
      Id: record.id,
      CertId: record.certId,
      ResourceType: record.type,
      Region: record.region,
      // 0 not started (also while it runs), 1 success, 2 failed.
      Status: !record.done ? 0 : record.items.some((item) => item.status === 2 || item.status === 5) ? 2 : 1,
      CreateTime: beijingTime(record.createdAt),
      UpdateTime: beijingTime(state.now()),
    })),
  });
}

export function describeHostDeployRecordDetail(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['DeployRecordId', 'Offset', 'Limit']));
  if (unknown !== null) return unknown;
  if (params.DeployRecordId === undefined) return missing('DeployRecordId');
  // String in this action's model, unlike its Offset and Limit (ints).
  if (!(typeof params.DeployRecordId === 'string' && /^\d+$/.test(params.DeployRecordId))) return invalidType('DeployRecordId');
  for (const name of ['Offset', 'Limit']) if (params[name] !== undefined && !isInt(params[name])) return invalidType(name);
  const offset = (params.Offset as number | undefined) ?? 0;
  const limit = (params.Limit as number | undefined) ?? 10;
  if (limit > DETAIL_LIMIT_MAX) return tencentError('InvalidParameterValue', `Limit must be at most ${DETAIL_LIMIT_MAX}.`);
  const record = storeOf(state).records.get(Number(params.DeployRecordId));
  if (record === undefined || record.account !== account) return tencentError('FailedOperation.CertificateDeployNotExist', 'The deployment record does not exist.');
  // Only a first page counts as a poll, so reading the later pages does not move the task on.
  if (offset === 0) advance(state, record);
  const count = (...statuses: number[]) => record.items.filter((item) => statuses.includes(item.status)).length;
  return tencentOk({
    TotalCount: record.items.length,
    SuccessTotalCount: count(record.kind === 'deploy' ? 1 : 4),
    FailedTotalCount: count(record.kind === 'deploy' ? 2 : 5),
    RunningTotalCount: count(3),
    PendingTotalCount: count(0),
    DeployRecordDetailList: record.items.slice(offset, offset + limit).map((item) => {
      const failed = item.status === 2 || item.status === 5;
      return {
        Id: item.id,
        CertId: record.kind === 'deploy' ? record.certId : item.before,
        OldCertId: record.kind === 'deploy' ? item.before : record.certId,
        Domains: item.domains,
        Status: item.status,
        ErrorMsg: failed ? (item.failure ?? 'The resource no longer serves the deployed certificate.') : '',
        CreateTime: beijingTime(record.createdAt),
        UpdateTime: beijingTime(state.now()),
        Url: [],
        ...item.fields,
      };
    }),
  });
}

export function deployCertificateRecordRollback(state: EmulatorState, account: string, params: Params): Reply {
  const unknown = unknownParameter(params, new Set(['DeployRecordId']));
  if (unknown !== null) return unknown;
  if (params.DeployRecordId === undefined) return missing('DeployRecordId');
  if (!isInt(params.DeployRecordId)) return invalidType('DeployRecordId');
  const store = storeOf(state);
  const record = store.records.get(params.DeployRecordId);
  if (record === undefined || record.account !== account || record.kind !== 'deploy') return tencentError('FailedOperation.CertificateDeployNotExist', 'The deployment record does not exist.');
  if (!record.done) return tencentError('FailedOperation.CertificateDeployDetailRollbackStatusInvalid', 'The record must be finished before it is rolled back.');
  const running = [...store.records.values()].some((other) => other.account === account && other.certId === record.certId && other.type === record.type && !other.done);
  if (running) return tencentError('FailedOperation.CertificateDeployHasPendingRecord', 'A task for this certificate is still running.');
  // "部署失败的记录不会回滚": only the succeeded items.
  const succeeded = record.items.filter((item) => item.status === 1);
  if (succeeded.length === 0) return tencentError('FailedOperation.CertificateDeployRollbackStatusInvalid', 'The record needs at least one successful item to roll back.');
  const items = succeeded.map((item) => {
    store.nextId += 1;
    return { ...item, id: store.nextId, status: 0, failure: null };
  });
  const rollback = addRecord(state, { account, kind: 'rollback', certId: record.certId, type: record.type, region: record.region, items });
  return tencentOk({ DeployRecordId: rollback.id });
}

/** A test's stand-in for someone else's deploy of `certId` to `type`, still running when Cert Vault asks. */
export function seedRunningTencentDeploy(state: EmulatorState, account: string, certId: string, type: string, region = ''): number {
  return addRecord(state, { account, kind: 'deploy', certId, type, region, items: [] }).id;
}
