import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/uploads';
import { csvFileName, emptyFilter, groupBy, placements, toHistoryFilter } from '../../../renderer/src/routes/uploads/history-query';

// The history screen's filter form and groupings (renderer code, no DOM needed).

function entry(overrides: Partial<HistoryEntry>): HistoryEntry {
  return {
    id: 'h',
    jobId: 'j',
    certificateId: 'cert-1',
    fingerprintSha256: 'ab'.repeat(32),
    commonName: 'www.example.com',
    notAfter: '2026-01-01T00:00:00.000Z',
    accountId: 'acct-1',
    accountName: 'prod',
    cloud: 'tencent',
    status: 'uploaded',
    remoteId: 'r1',
    requestId: null,
    error: null,
    attempts: 1,
    durationMs: 10,
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:00:01.000Z',
    ...overrides,
  };
}

describe('history filters', () => {
  it('an empty form asks for everything', () => {
    expect(toHistoryFilter(emptyFilter)).toEqual({});
  });

  it('turns the date inputs into whole UTC days, both ends included', () => {
    expect(toHistoryFilter({ ...emptyFilter, from: '2025-03-01', to: '2025-03-31' })).toEqual({
      from: '2025-03-01T00:00:00.000Z',
      to: '2025-03-31T23:59:59.999Z',
    });
    // A single day: from its first to its last millisecond.
    const day = toHistoryFilter({ ...emptyFilter, from: '2025-06-01', to: '2025-06-01' });
    expect(Date.parse(day.to!) - Date.parse(day.from!)).toBe(24 * 3600 * 1000 - 1);
    expect(toHistoryFilter({ ...emptyFilter, to: '2025-06-01' })).toEqual({ to: '2025-06-01T23:59:59.999Z' });
  });

  it('passes status, cloud and account on, status as a one-item list', () => {
    expect(toHistoryFilter({ ...emptyFilter, status: 'failed', cloud: 'huawei', accountId: 'acct-9' })).toEqual({
      status: ['failed'],
      cloud: 'huawei',
      accountId: 'acct-9',
    });
  });
});

describe('history groupings', () => {
  it('groups in order of first appearance, keeping the order inside each group', () => {
    const rows = [entry({ id: '1', cloud: 'aliyun' }), entry({ id: '2', cloud: 'tencent' }), entry({ id: '3', cloud: 'aliyun' })];
    expect(groupBy(rows, (row) => row.cloud).map((group) => [group.key, group.entries.map((row) => row.id)])).toEqual([
      ['aliyun', ['1', '3']],
      ['tencent', ['2']],
    ]);
    expect(groupBy([], (row) => row.cloud)).toEqual([]);
  });

  it('"deployed to": the newest success per account, failures and unknowns left out', () => {
    const rows = [
      entry({ id: 'newest', remoteId: 'r-new' }),
      entry({ id: 'older', remoteId: 'r-old' }),
      entry({ id: 'dup', accountId: 'acct-2', accountName: 'staging', status: 'duplicate', remoteId: 'r-dup' }),
      entry({ id: 'failed', accountId: 'acct-3', accountName: 'eu', status: 'failed', remoteId: null }),
      entry({ id: 'unknown', accountId: 'acct-4', accountName: 'us', status: 'unknown', remoteId: null }),
      // The account was removed: its name stands in for it.
      entry({ id: 'gone', accountId: null, accountName: 'old', cloud: 'aliyun', remoteId: 'r-gone' }),
    ];
    expect(placements(rows)).toEqual([
      { accountName: 'prod', cloud: 'tencent', remoteId: 'r-new' },
      { accountName: 'staging', cloud: 'tencent', remoteId: 'r-dup' },
      { accountName: 'old', cloud: 'aliyun', remoteId: 'r-gone' },
    ]);
  });

  it('names the CSV export after the UTC day', () => {
    expect(csvFileName(new Date('2025-06-01T23:30:00Z'))).toBe('cert-vault-uploads-2025-06-01.csv');
  });
});
