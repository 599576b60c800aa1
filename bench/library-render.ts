import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { dispatch } from '../main/core/ipc/dispatch';
import { Vault } from '../main/core/library/vault';
import { serveRenderer } from '../tests/e2e/fixtures/static-server';
import { fromWire, toWire } from '../tests/e2e/fixtures/wire';
import { LIBRARY_SIZE, importedVaultCopy, keychainOf } from './library-fixture';
import { recordGrowth, writeSection } from './report';
import { benchContext, BINDING, launchChromium, ms, overBinding, PAGE_BRIDGE, percentile, scrollFrames } from './render-rig';
import { sizedTitle } from './size';

// The Library screen of the BUILT renderer (dist/renderer, `npm run build`) in Debian's Chromium,
// over the library benches' vault (bench/library-fixture.ts: 10,000 certificates, or --size N),
// through the real handlers (the Playwright bridge the e2e tests use). Measures (1) time from
// opening the screen to its first rows painted, and (2) frame times while scrolling the
// virtualised list, plus how long a jump to a far position takes to show its rows (the windowed
// fetch from main).

const OPEN_RUNS = 10;
const SCROLL_FRAMES = 600;
const SCROLL_PX_PER_FRAME = 102; // three rows a frame: a fast wheel fling
const JUMPS = 20;

/**
 * The little of the DOM the page-side functions use. This program has no DOM types (main must not
 * see them); the functions run in the page, where these are the real things.
 */
interface PageElement {
  scrollTop: number;
  readonly dataset: Record<string, string | undefined>;
  querySelector(selector: string): PageElement | null;
  hasAttribute(name: string): boolean;
  click(): void;
}
interface PageGlobals {
  readonly document: { querySelector(selector: string): PageElement | null };
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** Milliseconds from the click on "Library" to the frame after its first rows exist. */
async function openLibrary(page: Page): Promise<number> {
  await page.locator('nav button[data-screen="inspect"]').click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const win = globalThis as unknown as PageGlobals;
        const start = performance.now();
        win.document.querySelector('nav button[data-screen="library"]')!.click();
        const poll = () => {
          if (win.document.querySelector('[data-testid="library-list"] [role="row"][data-entry-id]')) {
            // The next animation frame comes after the paint that showed them.
            win.requestAnimationFrame(() => resolve(performance.now() - start));
          } else {
            win.requestAnimationFrame(poll);
          }
        };
        poll();
      }),
  );
}

/** Milliseconds from a jump to a far position until the rows there are filled in. */
async function jumps(page: Page): Promise<number[]> {
  return page.evaluate(
    (count) =>
      new Promise<number[]>((resolve) => {
        const win = globalThis as unknown as PageGlobals;
        const list = win.document.querySelector('[data-testid="library-list"]')!;
        const total = Number(list.dataset.total);
        const times: number[] = [];
        let seed = 7;
        const next = () => {
          if (times.length === count) {
            resolve(times);
            return;
          }
          seed = (seed * 48271) % 2147483647;
          const row = Math.floor((seed / 2147483647) * (total - 40));
          const start = performance.now();
          list.scrollTop = row * 34;
          const poll = () => {
            const wanted = list.querySelector(`[aria-rowindex="${row + 2}"]`);
            if (wanted?.hasAttribute('data-entry-id')) {
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

export async function run(): Promise<void> {
  const dataDir = await importedVaultCopy();
  const vault = Vault.open({ dataDir, secrets: keychainOf(dataDir) });
  const server = await serveRenderer();
  const browser = await launchChromium();
  try {
    const total = (await vault.list({ limit: 0 })).total;

    const ctx = benchContext(dataDir, vault);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.exposeBinding(BINDING, async (_source, channel: unknown, request: unknown) =>
      overBinding(toWire(await dispatch(ctx, channel, fromWire(request)))),
    );
    // tsx compiles this file with esbuild's keepNames, which wraps named functions in a `__name()`
    // helper; the functions sent into the page carry those calls, so the page needs the helper too.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    await page.addInitScript(PAGE_BRIDGE);
    await page.goto(server.url);
    await page.locator('nav button[data-screen="library"]').waitFor();

    const opens: number[] = [];
    for (let i = 0; i < OPEN_RUNS; i += 1) opens.push(await openLibrary(page));
    const rendered = await page.locator('[data-testid="library-list"] [role="row"][data-entry-id]').count();
    const frames = await scrollFrames(page, '[data-testid="library-list"]', SCROLL_FRAMES, SCROLL_PX_PER_FRAME);
    const jumpTimes = await jumps(page);
    const slow = frames.filter((delta) => delta > 1000 / 60 + 1).length;

    const rows = [
      `| Open the Library screen -> first rows painted (first time, page just loaded) | ${ms(opens[0]!)} ms |`,
      `| Open the Library screen -> first rows painted (median of the next ${OPEN_RUNS - 1}) | ${ms(percentile(opens.slice(1), 50))} ms |`,
      `| Scroll, ${SCROLL_PX_PER_FRAME} px per frame for ${SCROLL_FRAMES} frames: frame time median / p95 / max | ${ms(percentile(frames, 50))} / ${ms(percentile(frames, 95))} / ${ms(Math.max(...frames))} ms |`,
      `| Frames longer than one 60 Hz frame | ${slow} of ${frames.length} (${((slow / frames.length) * 100).toFixed(1)} %) |`,
      `| Jump to a random far position -> its rows filled in (windowed fetch), median / p95 | ${ms(percentile(jumpTimes, 50))} / ${ms(percentile(jumpTimes, 95))} ms |`,
      `| Rows in the DOM (of ${total}) | ${rendered} |`,
    ];
    const body = [
      `The built renderer (dist/renderer) in Debian's Chromium (headless, --disable-gpu, 1280x860), over a real vault of ${total} certificates`,
      `(SQLite, through the real handlers and the Playwright bridge of the e2e tests, so every page of rows crosses the same`,
      `request/response path as in the app). "First rows painted" is from the click on Library in the sidebar to the animation frame after`,
      `the first rows exist; the screen keeps its state, so later openings only fetch the visible page again.`,
      `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.`,
      '',
      '| Measure | Result |',
      '| --- | ---: |',
      ...rows,
      '',
      `Target: first paint of the library <= 1 s: ${opens[0]! <= 1000 ? 'met' : 'missed'} (${ms(opens[0]!)} ms first time).`,
    ].join('\n');
    console.log(body);
    recordGrowth(LIBRARY_SIZE, [
      { measure: 'Library screen: first rows painted, first time (ms)', value: opens[0]!, digits: 1 },
      { measure: 'Library screen: scroll frame time, p95 (ms)', value: percentile(frames, 95), digits: 1 },
      { measure: 'Library screen: jump to a far position, median (ms)', value: percentile(jumpTimes, 50), digits: 1 },
    ]);
    writeSection(sizedTitle('Library rendering', LIBRARY_SIZE), body);
  } finally {
    await browser.close();
    await server.close();
    await vault.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
