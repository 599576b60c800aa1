import { describe, expect, it } from 'vitest';
import type { AccountDeployment, DeploymentRecord, DeploymentStatus } from '../../../shared/deploy';
import { overallStatus } from '../../../renderer/src/routes/deploy/deploy-status';

function account(status: DeploymentStatus): AccountDeployment {
  return {
    id: `step-${status}`, deploymentId: 'd-1', accountId: 'a-1', account: 'prod', cloud: 'tencent', oldRemoteId: 'old', newRemoteId: 'new',
    status, resources: [], retired: [], verified: [], error: null, ranBy: null, startedAt: '2026-12-07T10:00:00.000Z', finishedAt: null,
  };
}

function record(statuses: readonly DeploymentStatus[], finished = true): DeploymentRecord {
  return {
    id: 'd-1', certificateId: 'c-1', fingerprintSha256: 'ab', commonName: 'www.example.test', rollbackOf: null,
    accounts: statuses.map(account), startedAt: '2026-12-07T10:00:00.000Z', finishedAt: finished ? '2026-12-07T10:01:00.000Z' : null,
  };
}

describe('overallStatus', () => {
  it('is running until the record is finished, whatever the accounts say so far', () => {
    expect(overallStatus(record(['deployed', 'deployed'], false))).toBe('running');
    expect(overallStatus(record(['deployed', 'running']))).toBe('running');
  });

  it('is the accounts’ common status once finished', () => {
    expect(overallStatus(record(['deployed', 'deployed']))).toBe('deployed');
    expect(overallStatus(record(['failed']))).toBe('failed');
    expect(overallStatus(record(['rolled-back', 'rolled-back']))).toBe('rolled-back');
  });

  it('is unknown when any account is, so the user checks before deploying again', () => {
    expect(overallStatus(record(['deployed', 'unknown', 'failed']))).toBe('unknown');
  });

  it('is partial when the accounts ended differently', () => {
    expect(overallStatus(record(['deployed', 'failed']))).toBe('partial');
    expect(overallStatus(record(['rolled-back', 'failed']))).toBe('partial');
  });
});
