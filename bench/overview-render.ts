import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { dispatch } from '../main/core/ipc/dispatch';
import { openDatabase } from '../main/core/db/open';
import { InventoryStore, type SyncedCopy } from '../main/core/inventory/store';
import { Vault } from '../main/core/library/vault';
import { serveRenderer } from '../tests/e2e/fixtures/static-server';
import { fromWire, toWire } from '../tests/e2e/fixtures/wire';
import { libraryFixture } from './library-fixture';
import { writeSection } from './report';
import { benchContext, BINDING, launchChromium, MemorySecrets, ms, overBinding, PAGE_BRIDGE, percentile } from './render-rig';

// The Overview of the BUILT renderer (dist/renderer) in Debian's Chromium over a vault of 10,000
// library entries and 4,000 remote copies on four accounts (half of them matched to library
// entries, half remote-only, most bound to something), through the real handlers. Measures the
// page loaded and Overview opened -> its first rows painted, and the `inventory.overview` request
// alone as the page sees it.

const ACCOUNTS = 4;
const COPIES_PER_ACCOUNT = 1_000;
const LOADS = 8;
const REQUESTS = 10;
const DAY_MS = 86_400_000;

interface PageGlobals {
  readonly document: { querySelector(selector: string): { click(): void } | null };
  readonly vault: { invoke(channel: string, request: unknown): Promise<unknown> };
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** Four accounts, each holding a thousand copies: every other one a library entry's, the rest unknown to it. */
function seedInventory(dataDir: string): void {
  const db = openDatabase(dataDir);
  try {
    const entries = db.prepare('SELECT id, common_name, not_after FROM entries ORDER BY not_after').all() as { id: string; common_name: string; not_after: string }[];
    const store = new InventoryStore(db);
    const now = Date.now();
    for (let a = 0; a < ACCOUNTS; a++) {
      const id = randomUUID();
      const stamp = new Date(now).toISOString();
      db.prepare('INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, `bench-${a}`, ['tencent', 'aliyun', 'huawei', 'volcengine'][a], stamp, stamp);
      const copies: SyncedCopy[] = Array.from({ length: COPIES_PER_ACCOUNT }, (_, i) => {
        const entry = i % 2 === 0 ? entries[(a * COPIES_PER_ACCOUNT + i) % entries.length]! : null;
        const host = entry?.common_name ?? `remote-${a}-${i}.bench.test`;
        return {
          copy: {
            cloud: 'tencent',
            remoteId: `cert-${a}-${i}`,
            name: host,
            commonName: host,
            dnsNames: [host],
            notBefore: null,
            notAfter: entry?.not_after ?? new Date(now + ((i * 13) % 400 - 30) * DAY_MS).toISOString(),
            fingerprintSha256: null,
            serial: null,
            issuer: null,
            certificatePem: null,
            bindings: i % 4 === 3 ? [] : [{ type: 'cdn', id: `cdn-${a}-${i}`, name: `cdn.${host}` }],
          },
          match: entry ? { libraryId: entry.id, matchedBy: 'names' } : null,
        };
      });
      store.replaceAccount(id, copies, new Date(now).toISOString());
    }
  } finally {
    db.close();
  }
}

/** Milliseconds from navigation start to the frame after the Overview's first rows exist. */
async function loadAndOpen(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const win = globalThis as unknown as PageGlobals;
        const poll = () => {
          const button = win.document.querySelector('nav button[data-screen="overview"]');
          if (button && !win.document.querySelector('main[data-screen="overview"]')) button.click();
          if (win.document.querySelector('[data-testid="radar-list"] [data-row]')) win.requestAnimationFrame(() => resolve(performance.now()));
          else win.requestAnimationFrame(poll);
        };
        poll();
      }),
  );
}

/** Milliseconds of one `inventory.overview` round trip from the page. */
async function overviewRequest(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const win = globalThis as unknown as PageGlobals;
    const start = performance.now();
    await win.vault.invoke('inventory.overview', {});
    return performance.now() - start;
  });
}

export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-overview-'));
  const vault = Vault.open({ dataDir, secrets: new MemorySecrets() });
  const server = await serveRenderer();
  const browser = await launchChromium();
  try {
    console.log('importing the library fixture…');
    await vault.importPaths([await libraryFixture()]);
    seedInventory(dataDir);
    const total = vault.list({ limit: 0 }).total;
    const ctx = benchContext(dataDir, vault);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.exposeBinding(BINDING, async (_source, channel: unknown, request: unknown) => overBinding(toWire(await dispatch(ctx, channel, fromWire(request)))));
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.addInitScript(PAGE_BRIDGE);

    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) loads.push(await loadAndOpen(page, server.url));
    const requests: number[] = [];
    for (let i = 0; i < REQUESTS; i++) requests.push(await overviewRequest(page));
    const rows = Number(await page.getByTestId('radar-list').getAttribute('data-total'));
    const inDom = await page.locator('[data-testid="radar-list"] [data-row]').count();

    const body = [
      `The built renderer (dist/renderer) in Debian's Chromium (headless, --disable-gpu, 1280x860), over a vault of ${total} library entries`,
      `and ${ACCOUNTS * COPIES_PER_ACCOUNT} remote copies on ${ACCOUNTS} accounts (half matched to library entries, three in four bound), through the`,
      `real handlers. "First rows painted" runs from the page's navigation start (the app loading, settings, the radar computed in main and`,
      `sent over IPC) to the animation frame after the Overview's first rows exist. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.`,
      '',
      '| Measure | Result |',
      '| --- | ---: |',
      `| Page loaded, Overview opened -> first rows painted: first / median of ${LOADS} | ${ms(loads[0]!)} / ${ms(percentile(loads, 50))} ms |`,
      `| \`inventory.overview\` round trip from the page, median / p95 of ${REQUESTS} | ${ms(percentile(requests, 50))} / ${ms(percentile(requests, 95))} ms |`,
      `| Radar rows / rows in the DOM | ${rows} / ${inDom} |`,
      '',
      `Target: Overview first paint <= 300 ms: ${percentile(loads, 50) <= 300 ? 'met' : 'missed'} (median ${ms(percentile(loads, 50))} ms).`,
    ].join('\n');
    console.log(body);
    writeSection('Overview rendering', body);
  } finally {
    await browser.close();
    await server.close();
    vault.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
