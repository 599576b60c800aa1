// Alibaba CAS's deploy actions (DEPLOY.md §2.3-2.8) over the seeded resources: ListContact,
// CreateDeploymentJob (a job in `editing` that never runs until UpdateDeploymentJobStatus(pending)),
// DescribeDeploymentJob (each call is a poll: `processing` for `pollsBeforeDone` polls, then every
// worker ends success or error and the job success or error), ListWorkerResource,
// UpdateWorkerResourceStatus(rollback) (rollback → rollback_success / rollback_error after as many
// polls) and DeleteUserCertificate (refused while anything is bound). Business error codes of these
// actions are unpublished (unconfirmed): the common ones are used, with *.NotFound 404s for unknown ids.

import { covers, isFailing, rebindResource } from './deploy';
import type { BoundResource, EmulatorState, IncomingCall, Reply } from './server';
import { requestId } from './digest';

type Params = Map<string, string>;
type ErrorReply = (call: IncomingCall, code: string, message: string, status: number) => Reply;

interface Worker {
  readonly id: number;
  /** Index into state.resources. */
  readonly resource: number;
  /** The certificate the resource served when the job was made (ListWorkerResource ResourceCertId). */
  readonly resourceCertId: string;
  readonly failure: string | null;
  status: string;
  rollbackPolls: number;
}

interface Job {
  readonly id: number;
  readonly account: string;
  readonly name: string;
  readonly jobType: string;
  readonly certId: string;
  readonly contactIds: readonly string[];
  readonly workers: Worker[];
  readonly createdAt: Date;
  status: string;
  polls: number;
  rollback: boolean;
}

interface Contact {
  readonly ContactId: number;
  readonly Name: string;
  readonly Email: string;
}

interface AliyunDeployStore {
  readonly jobs: Map<number, Job>;
  readonly contacts: Map<string, Contact[]>;
  nextId: number;
}

const storeOf = (state: EmulatorState) =>
  state.deploy.storeOf<AliyunDeployStore>('aliyun', () => ({ jobs: new Map(), contacts: new Map(), nextId: 7_000_000 }));

const ok = (body: Record<string, unknown>): Reply => ({ status: 200, body: { ...body, RequestId: requestId(true) } });

/** ListCloudResources' `Id` of a resource: seeded (instance.Id) or derived from its place, stable across calls. */
export function resourceApiId(state: EmulatorState, index: number): string {
  const seeded = state.resources[index]!.instance.Id;
  return seeded === undefined ? String(4_000_000 + index) : String(seeded);
}

/** A CAS contact (the console's 联系人), which CreateDeploymentJob needs one of. */
export function seedAliyunContact(state: EmulatorState, account: string, name = 'ops'): number {
  const store = storeOf(state);
  store.nextId += 1;
  const contacts = store.contacts.get(account) ?? [];
  contacts.push({ ContactId: store.nextId, Name: name, Email: `${name}@certvault.test` });
  store.contacts.set(account, contacts);
  return store.nextId;
}

function page(params: Params, fallbackSize: number): { page: number; size: number } | null {
  const number = (value: string | undefined, fallback: number) => {
    const parsed = Number(value ?? String(fallback));
    return Number.isInteger(parsed) && parsed >= 1 ? parsed : null;
  };
  const current = number(params.get('CurrentPage'), 1);
  const size = number(params.get('ShowSize'), fallbackSize);
  return current === null || size === null ? null : { page: current, size };
}

function required(call: IncomingCall, params: Params, names: readonly string[], error: ErrorReply): Reply | null {
  const absent = names.find((name) => (params.get(name) ?? '') === '');
  return absent === undefined ? null : error(call, 'MissingParameter', `The input parameter "${absent}" that is mandatory for processing this request is not supplied.`, 400);
}

export function listContact(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const paging = page(params, 20);
  if (paging === null) return error(call, 'InvalidParameter', 'CurrentPage and ShowSize must be positive integers.', 400);
  const keyword = params.get('Keyword') ?? '';
  const contacts = (storeOf(state).contacts.get(account) ?? []).filter((contact) => keyword === '' || contact.Name.includes(keyword));
  return ok({
    ContactList: contacts.slice((paging.page - 1) * paging.size, paging.page * paging.size).map((contact) => ({ ...contact, EmailStatus: 1, Mobile: '', MobileStatus: 0, Webhooks: '' })),
    TotalCount: contacts.length,
  });
}

function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

function domainOf(resource: BoundResource): string | null {
  return typeof resource.instance.Domain === 'string' ? resource.instance.Domain : null;
}

export function createDeploymentJob(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const absent = required(call, params, ['Name', 'JobType', 'CertIds', 'ResourceIds', 'ContactIds'], error);
  if (absent !== null) return absent;
  const jobType = params.get('JobType')!;
  if (jobType !== 'user' && jobType !== 'cloud') return error(call, 'InvalidParameter', 'JobType must be user or cloud.', 400);
  const certIds = commaList(params.get('CertIds')!);
  const resourceIds = commaList(params.get('ResourceIds')!);
  const contactIds = commaList(params.get('ContactIds')!);
  if ([...certIds, ...resourceIds, ...contactIds].some((id) => !/^\d+$/.test(id))) {
    return error(call, 'InvalidParameter', 'CertIds, ResourceIds and ContactIds are comma-separated numeric ids.', 400);
  }
  // One certificate per job here; several (a job deploying a set) are not emulated.
  if (certIds.length !== 1) return error(call, 'InvalidParameter', 'This emulator deploys one certificate per job.', 400);
  const certificate = state.store.find(account, (entry) => entry.id === certIds[0]);
  if (certificate === undefined) return error(call, 'InvalidCertId.NotFound', `The certificate ${certIds[0]!} does not exist.`, 404);
  const contacts = storeOf(state).contacts.get(account) ?? [];
  const unknownContact = contactIds.find((id) => !contacts.some((contact) => String(contact.ContactId) === id));
  if (unknownContact !== undefined) return error(call, 'InvalidContactId.NotFound', `The contact ${unknownContact} does not exist.`, 404);
  const indexes: number[] = [];
  for (const id of resourceIds) {
    const index = state.resources.findIndex((resource, position) => resource.account === account && resourceApiId(state, position) === id);
    if (index < 0) return error(call, 'InvalidResourceId.NotFound', `The resource ${id} does not exist.`, 404);
    indexes.push(index);
  }
  const store = storeOf(state);
  const workers = indexes.map((index): Worker => {
    const resource = state.resources[index]!;
    const domain = domainOf(resource);
    store.nextId += 1;
    const failure =
      domain !== null && !covers(certificate.certificate, domain) ? `The certificate does not cover ${domain}.`
      : isFailing(state, [domain, resourceApiId(state, index), resource.instance.InstanceId as string | undefined]) ? 'The resource rejected the certificate (emulated failure).'
      : null;
    return { id: store.nextId, resource: index, resourceCertId: resource.certificateId, failure, status: 'editing', rollbackPolls: 0 };
  });
  store.nextId += 1;
  const job: Job = { id: store.nextId, account, name: params.get('Name')!, jobType, certId: certificate.id, contactIds, workers, createdAt: state.now(), status: 'editing', polls: 0, rollback: false };
  store.jobs.set(job.id, job);
  return ok({ JobId: job.id });
}

function jobOf(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Job | Reply {
  const absent = required(call, params, ['JobId'], error);
  if (absent !== null) return absent;
  const job = storeOf(state).jobs.get(Number(params.get('JobId')));
  return job === undefined || job.account !== account ? error(call, 'InvalidJobId.NotFound', `The job ${params.get('JobId')!} does not exist.`, 404) : job;
}

export function updateDeploymentJobStatus(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const job = jobOf(state, call, account, params, error);
  if ('body' in job) return job;
  const absent = required(call, params, ['Status'], error);
  if (absent !== null) return absent;
  const target = params.get('Status')!;
  // Beyond editing → pending (start) and back, the transitions are unconfirmed; the same status again is a no-op.
  const allowed = target === job.status || (target === 'pending' && job.status === 'editing') || (target === 'editing' && (job.status === 'pending' || job.status === 'scheduling'));
  if (!['pending', 'scheduling', 'editing'].includes(target) || !allowed) {
    return error(call, 'InvalidParameter', `The job status cannot change from ${job.status} to ${target}.`, 400);
  }
  job.status = target;
  for (const worker of job.workers) if (['editing', 'pending', 'scheduling'].includes(worker.status)) worker.status = target;
  return ok({ Data: [] });
}

/** One poll: a started job runs for `pollsBeforeDone` polls, then every worker ends; rollbacks likewise. */
function advance(state: EmulatorState, job: Job): void {
  if (['pending', 'scheduling', 'processing'].includes(job.status)) {
    job.polls += 1;
    if (job.polls <= state.deploy.pollsBeforeDone) {
      job.status = 'processing';
      for (const worker of job.workers) worker.status = 'processing';
    } else {
      for (const worker of job.workers) {
        const resource = state.resources[worker.resource]!;
        worker.status = worker.failure === null ? 'success' : 'error';
        if (worker.failure === null && resource.certificateId === worker.resourceCertId) rebindResource(state, worker.resource, job.certId);
      }
      job.status = job.workers.every((worker) => worker.status === 'success') ? 'success' : 'error';
    }
  }
  for (const worker of job.workers.filter((candidate) => candidate.status === 'rollback')) {
    worker.rollbackPolls += 1;
    if (worker.rollbackPolls <= state.deploy.pollsBeforeDone) continue;
    const resource = state.resources[worker.resource]!;
    const back = resource.certificateId === job.certId && !isFailing(state, [domainOf(resource), resourceApiId(state, worker.resource)]);
    worker.status = back ? 'rollback_success' : 'rollback_error';
    if (back) rebindResource(state, worker.resource, worker.resourceCertId);
  }
}

export function describeDeploymentJob(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const job = jobOf(state, call, account, params, error);
  if ('body' in job) return job;
  advance(state, job);
  const certificate = state.store.find(account, (entry) => entry.id === job.certId);
  const contacts = (storeOf(state).contacts.get(account) ?? []).filter((contact) => job.contactIds.includes(String(contact.ContactId)));
  const products = [...new Set(job.workers.map((worker) => state.resources[worker.resource]!.type))];
  const ended = job.status === 'success' || job.status === 'error';
  return ok({
    Id: job.id,
    Name: job.name,
    JobType: job.jobType,
    Status: job.status,
    CertType: 'upload',
    CertDomain: certificate?.certificate.dnsNames.join(',') ?? '',
    ProductName: products.join(','),
    InstanceId: '',
    Config: JSON.stringify({ shareCertIds: [], certIds: [Number(job.certId)] }),
    Rollback: job.rollback ? 1 : 0,
    Del: 0,
    ScheduleTime: '',
    StartTime: job.polls > 0 ? String(job.createdAt.getTime()) : '',
    EndTime: ended ? String(state.now().getTime()) : '',
    GmtCreate: String(job.createdAt.getTime()),
    GmtModified: String(state.now().getTime()),
    UserId: 1_234_567,
    CasContacts: contacts.map((contact) => ({ Id: contact.ContactId, Name: contact.Name, Email: contact.Email, Mobile: '' })),
  });
}

export function listWorkerResource(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const job = jobOf(state, call, account, params, error);
  if ('body' in job) return job;
  const paging = page(params, 50);
  if (paging === null) return error(call, 'InvalidParameter', 'CurrentPage and ShowSize must be positive integers.', 400);
  const status = params.get('Status');
  const product = params.get('CloudProduct');
  const certificate = state.store.find(account, (entry) => entry.id === job.certId);
  const workers = job.workers.filter((worker) => (status === undefined || worker.status === status) && (product === undefined || state.resources[worker.resource]!.type === product));
  return ok({
    Data: workers.slice((paging.page - 1) * paging.size, paging.page * paging.size).map((worker) => {
      const resource = state.resources[worker.resource]!;
      return {
        Id: worker.id,
        JobId: job.id,
        Status: worker.status,
        CertId: Number(job.certId),
        CertName: certificate?.name ?? '',
        CertDomain: certificate?.certificate.commonName ?? '',
        ResourceId: Number(resourceApiId(state, worker.resource)),
        ResourceCertId: Number(worker.resourceCertId),
        ResourceDomain: domainOf(resource) ?? '',
        CloudName: 'aliyun',
        CloudProduct: resource.type,
        CloudRegion: resource.region,
        RegionId: resource.region,
        InstanceId: resource.instance.InstanceId ?? '',
        ListenerId: resource.instance.ListenerId ?? '',
        Port: resource.instance.ListenerPort ?? 443,
        DefaultResource: 1,
        GmtCreate: String(job.createdAt.getTime()),
        GmtModified: String(state.now().getTime()),
        UserId: 1_234_567,
      };
    }),
    Total: workers.length,
    CurrentPage: paging.page,
    ShowSize: paging.size,
  });
}

export function updateWorkerResourceStatus(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const job = jobOf(state, call, account, params, error);
  if ('body' in job) return job;
  const absent = required(call, params, ['WorkerId', 'Status'], error);
  if (absent !== null) return absent;
  if (params.get('Status') !== 'rollback') return error(call, 'InvalidParameter', 'Status must be rollback.', 400);
  const worker = job.workers.find((candidate) => String(candidate.id) === params.get('WorkerId'));
  if (worker === undefined) return error(call, 'InvalidWorkerId.NotFound', `The worker ${params.get('WorkerId')!} does not exist.`, 404);
  // Only a worker that succeeded can go back (unconfirmed beyond the doc's "rolls one worker back").
  if (worker.status !== 'success') return error(call, 'InvalidParameter', `The worker is ${worker.status}; only a successful worker can be rolled back.`, 400);
  worker.status = 'rollback';
  job.rollback = true;
  return ok({});
}

export function deleteUserCertificate(state: EmulatorState, call: IncomingCall, account: string, params: Params, error: ErrorReply): Reply {
  const absent = required(call, params, ['CertId'], error);
  if (absent !== null) return absent;
  const id = params.get('CertId')!;
  if (state.store.find(account, (entry) => entry.id === id) === undefined) return error(call, 'InvalidCertId.NotFound', `The certificate ${id} does not exist.`, 404);
  // Deleting a bound certificate is expected to fail with a business error whose code is unconfirmed.
  if (state.resources.some((resource) => resource.account === account && resource.certificateId === id)) {
    return error(call, 'OperationDenied.CertificateInUse', 'The certificate is still deployed to cloud resources and cannot be deleted.', 400);
  }
  state.store.remove(account, id);
  return ok({});
}
