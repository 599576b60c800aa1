import { describe, expect, it } from 'vitest';
import { tencent } from '../../../main/clouds/tencent';
import { CloudError, type RemoteCopy } from '../../../main/clouds/provider';
import { tencentErrors } from '../../../main/clouds/tencent/errors';
import type { HttpRequest } from '../../../main/clouds/http';
import { context, json, ScriptedHttp } from './http-fake';
import { expectNoKeyIn, fullchainPem, leafFacts, privateKeyPem } from './inventory-fixtures';

const ok = (response: Record<string, unknown>) => json(200, { Response: { ...response, RequestId: 'req' } });
const bodyOf = (request: HttpRequest) => JSON.parse(request.body!) as Record<string, unknown>;
const actionOf = (request: HttpRequest) => request.headers['x-tc-action'];

function item(id: string): Record<string, unknown> {
  return {
    CertificateId: id,
    Alias: `alias-${id}`,
    Domain: `${id}.example.com`,
    SubjectAltName: [`${id}.example.com`, `www.${id}.example.com`],
    CertBeginTime: '2025-01-01 08:00:00',
    CertEndTime: '2026-01-01 07:59:59',
  };
}

describe('Tencent listRemote (DescribeCertificates, all pages)', () => {
  it('pages with Offset/Limit until TotalCount and maps names and Beijing times', async () => {
    const http = new ScriptedHttp(
      ok({ TotalCount: 5, Certificates: [item('a'), item('b')] }),
      ok({ TotalCount: 5, Certificates: [item('c'), item('d')] }),
      ok({ TotalCount: 5, Certificates: [item('e')] }),
    );
    const copies = await tencent.listRemote!(context(http), { pageSize: 2 });
    expect(http.requests.map(bodyOf)).toEqual([
      { Offset: 0, Limit: 2 },
      { Offset: 2, Limit: 2 },
      { Offset: 4, Limit: 2 },
    ]);
    expect(http.requests.every((request) => actionOf(request) === 'DescribeCertificates')).toBe(true);
    expect(copies.map((copy) => copy.remoteId)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(copies[0]).toEqual({
      cloud: 'tencent',
      remoteId: 'a',
      name: 'alias-a',
      commonName: 'a.example.com',
      dnsNames: ['a.example.com', 'www.a.example.com'],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2025-12-31T23:59:59.000Z',
      fingerprintSha256: null,
      serial: null,
      issuer: null,
      certificatePem: null,
      bindings: [],
    });
  });

  it('asks for 1000 per page by default and follows a clamped page by what came back', async () => {
    const http = new ScriptedHttp(ok({ TotalCount: 3, Certificates: [item('a'), item('b')] }), ok({ TotalCount: 3, Certificates: [item('c')] }));
    await tencent.listRemote!(context(http));
    expect(http.requests.map(bodyOf)).toEqual([
      { Offset: 0, Limit: 1000 },
      { Offset: 2, Limit: 1000 },
    ]);
  });

  it('retries a throttled page and goes on', async () => {
    const http = new ScriptedHttp(
      ok({ TotalCount: 2, Certificates: [item('a')] }),
      json(200, { Response: { Error: { Code: 'RequestLimitExceeded', Message: 'slow down' }, RequestId: 'r' } }),
      ok({ TotalCount: 2, Certificates: [item('b')] }),
    );
    const copies = await tencent.listRemote!(context(http), { pageSize: 1 });
    expect(copies.map((copy) => copy.remoteId)).toEqual(['a', 'b']);
    expect(http.requests.map(bodyOf).map((body) => body.Offset)).toEqual([0, 1, 1]);
  });

  it('stops at a failing page with the cloud error', async () => {
    const http = new ScriptedHttp(
      ok({ TotalCount: 2, Certificates: [item('a')] }),
      json(200, { Response: { Error: { Code: 'FailedOperation.NoRealNameAuth', Message: 'no' }, RequestId: 'r' } }),
    );
    const error = await tencent.listRemote!(context(http), { pageSize: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).info).toMatchObject({ code: 'FailedOperation.NoRealNameAuth', kind: 'auth' });
  });

  it('sends nothing once cancelled', async () => {
    const http = new ScriptedHttp();
    const controller = new AbortController();
    controller.abort();
    await expect(tencent.listRemote!({ ...context(http), signal: controller.signal })).rejects.toBeDefined();
    expect(http.requests).toEqual([]);
  });
});

const listed: RemoteCopy = {
  cloud: 'tencent', remoteId: 'Abc123', name: 'n', commonName: 'x', dnsNames: [], notBefore: null, notAfter: null,
  fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [],
};

describe('Tencent remoteDetail (DescribeCertificateDetail)', () => {
  it('reads the PEM for fingerprint, serial, issuer and exact dates, and drops the private key', async () => {
    const http = new ScriptedHttp(
      ok({
        CertificateId: 'Abc123',
        Alias: 'prod',
        Domain: 'rsa2048.example.test',
        SubjectAltName: ['*.rsa2048.example.test'],
        CertificatePublicKey: fullchainPem,
        CertificatePrivateKey: privateKeyPem,
        EncryptPrivateKey: privateKeyPem,
        CertEndTime: '2034-12-31 00:00:00',
      }),
    );
    const copy = await tencent.remoteDetail!(context(http), listed);
    expect(bodyOf(http.requests[0]!)).toEqual({ CertificateId: 'Abc123' });
    expect(actionOf(http.requests[0]!)).toBe('DescribeCertificateDetail');
    expect(copy).toMatchObject({
      remoteId: 'Abc123',
      name: 'prod',
      commonName: 'rsa2048.example.test',
      dnsNames: ['rsa2048.example.test', '*.rsa2048.example.test'],
      fingerprintSha256: leafFacts.fingerprintSha256,
      serial: leafFacts.serial,
      notAfter: leafFacts.notAfter,
      issuer: expect.stringContaining('CN=Test Intermediate CA rsa2048'),
    });
    expect(copy.certificatePem).toContain('-----BEGIN CERTIFICATE-----');
    expectNoKeyIn(copy);
  });

  it('keeps a key quoted in an error message out of the error', async () => {
    const http = new ScriptedHttp(json(200, { Response: { Error: { Code: 'FailedOperation.CertificateInvalid', Message: `bad: ${privateKeyPem}` }, RequestId: 'r' } }));
    const error = await tencent.remoteDetail!(context(http), listed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudError);
    expectNoKeyIn(error);
  });
});

function taskDetail(overrides: Record<string, unknown>): Record<string, unknown> {
  return { Status: 1, CacheTime: '2025-01-01 00:00:00', ...overrides };
}

describe('Tencent bindings (bind-resource sync task)', () => {
  it('starts one task per 100 certificates, polls until done, and reads the instances of those that found any', async () => {
    const copies = ['A', 'B'].map((id) => ({ ...listed, remoteId: id }));
    const http = new ScriptedHttp(
      ok({ CertTaskIds: [{ CertId: 'A', TaskId: '11' }, { CertId: 'B', TaskId: '12' }] }),
      ok({ SyncTaskBindResourceResult: [{ TaskId: '11', Status: 0 }, { TaskId: '12', Status: 0 }] }),
      ok({
        SyncTaskBindResourceResult: [
          { TaskId: '11', Status: 1, BindResourceResult: [{ ResourceType: 'clb', BindResourceRegionResult: [{ Region: 'ap-guangzhou', TotalCount: 1 }] }] },
          { TaskId: '12', Status: 1, BindResourceResult: [] },
        ],
      }),
      ok(
        taskDetail({
          CLB: [
            {
              Region: 'ap-guangzhou',
              TotalCount: 1,
              InstanceList: [
                {
                  LoadBalancerId: 'lb-1',
                  Listeners: [
                    { ListenerId: 'lbl-sni', Rules: [{ Domain: 'a.example.com' }, { Domain: 'b.example.com' }] },
                    { ListenerId: 'lbl-l4', Rules: [] },
                  ],
                },
              ],
            },
          ],
          CDN: [{ TotalCount: 1, InstanceList: [{ Domain: 'cdn.example.com', CertId: 'A', Status: 'online' }] }],
          COS: [{ Region: 'ap-hongkong', TotalCount: 1, InstanceList: [{ Domain: 'cos.example.com', Bucket: 'b-1251', Region: 'ap-hongkong' }] }],
        }),
      ),
    );
    const bindings = await tencent.bindings!(context(http), copies, { pollIntervalMs: 1 });
    expect(http.requests.map(actionOf)).toEqual([
      'CreateCertificateBindResourceSyncTask',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskDetail',
    ]);
    expect(bodyOf(http.requests[0]!)).toEqual({ CertificateIds: ['A', 'B'], IsCache: 1 });
    expect(bodyOf(http.requests[3]!)).toEqual({ TaskId: '11', Limit: '100', Offset: '0' });
    expect(Object.fromEntries(bindings)).toEqual({
      A: [
        { type: 'clb', id: 'lb-1|lbl-sni|a.example.com', name: 'a.example.com' },
        { type: 'clb', id: 'lb-1|lbl-sni|b.example.com', name: 'b.example.com' },
        { type: 'clb', id: 'lb-1|lbl-l4', name: null },
        { type: 'cdn', id: 'cdn.example.com', name: 'cdn.example.com' },
        { type: 'cos', id: 'ap-hongkong|b-1251|cos.example.com', name: 'cos.example.com' },
      ],
    });
  });

  it('starts every batch of tasks before the first poll, so the wait between polls is paid once per account', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `C${i}`);
    const tasks = (from: number, to: number) => ids.slice(from, to).map((id) => ({ CertId: id, TaskId: `t-${id}` }));
    const results = (from: number, to: number, status: number) => ids.slice(from, to).map((id) => ({ TaskId: `t-${id}`, Status: status, BindResourceResult: [] }));
    const found = { TaskId: 't-C120', Status: 1, BindResourceResult: [{ ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 1 }] }] };
    const http = new ScriptedHttp(
      ok({ CertTaskIds: tasks(0, 100) }),
      ok({ CertTaskIds: tasks(100, 150) }),
      ok({ SyncTaskBindResourceResult: results(0, 100, 0) }),
      ok({ SyncTaskBindResourceResult: results(100, 150, 0) }),
      ok({ SyncTaskBindResourceResult: results(0, 100, 1) }),
      ok({ SyncTaskBindResourceResult: [...results(100, 120, 1), found, ...results(121, 150, 1)] }),
      ok(taskDetail({ CDN: [{ TotalCount: 1, InstanceList: [{ Domain: 'cdn.example.com', CertId: 'C120', Status: 'online' }] }] })),
    );
    const bindings = await tencent.bindings!(context(http), ids.map((id) => ({ ...listed, remoteId: id })), { pollIntervalMs: 1 });
    expect(http.requests.map(actionOf)).toEqual([
      'CreateCertificateBindResourceSyncTask',
      'CreateCertificateBindResourceSyncTask',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskResult',
      'DescribeCertificateBindResourceTaskDetail',
    ]);
    // Each poll names at most the 100 task ids the action takes.
    expect(http.requests.slice(2, 6).map((request) => (bodyOf(request).TaskIds as string[]).length)).toEqual([100, 50, 100, 50]);
    expect(Object.fromEntries(bindings)).toEqual({ C120: [{ type: 'cdn', id: 'cdn.example.com', name: 'cdn.example.com' }] });
  });

  it('pages the detail while a type and region has more instances than one page', async () => {
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ Domain: `d${from + i}.example.com` }));
    const http = new ScriptedHttp(
      ok({ CertTaskIds: [{ CertId: 'A', TaskId: '1' }] }),
      ok({ SyncTaskBindResourceResult: [{ TaskId: '1', Status: 1, BindResourceResult: [{ ResourceType: 'cdn', BindResourceRegionResult: [{ Region: '', TotalCount: 150 }] }] }] }),
      ok(taskDetail({ CDN: [{ TotalCount: 150, InstanceList: many(0, 100) }] })),
      ok(taskDetail({ CDN: [{ TotalCount: 150, InstanceList: many(100, 50) }] })),
    );
    const bindings = await tencent.bindings!(context(http), [{ ...listed, remoteId: 'A' }], { pollIntervalMs: 1 });
    expect(bodyOf(http.requests[3]!)).toMatchObject({ Offset: '100' });
    expect(bindings.get('A')).toHaveLength(150);
  });

  it('reports a failed task with its own code', async () => {
    const http = new ScriptedHttp(
      ok({ CertTaskIds: [{ CertId: 'A', TaskId: '1' }] }),
      ok({ SyncTaskBindResourceResult: [{ TaskId: '1', Status: 2, Error: { Code: 'FailedOperation.RoleNotFoundAuthorization', Message: 'role' } }] }),
    );
    const error = await tencent.bindings!(context(http), [{ ...listed, remoteId: 'A' }], { pollIntervalMs: 1 }).catch((caught: unknown) => caught);
    expect((error as CloudError).info).toMatchObject({ code: 'FailedOperation.RoleNotFoundAuthorization', kind: 'auth', retryable: false });
  });

  it('gives up on a task that never finishes, as retryable', async () => {
    const running = ok({ SyncTaskBindResourceResult: [{ TaskId: '1', Status: 0 }] });
    const http = new ScriptedHttp(ok({ CertTaskIds: [{ CertId: 'A', TaskId: '1' }] }), ...Array.from({ length: 60 }, () => running));
    const error = await tencent.bindings!(context(http), [{ ...listed, remoteId: 'A' }], { pollIntervalMs: 0 }).catch((caught: unknown) => caught);
    expect((error as CloudError).info).toMatchObject({ code: 'bindings.pending', retryable: true });
  });

  it('has both hints for the discovery codes', () => {
    for (const code of ['FailedOperation.RoleNotFoundAuthorization', 'FailedOperation.CertificateSyncTaskIdInvalid', 'FailedOperation.CertificateHostResourceInnerInterrupt']) {
      expect(tencentErrors[code]?.hint.en, code).toBeTruthy();
      expect(tencentErrors[code]?.hint['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
