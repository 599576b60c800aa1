import os from 'node:os';
import type { CloudId } from '../shared/model';
import { createHttpClient } from '../main/clouds/http-client';
import { getProvider } from '../main/clouds/registry';
import { sqliteVaultDb } from '../main/core/db/vault-db';
import { openDatabase } from '../main/core/db/open';
import { InventoryService, type SyncProgress } from '../main/core/inventory';
import { seedAliyunCertificate, startAliyunEmulator } from '../tests/emulators/aliyun';
import { defaultCredentials } from '../tests/emulators/credentials';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../tests/emulators/huawei';
import { seedResource, type SeedInput } from '../tests/emulators/seed';
import type { BoundResource, EmulatorState, RunningEmulator } from '../tests/emulators/server';
import type { StoredCertificate } from '../tests/emulators/store';
import { seedTencentCertificate, startTencentEmulator } from '../tests/emulators/tencent';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../tests/emulators/volcengine';
import { days, makeCa, makeLeaf } from '../tests/unit/vault/helpers/pki';
import { writeSection } from './report';
import { openRig } from './upload-rig';

// Claim: one sync of four accounts (one per cloud), each holding 1,000 certificates of which every
// tenth is bound to a resource, takes at most 1.2x the rate-limit floor: the requests the sync
// needs, divided by the cloud's documented requests per second. The accounts run side by side, so
// the whole sync is measured against the slowest account's floor.

const CERTIFICATES = 1000;
const BOUND_EVERY = 10;
const TARGET = 1.2;

type Cloud = Exclude<CloudId, 'tencent-intl'>;

interface CloudSetup {
  /** Enforcing the documented rate: a request over it gets the cloud's throttling answer. */
  readonly start: (requestsPerSecond: number) => Promise<RunningEmulator>;
  readonly seed: (state: EmulatorState, input: SeedInput) => StoredCertificate;
  /** A resource of the cloud's own kind serving certificate `certificateId`. */
  readonly resource: (account: string, certificateId: string, i: number) => BoundResource;
}

const clouds: Record<Cloud, CloudSetup> = {
  tencent: {
    start: (requestsPerSecond) => startTencentEmulator({ requestsPerSecond }),
    seed: seedTencentCertificate,
    resource: (account, certificateId, i) => ({ account, certificateId, type: 'cdn', region: '', instance: { Domain: `cdn${i}.sync.test`, Status: 'online' } }),
  },
  aliyun: {
    start: (requestsPerSecond) => startAliyunEmulator({ requestsPerSecond }),
    seed: seedAliyunCertificate,
    resource: (account, certificateId, i) => ({ account, certificateId, type: 'CDN', region: 'cn-hangzhou', instance: { Domain: `cdn${i}.sync.test` } }),
  },
  huawei: {
    start: (requestsPerSecond) => startHuaweiEmulator({ requestsPerSecond }),
    seed: seedHuaweiCertificate,
    resource: (account, certificateId, i) => ({
      account, certificateId, type: 'apig-domain', region: '',
      instance: { url_domain: `api${i}.sync.test`, id: `dom-${i}`, instance_id: 'gw-1', api_group_id: 'grp-1', api_group_name: 'shop' },
    }),
  },
  volcengine: {
    start: (requestsPerSecond) => startVolcengineEmulator({ requestsPerSecond }),
    seed: seedVolcengineCertificate,
    resource: (account, certificateId, i) => ({ account, certificateId, type: 'live-domain', region: '', instance: { Domain: `pull${i}.sync.test` } }),
  },
};

interface Measured {
  readonly cloud: Cloud;
  readonly status: string;
  readonly certificates: number;
  readonly list: number;
  readonly detail: number;
  readonly binding: number;
  readonly rate: number;
  readonly throttled: number;
  readonly seconds: number;
}

const requestsOf = (m: Measured) => m.list + m.detail + m.binding;
const floorOf = (m: Measured) => requestsOf(m) / m.rate;

export async function run(): Promise<void> {
  const names = Object.keys(clouds) as Cloud[];
  const setupStarted = performance.now();
  // Made in-process: a thousand openssl runs take minutes on a busy machine.
  const ca = await makeCa('Sync Bench CA');
  const now = new Date();
  const leaves = [];
  for (let i = 0; i < CERTIFICATES; i += 1) {
    const leaf = await makeLeaf(ca, { commonName: `sync${i}.example.com`, notBefore: days(-30, now), notAfter: days((i % 365) - 30, now) });
    leaves.push({ fullchain: leaf.certPem + ca.certPem, key: leaf.keyPem });
  }
  const emulators = new Map<Cloud, RunningEmulator>();
  const rig = openRig();
  try {
    for (const cloud of names) {
      const emulator = await clouds[cloud].start(getProvider(cloud).requestsPerSecond);
      emulators.set(cloud, emulator);
      const credential = defaultCredentials[cloud];
      await rig.addAccount(cloud, `${cloud}-bench`, emulator.url, credential);
      leaves.forEach((leaf, i) => {
        const seeded = clouds[cloud].seed(emulator.state, { account: credential.accessKeyId, certificatePem: leaf.fullchain, privateKeyPem: leaf.key, name: `sync_${i}` });
        if (i % BOUND_EVERY === 0) seedResource(emulator.state, clouds[cloud].resource(credential.accessKeyId, seeded.id, i));
      });
    }
    console.log(`setup (certificates, emulators, seeding): ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const inventory = new InventoryService({ vault: sqliteVaultDb(openDatabase(rig.dataDir), { owned: true }), accounts: rig.service.accounts, pacer: rig.service.pacer, http: createHttpClient({ timeoutMs: 30_000 }) });
    // Calls each emulator had answered when its account entered each phase: the listing ends
    // before the first detail is asked for, the details before the first binding call.
    const marks = new Map<Cloud, Partial<Record<SyncProgress['phase'], number>>>(names.map((cloud) => [cloud, {}]));
    const ended = new Map<Cloud, number>();
    const onProgress = (event: SyncProgress) => {
      const cloud = event.cloud as Cloud;
      const mark = marks.get(cloud)!;
      mark[event.phase] ??= emulators.get(cloud)!.state.calls.length;
      if (event.phase === 'done' || event.phase === 'failed') ended.set(cloud, performance.now());
    };
    const started = performance.now();
    const results = await inventory.sync([], { onProgress });
    const totalSeconds = (performance.now() - started) / 1000;

    const measured: Measured[] = names.map((cloud) => {
      const result = results.find((r) => r.cloud === cloud)!;
      const mark = marks.get(cloud)!;
      const calls = emulators.get(cloud)!.state.calls.length;
      const details = mark.details ?? calls;
      const bindings = mark.bindings ?? calls;
      return {
        cloud,
        status: result.status === 'ok' ? 'ok' : `failed: ${result.error?.code}`,
        certificates: result.certificates,
        list: details,
        detail: bindings - details,
        binding: calls - bindings,
        rate: getProvider(cloud).requestsPerSecond,
        throttled: emulators.get(cloud)!.state.throttled,
        seconds: (ended.get(cloud)! - started) / 1000,
      };
    });
    for (const m of measured) {
      console.log(`${m.cloud}: ${m.status}, ${m.certificates} certificates, ${requestsOf(m)} requests (${m.list} list, ${m.detail} detail, ${m.binding} binding) at ${m.rate}/s, ${m.throttled} throttled: floor ${floorOf(m).toFixed(1)} s, wall ${m.seconds.toFixed(1)} s, ${(m.seconds / floorOf(m)).toFixed(2)}x`);
    }
    const slowest = Math.max(...measured.map(floorOf));
    const ratio = totalSeconds / slowest;
    const worst = Math.max(...measured.map((m) => m.seconds / floorOf(m)));
    console.log(`all four: ${totalSeconds.toFixed(1)} s against the slowest floor ${slowest.toFixed(1)} s: ${ratio.toFixed(2)}x`);
    const met = ratio <= TARGET && worst <= TARGET && measured.every((m) => m.status === 'ok' && m.certificates === CERTIFICATES && m.throttled === 0);

    writeSection(
      'Inventory: sync at the rate limit',
      `One sync of four accounts, one per cloud, each holding ${CERTIFICATES.toLocaleString('en')} certificates (EC P-256 leaf +
issuing CA) of which every ${BOUND_EVERY}th is bound to a resource, against the loopback emulators (no added latency),
through the real InventoryService, providers, HTTP client and the per-account pacer of UploadService
(bench/inventory-sync.ts). Each emulator enforces its cloud's documented rate as a strict cloud would: a request
arriving when that many were answered in the last 1000 ms gets the cloud's throttling answer (counted below; the
target needs zero). Requests are counted by the emulators, split by the sync's phases: list pages (Huawei's
also include its gateway list), one detail call per certificate, and whatever the cloud needs to tell the bindings
(Tencent: discovery tasks created, polled and read; Alibaba: ListCloudResources pages; Huawei: attached domains per
certificate; Volcengine: domain pages). Floor = requests ÷ the documented rate. The pacer sends at 90% of that rate
(main/core/uploads/pacing.ts), so 1.11x is the best a paced sync can reach.
Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine (load ${os.loadavg()[0]!.toFixed(1)} at the end of the run);
the whole bench (making ${CERTIFICATES.toLocaleString('en')} certificates, seeding, sync) took ${((performance.now() - setupStarted) / 1000 / 60).toFixed(1)} min.

| Cloud | Result | List pages | Detail calls | Binding calls | Requests | Throttled | Documented rate (/s) | Floor (s) | Wall (s) | Wall / floor |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${measured.map((m) => `| ${m.cloud} | ${m.status}, ${m.certificates} | ${m.list} | ${m.detail} | ${m.binding} | ${requestsOf(m)} | ${m.throttled} | ${m.rate} | ${floorOf(m).toFixed(1)} | ${m.seconds.toFixed(1)} | ${(m.seconds / floorOf(m)).toFixed(2)} |`).join('\n')}
| **all four, in parallel** | | | | | ${measured.reduce((sum, m) => sum + requestsOf(m), 0)} | ${measured.reduce((sum, m) => sum + m.throttled, 0)} | | ${slowest.toFixed(1)} (slowest) | ${totalSeconds.toFixed(1)} | ${ratio.toFixed(2)} |

Target: wall time within ${TARGET}x of the floor, for each account and for the whole sync, with no throttled request. ${met ? 'Met' : 'Missed'}.

Where the time over the floor goes. Tencent: the resource-discovery tasks used to be started and polled 100
certificates at a time, paying the 2 s poll wait 10 times (20 s idle, about 0.18x); all tasks are now started before
the first poll and the wait is paid once (main/clouds/tencent/inventory.ts). Every cloud pays 1.11x for the pacer's
90% margin; the rest is timer lateness on this shared machine: each release waits a full interval from the previous,
possibly late, release, so a stall delays and never bunches. Huawei used to measure 1.27x: besides the interval, the
pacer capped each second at whole requests, floor(4.5) = 4, so 2004 requests could not take less than 501 s, 1.25x.
The interval alone already keeps any 6 consecutive requests 1.11 s apart, so the cap went and Huawei runs at 4.5/s.
The margin stays: a token bucket at exactly 5/s with a burst of 1 puts limit + 1 requests exactly 1000 ms apart when
they leave, so any delay of the first on its way to the cloud lets the cloud count limit + 1 in its second. Tried on
the way (one run, load 9): the documented number per 1.11 s at the full rate's spacing, which lets late timers catch up,
got 5 throttling answers from Huawei's emulator and 2 from Volcengine's, so it was not kept. The code as committed and
the code before it, run side by side at the same time (load 1-3): before, Huawei 502.3 s, 1.25x, 0 throttled; now
450.7 s, 1.12x, 0 throttled (the table). Two earlier runs of this code on a machine at load 10-24 measured Huawei
1.15x and 1.23x but got 3 and 1 throttling answers from Huawei's emulator (retried, the sync succeeded): the emulator
runs in the sync's process, so a stall of the event loop over 0.11 s holds a request back while the ones after it are
counted on time. The old whole-second cap gave Huawei 0.25 s of room, the other clouds always had 0.11 s.
Alibaba: ~11 s of work at 90/s, dominated by the three other syncs sharing the event loop; 4 detail calls in
flight were not the cause (a run with 23 in flight measured 2.46x, worse). Since the whole sync is bounded by
Huawei, the overall ratio is Huawei's.`,
    );
  } finally {
    rig.close();
    await Promise.all([...emulators.values()].map((emulator) => emulator.close()));
  }
}
