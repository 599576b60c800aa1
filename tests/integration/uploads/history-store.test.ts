import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { LEASE_MS } from '../../../main/core/db/row-owner';
import { HistoryStore, type BeginAttempt } from '../../../main/core/uploads/history-store';
import { historyCsv } from '../../../main/core/uploads/history-csv';
import { forEachEngine } from '../../support/engines';

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

async function setup(vault: VaultDb) {
  let time = Date.parse('2025-06-01T00:00:00Z');
  const now = () => new Date((time += 1000));
  await vault.db
    .insertInto('cloud_accounts')
    .values([
      { id: 'acc-1', name: 'prod', cloud: 'tencent', created_at: '2025-01-01', updated_at: '2025-01-01' },
      { id: 'acc-2', name: 'ali', cloud: 'aliyun', created_at: '2025-01-01', updated_at: '2025-01-01' },
    ])
    .execute();
  return { db: vault.db, now, history: (pid = 1000, machine = 'this-host') => new HistoryStore(vault, now, { pid, machine, name: `user-${pid}` }) };
}

const ids = (entries: readonly { id: string }[]) => entries.map((entry) => entry.id);

forEachEngine('upload history', (open) => {
  it('records pending, then the outcome, with the cloud error verbatim', async () => {
    const { history } = await setup(await open());
    const store = history();
    const id = await store.begin(attempt());
    expect(await store.get(id)).toMatchObject({ status: 'pending', attempts: 0, finishedAt: null, fingerprintSha256: 'ab'.repeat(32) });

    await store.recordAttempt(id, 2);
    await store.finish(id, {
      status: 'failed',
      remoteId: null,
      requestId: null,
      error: { code: 'FailedOperation.CertificateInvalid', message: '证书格式错误', requestId: 'req-7', hint: { en: 'Check the PEM', 'zh-CN': '检查 PEM' } },
      attempts: 2,
      durationMs: 1234,
    });

    expect(await store.get(id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      durationMs: 1234,
      requestId: 'req-7',
      error: { code: 'FailedOperation.CertificateInvalid', message: '证书格式错误', hint: { en: 'Check the PEM' } },
    });
    expect((await store.get(id))!.finishedAt).not.toBeNull();
  });

  it("turns a dead process's pending rows into unknown at startup, never a live one's", async () => {
    const { history } = await setup(await open());
    const crashed = await history(111).begin(attempt());
    const live = await history(222).begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));

    const changed = await history(333).markAbandoned((pid) => pid === 222);

    expect(changed).toBe(1);
    expect((await history().get(crashed))!.status).toBe('unknown');
    expect((await history().get(live))!.status).toBe('pending');
  });

  it('filters by cloud, account, certificate, status and date, newest first', async () => {
    const { history } = await setup(await open());
    const store = history();
    const a = await store.begin(attempt());
    await store.finish(a, { status: 'uploaded', remoteId: 'r1', requestId: 'q1', error: null, attempts: 1, durationMs: 10 });
    const b = await store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun', certificateId: 'entry-2' }));
    await store.finish(b, { status: 'failed', remoteId: null, requestId: null, error: { code: 'X', message: 'm', requestId: null, hint: null }, attempts: 1, durationMs: 10 });
    const startedB = (await store.get(b))!.startedAt;

    expect(ids(await store.list())).toEqual([b, a]);
    expect(ids(await store.list({ cloud: 'tencent' }))).toEqual([a]);
    expect(ids(await store.list({ accountName: 'ALI' }))).toEqual([b]);
    expect(ids(await store.list({ certificateId: 'entry-1' }))).toEqual([a]);
    expect(ids(await store.list({ status: ['failed', 'unknown'] }))).toEqual([b]);
    expect(ids(await store.list({ from: startedB }))).toEqual([b]);
    expect(ids(await store.list({ to: (await store.get(a))!.startedAt }))).toEqual([a]);
    expect(ids(await store.list({ limit: 1 }))).toEqual([b]);
    expect(ids(await store.list({ limit: 1, offset: 1 }))).toEqual([a]);
  });

  it('answers where a certificate is deployed, keeping the record after its account is deleted', async () => {
    const { db, history } = await setup(await open());
    const store = history();
    const a = await store.begin(attempt());
    await store.finish(a, { status: 'uploaded', remoteId: 'abc123', requestId: null, error: null, attempts: 1, durationMs: 1 });
    const b = await store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    await store.finish(b, { status: 'duplicate', remoteId: '9876', requestId: null, error: null, attempts: 1, durationMs: 1 });
    const c = await store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    await store.finish(c, { status: 'failed', remoteId: null, requestId: null, error: null, attempts: 1, durationMs: 1 });

    await db.deleteFrom('cloud_accounts').where('id', '=', 'acc-1').execute();
    const deployed = await store.deployments(['entry-1', 'entry-none']);

    expect(deployed.get('entry-1')!.map((d) => [d.accountName, d.cloud, d.remoteId, d.accountId])).toEqual([
      ['ali', 'aliyun', '9876', 'acc-2'],
      ['prod', 'tencent', 'abc123', null],
    ]);
    expect(deployed.get('entry-none')).toEqual([]);
    expect((await store.findPresent('acc-2', 'ab'.repeat(32)))!.remoteId).toBe('9876');
  });

  it('exports CSV with a header, quoting, and no formula injection', async () => {
    const { history } = await setup(await open());
    const store = history();
    const id = await store.begin(attempt({ accountName: 'prod', commonName: '=cmd|calc' }));
    await store.finish(id, {
      status: 'failed',
      remoteId: null,
      requestId: 'r-1',
      error: { code: 'InvalidParameter', message: 'bad "alias", too long\nsecond line', requestId: 'r-1', hint: null },
      attempts: 1,
      durationMs: 5,
    });

    const lines = historyCsv(await store.list()).split('\r\n');

    expect(lines[0]).toBe('id,started_at,finished_at,status,cloud,account,certificate_id,common_name,fingerprint_sha256,not_after,remote_id,request_id,attempts,duration_ms,error_code,error_message');
    expect(lines[1]).toContain(",'=cmd|calc,");
    expect(lines[1]).toContain('"bad ""alias"", too long\nsecond line"');
    expect(lines[1]).toContain(',failed,tencent,prod,entry-1,');
  });

  it("keeps 'cancelled', and resolves an unknown row once: a second resolve (another process's) changes nothing", async () => {
    const { history } = await setup(await open());
    const store = history();
    const cancelled = await store.begin(attempt());
    await store.recordAttempt(cancelled, 1);
    await store.finish(cancelled, { status: 'cancelled', remoteId: null, requestId: null, error: null, attempts: 1, durationMs: 3 });
    const lost = await history(111).begin(attempt({ certificateId: 'entry-2' }));
    expect(await store.markAbandoned(() => false)).toBe(1);

    expect(await store.unresolved()).toMatchObject([{ id: lost, accountId: 'acc-1', dnsNames: ['www.example.com'] }]);
    expect(await store.resolve(lost, { status: 'uploaded', remoteId: 'r-9', error: null })).toBe(true);
    expect(await store.resolve(lost, { status: 'failed', remoteId: null, error: null })).toBe(false);
    expect(await store.get(lost)).toMatchObject({ status: 'uploaded', remoteId: 'r-9' });
    expect(await store.get(cancelled)).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it('discards a row only while no upload went out', async () => {
    const { history } = await setup(await open());
    const store = history();
    const listedOnly = await store.begin(attempt());
    const sent = await store.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    await store.recordAttempt(sent, 1);

    await store.discard(listedOnly);
    await store.discard(sent);

    expect(ids(await store.list())).toEqual([sent]);
  });

  it('one pending upload of a certificate to an account at a time: a second is refused naming who, until the first finishes', async () => {
    const { history } = await setup(await open());
    const ann = history(111, 'ann-laptop');
    const bob = history(222, 'bob-desktop');
    const first = await ann.begin(attempt());
    const refused = await bob.begin(attempt({ jobId: 'job-2' })).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'upload.in_progress', params: { account: 'prod', owner: 'user-111', machine: 'ann-laptop', startedAt: '2025-06-01T00:00:01.000Z' } });
    // Another account, or another certificate, is not held.
    await bob.begin(attempt({ accountId: 'acc-2', accountName: 'ali', cloud: 'aliyun' }));
    await bob.begin(attempt({ fingerprintSha256: 'CD'.repeat(32) }));
    await ann.finish(first, { status: 'uploaded', remoteId: 'r-1', requestId: null, error: null, attempts: 1, durationMs: 5 });
    const second = await bob.begin(attempt({ jobId: 'job-2' }));
    expect((await bob.get(second))!.status).toBe('pending');
  });

  it("a crashed member's claim ends once its heartbeat is older than the lease; another machine's pid is never looked up", async () => {
    const vault = await open();
    await setup(vault);
    let time = Date.parse('2025-06-01T00:00:00Z');
    const now = () => new Date(time);
    const ann = new HistoryStore(vault, now, { pid: 111, machine: 'ann-laptop', name: 'Ann' });
    const bob = new HistoryStore(vault, now, { pid: 222, machine: 'bob-desktop', name: 'Bob' });
    const noPid = (pid: number): boolean => {
      throw new Error(`asked about pid ${pid}`);
    };
    const crashed = await ann.begin(attempt());
    time += LEASE_MS;
    await expect(bob.begin(attempt(), noPid)).rejects.toMatchObject({ code: 'upload.in_progress', params: { owner: 'Ann' } });
    time += 1000;
    const claimed = await bob.begin(attempt(), noPid);
    expect((await bob.get(crashed))!.status).toBe('unknown');
    expect((await bob.get(claimed))!.status).toBe('pending');
  });

  it('several members claiming one certificate on one account at the same moment: exactly one gets it', async () => {
    const vault = await open();
    await setup(vault);
    const racers = (db: VaultDb, from: number, count: number) =>
      Array.from({ length: count }, (_, i) => new HistoryStore(db, () => new Date(), { pid: from + i, machine: `host-${from + i}`, name: `member-${from + i}` }));
    let results: PromiseSettledResult<string>[];
    if (vault.engine === 'postgres') {
      // Every claim reads, then is held before it writes (a reader of the table holding SHARE
      // blocks inserts): without the per-pair lock, each would find nothing and each would insert.
      results = await vault.db.connection().execute(async (blocker) => {
        await sql`BEGIN`.execute(blocker);
        await sql`LOCK TABLE upload_history IN SHARE MODE`.execute(blocker);
        const racing = Promise.allSettled(racers(vault, 500, 4).map((store) => store.begin(attempt())));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await sql`COMMIT`.execute(blocker);
        return racing;
      });
    } else {
      // One connection here (a second in this process would block the thread on SQLite's busy
      // wait); across processes the write lock taken at BEGIN IMMEDIATE serialises the claims the
      // same way (tests/unit/db/sqlite-dialect.test.ts).
      results = await Promise.allSettled(racers(vault, 500, 4).map((store) => store.begin(attempt())));
    }
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const lost of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(lost.reason).toMatchObject({ code: 'upload.in_progress' });
    expect(await vault.db.selectFrom('upload_history').select('id').where('status', '=', 'pending').execute()).toHaveLength(1);
  });

  it('makes every call wait for the startup sweep, so none sees a row it is about to change', async () => {
    const { history } = await setup(await open());
    const crashed = await history(111).begin(attempt());
    const store = history(333);

    const sweep = store.sweepAbandoned(() => false);
    const seen = await store.get(crashed);

    expect(seen!.status).toBe('unknown');
    expect(await sweep).toBe(1);
  });

  it('orders deployments by account name ignoring case, one line per account with its newest copy', async () => {
    const { db, history } = await setup(await open());
    await db.insertInto('cloud_accounts').values({ id: 'acc-3', name: 'Beta', cloud: 'tencent', created_at: '2025-01-01', updated_at: '2025-01-01' }).execute();
    const store = history();
    for (const [accountId, accountName, remoteId] of [
      ['acc-1', 'prod', 'old'],
      ['acc-3', 'Beta', 'b-1'],
      ['acc-1', 'prod', 'new'],
      ['acc-2', 'ali', 'a-1'],
    ] as const) {
      const id = await store.begin(attempt({ accountId, accountName }));
      await store.finish(id, { status: 'uploaded', remoteId, requestId: null, error: null, attempts: 1, durationMs: 1 });
    }

    const deployed = (await store.deployments(['entry-1'])).get('entry-1')!;

    expect(deployed.map((d) => [d.accountName, d.remoteId])).toEqual([
      ['ali', 'a-1'],
      ['Beta', 'b-1'],
      ['prod', 'new'],
    ]);
  });
});
