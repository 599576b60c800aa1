import { describe, expect, it } from 'vitest';
import { HistoryStore, type BeginAttempt } from '../../../main/core/uploads/history-store';
import { historyCsv } from '../../../main/core/uploads/history-csv';
import { memoryDatabase } from './support/vault';

function attempt(overrides: Partial<BeginAttempt> = {}): BeginAttempt {
  return {
    jobId: 'job-1',
    certificateId: 'entry-1',
    fingerprintSha256: 'AB'.repeat(32),
    fingerprintSha1: null,
    commonName: 'www.example.com',
    dnsNames: ['www.example.com'],
    notAfter: '2026-01-01T00:00:00.000Z',
    accountId: 'acc-1',
    accountName: 'prod',
    cloud: 'tencent',
    ...overrides,
  };
}

function setup() {
  const db = memoryDatabase();
  let time = Date.parse('2025-06-01T00:00:00Z');
  const now = () => new Date((time += 1000));
  const insertAccount = db.prepare(
    "INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES (?, ?, ?, '2025-01-01', '2025-01-01')",
  );
  insertAccount.run('acc-1', 'prod', 'tencent');
  insertAccount.run('acc-2', 'ali', 'aliyun');
  return { db, now, history: (pid = 1000) => new HistoryStore(db, now, pid) };
}

describe('upload history', () => {
  it('records pending, then the outcome, with the cloud error verbatim', () => {
    const { history } = setup();
    const store = history();
    const id = store.begin(attempt());
    expect(store.get(id)).toMatchObject({ status: 'pending', attempts: 0, finishedAt: null, fingerprintSha256: 'ab'.repeat(32) });

    store.recordAttempt(id, 2);
    store.finish(id, {
      status: 'failed',
      remoteId: null,
      requestId: null,
      error: { code: 'FailedOperation.CertificateInvalid', message: '证书格式错误', requestId: 'req-7', hint: { en: 'Check the PEM', 'zh-CN': '检查 PEM' } },
      attempts: 2,
      durationMs: 1234,
    });

    expect(store.get(id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      durationMs: 1234,
      requestId: 'req-7',
      error: { code: 'FailedOperation.CertificateInvalid', message: '证书格式错误', hint: { en: 'Check the PEM' } },
    });
    expect(store.get(id)!.finishedAt).not.toBeNull();
  });

  it("turns a dead process's pending rows into unknown at startup, never a live one's", () => {
    const { history } = setup();
    const crashed = history(111).begin(attempt());
    const live = history(222).begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));

    const changed = history(333).markAbandoned((pid) => pid === 222);

    expect(changed).toBe(1);
    expect(history().get(crashed)!.status).toBe('unknown');
    expect(history().get(live)!.status).toBe('pending');
  });

  it('filters by cloud, account, certificate, status and date, newest first', () => {
    const { history } = setup();
    const store = history();
    const a = store.begin(attempt());
    store.finish(a, { status: 'uploaded', remoteId: 'r1', requestId: 'q1', error: null, attempts: 1, durationMs: 10 });
    const b = store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun', certificateId: 'entry-2' }));
    store.finish(b, { status: 'failed', remoteId: null, requestId: null, error: { code: 'X', message: 'm', requestId: null, hint: null }, attempts: 1, durationMs: 10 });
    const startedB = store.get(b)!.startedAt;

    expect(store.list().map((r) => r.id)).toEqual([b, a]);
    expect(store.list({ cloud: 'tencent' }).map((r) => r.id)).toEqual([a]);
    expect(store.list({ accountName: 'ALI' }).map((r) => r.id)).toEqual([b]);
    expect(store.list({ certificateId: 'entry-1' }).map((r) => r.id)).toEqual([a]);
    expect(store.list({ status: ['failed', 'unknown'] }).map((r) => r.id)).toEqual([b]);
    expect(store.list({ from: startedB }).map((r) => r.id)).toEqual([b]);
    expect(store.list({ to: store.get(a)!.startedAt }).map((r) => r.id)).toEqual([a]);
    expect(store.list({ limit: 1 }).map((r) => r.id)).toEqual([b]);
    expect(store.list({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual([a]);
  });

  it('answers where a certificate is deployed, keeping the record after its account is deleted', () => {
    const { db, history } = setup();
    const store = history();
    const a = store.begin(attempt());
    store.finish(a, { status: 'uploaded', remoteId: 'abc123', requestId: null, error: null, attempts: 1, durationMs: 1 });
    const b = store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    store.finish(b, { status: 'duplicate', remoteId: '9876', requestId: null, error: null, attempts: 1, durationMs: 1 });
    const c = store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    store.finish(c, { status: 'failed', remoteId: null, requestId: null, error: null, attempts: 1, durationMs: 1 });

    db.prepare('DELETE FROM cloud_accounts WHERE id = ?').run('acc-1');
    const deployed = store.deployments(['entry-1', 'entry-none']);

    expect(deployed.get('entry-1')!.map((d) => [d.accountName, d.cloud, d.remoteId, d.accountId])).toEqual([
      ['ali', 'aliyun', '9876', 'acc-2'],
      ['prod', 'tencent', 'abc123', null],
    ]);
    expect(deployed.get('entry-none')).toEqual([]);
    expect(store.findPresent('acc-2', 'ab'.repeat(32))!.remoteId).toBe('9876');
  });

  it('exports CSV with a header, quoting, and no formula injection', () => {
    const { history } = setup();
    const store = history();
    const id = store.begin(attempt({ accountName: 'prod', commonName: '=cmd|calc' }));
    store.finish(id, {
      status: 'failed',
      remoteId: null,
      requestId: 'r-1',
      error: { code: 'InvalidParameter', message: 'bad "alias", too long\nsecond line', requestId: 'r-1', hint: null },
      attempts: 1,
      durationMs: 5,
    });

    const lines = historyCsv(store.list()).split('\r\n');

    expect(lines[0]).toBe('id,started_at,finished_at,status,cloud,account,certificate_id,common_name,fingerprint_sha256,not_after,remote_id,request_id,attempts,duration_ms,error_code,error_message');
    expect(lines[1]).toContain(",'=cmd|calc,");
    expect(lines[1]).toContain('"bad ""alias"", too long\nsecond line"');
    expect(lines[1]).toContain(',failed,tencent,prod,entry-1,');
  });
});
