import { describe, expect, it } from 'vitest';
import { createTencentDeployer } from '../../../main/clouds/tencent/deploy';
import { CloudError } from '../../../main/clouds/provider';
import type { DeployResource, DeployStep } from '../../../main/clouds/deploy';
import type { HttpRequest } from '../../../main/clouds/http';
import { tencentErrors } from '../../../main/clouds/tencent/errors';
import { context, json, ScriptedHttp } from './http-fake';

// The Tencent deployer's requests as sent (field names, string vs int, repeats) and how it reads
// the answers, against scripted answers; DEPLOY.md §1.4-1.8 and the §5.1 captured signature.

const ok = (response: Record<string, unknown>) => json(200, { Response: { ...response, RequestId: 'req' } });
const fail = (code: string, message = 'no') => json(200, { Response: { Error: { Code: code, Message: message }, RequestId: 'req' } });
const bodyOf = (request: HttpRequest) => JSON.parse(request.body!) as Record<string, unknown>;
const actionOf = (request: HttpRequest) => request.headers['x-tc-action'];

const cdn: DeployResource = { type: 'cdn', id: 'cdn.example.com', name: 'cdn.example.com', domains: ['cdn.example.com'], region: null, port: null, detail: { httpsBillingSwitch: 'on' } };
const clb: DeployResource = { type: 'clb', id: 'lb-1|lbl-1|www.example.com', name: 'www.example.com', domains: ['www.example.com'], region: 'ap-guangzhou', port: null, detail: {} };
const clbNoSni: DeployResource = { type: 'clb', id: 'lb-2|lbl-2', name: 'a.example.com', domains: ['a.example.com', 'b.example.com'], region: 'ap-shanghai', port: null, detail: {} };

function step(resources: readonly DeployResource[], muteOld = false): DeployStep {
  return { mode: 'rebind', oldRemoteId: 'OldCert1', newRemoteId: 'NewCert1', resources, material: null, muteOld };
}

const deployer = createTencentDeployer('tencent', { waitMs: 1, maxRepeats: 3 });

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

function item(id: number, status: number, fields: Record<string, unknown>): Record<string, unknown> {
  return { Id: id, CertId: 'NewCert1', OldCertId: 'OldCert1', Status: status, ErrorMsg: status === 2 ? 'domain mismatch' : '', ...fields };
}

describe('Tencent discover (a fresh bind-resource sync task)', () => {
  it('asks with IsCache 0, polls the task, and describes each instance with its tuple id, region, port and settings', async () => {
    const http = new ScriptedHttp(
      ok({ CertTaskIds: [{ CertId: 'OldCert1', TaskId: '748599' }] }),
      ok({ SyncTaskBindResourceResult: [{ TaskId: '748599', Status: 0 }] }),
      ok({ SyncTaskBindResourceResult: [{ TaskId: '748599', Status: 1, BindResourceResult: [{ ResourceType: 'clb', BindResourceRegionResult: [{ Region: 'ap-guangzhou', TotalCount: 1 }] }] }] }),
      ok({
        Status: 1,
        CLB: [{ Region: 'ap-guangzhou', TotalCount: 1, InstanceList: [{ LoadBalancerId: 'lb-1', Listeners: [
          { ListenerId: 'lbl-sni', Protocol: 'HTTPS', SniSwitch: 1, Rules: [{ Domain: 'a.example.com' }, { Domain: 'b.example.com' }] },
          { ListenerId: 'lbl-one', Protocol: 'HTTPS', SniSwitch: 0, Port: 8443, Rules: [{ Domain: 'c.example.com' }, { Domain: 'd.example.com' }] },
        ] }] }],
        CDN: [{ TotalCount: 1, InstanceList: [{ Domain: 'cdn.example.com', CertId: 'OldCert1', HttpsBillingSwitch: 'off' }] }],
        WAF: [{ Region: 'ap-beijing', TotalCount: 1, InstanceList: [{ Domain: 'waf.example.com', CertId: 'OldCert1' }] }],
        DDOS: [{ TotalCount: 1, InstanceList: [{ InstanceId: 'bgpip-1', Domain: 'ddos.example.com', VirtualPort: '4443', Protocol: 'https' }] }],
        TKE: [{ Region: 'ap-shanghai', TotalCount: 1, InstanceList: [{ ClusterId: 'cls-1', NamespaceList: [{ Name: 'default', SecretList: [{ Name: 'tls', IngressList: [{ TlsDomains: ['k.example.com', 'k2.example.com'] }] }] }] }] }],
      }),
    );
    const found = await createTencentDeployer('tencent', { waitMs: 1 }).discover(context(http), 'OldCert1');
    expect(http.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([
      ['CreateCertificateBindResourceSyncTask', { CertificateIds: ['OldCert1'], IsCache: 0 }],
      ['DescribeCertificateBindResourceTaskResult', { TaskIds: ['748599'] }],
      ['DescribeCertificateBindResourceTaskResult', { TaskIds: ['748599'] }],
      ['DescribeCertificateBindResourceTaskDetail', { TaskId: '748599', Limit: '100', Offset: '0' }],
    ]);
    expect(found.map(({ type, id, domains, region, port }) => ({ type, id, domains, region, port }))).toEqual([
      { type: 'clb', id: 'lb-1|lbl-sni|a.example.com', domains: ['a.example.com'], region: 'ap-guangzhou', port: null },
      { type: 'clb', id: 'lb-1|lbl-sni|b.example.com', domains: ['b.example.com'], region: 'ap-guangzhou', port: null },
      // Without SNI the listener holds one certificate for every rule: one resource.
      { type: 'clb', id: 'lb-1|lbl-one', domains: ['c.example.com', 'd.example.com'], region: 'ap-guangzhou', port: 8443 },
      { type: 'cdn', id: 'cdn.example.com', domains: ['cdn.example.com'], region: null, port: null },
      { type: 'waf', id: 'waf.example.com', domains: ['waf.example.com'], region: 'ap-beijing', port: null },
      { type: 'ddos', id: 'bgpip-1|ddos.example.com|4443', domains: ['ddos.example.com'], region: null, port: 4443 },
      { type: 'tke', id: 'cls-1|default|tls', domains: ['k.example.com', 'k2.example.com'], region: 'ap-shanghai', port: null },
    ]);
    expect(found[3]!.detail).toEqual({ httpsBillingSwitch: 'off' });
  });
});

describe('Tencent start (UpdateCertificateInstance)', () => {
  it('reproduces the captured SDK signature of DEPLOY.md §5.1 with the body it builds', async () => {
    const http = new ScriptedHttp(ok({ DeployRecordId: 7, DeployStatus: 1 }));
    await deployer.start(context(http), step([cdn, clb]));
    const [request] = http.requests;
    expect(request!.body).toBe('{"OldCertificateId":"OldCert1","CertificateId":"NewCert1","ResourceTypes":["cdn","clb"],"ResourceTypesRegions":[{"ResourceType":"clb","Regions":["ap-guangzhou"]}]}');
    expect(request!.headers.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE0000000000000000000000000/2023-11-14/ssl/tc3_request, SignedHeaders=content-type;host, Signature=b4dd504467ae774c298a9b0b9ebe57113a98c51223ee1675c40254ca37437745',
    );
    expect(actionOf(request!)).toBe('UpdateCertificateInstance');
  });

  it('repeats the identical call while DeployRecordId is 0, then keeps the record id', async () => {
    const http = new ScriptedHttp(ok({ DeployRecordId: 0, DeployStatus: 0 }), ok({ DeployRecordId: 0, DeployStatus: 0 }), ok({ DeployRecordId: 748332, DeployStatus: 1 }));
    const handle = await deployer.start(context(http), step([clb, clbNoSni], true));
    expect(handle).toEqual({ ref: '748332', data: { kind: 'update', deployRecordId: 748332, adopted: false } });
    const bodies = http.requests.map(bodyOf);
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(bodies[0]).toEqual({
      OldCertificateId: 'OldCert1',
      CertificateId: 'NewCert1',
      ResourceTypes: ['clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou', 'ap-shanghai'] }],
      ExpiringNotificationSwitch: 1,
    });
  });

  it('adopts a running task (DeployStatus 0 with an id)', async () => {
    const handle = await deployer.start(context(new ScriptedHttp(ok({ DeployRecordId: 99, DeployStatus: 0 }))), step([cdn]));
    expect(handle.data).toEqual({ kind: 'update', deployRecordId: 99, adopted: true });
  });

  it('stops repeating after its bound with an error that says the task may exist', async () => {
    const http = new ScriptedHttp(...Array.from({ length: 3 }, () => ok({ DeployRecordId: 0, DeployStatus: 0 })));
    const error = await failure(deployer.start(context(http), step([cdn])));
    expect(error.info).toMatchObject({ code: 'deploy.still-preparing', mayHaveReachedServer: true, retryable: false });
    expect(http.requests).toHaveLength(3);
  });

  it('reports CertificateDeployHasPendingRecord as a conflict without repeating it', async () => {
    const http = new ScriptedHttp(fail('FailedOperation.CertificateDeployHasPendingRecord'));
    const error = await failure(deployer.start(context(http), step([cdn])));
    expect(error.info).toMatchObject({ kind: 'conflict', retryable: false });
    expect(http.requests).toHaveLength(1);
  });

  it('refuses before sending: no resources, a regional resource without a region, in-place mode', async () => {
    const http = new ScriptedHttp();
    expect((await failure(deployer.start(context(http), step([])))).info.code).toBe('deploy.nothing-to-deploy');
    expect((await failure(deployer.start(context(http), step([{ ...clb, region: null }])))).info.code).toBe('deploy.region-unknown');
    expect((await failure(deployer.start(context(http), { ...step([cdn]), mode: 'in-place' }))).info.code).toBe('deploy.mode-unsupported');
    expect(http.requests).toHaveLength(0);
  });
});

describe('Tencent poll (DescribeHostUpdateRecordDetail)', () => {
  const handle = { ref: '748332', data: { kind: 'update', deployRecordId: 748332, adopted: false } };

  it('sends DeployRecordId, Limit and Offset as strings and maps item statuses to resources', async () => {
    const http = new ScriptedHttp(
      ok({
        TotalCount: 3, SuccessTotalCount: 1, FailedTotalCount: 1, RunningTotalCount: 1, PendingTotalCount: 0,
        RecordDetailList: [
          { ResourceType: 'cdn', TotalCount: 1, List: [item(1, 1, { Domains: ['cdn.example.com'] })] },
          { ResourceType: 'clb', TotalCount: 2, List: [item(2, 2, { InstanceId: 'lb-1', ListenerId: 'lbl-1', Domains: ['www.example.com'] }), item(3, 3, { InstanceId: 'lb-2', ListenerId: 'lbl-2', Domains: ['a.example.com', 'b.example.com'] })] },
        ],
      }),
    );
    const state = await deployer.poll(context(http), step([cdn, clb, clbNoSni]), handle);
    expect(bodyOf(http.requests[0]!)).toEqual({ DeployRecordId: '748332', Limit: '200', Offset: '0' });
    expect(state.finished).toBe(false);
    expect(state.resources.map((outcome) => [outcome.resourceId, outcome.state])).toEqual([
      ['cdn.example.com', 'deployed'],
      ['lb-1|lbl-1|www.example.com', 'failed'],
      ['lb-2|lbl-2', 'running'],
    ]);
    expect(state.resources[1]!.error).toMatchObject({ code: 'deploy.resource-failed', message: 'domain mismatch', requestId: 'req' });
  });

  it('reads further pages while a group has more than arrived, and is finished when nothing runs or waits', async () => {
    const many = Array.from({ length: 200 }, (_, i) => item(i + 10, 1, { Domains: [`d${i}.example.com`] }));
    const http = new ScriptedHttp(
      ok({ TotalCount: 201, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [{ ResourceType: 'cdn', TotalCount: 201, List: many }] }),
      ok({ TotalCount: 201, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [{ ResourceType: 'cdn', TotalCount: 201, List: [item(5, 1, { Domains: ['cdn.example.com'] })] }] }),
    );
    const state = await deployer.poll(context(http), step([cdn]), handle);
    expect(http.requests.map((request) => bodyOf(request).Offset)).toEqual(['0', '200']);
    expect(state).toEqual({ finished: true, resources: [{ resourceId: 'cdn.example.com', state: 'deployed', error: null }] });
  });

  it('is not finished while the record is still empty, and reports a resource the finished record left out', async () => {
    const empty = await deployer.poll(context(new ScriptedHttp(ok({ TotalCount: 0, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [] }))), step([cdn]), handle);
    expect(empty.finished).toBe(false);
    const http = new ScriptedHttp(ok({ TotalCount: 1, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [{ ResourceType: 'clb', TotalCount: 1, List: [item(1, 1, { InstanceId: 'lb-1', ListenerId: 'lbl-1', Domains: ['www.example.com'] })] }] }));
    const done = await deployer.poll(context(http), step([cdn, clb]), handle);
    expect(done.finished).toBe(true);
    // Our check of Tencent's record, not Tencent's words.
    expect(done.resources[0]).toMatchObject({ resourceId: 'cdn.example.com', state: 'failed', error: { code: 'deploy.not-in-record' }, source: 'app' });
  });

  it('marks resources an adopted task moves to another certificate as failed', async () => {
    const http = new ScriptedHttp(ok({ TotalCount: 1, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [{ ResourceType: 'cdn', TotalCount: 1, List: [{ ...item(1, 1, { Domains: ['cdn.example.com'] }), CertId: 'Other' }] }] }));
    const state = await deployer.poll(context(http), step([cdn]), { ref: '5', data: { kind: 'update', deployRecordId: 5, adopted: true } });
    expect(state.resources[0]).toMatchObject({ state: 'failed', error: { code: 'deploy.other-task', kind: 'conflict' } });
  });

  it('refuses an unreadable handle before sending', async () => {
    const http = new ScriptedHttp();
    expect((await failure(deployer.poll(context(http), step([cdn]), { ref: null, data: {} }))).info.code).toBe('deploy.handle-invalid');
    expect(http.requests).toHaveLength(0);
  });
});

describe('Tencent rollback and retire', () => {
  it('rolls back with an int DeployRecordId and watches only the resources that were deployed', async () => {
    const http = new ScriptedHttp(
      ok({ DeployRecordId: 800 }),
      ok({ TotalCount: 1, RunningTotalCount: 0, PendingTotalCount: 0, RecordDetailList: [{ ResourceType: 'cdn', TotalCount: 1, List: [item(1, 4, { Domains: ['cdn.example.com'] })] }] }),
    );
    const handle = await deployer.rollback(context(http), step([cdn, clb]), { ref: '700', data: { kind: 'update', deployRecordId: 700 } }, [
      { resourceId: cdn.id, state: 'deployed', error: null },
      { resourceId: clb.id, state: 'failed', error: null },
    ]);
    expect(bodyOf(http.requests[0]!)).toEqual({ DeployRecordId: 700 });
    expect(handle).toEqual({ ref: '800', data: { kind: 'rollback', deployRecordId: 800, rollbackOf: 700, resourceIds: [cdn.id] } });
    const state = await deployer.poll(context(http), step([cdn, clb]), handle);
    expect(state).toEqual({ finished: true, resources: [{ resourceId: cdn.id, state: 'rolled-back', error: null }] });
  });

  it('refuses a rollback with nothing deployed', async () => {
    const error = await failure(deployer.rollback(context(new ScriptedHttp()), step([cdn]), { ref: '700', data: { kind: 'update', deployRecordId: 700 } }, [{ resourceId: cdn.id, state: 'failed', error: null }]));
    expect(error.info.code).toBe('deploy.nothing-to-roll-back');
  });

  it('mutes with SwitchStatus 1, deletes with IsCheckResource and polls the delete task', async () => {
    const http = new ScriptedHttp(
      ok({ CertificateIds: ['OldCert1'] }),
      ok({ DeleteResult: true, TaskId: 't-1' }),
      ok({ DeleteTaskResult: [{ TaskId: 't-1', CertId: 'OldCert1', Status: 0 }] }),
      ok({ DeleteTaskResult: [{ TaskId: 't-1', CertId: 'OldCert1', Status: 1 }] }),
    );
    await deployer.retire(context(http), 'OldCert1', 'mute');
    await deployer.retire(context(http), 'OldCert1', 'delete');
    expect(http.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([
      ['ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: ['OldCert1'], SwitchStatus: 1 }],
      ['DeleteCertificate', { CertificateId: 'OldCert1', IsCheckResource: true }],
      ['DescribeDeleteCertificatesTaskResult', { TaskIds: ['t-1'] }],
      ['DescribeDeleteCertificatesTaskResult', { TaskIds: ['t-1'] }],
    ]);
  });

  it('reports delete task status 4 as still bound and 3 as the missing service role', async () => {
    const bound = new ScriptedHttp(ok({ DeleteResult: true, TaskId: 't' }), ok({ DeleteTaskResult: [{ TaskId: 't', Status: 4, Error: 'bound' }] }));
    expect((await failure(deployer.retire(context(bound), 'OldCert1', 'delete'))).info).toMatchObject({ code: 'FailedOperation.BoundResources', kind: 'conflict', message: 'bound' });
    const role = new ScriptedHttp(ok({ DeleteResult: true, TaskId: 't' }), ok({ DeleteTaskResult: [{ TaskId: 't', Status: 3 }] }));
    const error = await failure(deployer.retire(context(role), 'OldCert1', 'delete'));
    expect(error.info).toMatchObject({ code: 'FailedOperation.RoleNotFoundAuthorization', kind: 'auth' });
    expect(error.info.hint.en).toContain('service-linked role');
  });
});

describe('Tencent deploy error codes', () => {
  it('classifies the deploy codes of DEPLOY.md §1.4-1.8 with hints in both languages', () => {
    const expected = {
      'FailedOperation.CertificateDeployHasPendingRecord': 'conflict',
      'FailedOperation.CertificateDeployInstanceEmpty': 'invalid',
      'FailedOperation.CertificateNotDeployInstance': 'invalid',
      'FailedOperation.BoundResources': 'conflict',
      'FailedOperation.RoleNotFoundAuthorization': 'auth',
      'FailedOperation.CertificateDeployRollbackStatusInvalid': 'invalid',
      'InvalidParameter.RegionNotEmpty': 'invalid',
    } as const;
    for (const [code, kind] of Object.entries(expected)) {
      const known = tencentErrors[code]!;
      expect(known.kind, code).toBe(kind);
      expect(known.retryable, code).toBe(false);
      expect(known.hint['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
