import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { dispatch } from '../main/core/ipc/dispatch';
import { openDatabase } from '../main/core/db/open';
import { openSqliteVaultDb, sqliteVaultDb } from '../main/core/db/vault-db';
import { InventoryStore, type SyncedCopy } from '../main/core/inventory/store';
import { buildRadarInChunks, radarWindow } from '../main/core/inventory/radar-window';
import { radarLimits } from '../shared/inventory';
import { Vault } from '../main/core/library/vault';
import { serveRenderer } from '../tests/e2e/fixtures/static-server';
import { fromWire, toWire } from '../tests/e2e/fixtures/wire';
import { LIBRARY_SIZE, importedVaultCopy, keychainOf } from './library-fixture';
import { recordGrowth, writeSection } from './report';
import { benchContext, BINDING, launchChromium, ms, overBinding, PAGE_BRIDGE, percentile, scrollFrames } from './render-rig';
import { sizedTitle } from './size';

// The Overview of the BUILT renderer (dist/renderer) in Debian's Chromium over the library benches'
// vault (bench/library-fixture.ts: 10,000 certificates, or --size N, imported once and kept) and
// 4,000 remote copies on four accounts (half of them matched to library entries, half remote-only,
// most bound to something), through the real handlers. Measures the page loaded -> the Overview's
// first rows painted (main just started: the first page read from the database's indexes; later
// loads: the radar built and kept), one page of `inventory.overview` as the page sees it, frame
// times while the list scrolls, a jump to a far position until its rows are filled in, and what a
// change costs main: the first page read again, and the whole radar built again in chunks.

const ACCOUNTS = 4;
const COPIES_PER_ACCOUNT = 1_000;
const LOADS = 8;
const COLD_LOADS = 5;
const REQUESTS = 10;
const JUMPS = 20;
const REBUILDS = 5;
const SCROLL_FRAMES = 600;
const SCROLL_PX_PER_FRAME = 102; // as bench/library-render.ts: a fast wheel fling
const DAY_MS = 86_400_000;

/** The little of the DOM the page-side functions use (this program has no DOM types). */
interface PageElement {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  querySelector(selector: string): PageElement | null;
  click(): void;
}
interface PageGlobals {
  readonly document: { querySelector(selector: string): PageElement | null };
  readonly vault: { invoke(channel: string, request: unknown): Promise<unknown> };
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** Four accounts, each holding a thousand copies: every other one a library entry's, the rest unknown to it. */
async function seedInventory(dataDir: string): Promise<void> {
  const db = openDatabase(dataDir);
  const vault = sqliteVaultDb(db, { owned: true });
  try {
    const entries = db.prepare('SELECT id, common_name, not_after FROM entries ORDER BY not_after').all() as { id: string; common_name: string; not_after: string }[];
    const store = new InventoryStore(vault);
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
      await store.replaceAccount(id, copies, new Date(now).toISOString());
    }
  } finally {
    await vault.close();
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

/** Milliseconds of one `inventory.overview` round trip from the page: the counts and one page of rows. */
async function overviewRequest(page: Page): Promise<number> {
  return page.evaluate(async (limit) => {
    const win = globalThis as unknown as PageGlobals;
    const start = performance.now();
    await win.vault.invoke('inventory.overview', { offset: 0, limit });
    return performance.now() - start;
  }, radarLimits.defaultPageSize);
}

/** Milliseconds from a jump to a far position of the list until the rows there are filled in. */
async function jumps(page: Page): Promise<number[]> {
  return page.evaluate(
    (count) =>
      new Promise<number[]>((resolve) => {
        const win = globalThis as unknown as PageGlobals;
        const list = win.document.querySelector('[data-testid="radar-list"]')!;
        const far = list.scrollHeight - list.clientHeight;
        const times: number[] = [];
        let seed = 7;
        const next = () => {
          if (times.length === count) {
            resolve(times);
            return;
          }
          seed = (seed * 48271) % 2147483647;
          const start = performance.now();
          list.scrollTop = Math.floor((seed / 2147483647) * far);
          const poll = () => {
            if (list.querySelector('[data-row]') && !list.querySelector('[data-loading]')) {
              times.push(performance.now() - start);
              next();
            } else {
              win.requestAnimationFrame(poll);
            }
          };
          win.requestAnimationFrame(poll);
        };
        next();
      }),
    JUMPS,
  );
}

interface Timings {
  readonly wall: number[];
  readonly cpu: number[];
}

/**
 * What main spends after any change of the database: the Overview's first page read from the
 * indexes (counts included), and the whole radar built again in chunks (reading the library and
 * the copies, grouping, ordering). Wall time, and the CPU time of main's thread, the steadier
 * figure on a loaded machine.
 */
async function afterChange(dataDir: string): Promise<{ firstPage: Timings; rebuilt: Timings }> {
  const vault = openSqliteVaultDb(dataDir);
  const timed = async (work: () => Promise<unknown>): Promise<Timings> => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < REBUILDS; i++) {
      const start = performance.now();
      const cpuStart = process.threadCpuUsage();
      await work();
      const used = process.threadCpuUsage(cpuStart);
      wall.push(performance.now() - start);
      cpu.push((used.user + used.system) / 1000);
    }
    return { wall, cpu };
  };
  try {
    const firstPage = await timed(() => radarWindow(vault, new Date(), 30, 0, radarLimits.defaultPageSize));
    const rebuilt = await timed(() => buildRadarInChunks(vault));
    return { firstPage, rebuilt };
  } finally {
    await vault.close();
  }
}

const verdict = (value: number) => `${value <= 300 ? 'met' : 'missed'} (${ms(value)} ms)`;

export async function run(): Promise<void> {
  const dataDir = await importedVaultCopy();
  await seedInventory(dataDir);
  const vault = Vault.open({ dataDir, secrets: keychainOf(dataDir) });
  const server = await serveRenderer();
  const browser = await launchChromium();
  try {
    const total = (await vault.list({ limit: 0 })).total;
    // A new handler context is a main process just started: its radar is not built yet.
    let ctx = benchContext(dataDir, vault);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.exposeBinding(BINDING, async (_source, channel: unknown, request: unknown) => overBinding(toWire(await dispatch(ctx, channel, fromWire(request)))));
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.addInitScript(PAGE_BRIDGE);

    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) loads.push(await loadAndOpen(page, server.url));
    const coldLoads: number[] = [];
    for (let i = 0; i < COLD_LOADS; i++) {
      ctx = benchContext(dataDir, vault);
      coldLoads.push(await loadAndOpen(page, server.url));
    }
    const requests: number[] = [];
    for (let i = 0; i < REQUESTS; i++) requests.push(await overviewRequest(page));
    const frames = await scrollFrames(page, '[data-testid="radar-list"]', SCROLL_FRAMES, SCROLL_PX_PER_FRAME);
    const slow = frames.filter((delta) => delta > 1000 / 60 + 1).length;
    const jumped = await jumps(page);
    const rows = Number(await page.getByTestId('radar-list').getAttribute('data-total'));
    const inDom = await page.locator('[data-testid="radar-list"] [data-row]').count();
    const { firstPage, rebuilt } = await afterChange(dataDir);

    const body = [
      `The built renderer (dist/renderer) in Debian's Chromium (headless, --disable-gpu, 1280x860), over a vault of ${total} library entries`,
      `and ${ACCOUNTS * COPIES_PER_ACCOUNT} remote copies on ${ACCOUNTS} accounts (half matched to library entries, three in four bound), through the`,
      `real handlers. "First rows painted" runs from the page's navigation start (the app loading, settings, the group counts and the first`,
      `page of rows from main) to the animation frame after the Overview's first rows exist. Main answers the first pages from the database's`,
      `indexes until it has built the whole radar (in chunks, after that answer) and keeps it per change of the database; a new handler context stands for a main process just started, with no radar built. The very first load`,
      `also pays the browser's own start and the first compilation of main's code. The machine is shared: load average ${os.loadavg()[0]!.toFixed(1)} on 2 cores at the end of this run. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.`,
      '',
      '| Measure | Result |',
      '| --- | ---: |',
      `| Page loaded -> Overview's first rows painted, radar kept in main: first load of the browser / median of ${LOADS} | ${ms(loads[0]!)} / ${ms(percentile(loads, 50))} ms |`,
      `| The same, main just started (first page from the indexes, as the app does), median of ${COLD_LOADS} | ${ms(percentile(coldLoads, 50))} ms |`,
      `| \`inventory.overview\` (counts + ${radarLimits.defaultPageSize} rows) round trip from the page, median / p95 of ${REQUESTS} | ${ms(percentile(requests, 50))} / ${ms(percentile(requests, 95))} ms |`,
      `| Scroll, ${SCROLL_PX_PER_FRAME} px per frame for ${SCROLL_FRAMES} frames: frame time median / p95 / max | ${ms(percentile(frames, 50))} / ${ms(percentile(frames, 95))} / ${ms(Math.max(...frames))} ms |`,
      `| Frames longer than one 60 Hz frame | ${slow} of ${frames.length} (${((slow / frames.length) * 100).toFixed(1)} %) |`,
      `| Jump to a random far position -> its rows filled in, median / p95 of ${JUMPS} | ${ms(percentile(jumped, 50))} / ${ms(percentile(jumped, 95))} ms |`,
      `| First page (counts + ${radarLimits.defaultPageSize} rows) read from the indexes in main, median of ${REBUILDS}: wall / main-thread CPU | ${ms(percentile(firstPage.wall, 50))} / ${ms(percentile(firstPage.cpu, 50))} ms |`,
      `| Whole radar built again in main after a change (in chunks, yielding between them), median of ${REBUILDS}: wall / main-thread CPU | ${ms(percentile(rebuilt.wall, 50))} / ${ms(percentile(rebuilt.cpu, 50))} ms |`,
      `| Radar rows / rows in the DOM | ${rows} / ${inDom} |`,
      '',
      `Target: Overview first paint <= 300 ms: ${verdict(percentile(loads, 50))} with the radar kept, ${verdict(percentile(coldLoads, 50))} at the app's start.`,
    ].join('\n');
    console.log(body);
    recordGrowth(LIBRARY_SIZE, [
      { measure: 'Overview: first rows painted, radar kept, median (ms)', value: percentile(loads, 50), digits: 1 },
      { measure: 'Overview: first rows painted, main just started, median (ms)', value: percentile(coldLoads, 50), digits: 1 },
      { measure: 'Overview: scroll frame time, p95 (ms)', value: percentile(frames, 95), digits: 1 },
      { measure: 'Overview: jump to a far position, median (ms)', value: percentile(jumped, 50), digits: 1 },
      { measure: 'Overview: first page read from the indexes in main, CPU (ms)', value: percentile(firstPage.cpu, 50), digits: 1 },
      { measure: 'Overview: radar rebuilt in main, median (ms)', value: percentile(rebuilt.wall, 50), digits: 1 },
      { measure: 'Overview: radar rebuilt in main, main-thread CPU, median (ms)', value: percentile(rebuilt.cpu, 50), digits: 1 },
    ]);
    writeSection(sizedTitle('Overview rendering', LIBRARY_SIZE), body);
  } finally {
    await browser.close();
    await server.close();
    await vault.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
