import { z } from 'zod';
import type { CloudId } from '../../../../shared/model';
import { CloudError, type CallContext, type CloudErrorInfo, type CloudProvider, type RemoteCertificate, type UploadMaterial } from '../../../../main/clouds/provider';
import type { FakeClock } from './fake-clock';

// A scripted cloud for orchestration tests. Copies are kept per access key id (one per account),
// every call is recorded with its virtual time, and each upload/list call consumes the next
// scripted step (default: success).

export type Step =
  | { readonly kind: 'ok' }
  /** Fail with this error; `stored` = the cloud created the certificate before the failure (timeout after sending). */
  | { readonly kind: 'error'; readonly error: Partial<CloudErrorInfo> & Pick<CloudErrorInfo, 'kind'>; readonly stored?: boolean }
  /** Tencent's Repeatable=false answer: the existing copy's id. */
  | { readonly kind: 'duplicate-answer' };

export interface Call {
  readonly op: 'list' | 'upload';
  readonly accessKeyId: string;
  readonly at: number;
}

export function cloudError(cloud: CloudId, error: Partial<CloudErrorInfo> & Pick<CloudErrorInfo, 'kind'>): CloudError {
  return new CloudError({
    cloud,
    code: error.code ?? `Fake.${error.kind}`,
    message: error.message ?? `fake ${error.kind}`,
    retryable: error.retryable ?? (error.kind === 'throttled' || error.kind === 'server' || error.kind === 'network'),
    requestId: error.requestId ?? 'req-error',
    httpStatus: error.httpStatus ?? null,
    mayHaveReachedServer: error.mayHaveReachedServer ?? true,
    hint: error.hint ?? { en: 'fake hint', 'zh-CN': '假提示' },
    retryAfterMs: error.retryAfterMs ?? null,
    kind: error.kind,
  });
}

export class FakeCloud {
  readonly copies = new Map<string, RemoteCertificate[]>();
  readonly calls: Call[] = [];
  uploadSteps: Step[] = [];
  listSteps: Step[] = [];
  latencyMs = 0;
  /** Whether the listing shows fingerprints (Tencent/Alibaba-like) or only names and dates (Volcengine-like). */
  listsFingerprints = true;
  private nextId = 1;

  constructor(
    private readonly clock: FakeClock,
    readonly id: CloudId = 'tencent',
    readonly requestsPerSecond = 10,
  ) {}

  uploadsBy(accessKeyId: string): Call[] {
    return this.calls.filter((call) => call.op === 'upload' && call.accessKeyId === accessKeyId);
  }

  provider(): CloudProvider {
    const options = z.object({ alias: z.string().max(20).optional(), repeatable: z.boolean().optional() }).strict();
    return {
      id: this.id,
      displayName: { en: `Fake ${this.id}`, 'zh-CN': `假 ${this.id}` },
      requestsPerSecond: this.requestsPerSecond,
      optionsSchema: options,
      optionFields: [{ key: 'alias', kind: 'text', label: { en: 'Alias', 'zh-CN': '备注名' } }],
      accountFields: [{ key: 'projectId', kind: 'number', label: { en: 'Project', 'zh-CN': '项目' } }],
      defaultOptions: (material: UploadMaterial) => ({ alias: `${material.leaf.commonName ?? 'cert'}`.slice(0, 20) }),
      validate: (material: UploadMaterial) =>
        material.privateKeyPem ? [] : [{ field: 'privateKey', message: { en: 'a private key is required', 'zh-CN': '需要私钥' } }],
      upload: (ctx, material) => this.upload(ctx, material),
      list: (ctx) => this.list(ctx),
    };
  }

  private async upload(ctx: CallContext, material: UploadMaterial) {
    const key = ctx.credentials.accessKeyId;
    this.calls.push({ op: 'upload', accessKeyId: key, at: this.clock.now() });
    if (this.latencyMs) await this.clock.sleep(this.latencyMs);
    const step = this.uploadSteps.shift() ?? { kind: 'ok' };
    if (step.kind === 'duplicate-answer') {
      const existing = this.copies.get(key)?.[0];
      return { remoteId: `new-${this.nextId++}`, requestId: 'req-dup', duplicateOf: existing?.remoteId ?? 'existing-1' };
    }
    if (step.kind === 'error' && !step.stored) throw cloudError(this.id, step.error);
    const remoteId = `cert-${this.nextId++}`;
    const leaf = material.leaf;
    const copy: RemoteCertificate = {
      remoteId,
      name: null,
      commonName: leaf.commonName,
      domains: leaf.dnsNames,
      notAfter: leaf.notAfter,
      fingerprintSha1: this.listsFingerprints ? leaf.fingerprintSha1 : null,
      fingerprintSha256: this.listsFingerprints ? leaf.fingerprintSha256 : null,
    };
    this.copies.set(key, [...(this.copies.get(key) ?? []), copy]);
    if (step.kind === 'error') throw cloudError(this.id, step.error);
    return { remoteId, requestId: `req-${remoteId}`, duplicateOf: null };
  }

  private async list(ctx: CallContext): Promise<readonly RemoteCertificate[]> {
    const key = ctx.credentials.accessKeyId;
    this.calls.push({ op: 'list', accessKeyId: key, at: this.clock.now() });
    if (this.latencyMs) await this.clock.sleep(this.latencyMs);
    const step = this.listSteps.shift() ?? { kind: 'ok' };
    if (step.kind === 'error') throw cloudError(this.id, step.error);
    return this.copies.get(key) ?? [];
  }
}
