import type { CallContext, InventoryOptions, RemoteBinding, RemoteCopy } from '../provider';
import type { DeployResource } from '../deploy';
import { CloudError } from '../provider';
import { toCloudError } from '../cloud-error';
import { isJsonObject, stringsOf, textOf, type JsonObject } from '../json';
import { credentialSecrets } from '../scrub';
import { abortableSleep } from '../retry';
import { certificateBlocks, isLastPage, listedCopy, pageSizeOf, pemFacts, readCall } from '../remote-copy';
import { beijingTimeToIso, callTencent, type TencentCloudId } from './client';
import { BINDINGS_PENDING_HINT, classifyTencentError } from './errors';

// The inventory of a Tencent SSL account (DEPLOY.md §1.1-1.3): DescribeCertificates (all pages),
// DescribeCertificateDetail, and the bound resources through the bind-resource sync task, the
// discovery the SDK docs recommend (CreateCertificateBindResourceSyncTask, then
// DescribeCertificateBindResourceTaskResult until done, then ...TaskDetail for the instances).

/** DescribeCertificates: "超过1000按1000处理". */
const LIST_MAX = 1000;
/** CreateCertificateBindResourceSyncTask and ...TaskResult take at most 100 ids. */
const TASK_BATCH = 100;
/** ...TaskDetail: Limit max "100", per resource type per region. */
const DETAIL_MAX = 100;
/** The polling interval is not documented (unconfirmed); clients use 2-10 s. */
const DEFAULT_POLL_MS = 2000;
/** A discovery task still running after this many polls is reported rather than waited on forever. */
const MAX_POLLS = 60;

const TASK_RUNNING = 0;
const TASK_DONE = 1;

function uniqueNames(names: readonly (string | null)[]): string[] {
  return [...new Set(names.filter((name): name is string => name !== null && name !== ''))];
}

export async function listTencentCopies(cloud: TencentCloudId, ctx: CallContext, options: InventoryOptions = {}): Promise<RemoteCopy[]> {
  const limit = pageSizeOf(options.pageSize, LIST_MAX);
  const copies: RemoteCopy[] = [];
  for (let offset = 0; ; ) {
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeCertificates', { Offset: offset, Limit: limit }));
    const items = Array.isArray(answer.Certificates) ? answer.Certificates.filter(isJsonObject) : [];
    for (const item of items) {
      const remoteId = textOf(item.CertificateId);
      if (!remoteId) continue;
      copies.push(
        listedCopy(cloud, remoteId, {
          name: textOf(item.Alias),
          commonName: textOf(item.Domain),
          // In the list answer SubjectAltName includes the primary domain.
          dnsNames: uniqueNames([textOf(item.Domain), ...stringsOf(item.SubjectAltName)]),
          notBefore: beijingTimeToIso(item.CertBeginTime),
          notAfter: beijingTimeToIso(item.CertEndTime),
        }),
      );
    }
    // The limit may be clamped by the server, so the next offset follows what came back.
    offset += items.length;
    if (isLastPage(items.length, offset, answer.TotalCount, limit)) break;
  }
  return copies;
}

/**
 * DescribeCertificateDetail. Its answer carries CertificatePrivateKey (and EncryptPrivateKey for
 * SM2): only the fields named here are read, so no key ever leaves this function.
 */
export async function tencentDetail(cloud: TencentCloudId, ctx: CallContext, copy: RemoteCopy): Promise<RemoteCopy> {
  const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeCertificateDetail', { CertificateId: copy.remoteId }));
  const pem = certificateBlocks(answer.CertificatePublicKey);
  const facts = pemFacts(pem);
  const domain = textOf(answer.Domain);
  const chain = Array.isArray(answer.CertChainInfo) ? answer.CertChainInfo.filter(isJsonObject) : [];
  return {
    ...copy,
    name: textOf(answer.Alias) ?? copy.name,
    commonName: facts.commonName ?? domain ?? copy.commonName,
    // Here SubjectAltName leaves the primary domain out ("不包含主域名").
    dnsNames: facts.dnsNames.length > 0 ? facts.dnsNames : uniqueNames([domain, ...stringsOf(answer.SubjectAltName), ...copy.dnsNames]),
    notBefore: facts.notBefore ?? beijingTimeToIso(answer.CertBeginTime) ?? copy.notBefore,
    notAfter: facts.notAfter ?? beijingTimeToIso(answer.CertEndTime) ?? copy.notAfter,
    // CertFingerprint is SHA-1 in an unconfirmed format, so only the PEM's own hash is used.
    fingerprintSha256: facts.fingerprintSha256,
    serial: facts.serial,
    issuer: facts.issuer ?? textOf(chain[0]?.Issuer),
    certificatePem: pem,
  };
}

interface Task {
  readonly certId: string;
  readonly taskId: string;
}

export async function tencentBindings(
  cloud: TencentCloudId,
  ctx: CallContext,
  copies: readonly RemoteCopy[],
  options: InventoryOptions = {},
): Promise<Map<string, RemoteBinding[]>> {
  const bindings = new Map<string, RemoteBinding[]>();
  // Every batch's tasks run on Tencent's side at once, so the wait between polls is paid once for
  // the account, not once per 100 certificates: 1,000 certificates at 10 requests/s otherwise idle
  // the account's lane 10 poll intervals long (measured by bench/inventory-sync.ts).
  const tasks: Task[] = [];
  for (const ids of batches(copies.map((copy) => copy.remoteId))) tasks.push(...(await startTasks(cloud, ctx, ids)));
  const bound = await waitForTasks(cloud, ctx, tasks, options.pollIntervalMs ?? DEFAULT_POLL_MS);
  for (const task of bound) {
    const found = (await taskResources(cloud, ctx, task.taskId)).map(({ type, id, name }) => ({ type, id, name }));
    if (found.length > 0) bindings.set(task.certId, found);
  }
  return bindings;
}

/**
 * Every resource serving `certificateId` now: a fresh sync task (IsCache 0, so no half-hour-old
 * cache), polled until done, then its instances, all pages. For deployment and its confirmation.
 */
export async function discoverTencentResources(cloud: TencentCloudId, ctx: CallContext, certificateId: string, pollMs = DEFAULT_POLL_MS): Promise<DeployResource[]> {
  const tasks = await startTasks(cloud, ctx, [certificateId], 0);
  const bound = await waitForTasks(cloud, ctx, tasks.filter((task) => task.certId === certificateId), pollMs);
  const found: DeployResource[] = [];
  for (const task of bound) found.push(...(await taskResources(cloud, ctx, task.taskId)));
  return found;
}

function batches(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let start = 0; start < ids.length; start += TASK_BATCH) out.push(ids.slice(start, start + TASK_BATCH));
  return out;
}

/**
 * IsCache 1 (inventory): a result finished within the last half hour is reused; an inventory does
 * not need fresher, and repeated syncs then cost the service nothing. IsCache 0 (deployment): what
 * serves the certificate right now.
 */
async function startTasks(cloud: TencentCloudId, ctx: CallContext, certIds: readonly string[], isCache: 0 | 1 = 1): Promise<Task[]> {
  const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'CreateCertificateBindResourceSyncTask', { CertificateIds: certIds, IsCache: isCache }));
  const tasks: Task[] = [];
  for (const item of Array.isArray(answer.CertTaskIds) ? answer.CertTaskIds.filter(isJsonObject) : []) {
    const certId = textOf(item.CertId);
    const taskId = textOf(item.TaskId);
    if (certId && taskId) tasks.push({ certId, taskId });
  }
  return tasks;
}

/** Polls until every task has finished; returns the tasks that found at least one resource. */
async function waitForTasks(cloud: TencentCloudId, ctx: CallContext, tasks: readonly Task[], pollMs: number): Promise<Task[]> {
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  const pending = new Set(byId.keys());
  const bound: Task[] = [];
  for (let poll = 0; pending.size > 0; poll += 1) {
    if (poll >= MAX_POLLS) throw stillRunning(cloud, pending.size);
    if (poll > 0) await abortableSleep(pollMs, ctx.signal);
    for (const taskIds of batches([...pending])) {
      const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeCertificateBindResourceTaskResult', { TaskIds: taskIds }));
      const results = Array.isArray(answer.SyncTaskBindResourceResult) ? answer.SyncTaskBindResourceResult.filter(isJsonObject) : [];
      for (const result of results) {
        const taskId = textOf(result.TaskId);
        if (!taskId || !pending.has(taskId) || result.Status === TASK_RUNNING) continue;
        if (result.Status !== TASK_DONE) throw taskFailure(cloud, ctx, result, textOf(answer.RequestId));
        pending.delete(taskId);
        if (resourceTotal(result) > 0) bound.push(byId.get(taskId)!);
      }
    }
  }
  return bound;
}

function resourceTotal(result: JsonObject): number {
  let total = 0;
  for (const byType of Array.isArray(result.BindResourceResult) ? result.BindResourceResult.filter(isJsonObject) : []) {
    for (const region of Array.isArray(byType.BindResourceRegionResult) ? byType.BindResourceRegionResult.filter(isJsonObject) : []) {
      if (typeof region.TotalCount === 'number') total += region.TotalCount;
    }
  }
  return total;
}

function taskFailure(cloud: TencentCloudId, ctx: CallContext, result: JsonObject, requestId: string | null): CloudError {
  const error = isJsonObject(result.Error) ? result.Error : {};
  return toCloudError(
    cloud,
    { code: textOf(error.Code) ?? 'FailedOperation', message: textOf(error.Message) ?? '', requestId, httpStatus: 200 },
    classifyTencentError,
    credentialSecrets(ctx.credentials),
  );
}

function stillRunning(cloud: TencentCloudId, count: number): CloudError {
  return new CloudError({
    cloud,
    code: 'bindings.pending',
    message: `${count} resource discovery task(s) still running after ${MAX_POLLS} polls`,
    kind: 'server',
    retryable: true,
    requestId: null,
    httpStatus: null,
    mayHaveReachedServer: true,
    hint: BINDINGS_PENDING_HINT,
  });
}

/** The answer's per-type arrays, each a list of {Region?, TotalCount, InstanceList} groups. */
const RESOURCE_GROUPS = ['CLB', 'CDN', 'WAF', 'DDOS', 'LIVE', 'VOD', 'TKE', 'APIGATEWAY', 'TCB', 'TEO', 'TSE', 'COS', 'SCF'] as const;

async function taskResources(cloud: TencentCloudId, ctx: CallContext, taskId: string): Promise<DeployResource[]> {
  const found: DeployResource[] = [];
  for (let offset = 0; ; offset += DETAIL_MAX) {
    // Limit and Offset are strings in this action's model.
    const params = { TaskId: taskId, Limit: String(DETAIL_MAX), Offset: String(offset) };
    const answer = await readCall(ctx, () => callTencent(cloud, ctx, 'DescribeCertificateBindResourceTaskDetail', params));
    let more = false;
    for (const group of RESOURCE_GROUPS) {
      for (const regional of Array.isArray(answer[group]) ? answer[group].filter(isJsonObject) : []) {
        const instances = Array.isArray(regional.InstanceList) ? regional.InstanceList.filter(isJsonObject) : [];
        for (const instance of instances) found.push(...instanceResources(group, textOf(regional.Region), instance));
        // Paging applies per type and region: another page only where this one was full.
        if (typeof regional.TotalCount === 'number' && regional.TotalCount > offset + DETAIL_MAX && instances.length > 0) more = true;
      }
    }
    if (!more) return found;
  }
}

interface Shape {
  readonly name: string | null;
  readonly domains?: readonly (string | null)[];
  readonly region?: string | null;
  readonly port?: number | null;
  readonly detail?: DeployResource['detail'];
}

function resource(type: string, parts: readonly (string | null)[], shape: Shape): DeployResource[] {
  // The ids follow DeployCertificateInstance's InstanceIdList tuples (§1.6), so a later deploy can use them.
  if (parts.some((part) => part === null || part === '')) return [];
  const domains = [...new Set((shape.domains ?? [shape.name]).filter((domain): domain is string => domain !== null && domain !== ''))];
  return [{ type, id: parts.join('|'), name: shape.name, domains, region: shape.region || null, port: shape.port ?? null, detail: shape.detail ?? {} }];
}

function portOf(value: unknown): number | null {
  const port = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
  return port !== null && port > 0 && port < 65536 ? port : null;
}

export function instanceResources(group: (typeof RESOURCE_GROUPS)[number], groupRegion: string | null, instance: JsonObject): DeployResource[] {
  const text = (name: string) => textOf(instance[name]);
  const list = (name: string, value: JsonObject = instance) => (Array.isArray(value[name]) ? value[name].filter(isJsonObject) : []);
  const region = text('Region') ?? groupRegion;
  switch (group) {
    case 'CLB':
      return list('Listeners').flatMap((listener) => {
        const rules = list('Rules', listener);
        const lb = text('LoadBalancerId');
        const id = textOf(listener.ListenerId);
        // ClbInstanceDetail documents no listener port; read one where the answer carries it.
        const shape = { region, port: portOf(listener.Port), detail: { protocol: textOf(listener.Protocol), sniSwitch: typeof listener.SniSwitch === 'number' ? listener.SniSwitch : null } };
        const domains = rules.map((rule) => textOf(rule.Domain));
        // Without SNI the listener holds one certificate for all its rules: one resource, every rule's domain.
        if (rules.length === 0 || listener.SniSwitch === 0) return resource('clb', [lb, id], { ...shape, name: domains[0] ?? null, domains });
        return rules.flatMap((rule) => resource('clb', [lb, id, textOf(rule.Domain)], { ...shape, name: textOf(rule.Domain) }));
      });
    case 'CDN':
      return resource('cdn', [text('Domain')], { name: text('Domain'), detail: { httpsBillingSwitch: text('HttpsBillingSwitch') } });
    case 'DDOS':
      return resource('ddos', [text('InstanceId'), text('Domain'), text('VirtualPort')], { name: text('Domain'), port: portOf(instance.VirtualPort), detail: { protocol: text('Protocol') } });
    case 'APIGATEWAY':
      return resource('apigateway', [text('ServiceId'), text('Domain')], { name: text('Domain'), region, detail: { protocol: text('Protocol') } });
    case 'COS':
      return resource('cos', [region, text('Bucket'), text('Domain')], { name: text('Domain'), region });
    case 'TEO':
      return resource('teo', [text('Host')], { name: text('Host'), detail: { zoneId: text('ZoneId') } });
    case 'SCF':
      return resource('scf', [region, text('Domain')], { name: text('Domain'), region });
    case 'TKE':
      return list('NamespaceList').flatMap((namespace) =>
        list('SecretList', namespace).flatMap((secret) => {
          const domains = list('IngressList', secret).flatMap((ingress) => stringsOf(ingress.TlsDomains));
          return resource('tke', [text('ClusterId'), textOf(namespace.Name), textOf(secret.Name)], { name: domains[0] ?? null, domains, region });
        }),
      );
    case 'TSE':
      return list('CertificateList').flatMap((certificate) => {
        const domains = stringsOf(certificate.BindDomains);
        return resource('tse', [text('GatewayId'), textOf(certificate.Id)], { name: domains[0] ?? null, domains, region });
      });
    case 'TCB':
      return list('Environments').flatMap((environment) => {
        const envId = isJsonObject(environment.Environment) ? textOf(environment.Environment.ID) : null;
        return (['AccessService', 'HostService'] as const).flatMap((service) => {
          const served = isJsonObject(environment[service]) ? list('InstanceList', environment[service]) : [];
          return served.flatMap((item) => resource('tcb', [service, region, envId, textOf(item.Domain)], { name: textOf(item.Domain), region }));
        });
      });
    default:
      // WAF, LIVE, VOD: the domain is the instance (WAF's group carries a region, which its update needs).
      return resource(group.toLowerCase(), [text('Domain')], { name: text('Domain'), region: group === 'WAF' ? region : null });
  }
}
