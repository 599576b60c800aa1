import { chromium, type Browser, type Page } from '@playwright/test';
import type { HandlerContext } from '../main/core/ipc/context';
import type { Vault } from '../main/core/library/vault';
import { FileSettingsStore } from '../main/core/settings-store';

// What the renderer benches share: a handler context over a vault, Debian's Chromium, a two-line
// `window.vault` over a Playwright binding, and frame times while a list scrolls.

export const BINDING = '__certVaultInvoke';
/**
 * `window.vault` for the benches: the screens measured only invoke (no bytes travel, and no event is
 * needed), so a two-line bridge over the binding does; the e2e bridge also carries events and bytes.
 */
export const PAGE_BRIDGE = `Object.defineProperty(window, 'vault', { value: Object.freeze({
  invoke: async (channel, request) => JSON.parse(await window.${BINDING}(channel, request)), on: () => () => {} }) });`;

/**
 * A response as the binding returns it: JSON text. Playwright's own serialisation of a returned
 * object tracks every object it has seen in a list, which grows quadratic over the Overview's
 * thousands of rows and would be measured instead of the app (Electron's IPC clones structurally).
 */
export const overBinding = (response: unknown): string => JSON.stringify(response);

export function benchContext(dataDir: string, vault: Vault): HandlerContext {
  return {
    dataDir,
    appVersion: '0.0.0-bench',
    platform: process.platform,
    systemLocale: 'en',
    dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => true, confirmAccount: async () => true, confirmDataKeyReset: async () => true },
    events: { emit: () => undefined },
    settings: new FileSettingsStore(dataDir),
    now: () => new Date(),
    vault: () => vault,
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const ms = (value: number) => value.toFixed(1);

/** The little of the DOM scrollFrames uses in the page (this program has no DOM types). */
interface ScrolledPage {
  readonly document: { querySelector(selector: string): { scrollTop: number } | null };
  requestAnimationFrame(callback: (time: number) => void): number;
}

/** Frame-to-frame times (ms) while the list `selector` names scrolls by `step` px every frame, `frames` times. */
export async function scrollFrames(page: Page, selector: string, frames: number, step: number): Promise<number[]> {
  return page.evaluate(
    ([listSelector, count, px]) =>
      new Promise<number[]>((resolve) => {
        const win = globalThis as unknown as ScrolledPage;
        const list = win.document.querySelector(listSelector)!;
        const deltas: number[] = [];
        let last = 0;
        let done = 0;
        const frame = (time: number) => {
          if (last > 0) deltas.push(time - last);
          last = time;
          list.scrollTop += px;
          done += 1;
          if (done <= count) win.requestAnimationFrame(frame);
          else resolve(deltas);
        };
        win.requestAnimationFrame(frame);
      }),
    [selector, frames, step] as const,
  );
}
