import { z } from 'zod';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, RetireMode, TaskState } from '../../../main/clouds/deploy';
import type { CallContext, CloudErrorInfo, CloudProvider, RemoteCopy, UploadMaterial } from '../../../main/clouds/provider';
import { cloudError } from '../../unit/uploads/support/fake-cloud';
import type { FakeClock } from '../../unit/uploads/support/fake-clock';

// A scripted cloud with resources, for the deploy engine: certificates and the resources bound to
// them per account (access key id), tasks that answer "running" for `pollsBeforeDone` polls, and
// fault knobs (a failing resource, a task already running, an auth error, a lost answer). Every
// call is recorded with its virtual time, and the bindings can be read back.

export interface FakeCert {
  readonly remoteId: string;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
}

interface Task {
  readonly step: DeployStep;
  readonly to: 'new' | 'old';
  readonly ids: readonly string[];
  polls: number;
  done: boolean;
  outcomes: ResourceOutcome[];
}

export type DeployCall = { readonly op: string; readonly account: string; readonly remoteId?: string; readonly at: number };

export class FakeDeployCloud {
  readonly certs = new Map<string, FakeCert[]>();
  /** `account|remoteId` of the copies whose expiry notices are muted. */
  readonly muted = new Set<string>();
  /** account -> resource id -> { resource, certificate it serves } */
  readonly resources = new Map<string, Map<string, { resource: DeployResource; certId: string }>>();
  readonly calls: DeployCall[] = [];
  readonly tasks = new Map<string, Task>();
  pollsBeforeDone = 2;
  /** Resources (by id) whose move fails with the cloud's per-item error. */
  readonly failing = new Set<string>();
  /** The next start answers with this fault. */
  /** lost: done, answer lost; unclear: a 5xx after which nothing was done. */
  startFault: 'pending' | 'auth' | 'lost' | 'unclear' | 'throttled' | null = null;
  /** The next discover calls throw this (count down). */
  discoverAuthErrors = 0;
  /** Polls answer with an auth error from now on. */
  pollAuthError = false;
  /** Runs at each poll, before it answers (a test changing the cloud mid-task). */
  onPoll: (() => void) | null = null;
  /** The material each rollback call was given (in place: OLD's). */
  readonly rollbackMaterial: (UploadMaterial | null)[] = [];
  private nextId = 1;

  constructor(private readonly clock: FakeClock) {}

  addCert(account: string, cert: FakeCert): void {
    this.certs.set(account, [...(this.certs.get(account) ?? []), cert]);
  }

  bind(account: string, certId: string, resource: Partial<DeployResource> & Pick<DeployResource, 'id'>): void {
    const map = this.resources.get(account) ?? new Map();
    const full: DeployResource = { type: 'cdn', name: resource.id, domains: [resource.id], region: null, port: null, detail: {}, ...resource };
    map.set(full.id, { resource: full, certId });
    this.resources.set(account, map);
  }

  /** Which certificate each resource serves now (the state read-back). */
  serving(account: string): Record<string, string> {
    return Object.fromEntries([...(this.resources.get(account)?.entries() ?? [])].map(([id, r]) => [id, r.certId]));
  }

  ops(op: string): DeployCall[] {
    return this.calls.filter((call) => call.op === op);
  }

  private record(ctx: CallContext, op: string, remoteId?: string): string {
    const account = ctx.credentials.accessKeyId;
    this.calls.push({ op, account, ...(remoteId === undefined ? {} : { remoteId }), at: this.clock.now() });
    return account;
  }

  private error(kind: CloudErrorInfo['kind'], extra: Partial<CloudErrorInfo> = {}) {
    return cloudError('tencent', { kind, ...extra });
  }

  /** Replaceable: a test may add the optional verbs (candidates, recover) to it. */
  deployer: CloudDeployer = {
    action: 'replace',
    modes: ['rebind', 'in-place'],
    retireModes: ['mute', 'delete'],
    discover: async (ctx, remoteId) => {
      const account = this.record(ctx, 'discover', remoteId);
      if (this.discoverAuthErrors > 0) {
        this.discoverAuthErrors -= 1;
        throw this.error('auth', { code: 'AuthFailure.SecretIdNotFound', retryable: false });
      }
      return [...(this.resources.get(account)?.values() ?? [])].filter((r) => r.certId === remoteId).map((r) => r.resource);
    },
    start: async (ctx, step) => {
      const account = this.record(ctx, 'start', step.oldRemoteId);
      const fault = this.startFault;
      this.startFault = null;
      if (fault === 'pending') throw this.error('conflict', { code: 'FailedOperation.CertificateDeployHasPendingRecord', retryable: false });
      if (fault === 'auth') throw this.error('auth', { code: 'AuthFailure.SignatureFailure', retryable: false });
      if (fault === 'throttled') throw this.error('throttled', { code: 'RequestLimitExceeded', retryable: true, mayHaveReachedServer: true });
      if (fault === 'unclear') throw this.error('server', { code: 'InternalError', retryable: true, mayHaveReachedServer: true });
      const id = this.newTask(account, step, 'new', step.resources.map((r) => r.id));
      if (fault === 'lost') {
        // The cloud did it, the answer never arrived.
        this.finishTask(account, this.tasks.get(id)!);
        throw this.error('network', { code: 'ECONNRESET', retryable: true, mayHaveReachedServer: true });
      }
      return { ref: id, data: { account } };
    },
    poll: async (ctx, _step, handle) => {
      const account = this.record(ctx, 'poll', handle.ref ?? undefined);
      this.onPoll?.();
      if (this.pollAuthError) throw this.error('auth', { code: 'AuthFailure.TokenFailure', retryable: false });
      const task = this.tasks.get(handle.ref!);
      if (!task) throw this.error('invalid', { code: 'FailedOperation.CertificateSyncTaskIdInvalid', retryable: false });
      if (!task.done && task.polls > 0) {
        task.polls -= 1;
        return { finished: false, resources: task.ids.map((id) => ({ resourceId: id, state: 'running', error: null })) };
      }
      if (!task.done) this.finishTask(account, task);
      return { finished: true, resources: task.outcomes } satisfies TaskState;
    },
    rollback: async (ctx, step, _handle: DeployHandle, outcomes) => {
      const account = this.record(ctx, 'rollback', step.oldRemoteId);
      this.rollbackMaterial.push(step.material);
      const id = this.newTask(account, step, 'old', outcomes.filter((o) => o.state === 'deployed').map((o) => o.resourceId));
      return { ref: id, data: {} };
    },
    retire: async (ctx, remoteId, mode: RetireMode) => {
      const account = this.record(ctx, `retire-${mode}`, remoteId);
      const bound = [...(this.resources.get(account)?.values() ?? [])].some((r) => r.certId === remoteId);
      if (mode === 'delete') {
        // What a cloud may do with a bound copy is unconfirmed (DEPLOY.md §6): the fake makes it visible.
        if (bound) throw new Error(`deleted ${remoteId} while bound`);
        this.certs.set(account, (this.certs.get(account) ?? []).filter((c) => c.remoteId !== remoteId));
      } else this.muted.add(`${account}|${remoteId}`);
    },
    isMuted: async (ctx, remoteId) => this.muted.has(`${this.record(ctx, 'read-muted', remoteId)}|${remoteId}`),
  };

  private newTask(account: string, step: DeployStep, to: 'new' | 'old', ids: readonly string[]): string {
    const id = `task-${this.nextId++}`;
    this.tasks.set(id, { step, to, ids, polls: this.pollsBeforeDone, done: false, outcomes: [] });
    void account;
    return id;
  }

  private finishTask(account: string, task: Task): void {
    const map = this.resources.get(account)!;
    task.outcomes = task.ids.map((id) => {
      const bound = map.get(id)!;
      if (task.to === 'new' && this.failing.has(id)) {
        return { resourceId: id, state: 'failed', error: this.error('invalid', { code: 'FailedOperation.DeployFailed', message: `${id} refused the certificate`, httpStatus: 200 }).info };
      }
      bound.certId = task.to === 'new' ? task.step.newRemoteId : task.step.oldRemoteId;
      return { resourceId: id, state: task.to === 'new' ? 'deployed' : 'rolled-back', error: null };
    });
    task.done = true;
  }

  /** The provider: uploads, the listing, and the inventory verbs over the same state. */
  provider(): CloudProvider {
    const copy = (cert: FakeCert, account: string): RemoteCopy => ({
      cloud: 'tencent',
      remoteId: cert.remoteId,
      name: null,
      commonName: cert.commonName,
      dnsNames: cert.dnsNames,
      notBefore: null,
      notAfter: cert.notAfter,
      fingerprintSha256: cert.fingerprintSha256,
      serial: null,
      issuer: null,
      certificatePem: null,
      bindings: [...(this.resources.get(account)?.values() ?? [])].filter((r) => r.certId === cert.remoteId).map((r) => ({ type: r.resource.type, id: r.resource.id, name: r.resource.name })),
    });
    return {
      id: 'tencent',
      displayName: { en: 'Fake', 'zh-CN': '假' },
      requestsPerSecond: 10,
      optionsSchema: z.object({}).strict(),
      optionFields: [],
      accountFields: [],
      defaultOptions: () => ({}),
      validate: (material: UploadMaterial) => (material.privateKeyPem ? [] : [{ field: 'privateKey', message: { en: 'a private key is required', 'zh-CN': '需要私钥' } }]),
      upload: async (ctx, material) => {
        const account = this.record(ctx, 'upload');
        const remoteId = `cert-${this.nextId++}`;
        this.addCert(account, { remoteId, fingerprintSha256: material.leaf.fingerprintSha256, commonName: material.leaf.commonName, dnsNames: material.leaf.dnsNames, notAfter: material.leaf.notAfter });
        return { remoteId, requestId: `req-${remoteId}`, duplicateOf: null };
      },
      list: async (ctx) => {
        const account = this.record(ctx, 'list');
        return (this.certs.get(account) ?? []).map((c) => ({ remoteId: c.remoteId, name: null, commonName: c.commonName, domains: c.dnsNames, notAfter: c.notAfter, fingerprintSha1: null, fingerprintSha256: c.fingerprintSha256 }));
      },
      listRemote: async (ctx) => {
        const account = this.record(ctx, 'sync');
        return (this.certs.get(account) ?? []).map((c) => copy(c, account));
      },
      remoteDetail: async (_ctx, listed) => listed,
      bindings: async (ctx, copies) => new Map(copies.map((c) => [c.remoteId, copy(this.certs.get(ctx.credentials.accessKeyId)!.find((x) => x.remoteId === c.remoteId)!, ctx.credentials.accessKeyId).bindings])),
      deployer: this.deployer,
    };
  }
}
