import { describe, expect, it } from 'vitest';
import { createAliyunDeployer } from '../../../main/clouds/aliyun/deploy';
import { buildAliyunRequest } from '../../../main/clouds/aliyun/client';
import { signAcs3 } from '../../../main/clouds/aliyun/sign';
import { CloudError } from '../../../main/clouds/provider';
import type { DeployResource, DeployStep } from '../../../main/clouds/deploy';
import { TransportError, type HttpRequest } from '../../../main/clouds/http';
import { context, FIXED_NOW, json, ScriptedHttp } from './http-fake';

// The Alibaba deployer's requests as sent (all parameters in the query, CertIds as a JSON array for
// ListCloudResources and a comma list for CreateDeploymentJob) and how it reads the answers;
// DEPLOY.md §2.3-2.8 and the §5.1 captured CreateDeploymentJob signature.

const ok = (body: Record<string, unknown>) => json(200, { ...body, RequestId: 'req' });
const actionOf = (request: HttpRequest) => request.headers['x-acs-action'];
const queryOf = (request: HttpRequest) => Object.fromEntries(request.url.searchParams);
const aliyun = (http: ScriptedHttp) => context(http, { cloud: 'aliyun' }, { accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'ExampleAccessKeySecret0000000000' });

const cdn: DeployResource = { type: 'CDN', id: '111', name: 'cdn.example.com', domains: ['cdn.example.com'], region: 'cn-hangzhou', port: null, detail: {} };
const slb: DeployResource = { type: 'SLB', id: '222', name: 'www.example.com', domains: ['www.example.com'], region: 'cn-shanghai', port: 8443, detail: {} };

function step(resources: readonly DeployResource[]): DeployStep {
  return { mode: 'rebind', oldRemoteId: '100', newRemoteId: '12345', resources, material: null, muteOld: false };
}

const deployer = createAliyunDeployer();
const jobHandle = { ref: '9001', data: { kind: 'job', jobId: '9001', name: 'n' } };

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

const worker = (id: number, resourceId: string, status: string) => ({ Id: id, JobId: 9001, ResourceId: Number(resourceId), ResourceCertId: 100, Status: status });

describe('CreateDeploymentJob signature (DEPLOY.md §5.1)', () => {
  const call = { action: 'CreateDeploymentJob', params: { CertIds: '12345', ContactIds: '1', JobType: 'user', Name: 'job1', ResourceIds: '111,222' } };

  it('reproduces the hand-signer capture, the comma of ResourceIds encoded as %2C', () => {
    const request = buildAliyunRequest({ account: { cloud: 'aliyun', region: null, endpoint: null, fields: {} }, credentials: { accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'ExampleAccessKeySecret0000000000' } }, call, FIXED_NOW, 'fixednonce0123456789abcdef000000');
    expect(request.url.search).toBe('?CertIds=12345&ContactIds=1&JobType=user&Name=job1&ResourceIds=111%2C222');
    expect(request.body).toBeUndefined();
    expect(request.headers.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=LTAIEXAMPLEACCESSKEY,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=69a4755ac0540a0de27ed7f1448b958a258cbbd3462916fe1fd0d96254be19ad',
    );
  });

  it('reproduces the SDK capture when its credentials-provider header is signed too', () => {
    const signed = signAcs3({
      method: 'POST',
      path: '/',
      query: call.params,
      headers: {
        host: 'cas.aliyuncs.com',
        'x-acs-action': 'CreateDeploymentJob',
        'x-acs-version': '2020-04-07',
        'x-acs-date': '2023-11-14T22:13:20Z',
        'x-acs-signature-nonce': 'fixednonce0123456789abcdef000000',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-credentials-provider': 'static_ak',
      },
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      accessKeyId: 'LTAIEXAMPLEACCESSKEY',
      accessKeySecret: 'ExampleAccessKeySecret0000000000',
    });
    expect(signed.signature).toBe('935d230d14081963f4c22ea4adb54b61641cb5cfe7f507f4cc484ca8843daa4e');
  });
});

describe('Alibaba discover (ListCloudResources)', () => {
  it('asks with CertIds as a JSON array, reads every page, and keeps Id, product, region and port', async () => {
    const item = (id: number, extra: Record<string, unknown> = {}) => ({ Id: id, CloudProduct: 'SLB', Domain: `d${id}.example.com`, RegionId: 'cn-shanghai', CertId: 100, ListenerPort: 8443, InstanceId: 'lb-1', ListenerId: 'lsn-1@8443', ...extra });
    const http = new ScriptedHttp(
      ok({ Data: Array.from({ length: 50 }, (_, i) => item(i)), Total: 52 }),
      ok({ Data: [item(50), item(51, { CertId: 999 })], Total: 52 }),
    );
    const found = await deployer.discover(aliyun(http), '100');
    expect(http.requests.map(queryOf)).toEqual([
      { CertIds: '[100]', CloudName: 'aliyun', CurrentPage: '1', ShowSize: '50' },
      { CertIds: '[100]', CloudName: 'aliyun', CurrentPage: '2', ShowSize: '50' },
    ]);
    // The item naming another certificate is left out (the filter's meaning is inferred).
    expect(found).toHaveLength(51);
    expect(found[0]).toEqual({ type: 'SLB', id: '0', name: 'd0.example.com', domains: ['d0.example.com'], region: 'cn-shanghai', port: 8443, detail: { instanceId: 'lb-1', listenerId: 'lsn-1@8443' } });
  });

  it('refuses a non-numeric certificate id before sending', async () => {
    const http = new ScriptedHttp();
    expect((await failure(deployer.discover(aliyun(http), 'abc'))).info.code).toBe('deploy.id-not-numeric');
    expect(http.requests).toHaveLength(0);
  });
});

describe('Alibaba start and poll', () => {
  it('takes the first contact, creates the job with comma lists and returns its JobId without submitting it', async () => {
    const http = new ScriptedHttp(ok({ ContactList: [{ ContactId: 7, Name: 'ops' }], TotalCount: 1 }), ok({ JobId: 9001 }));
    const handle = await deployer.start(aliyun(http), step([cdn, slb]));
    expect(http.requests.map(actionOf)).toEqual(['ListContact', 'CreateDeploymentJob']);
    expect(queryOf(http.requests[0]!)).toEqual({ CurrentPage: '1', ShowSize: '1' });
    expect(queryOf(http.requests[1]!)).toEqual({ Name: `certvault 100 to 12345 ${FIXED_NOW.toISOString()}`, JobType: 'user', CertIds: '12345', ResourceIds: '111,222', ContactIds: '7' });
    expect(handle).toEqual({ ref: '9001', data: { kind: 'job', jobId: '9001', name: `certvault 100 to 12345 ${FIXED_NOW.toISOString()}` } });
  });

  it('does not repeat CreateDeploymentJob when its answer is lost', async () => {
    const lost = () => {
      throw new TransportError('ECONNRESET', 'socket hang up', true, true);
    };
    const http = new ScriptedHttp(ok({ ContactList: [{ ContactId: 7 }] }), lost);
    const error = await failure(deployer.start(aliyun(http), step([cdn])));
    expect(error.info).toMatchObject({ kind: 'network', mayHaveReachedServer: true });
    expect(http.requests.map(actionOf)).toEqual(['ListContact', 'CreateDeploymentJob']);
  });

  it('submits a job it reads in editing, once, and reports every resource pending', async () => {
    const http = new ScriptedHttp(ok({ Id: 9001, Status: 'editing' }), ok({ Data: [] }));
    const state = await deployer.poll(aliyun(http), step([cdn, slb]), jobHandle);
    expect(http.requests.map((request) => [actionOf(request), queryOf(request)])).toEqual([
      ['DescribeDeploymentJob', { JobId: '9001' }],
      ['UpdateDeploymentJobStatus', { JobId: '9001', Status: 'pending' }],
    ]);
    expect(state).toEqual({ finished: false, resources: [{ resourceId: '111', state: 'pending', error: null }, { resourceId: '222', state: 'pending', error: null }] });
  });

  it('maps worker states to resources over every page and finishes when all ended', async () => {
    const http = new ScriptedHttp(
      ok({ Id: 9001, Status: 'error' }),
      ok({ Data: [worker(1, '111', 'success'), ...Array.from({ length: 49 }, (_, i) => worker(100 + i, String(5000 + i), 'success'))], Total: 51 }),
      ok({ Data: [worker(2, '222', 'error')], Total: 51 }),
    );
    const state = await deployer.poll(aliyun(http), step([cdn, slb]), jobHandle);
    expect(http.requests.slice(1).map((request) => queryOf(request).CurrentPage)).toEqual(['1', '2']);
    expect(state.finished).toBe(true);
    expect(state.resources.map((outcome) => [outcome.resourceId, outcome.state, outcome.error?.code ?? null, outcome.source ?? null])).toEqual([
      ['111', 'deployed', null, null],
      // The worker's status is Alibaba's word, though it came without an HTTP error of its own.
      ['222', 'failed', 'deploy.worker-error', 'cloud'],
    ]);
  });

  it('is not finished while a worker processes', async () => {
    const http = new ScriptedHttp(ok({ Id: 9001, Status: 'processing' }), ok({ Data: [worker(1, '111', 'success'), worker(2, '222', 'processing')], Total: 2 }));
    const state = await deployer.poll(aliyun(http), step([cdn, slb]), jobHandle);
    expect(state.finished).toBe(false);
    expect(state.resources.map((outcome) => outcome.state)).toEqual(['deployed', 'running']);
  });

  it('refuses to start without a contact, and in-place mode, before creating a job', async () => {
    const http = new ScriptedHttp(ok({ ContactList: [], TotalCount: 0 }));
    expect((await failure(deployer.start(aliyun(http), step([cdn])))).info).toMatchObject({ code: 'deploy.no-contact', mayHaveReachedServer: false });
    expect((await failure(deployer.start(aliyun(http), { ...step([cdn]), mode: 'in-place' }))).info.code).toBe('deploy.mode-unsupported');
    expect(http.requests.map(actionOf)).toEqual(['ListContact']);
  });
});

describe('Alibaba rollback and retire', () => {
  it('rolls back each successful worker of a deployed resource and watches the rollback states', async () => {
    const http = new ScriptedHttp(
      ok({ Data: [worker(1, '111', 'success'), worker(2, '222', 'error')], Total: 2 }),
      ok({}),
      ok({ Id: 9001, Status: 'error' }),
      ok({ Data: [worker(1, '111', 'rollback_success'), worker(2, '222', 'error')], Total: 2 }),
    );
    const outcomes = [{ resourceId: '111', state: 'deployed' as const, error: null }, { resourceId: '222', state: 'failed' as const, error: null }];
    const handle = await deployer.rollback(aliyun(http), step([cdn, slb]), jobHandle, outcomes);
    expect(queryOf(http.requests[1]!)).toEqual({ JobId: '9001', WorkerId: '1', Status: 'rollback' });
    expect(handle).toEqual({ ref: '9001', data: { kind: 'rollback', jobId: '9001', resourceIds: ['111'], workerIds: ['1'], refused: {} } });
    expect(await deployer.poll(aliyun(http), step([cdn, slb]), handle)).toEqual({ finished: true, resources: [{ resourceId: '111', state: 'rolled-back', error: null }] });
  });

  it('keeps watching the rollbacks that started when a later worker refuses, and reports that one', async () => {
    const http = new ScriptedHttp(
      ok({ Data: [worker(1, '111', 'success'), worker(2, '222', 'success')], Total: 2 }),
      ok({}),
      json(400, { Code: 'InvalidParameter', Message: 'worker busy' }),
      ok({ Id: 9001, Status: 'success' }),
      ok({ Data: [worker(1, '111', 'rollback_success'), worker(2, '222', 'success')], Total: 2 }),
    );
    const outcomes = [{ resourceId: '111', state: 'deployed' as const, error: null }, { resourceId: '222', state: 'deployed' as const, error: null }];
    const handle = await deployer.rollback(aliyun(http), step([cdn, slb]), jobHandle, outcomes);
    const state = await deployer.poll(aliyun(http), step([cdn, slb]), JSON.parse(JSON.stringify(handle)) as typeof handle);
    expect(state.finished).toBe(true);
    expect(state.resources.map((outcome) => [outcome.resourceId, outcome.state, outcome.error?.message ?? null])).toEqual([
      ['111', 'rolled-back', null],
      ['222', 'rollback-failed', 'worker busy'],
    ]);
  });

  it('deletes with DeleteUserCertificate, explains a refusal, and has no mute', async () => {
    const http = new ScriptedHttp(ok({}), json(400, { Code: 'SomeBusinessCode', Message: 'in use' }));
    await deployer.retire(aliyun(http), '100', 'delete');
    expect([actionOf(http.requests[0]!), queryOf(http.requests[0]!)]).toEqual(['DeleteUserCertificate', { CertId: '100' }]);
    const refused = await failure(deployer.retire(aliyun(http), '100', 'delete'));
    expect(refused.info).toMatchObject({ code: 'SomeBusinessCode', message: 'in use', kind: 'conflict' });
    expect(refused.info.hint['zh-CN']).toContain('删除');
    expect((await failure(deployer.retire(aliyun(http), '100', 'mute'))).info.code).toBe('deploy.retire-mode');
  });
});
