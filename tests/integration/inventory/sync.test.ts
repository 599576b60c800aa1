// Sync of four clouds x two accounts against the emulators, over the real vault, keychain and HTTP
// client: several pages per account, details, bindings, matching by each rule, a throttled list,
// a failing page that leaves that account's previous sync intact without stopping the others,
// and the CLI's `sync` and `remote list` JSON.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudId } from '../../../shared/model';
import { createHttpClient } from '../../../main/clouds/http-client';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { call } from '../../../main/cli/handler-context';
import { openDatabase } from '../../../main/core/db/open';
import { InventoryService, type SyncProgress } from '../../../main/core/inventory';
import { log } from '../../../main/core/log';
import { uploadsOf } from '../../../main/core/uploads';
import { seedAliyunCertificate, startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiProjects } from '../../emulators/credentials';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../../emulators/huawei';
import { seedResource, type SeedInput } from '../../emulators/seed';
import type { EmulatorState, RunningEmulator } from '../../emulators/server';
import type { StoredCertificate } from '../../emulators/store';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../../emulators/volcengine';
import { makeLeaves, type TestLeaf } from '../uploads/certs';
import { importEntry, openApp, type TestApp } from '../uploads/harness';
import { assertThrowawayKeyring } from '../vault/keyring-guard';

assertThrowawayKeyring();
log.setSink(null);

type Seeder = (state: EmulatorState, input: SeedInput) => StoredCertificate;
type Cloud = Exclude<CloudId, 'tencent-intl'>;

const clouds: Record<Cloud, { start: () => Promise<RunningEmulator>; seed: Seeder }> = {
  tencent: { start: () => startTencentEmulator(), seed: seedTencentCertificate },
  aliyun: { start: () => startAliyunEmulator(), seed: seedAliyunCertificate },
  huawei: { start: () => startHuaweiEmulator(), seed: seedHuaweiCertificate },
  volcengine: { start: () => startVolcengineEmulator(), seed: seedVolcengineCertificate },
};

interface Account {
  readonly name: string;
  readonly cloud: Cloud;
  readonly emulator: RunningEmulator;
  readonly seeded: StoredCertificate[];
}

let app: TestApp;
let leaves: TestLeaf[];
let library: { fingerprint: string; serial: string; names: string };
const accounts: Account[] = [];
let service: InventoryService;

const key = (cloud: Cloud) => defaultCredentials[cloud].accessKeyId;
const byName = (name: string) => accounts.find((account) => account.name === name)!;

beforeAll(async () => {
  app = openApp();
  leaves = makeLeaves(8, { prefix: 'inv' });
  library = {
    fingerprint: await importEntry(app, leaves[0]!.fullchain),
    serial: await importEntry(app, leaves[1]!.fullchain),
    names: await importEntry(app, leaves[2]!.fullchain),
  };
  for (const cloud of Object.keys(clouds) as Cloud[]) {
    for (const suffix of ['a', 'b']) {
      const emulator = await clouds[cloud].start();
      const name = `${cloud}-${suffix}`;
      const secret = defaultCredentials[cloud];
      await call(app.ctx, 'accounts.save', {
        cloud,
        name,
        endpoint: emulator.url,
        ...(cloud === 'huawei' ? { region: 'cn-north-4', fields: { projectId: defaultHuaweiProjects['cn-north-4']! } } : {}),
        secret: { accessKeyId: secret.accessKeyId, accessKeySecret: secret.accessKeySecret },
      });
      // Five certificates nobody in the library knows: three pages of two.
      const seeded = leaves.slice(3, 8).map((leaf, i) => clouds[cloud].seed(emulator.state, { account: key(cloud), certificatePem: leaf.fullchain, privateKeyPem: leaf.key, name: `remote_${i}` }));
      accounts.push({ name, cloud, emulator, seeded });
    }
  }
  // One library certificate per matching rule: Tencent returns the PEM (fingerprint), Huawei only
  // serial and issuer, and a Tencent detail without the PEM leaves only names and expiry.
  const tencentA = byName('tencent-a');
  tencentA.seeded.push(seedTencentCertificate(tencentA.emulator.state, { account: key('tencent'), certificatePem: leaves[0]!.fullchain, privateKeyPem: leaves[0]!.key, name: 'known' }));
  const huaweiA = byName('huawei-a');
  huaweiA.seeded.push(seedHuaweiCertificate(huaweiA.emulator.state, { account: key('huawei'), certificatePem: leaves[1]!.fullchain, name: 'known_cert' }));
  const tencentB = byName('tencent-b');
  tencentB.seeded.push(seedTencentCertificate(tencentB.emulator.state, { account: key('tencent'), certificatePem: leaves[2]!.fullchain, name: 'no-pem', params: { WithholdPem: true } }));
  seedResource(tencentA.emulator.state, { account: key('tencent'), certificateId: tencentA.seeded.at(-1)!.id, type: 'cdn', region: '', instance: { Domain: 'cdn.inv.test', Status: 'online' } });
  seedResource(huaweiA.emulator.state, {
    account: key('huawei'), certificateId: huaweiA.seeded.at(-1)!.id, type: 'apig-domain', region: '',
    instance: { url_domain: 'api.inv.test', id: 'dom-1', instance_id: 'gw-1', api_group_id: 'grp-1', api_group_name: 'shop' },
  });
  const aliyunA = byName('aliyun-a');
  seedResource(aliyunA.emulator.state, { account: key('aliyun'), certificateId: aliyunA.seeded[0]!.id, type: 'CDN', region: 'cn-hangzhou', instance: { Domain: 'cdn.ali.inv.test' } });
  const volcA = byName('volcengine-a');
  seedResource(volcA.emulator.state, { account: key('volcengine'), certificateId: volcA.seeded[1]!.id, type: 'live-domain', region: '', instance: { Domain: 'pull.inv.test' } });

  const uploads = uploadsOf(app.ctx);
  service = new InventoryService({
    db: openDatabase(app.dataDir),
    accounts: uploads.accounts,
    pacer: uploads.pacer,
    http: createHttpClient({ timeoutMs: 10_000 }),
    options: { pageSize: 2, pollIntervalMs: 10 },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(accounts.map((account) => account.emulator.close()));
  app.close();
});

describe('inventory sync, 4 clouds x 2 accounts', () => {
  it('syncs every account over several pages, with a throttled list retried, and reports progress per account', async () => {
    byName('volcengine-b').emulator.faults.inject({ kind: 'throttle', operation: 'ListCertV2', after: 1 });
    byName('aliyun-b').emulator.faults.inject({ kind: 'throttle', operation: 'ListUserCertificateOrder' });
    const progress: SyncProgress[] = [];
    const results = await service.sync([], { onProgress: (event) => progress.push(event) });
    expect(results.map(({ account, status, certificates, error }) => ({ account, status, certificates, error }))).toEqual(
      // All accounts, in the order of the account list (by name).
      [...accounts].sort((a, b) => a.name.localeCompare(b.name)).map((account) => ({ account: account.name, status: 'ok', certificates: account.seeded.length, error: null })),
    );
    for (const account of accounts) {
      const listCalls = account.emulator.state.calls.filter((c) => ['DescribeCertificates', 'ListUserCertificateOrder', 'ListCertificatesV2', 'ListCertV2'].includes(c.operation));
      expect(listCalls.length, account.name).toBeGreaterThanOrEqual(3);
      const own = progress.filter((event) => event.account === account.name);
      expect(own.at(-1), account.name).toMatchObject({ phase: 'done', done: account.seeded.length, total: account.seeded.length });
    }
    expect(byName('volcengine-b').emulator.state.calls.map((c) => c.outcome)).toContain('FlowLimitExceeded');
    expect(byName('aliyun-b').emulator.state.calls.map((c) => c.outcome)).toContain('Throttling.User');
  }, 120_000);

  it('matches by fingerprint, by serial and issuer, and by names and expiry, and records the bindings', async () => {
    const copies = await service.list();
    expect(copies).toHaveLength(accounts.reduce((sum, account) => sum + account.seeded.length, 0));
    const find = (account: string, name: string) => copies.find((copy) => copy.account === account && copy.name === name)!;
    expect(find('tencent-a', 'known')).toMatchObject({ libraryId: library.fingerprint, matchedBy: 'fingerprint', bindings: [{ type: 'cdn', id: 'cdn.inv.test', name: 'cdn.inv.test' }] });
    expect(find('huawei-a', 'known_cert')).toMatchObject({ libraryId: library.serial, matchedBy: 'serial', fingerprintSha256: null, bindings: [{ type: 'apig-domain', id: 'gw-1|grp-1|dom-1', name: 'api.inv.test' }] });
    expect(find('tencent-b', 'no-pem')).toMatchObject({ libraryId: library.names, matchedBy: 'names', fingerprintSha256: null });
    expect(find('aliyun-a', 'remote_0').bindings).toEqual([expect.objectContaining({ type: 'CDN', name: 'cdn.ali.inv.test' })]);
    expect(find('volcengine-a', 'remote_1').bindings).toEqual([{ type: 'live-pull-flv', id: 'pull.inv.test', name: 'pull.inv.test' }]);
    expect(copies.filter((copy) => copy.libraryId === null)).toHaveLength(40);
  });

  it('keeps the previous sync of an account whose page fails, and syncs the others', async () => {
    const broken = byName('huawei-b');
    const before = await service.list('huawei-b');
    broken.emulator.state.store.clear();
    broken.emulator.faults.inject({ kind: 'server', operation: 'ListCertificatesV2', after: 1, count: 10 });
    byName('tencent-b').emulator.state.store.clear();
    const results = await service.sync(['huawei-b', 'tencent-b']);
    expect(results).toEqual([
      expect.objectContaining({ account: 'huawei-b', status: 'failed', certificates: 0, error: expect.objectContaining({ code: 'APIG.9999' }) }),
      expect.objectContaining({ account: 'tencent-b', status: 'ok', certificates: 0, error: null }),
    ]);
    expect(await service.list('huawei-b')).toEqual(before);
    expect(await service.list('tencent-b')).toEqual([]);
    broken.emulator.faults.clear();
  }, 60_000);

  it('answers certvault sync and certvault remote list with the documented JSON and exit codes', async () => {
    const io = () => {
      const out = { stdout: '', stderr: '' };
      const cli: CliIo = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), readStdin: async () => '', env: {} };
      return { out, cli };
    };
    byName('aliyun-b').emulator.faults.inject({ kind: 'auth', operation: 'ListUserCertificateOrder' });
    const sync = io();
    const code = await runCli(['--home', app.dataDir, 'sync', '--account', 'aliyun-a', '--account', 'aliyun-b', '--json'], sync.cli);
    expect(code).toBe(3);
    expect(JSON.parse(sync.out.stdout)).toEqual({
      accounts: [
        { account: 'aliyun-a', cloud: 'aliyun', status: 'ok', certificates: 5, error: null },
        { account: 'aliyun-b', cloud: 'aliyun', status: 'failed', certificates: 0, error: { code: 'SignatureDoesNotMatch', message: expect.any(String) } },
      ],
    });

    const list = io();
    expect(await runCli(['--home', app.dataDir, 'remote', 'list', '--account', 'tencent-a', '--json'], list.cli)).toBe(0);
    const { certificates } = JSON.parse(list.out.stdout) as { certificates: Record<string, unknown>[] };
    expect(certificates).toHaveLength(6);
    expect(certificates.find((c) => c.libraryId !== null)).toEqual({
      account: 'tencent-a',
      cloud: 'tencent',
      remoteId: byName('tencent-a').seeded.at(-1)!.id,
      commonName: leaves[0]!.host,
      dnsNames: [leaves[0]!.host],
      notAfter: expect.stringMatching(/Z$/),
      fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      libraryId: library.fingerprint,
      matchedBy: 'fingerprint',
      bindings: [{ type: 'cdn', id: 'cdn.inv.test', name: 'cdn.inv.test' }],
    });
    expect(Object.keys(certificates[0]!).sort()).toEqual(['account', 'bindings', 'cloud', 'commonName', 'dnsNames', 'fingerprintSha256', 'libraryId', 'matchedBy', 'notAfter', 'remoteId']);
  }, 60_000);
});
