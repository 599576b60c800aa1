import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeploymentRecord } from '../shared/deploy';
import { createHttpClient } from '../main/clouds/http-client';
import { getProvider } from '../main/clouds/registry';
import { sqliteVaultDb } from '../main/core/db/vault-db';
import { openDatabase } from '../main/core/db/open';
import { cloudDeployers, DeployService } from '../main/core/deploy';
import { InventoryService } from '../main/core/inventory';
import { Vault } from '../main/core/library/vault';
import { log } from '../main/core/log';
import { UploadService } from '../main/core/uploads/service';
import { seedAliyunCertificate, seedAliyunContact, startAliyunEmulator } from '../tests/emulators/aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../tests/emulators/credentials';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../tests/emulators/huawei';
import { seedResource } from '../tests/emulators/seed';
import type { BoundResource, EmulatorOptions, EmulatorState, RunningEmulator } from '../tests/emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../tests/emulators/tencent';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../tests/emulators/volcengine';
import { makeCerts, type TestCert } from '../tests/integration/deploy/world';
import { MemorySecrets } from './upload-rig';
import { writeSection } from './report';

// One deployment of a renewed certificate across four clouds at once (50 bound resources each)
// against the loopback emulators, with the product's own engine, deployers, pacing and watch
// policy, versus each cloud alone. The accounts run side by side, so the four together should
// take about as long as the slowest one: target ≤ 1.3×.

const RESOURCES = 50;
/** Per answer: a cross-region API round trip from a desktop is tens of milliseconds. */
const LATENCY_MS = 50;
/** Each deploy task answers "running" this many times before it is done, as real ones take seconds. */
const POLLS_BEFORE_DONE = 2;
const clouds = ['tencent', 'aliyun', 'huawei', 'volcengine'] as const;
type BenchCloud = (typeof clouds)[number];

interface CloudSetup {
  readonly start: (options: EmulatorOptions) => Promise<RunningEmulator>;
  readonly seedOld: (state: EmulatorState, account: string, cert: TestCert) => string;
  readonly resource: (certificateId: string, domain: string) => Omit<BoundResource, 'account'>;
  readonly fields?: { region: string; fields: Record<string, string> };
}

const setups: Record<BenchCloud, CloudSetup> = {
  tencent: {
    start: startTencentEmulator,
    seedOld: (state, account, cert) => seedTencentCertificate(state, { account, certificatePem: cert.pem, privateKeyPem: cert.key, name: 'old' }).id,
    resource: (certificateId, domain) => ({ certificateId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certificateId, Status: 'online', HttpsBillingSwitch: 'on' } }),
  },
  aliyun: {
    start: startAliyunEmulator,
    seedOld: (state, account, cert) => {
      seedAliyunContact(state, account);
      return seedAliyunCertificate(state, { account, certificatePem: cert.pem, privateKeyPem: cert.key, name: 'old' }).id;
    },
    resource: (certificateId, domain) => ({ certificateId, type: 'CDN', region: 'cn-hangzhou', instance: { Domain: domain, InstanceId: `cdn-${domain}` } }),
  },
  huawei: {
    start: startHuaweiEmulator,
    seedOld: (state, account, cert) =>
      seedHuaweiCertificate(state, { account, certificatePem: cert.pem, privateKeyPem: cert.key, name: 'old_cert', params: { type: 'instance', instance_id: defaultHuaweiInstance } }).id,
    resource: (certificateId, domain) => ({
      certificateId, type: 'apig-domain', region: '',
      instance: { url_domain: domain, id: `dom-${domain}`, instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', api_group_name: 'grp-1', verified_client_certificate_enabled: false },
    }),
    fields: { region: 'cn-north-4', fields: { projectId: defaultHuaweiProjects['cn-north-4']! } },
  },
  volcengine: {
    start: startVolcengineEmulator,
    seedOld: (state, account, cert) => seedVolcengineCertificate(state, { account, certificatePem: cert.pem, privateKeyPem: cert.key, name: 'old' }).id,
    resource: (certificateId, domain) => ({ certificateId, type: 'live-domain', region: '', instance: { Domain: domain } }),
  },
};

const names = clouds.map((cloud) => `*.${cloud}.bench.test`);

/** One deployment of NEW over the given clouds, each emulator fresh; its wall time from start to done. */
async function deployOnce(selected: readonly BenchCloud[], certs: { old: TestCert; fresh: TestCert }): Promise<{ ms: number; record: DeploymentRecord }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-deploy-'));
  const emulators = await Promise.all(selected.map((cloud) => setups[cloud].start({ latencyMs: LATENCY_MS })));
  const secrets = new MemorySecrets();
  const vault = Vault.open({ dataDir, secrets });
  const db = openDatabase(dataDir);
  // Uploads, the inventory and the deployments share one VaultDb, as vaultDbOf(ctx) gives the app one per context.
  const shared = sqliteVaultDb(db, { owned: false });
  const http = createHttpClient({ timeoutMs: 30_000 });
  try {
    const uploads = new UploadService({ vault: shared, secrets, providers: getProvider, http, emit: () => undefined });
    const inventory = new InventoryService({ vault: shared, accounts: uploads.accounts, pacer: uploads.pacer, providers: getProvider, http });
    const deploy = new DeployService({
      db: shared, uploads, inventory, vault: () => vault, deployers: cloudDeployers, http,
      sealer: { seal: (p, c) => vault.sealAside(p, c), unseal: (s, c) => vault.unsealAside(s, c) },
      emit: () => undefined,
    });
    for (const [i, cloud] of selected.entries()) {
      const emulator = emulators[i]!;
      emulator.state.deploy.pollsBeforeDone = POLLS_BEFORE_DONE;
      emulator.state.deploy.preparingCalls = 0;
      const credential = defaultCredentials[cloud];
      await uploads.accounts.save({ cloud, name: cloud, endpoint: emulator.url, ...(setups[cloud].fields ?? {}) }, credential);
      await uploads.confirmAccount(cloud, async () => true);
      const oldId = setups[cloud].seedOld(emulator.state, credential.accessKeyId, certs.old);
      for (let n = 0; n < RESOURCES; n += 1) seedResource(emulator.state, { account: credential.accessKeyId, ...setups[cloud].resource(oldId, `d${n}.${cloud}.bench.test`) });
    }
    const imported = await vault.importContent([{ name: 'new.pem', data: new TextEncoder().encode(certs.fresh.pem + certs.fresh.key) }]);
    const newId = imported.imported[0]!.id;
    const started = performance.now();
    const run = await deploy.start(newId, { retire: 'keep', verify: false }, async () => true);
    const record = await run.done;
    const ms = performance.now() - started;
    const bad = record.accounts.filter((a) => a.status !== 'deployed' || a.resources.length !== RESOURCES);
    if (bad.length) throw new Error(`not deployed everywhere: ${bad.map((a) => `${a.cloud} ${a.status} ${a.resources.length} ${a.error?.code ?? ''}`).join('; ')}`);
    return { ms, record };
  } finally {
    await shared.close();
    db.close();
    await vault.close();
    await Promise.all(emulators.map((e) => e.close()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  log.setSink(null);
  const [old, fresh] = makeCerts([
    { names, days: 30 },
    { names, days: 365 },
  ]) as [TestCert, TestCert];
  const certs = { old, fresh };
  const alone: Record<string, number> = {};
  for (const cloud of clouds) {
    alone[cloud] = (await deployOnce([cloud], certs)).ms;
    console.log(`${cloud} alone: ${(alone[cloud]! / 1000).toFixed(1)} s`);
  }
  const together = (await deployOnce(clouds, certs)).ms;
  const slowest = Math.max(...Object.values(alone));
  const ratio = together / slowest;
  console.log(`all four: ${(together / 1000).toFixed(1)} s; slowest alone ${(slowest / 1000).toFixed(1)} s; ratio ${ratio.toFixed(2)} (target ≤ 1.3)`);
  writeSection(
    'Deploy: four clouds at once',
    `
One deployment of a renewed certificate (one library entry whose wildcards cover every resource)
to four accounts, Tencent, Alibaba, Huawei and Volcengine, 50 bound resources each, against the
loopback emulators with the product's engine, deployers, pacing lanes and watch policy (first
poll after 2 s, doubling to 15 s). Emulated latency: ${LATENCY_MS} ms before every answer (a
cross-region API round trip), and every deploy task answers "running" ${POLLS_BEFORE_DONE} times before
it is done (real tasks take seconds, so the watch backoff is part of what is measured). Account
sync, discovery and the upload of NEW are inside the timing; verification is off.

| Run | Wall time |
| --- | ---: |
${clouds.map((cloud) => `| ${cloud} alone | ${(alone[cloud]! / 1000).toFixed(1)} s |`).join('\n')}
| **all four at once** | **${(together / 1000).toFixed(1)} s** |

All four at once / slowest alone = **${ratio.toFixed(2)}×** (target ≤ 1.3×).

Where the time goes: accounts run side by side, each in its own pacing lane, so the run takes as
long as the slowest account. Volcengine binds one domain per BindCert and spaces the calls 1 s
apart (its documented rate for certificate binding), so 50 live domains take about 50 s there
whatever else runs. Huawei API Gateway binds each domain with a request of its own, paced by the
account's lane (about half a second a domain here). Tencent and Alibaba move all 50 resources in
one or a few task requests and then wait on the watch backoff (2 s + 4 s for a task that needs
two polls), plus the account sync and discovery before the plan. The remaining few seconds of
the four-cloud run over Volcengine alone are the shared CPU (two cores) handling the other three
accounts' TLS and JSON while Volcengine waits between binds.
`,
  );
}
