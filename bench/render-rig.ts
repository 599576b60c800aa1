import { chromium, type Browser } from '@playwright/test';
import type { HandlerContext } from '../main/core/ipc/context';
import type { SecretStore } from '../main/core/keychain';
import type { Vault } from '../main/core/library/vault';
import { FileSettingsStore } from '../main/core/settings-store';

// What the renderer benches share: a vault whose data key stays in memory, a handler context over
// it, Debian's Chromium, and a two-line `window.vault` over a Playwright binding.

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

/** The benches' data key never leaves this map. */
export class MemorySecrets implements SecretStore {
  private readonly secrets = new Map<string, string>();
  async get(account: string): Promise<string | null> {
    return this.secrets.get(account) ?? null;
  }
  async set(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
  }
  async delete(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }
}

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
