// The inventory channels through dispatch, the way the window calls them: a sync of a working and
// a failing account with progress and one `inventory.synced` event, the copies with their
// bindings and matches, the radar rows, and importing a remote-only copy in one call.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountInventory, RadarPage, RemoteCopyView, SyncProgress } from '../../../shared/inventory';
import { call } from '../../../main/cli/handler-context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { log } from '../../../main/core/log';
import { defaultCredentials } from '../../emulators/credentials';
import { seedResource } from '../../emulators/seed';
import type { RunningEmulator } from '../../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { makeLeaves, type TestLeaf } from '../uploads/certs';
import { accountInput, importEntry, openApp, type TestApp } from '../uploads/harness';
import { assertThrowawayKeyring } from '../vault/keyring-guard';

assertThrowawayKeyring();
log.setSink(null);

let app: TestApp;
let good: RunningEmulator;
let bad: RunningEmulator;
let leaves: TestLeaf[];
let libraryId: string;
let accountId: string;
const remote: { known: string; unknown: string; withheld: string } = { known: '', unknown: '', withheld: '' };
const tencentKey = defaultCredentials.tencent.accessKeyId;

beforeAll(async () => {
  app = openApp();
  good = await startTencentEmulator();
  bad = await startTencentEmulator();
  leaves = makeLeaves(3, { prefix: 'chan' });
  libraryId = await importEntry(app, leaves[0]!.fullchain);
  accountId = (await call(app.ctx, 'accounts.save', accountInput('tencent', 'tencent-prod', good.url))).id;
  await call(app.ctx, 'accounts.save', accountInput('tencent', 'tencent-broken', bad.url));
  const seed = (leaf: TestLeaf, name: string, params?: Record<string, unknown>) =>
    seedTencentCertificate(good.state, { account: tencentKey, certificatePem: leaf.fullchain, privateKeyPem: leaf.key, name, ...(params ? { params } : {}) }).id;
  remote.known = seed(leaves[0]!, 'known');
  remote.unknown = seed(leaves[1]!, 'unknown');
  remote.withheld = seed(leaves[2]!, 'withheld', { WithholdPem: true });
  seedResource(good.state, { account: tencentKey, certificateId: remote.known, type: 'cdn', region: '', instance: { Domain: 'cdn.chan.test', Status: 'online' } });
  bad.faults.inject({ kind: 'auth', operation: 'DescribeCertificates', count: 100 });
}, 60_000);

afterAll(async () => {
  await Promise.all([good.close(), bad.close()]);
  app.close();
});

describe('inventory channels', () => {
  it('syncs every account, one failing alone, with progress per account and one synced event', async () => {
    const result = await dispatch(app.ctx, 'inventory.sync', {});
    expect(result.ok).toBe(true);
    const { accounts } = (result as { value: { accounts: { account: string; status: string; certificates: number; error: { code: string } | null }[] } }).value;
    expect(accounts.map(({ account, status, certificates }) => ({ account, status, certificates }))).toEqual([
      { account: 'tencent-broken', status: 'failed', certificates: 0 },
      { account: 'tencent-prod', status: 'ok', certificates: 3 },
    ]);
    expect(accounts[0]!.error?.code).toMatch(/\S/);
    const progress = app.events.filter((e) => e.name === 'inventory.progress').map((e) => e.payload as SyncProgress);
    expect(progress.filter((p) => p.account === 'tencent-prod').at(-1)).toMatchObject({ phase: 'done', done: 3, total: 3 });
    expect(progress.filter((p) => p.account === 'tencent-broken').at(-1)).toMatchObject({ phase: 'failed' });
    expect(app.events.filter((e) => e.name === 'inventory.synced')).toEqual([{ name: 'inventory.synced', payload: { accounts } }]);
  }, 60_000);

  it('lists the copies with bindings and matches, per account, per library entry, and each account’s last sync', async () => {
    const all = await call(app.ctx, 'inventory.list', {});
    expect(all.copies).toHaveLength(3);
    const { accounts } = await call(app.ctx, 'inventory.accounts', {});
    expect(accounts).toEqual([expect.objectContaining<Partial<AccountInventory>>({ accountId, certificates: 3 })]);
    const onEntry = await call(app.ctx, 'inventory.list', { libraryId });
    expect(onEntry.copies).toEqual([
      expect.objectContaining<Partial<RemoteCopyView>>({
        account: 'tencent-prod',
        remoteId: remote.known,
        libraryId,
        matchedBy: 'fingerprint',
        bindings: [{ type: 'cdn', id: 'cdn.chan.test', name: 'cdn.chan.test' }],
      }),
    ]);
    expect(JSON.stringify(all)).not.toContain('BEGIN');
  });

  it('answers the radar: the library entry with where it lives, and the copies the library lacks', async () => {
    const overview: RadarPage = await call(app.ctx, 'inventory.overview', {});
    expect(overview.thresholdDays).toBe(app.ctx.settings.get().expiringWithinDays);
    expect(overview).toMatchObject({ offset: 0, total: overview.rows.length });
    expect(Object.values(overview.counts).reduce((a, b) => a + b, 0)).toBe(overview.total);
    const own = overview.rows.find((row) => row.libraryId === libraryId)!;
    expect(own).toMatchObject({
      inLibrary: true,
      importable: null,
      locations: [{ account: 'tencent-prod', remoteId: remote.known, renewedLocally: null, bindings: [{ type: 'cdn', id: 'cdn.chan.test', name: 'cdn.chan.test' }] }],
    });
    const remoteOnly = overview.rows.filter((row) => !row.inLibrary);
    expect(remoteOnly.map((row) => row.importable?.remoteId).sort()).toEqual([remote.unknown, remote.withheld].sort());
  });

  it('imports a remote-only copy as a certificate-only entry and matches the copy to it', async () => {
    const imported = await call(app.ctx, 'inventory.importRemote', { accountId, remoteId: remote.unknown });
    const entry = await call(app.ctx, 'library.get', { id: imported.id });
    expect(entry).toMatchObject({ hasKey: false, commonName: leaves[1]!.host });
    const copies = (await call(app.ctx, 'inventory.list', { libraryId: imported.id })).copies;
    expect(copies).toEqual([expect.objectContaining({ remoteId: remote.unknown, matchedBy: 'fingerprint' })]);
    expect(app.events.at(-1)).toEqual({ name: 'library.changed', payload: { reason: 'import' } });
    // The radar kept since the last request is rebuilt: the copy is now the library entry's.
    const rows = (await call(app.ctx, 'inventory.overview', {})).rows;
    expect(rows.find((row) => row.libraryId === imported.id)).toMatchObject({ inLibrary: true, locations: [{ remoteId: remote.unknown }] });
    expect(rows.some((row) => row.importable?.remoteId === remote.unknown)).toBe(false);
  });

  it('refuses, changing nothing, a copy whose certificate the cloud withheld or that no sync recorded', async () => {
    const before = (await call(app.ctx, 'library.list', {})).total;
    const withheld = await dispatch(app.ctx, 'inventory.importRemote', { accountId, remoteId: remote.withheld });
    expect(withheld).toMatchObject({ ok: false, error: { code: 'inventory.no_certificate', params: { account: 'tencent-prod', remoteId: remote.withheld } } });
    const missing = await dispatch(app.ctx, 'inventory.importRemote', { accountId, remoteId: 'no-such-id' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'inventory.copy_not_found' } });
    expect((await call(app.ctx, 'library.list', {})).total).toBe(before);
  });

  it('runs one sync at a time, and cancels the running one', async () => {
    good.faults.latencyMs = 500;
    const first = dispatch(app.ctx, 'inventory.sync', { accounts: ['tencent-prod'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await dispatch(app.ctx, 'inventory.sync', {})).toMatchObject({ ok: false, error: { code: 'inventory.sync_running' } });
    expect(await call(app.ctx, 'inventory.cancel', {})).toEqual({ cancelled: true });
    const result = await first;
    expect(result).toMatchObject({ ok: true, value: { accounts: [{ account: 'tencent-prod', status: 'failed', error: { code: 'cancelled' } }] } });
    expect(await call(app.ctx, 'inventory.cancel', {})).toEqual({ cancelled: false });
    // The cancelled sync left the previous one in place.
    expect((await call(app.ctx, 'inventory.list', { account: 'tencent-prod' })).copies).toHaveLength(3);
    good.faults.clear();
  }, 30_000);
});
