import { describe, expect, it } from 'vitest';
import { createTencentDeployer } from '../../../main/clouds/tencent/deploy';
import type { DeployResource, DeployStep } from '../../../main/clouds/deploy';
import type { HttpRequest } from '../../../main/clouds/http';
import { tencentErrors } from '../../../main/clouds/tencent/errors';
import { context, json, ScriptedHttp } from './http-fake';

// The Tencent deployer's bind requests as sent (DEPLOY.md §1.3.4, §1.6): the instance lists'
// parameters and paging, DeployCertificateInstance's tuples, type and X-TC-Region, the record
// detail's mixed string/int types, and the §1.6 error codes.

const ok = (response: Record<string, unknown>) => json(200, { Response: { ...response, RequestId: 'req' } });
const bodyOf = (request: HttpRequest) => JSON.parse(request.body!) as Record<string, unknown>;
const actionOf = (request: HttpRequest) => request.headers['x-tc-action'];

const cdn: DeployResource = { type: 'cdn', id: 'cdn.example.com', name: 'cdn.example.com', domains: ['cdn.example.com'], region: null, port: null, detail: { httpsBillingSwitch: 'off' } };
const live: DeployResource = { type: 'live', id: 'live.example.com', name: 'live.example.com', domains: ['live.example.com'], region: null, port: null, detail: {} };
const clb: DeployResource = { type: 'clb', id: 'lb-1|lbl-1|www.example.com', name: 'www.example.com', domains: ['www.example.com'], region: 'ap-guangzhou', port: null, detail: {} };

const bindStep = (resources: readonly DeployResource[]): DeployStep => ({
  mode: 'rebind', oldRemoteId: '', newRemoteId: 'NewCert1', resources, material: null, muteOld: false, binds: resources.map((r) => r.id),
});

const deployer = createTencentDeployer('tencent', { waitMs: 1, maxRepeats: 3 });

describe('Tencent bind candidates', () => {
  it('asks each product list for NEW with domainMatch, fresh (IsCache 0), every page by Offset', async () => {
    const page = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ Domain: `d${from + i}.example.com`, CertId: '', HttpsBillingSwitch: 'on' }));
    const http = new ScriptedHttp(
      ok({ TotalCount: 0, InstanceList: [] }),
      ok({ TotalCount: 130, InstanceList: page(100, 0) }),
      ok({ TotalCount: 130, InstanceList: page(30, 100) }),
      ok({ TotalCount: 1, InstanceList: [{ Domain: 'live.example.com', CertId: 'Other', Status: 1 }] }),
    );
    const found = await deployer.candidates!(context(http), 'NewCert1');
    expect(http.requests.map(actionOf)).toEqual(['DescribeHostClbInstanceList', 'DescribeHostCdnInstanceList', 'DescribeHostCdnInstanceList', 'DescribeHostLiveInstanceList']);
    expect(bodyOf(http.requests[2]!)).toEqual({ CertificateId: 'NewCert1', IsCache: 0, Filters: [{ FilterKey: 'domainMatch', FilterValue: '1' }], Offset: 100, Limit: 100 });
    expect(found).toHaveLength(131);
    expect(found.at(-1)).toMatchObject({ type: 'live', id: 'live.example.com', currentRemoteId: 'Other', unbindable: null });
  });
});

describe('Tencent DeployCertificateInstance', () => {
  it('sends one task per type and region with the §1.6 tuples, Status 1 for live, X-TC-Region for CLB only', async () => {
    const http = new ScriptedHttp(ok({ DeployRecordId: 11, DeployStatus: 1 }), ok({ DeployRecordId: 12, DeployStatus: 1 }), ok({ DeployRecordId: 13, DeployStatus: 0 }));
    const handle = await deployer.start(context(http), bindStep([clb, cdn, live]));
    expect(http.requests.map((r) => [actionOf(r), r.headers['x-tc-region'] ?? null, bodyOf(r)])).toEqual([
      ['DeployCertificateInstance', 'ap-guangzhou', { CertificateId: 'NewCert1', InstanceIdList: ['lb-1|lbl-1|www.example.com'], ResourceType: 'clb', IsCache: 0 }],
      ['DeployCertificateInstance', null, { CertificateId: 'NewCert1', InstanceIdList: ['cdn.example.com|off'], ResourceType: 'cdn', IsCache: 0 }],
      ['DeployCertificateInstance', null, { CertificateId: 'NewCert1', InstanceIdList: ['live.example.com'], ResourceType: 'live', IsCache: 0, Status: 1 }],
    ]);
    // X-TC-Region is not signed, so the SDK's signature and ours agree with or without it.
    expect(http.requests[0]!.headers.authorization).toContain('SignedHeaders=content-type;host');
    expect(handle).toEqual({
      ref: null,
      data: {
        kind: 'update',
        deployRecordId: null,
        binds: [
          { type: 'clb', region: 'ap-guangzhou', resourceIds: [clb.id], deployRecordId: 11, adopted: false },
          { type: 'cdn', region: '', resourceIds: [cdn.id], deployRecordId: 12, adopted: false },
          { type: 'live', region: '', resourceIds: [live.id], deployRecordId: 13, adopted: true },
        ],
      },
    });
  });

  it('watches with DescribeHostDeployRecordDetail: DeployRecordId a string, Offset and Limit ints; done when nothing runs', async () => {
    const handle = { ref: null, data: { kind: 'update', deployRecordId: null, binds: [{ type: 'cdn', region: '', resourceIds: [cdn.id], deployRecordId: 12 }] } };
    const running = new ScriptedHttp(ok({ TotalCount: 1, RunningTotalCount: 1, PendingTotalCount: 0, DeployRecordDetailList: [{ Id: 1, Domains: ['cdn.example.com'], Status: 3 }] }));
    expect(await deployer.poll(context(running), bindStep([cdn]), handle)).toEqual({ finished: false, resources: [{ resourceId: cdn.id, state: 'running', error: null }] });
    expect(bodyOf(running.requests[0]!)).toEqual({ DeployRecordId: '12', Offset: 0, Limit: 200 });
    const failed = new ScriptedHttp(ok({ TotalCount: 1, RunningTotalCount: 0, PendingTotalCount: 0, FailedTotalCount: 1, DeployRecordDetailList: [{ Id: 1, Domains: ['cdn.example.com'], Status: 2, ErrorMsg: 'domain not ready' }] }));
    const state = await deployer.poll(context(failed), bindStep([cdn]), handle);
    expect(state).toMatchObject({ finished: true, resources: [{ resourceId: cdn.id, state: 'failed', error: { code: 'deploy.resource-failed', message: 'domain not ready' } }] });
  });

  it('rolls back each task with DeployCertificateRecordRollback (an int id), only the deployed resources', async () => {
    const handle = {
      ref: null,
      data: { kind: 'update', deployRecordId: null, binds: [{ type: 'cdn', region: '', resourceIds: [cdn.id], deployRecordId: 12 }, { type: 'live', region: '', resourceIds: [live.id], deployRecordId: 13 }] },
    };
    const http = new ScriptedHttp(ok({ DeployRecordId: 20 }));
    const back = await deployer.rollback(context(http), bindStep([cdn, live]), handle, [
      { resourceId: cdn.id, state: 'deployed', error: null },
      { resourceId: live.id, state: 'failed', error: null },
    ]);
    expect(http.requests.map((r) => [actionOf(r), bodyOf(r)])).toEqual([['DeployCertificateRecordRollback', { DeployRecordId: 12 }]]);
    expect(back).toEqual({ ref: null, data: { kind: 'rollback', deployRecordId: null, binds: [{ type: 'cdn', region: '', resourceIds: [cdn.id], deployRecordId: 20 }] } });
  });

  it('classifies the §1.6 codes with hints in both languages', () => {
    const expected = {
      'FailedOperation.CertificateDeployInstanceFormatError': 'invalid',
      'FailedOperation.CertificateNotDeployInstance': 'invalid',
      'FailedOperation.CertificateDeployHasPendingRecord': 'conflict',
      'FailedOperation.CertificateHostDeployCanNotAllow': 'invalid',
      'FailedOperation.CertificateHostResourceInnerInterrupt': 'invalid',
      'FailedOperation.CertificateHostResourceTypeInvalid': 'invalid',
      'FailedOperation.CertificateNotAvailable': 'invalid',
      'FailedOperation.CertificateNotFound': 'invalid',
      'FailedOperation.CertificateDeployNotExist': 'invalid',
      'FailedOperation.RoleNotFoundAuthorization': 'auth',
      'InvalidParameter.RegionNotEmpty': 'invalid',
    } as const;
    for (const [code, kind] of Object.entries(expected)) {
      const known = tencentErrors[code]!;
      expect(known, code).toBeDefined();
      expect(known.kind, code).toBe(kind);
      expect(known.retryable, code).toBe(false);
      expect(known.hint['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
      expect(known.hint.en, code).toMatch(/[A-Za-z]/);
    }
  });
});
