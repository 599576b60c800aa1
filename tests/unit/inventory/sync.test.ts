import { describe, expect, it } from 'vitest';
import type { HttpClient, HttpRequest } from '../../../main/clouds/http';
import { CloudError, type CallContext, type CloudProvider, type RemoteCopy } from '../../../main/clouds/provider';
import { tencent } from '../../../main/clouds/tencent';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { InventoryStore } from '../../../main/core/inventory/store';
import { syncAccounts, type SyncDeps } from '../../../main/core/inventory/sync';
import type { Pacer } from '../../../main/core/uploads/pacing';
import { FakeClock } from '../uploads/support/fake-clock';
import { cloudError } from '../uploads/support/fake-cloud';
import { testVault } from '../uploads/support/vault';

// The sync over fake clouds: every request waits for the account's pacing lane, a cancelled or
// failing account keeps its previous sync, and the others go on.

const copy = (remoteId: string): RemoteCopy => ({
  cloud: 'tencent', remoteId, name: remoteId, commonName: `${remoteId}.example.com`, dnsNames: [`${remoteId}.example.com`], notBefore: null,
  notAfter: '2026-01-01T00:00:00.000Z', fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [],
});

/** A cloud whose every verb sends one request per call through ctx.http, as the real clients do. */
function fakeCloud(ids: string[], options: { failDetailOf?: string; onDetail?: (ctx: CallContext) => void } = {}): CloudProvider {
  const send = (ctx: CallContext, what: string) => ctx.http.send({ method: 'POST', url: new URL(`https://cloud.test/${what}`), headers: {}, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  return {
    ...tencent,
    async listRemote(ctx) {
      await send(ctx, 'list');
      return ids.map(copy);
    },
    async remoteDetail(ctx, listed) {
      options.onDetail?.(ctx);
      await send(ctx, `detail/${listed.remoteId}`);
      if (listed.remoteId === options.failDetailOf) throw cloudError('tencent', { kind: 'server', code: 'InternalError', message: 'boom' });
      return { ...listed, serial: 'abc' };
    },
    async bindings(ctx, copies) {
      await send(ctx, 'bindings');
      return new Map([[copies[0]!.remoteId, [{ type: 'cdn', id: 'd.example.com', name: 'd.example.com' }]]]);
    },
  };
}

class RecordingPacer implements Pacer {
  readonly acquired: { key: string; rate: number }[] = [];
  async acquire(key: string, rate: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.acquired.push({ key, rate });
  }
}

function recordingHttp(): HttpClient & { readonly sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return { sent, send: async (request) => (sent.push(request), { status: 200, headers: {}, body: '{}' }) };
}

async function setup(cloud: CloudProvider) {
  const vault = testVault(new FakeClock(), [cloud]);
  const pacer = new RecordingPacer();
  const http = recordingHttp();
  const deps: SyncDeps = { vault: sqliteVaultDb(vault.db, { owned: false }), accounts: vault.accounts, providers: () => cloud, http, pacer, now: () => new Date('2025-06-01T00:00:00Z'), nonce: () => 'n' };
  return { vault, pacer, http, deps };
}

describe('inventory sync', () => {
  it('sends every request through the account\'s pacing lane at the uploads\' rate, and records the copies', async () => {
    const { vault, pacer, http, deps } = await setup(fakeCloud(['a', 'b', 'c']));
    const account = await vault.addAccount('prod', 'tencent');
    const [result] = await syncAccounts(deps, [account]);
    expect(result).toEqual({ accountId: account.id, account: 'prod', cloud: 'tencent', status: 'ok', certificates: 3, error: null });
    expect(http.sent).toHaveLength(5);
    // The documented rate: the pacer keeps the margin, the same for uploads and the sync.
    expect(pacer.acquired).toEqual(Array.from({ length: 5 }, () => ({ key: account.id, rate: tencent.requestsPerSecond })));
    const stored = (await new InventoryStore(deps.vault).list());
    expect(stored.map((c) => [c.remoteId, c.serial, c.bindings.length, c.syncedAt])).toEqual([
      ['a', 'abc', 1, '2025-06-01T00:00:00.000Z'],
      ['b', 'abc', 0, '2025-06-01T00:00:00.000Z'],
      ['c', 'abc', 0, '2025-06-01T00:00:00.000Z'],
    ]);
    expect((await new InventoryStore(deps.vault).lastSyncs()).get(account.id)).toEqual({ syncedAt: '2025-06-01T00:00:00.000Z', certificates: 3 });
  });

  it('keeps the previous sync when a detail fails, stops that account\'s other requests, and syncs the other account', async () => {
    const good = fakeCloud(['a', 'b']);
    const { vault, deps } = await setup(good);
    const [broken, fine] = [await vault.addAccount('broken', 'tencent'), await vault.addAccount('fine', 'tencent')];
    await syncAccounts(deps, [broken, fine]);
    const failing = fakeCloud(Array.from({ length: 20 }, (_, i) => `x${i}`), { failDetailOf: 'x0' });
    const results = await syncAccounts({ ...deps, providers: () => failing }, [broken]);
    expect(results[0]).toMatchObject({ status: 'failed', certificates: 0, error: { code: 'InternalError', message: 'boom' } });
    expect((await new InventoryStore(deps.vault).list(broken.id)).map((c) => c.remoteId)).toEqual(['a', 'b']);
  });

  it('is cancellable: nothing more is sent, and the previous sync stays', async () => {
    const controller = new AbortController();
    const { vault, http, deps } = await setup(fakeCloud(['a', 'b']));
    const account = await vault.addAccount('prod', 'tencent');
    await syncAccounts(deps, [account]);
    const cancelling = fakeCloud(Array.from({ length: 10 }, (_, i) => `n${i}`), { onDetail: () => controller.abort() });
    const sentBefore = http.sent.length;
    const [result] = await syncAccounts({ ...deps, providers: () => cancelling }, [account], { signal: controller.signal });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'cancelled' } });
    // The listing and the first detail only: the queued details never left.
    expect(http.sent.length - sentBefore).toBeLessThanOrEqual(2);
    expect((await new InventoryStore(deps.vault).list()).map((c) => c.remoteId)).toEqual(['a', 'b']);
  });

  it('reports a missing secret as that account\'s failure', async () => {
    const { vault, deps } = await setup(fakeCloud(['a']));
    const account = await vault.addAccount('prod', 'tencent');
    vault.secrets.entries.clear();
    const [result] = await syncAccounts(deps, [account]);
    expect(result).toMatchObject({ status: 'failed', error: { code: expect.stringMatching(/^account\./) } });
    expect(result!.error).not.toBeInstanceOf(CloudError);
  });
});
