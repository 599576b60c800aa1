import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogs, type Locale } from '../../../shared/i18n';
import { Machine, type MenuDouble } from '../../electron-double';
import { expectedWebPreferences } from '../../unit/electron/expected-web-preferences';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { becomeReady, built, launch, removeTempDirs, start, tempDir } from './harness';

// The built main bundle, started the way Electron starts it, under the electron double: what it
// does before Electron is ready, the window it opens, a second instance, the menu, and what
// happens when start-up fails.
assertThrowawayKeyring();

afterEach(removeTempDirs);

describe('before Electron is ready', () => {
  it('registers app:// as a privileged standard, secure scheme, without CORS or CSP bypass', () => {
    const double = launch();
    const registration = double.calls.find((call) => call.api === 'protocol.registerSchemesAsPrivileged');
    expect(registration?.afterReady).toBe(false);
    expect(double.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('turns the sandbox on for every renderer', () => {
    const double = launch();
    expect(double.calls.find((call) => call.api === 'app.enableSandbox')?.afterReady).toBe(false);
    expect(double.sandboxEnabled()).toBe(true);
  });
});

describe('the window', () => {
  it('is one window with exactly the secure web preferences, on app://cert-vault/index.html', async () => {
    const { double, page } = await start();
    expect(double.windows).toHaveLength(1);
    const [window] = double.windows;
    expect(window?.options.webPreferences).toEqual(expectedWebPreferences(built.preload, false));
    expect(page.webContents.getURL()).toBe('app://cert-vault/index.html');
    // Hidden until the page has rendered, then shown.
    expect(window?.options.show).toBe(false);
    expect(window?.isVisible()).toBe(true);
  });

  it('loads the page and every file it links, none blocked by its CSP, and its preload exposes window.vault', async () => {
    const { page } = await start();
    expect(page.subresources.length).toBeGreaterThan(0);
    expect(page.subresources.filter((file) => file.status !== 200 || file.blockedBy !== null)).toEqual([]);
    expect(page.preloadError).toBeNull();
    expect(Object.keys(page.mainWorld)).toEqual(['vault']);
  });

  it('refuses navigation, new windows and web permissions', async () => {
    const { double, page } = await start();
    expect(page.webContents.attemptNavigation('https://example.com/')).toBe(false);
    expect(page.webContents.getURL()).toBe('app://cert-vault/index.html');
    expect(page.webContents.attemptWindowOpen('https://example.com/')).toBe(false);
    const ask = (permission: string, requestingUrl: string) =>
      new Promise<boolean>((resolve) => double.permissionHandlers.request?.(page.webContents as never, permission as never, resolve as never, { requestingUrl } as never));
    await expect(ask('media', 'app://cert-vault/index.html')).resolves.toBe(false);
    await expect(ask('clipboard-sanitized-write', 'https://example.com/')).resolves.toBe(false);
    await expect(ask('clipboard-sanitized-write', 'app://cert-vault/index.html')).resolves.toBe(true);
  });
});

describe('closing the window', () => {
  it('quits on Linux and Windows, and the next start opens the window where it was', async () => {
    const userData = path.join(tempDir(), 'Cert Vault');
    const { double: first } = await start({ userData });
    const window = first.windows[0]!;
    window.maximize();
    window.close();
    expect(first.ending()).toEqual({ how: 'quit', code: 0 });

    const { double: second } = await start({ userData });
    const reopened = second.windows[0]!;
    expect(reopened.options).toMatchObject(window.getNormalBounds());
    expect(reopened.isMaximized()).toBe(true);
  });
});

describe('a second instance', () => {
  it('quits at once, and the first window comes to the front', async () => {
    const machine = new Machine();
    const userData = path.join(tempDir(), 'Cert Vault');
    const { double: first } = await start({ machine, userData });
    const window = first.windows[0]!;
    window.minimize();

    const second = launch({ machine, userData, argv: ['cert-vault'] });
    expect(second.ending()).toEqual({ how: 'quit', code: 0 });
    second.ready();
    expect(second.windows).toEqual([]);
    expect(second.handledChannels()).toEqual([]);

    await new Promise((resolve) => setImmediate(resolve));
    expect(window.isMinimized()).toBe(false);
    expect(window.isFocused()).toBe(true);
    expect(first.ending()).toBeNull();
  });

  it('with its own data folder (CERTVAULT_HOME) runs beside the first', async () => {
    const machine = new Machine();
    await start({ machine, certvaultHome: tempDir() });
    const { double: second } = await start({ machine, certvaultHome: tempDir() });
    expect(second.ending()).toBeNull();
    expect(second.windows).toHaveLength(1);
  });
});

describe('the data folder', () => {
  it('is CERTVAULT_HOME when set, created if it does not exist yet', async () => {
    const home = path.join(tempDir(), 'not', 'yet');
    const { double } = await start({ certvaultHome: home });
    expect(double.app.getPath('userData')).toBe(home);
    expect(fs.existsSync(path.join(home, 'logs', 'main.log'))).toBe(true);
  });
});

describe('the application menu', () => {
  const labels = (menu: MenuDouble | null): string[] =>
    (menu?.items ?? []).flatMap((item) => [...(item.type === 'separator' ? [] : [item.label]), ...labels(item.submenu ?? null)]);
  const menuLabels = (locale: Locale) =>
    new Set(Object.entries(catalogs[locale]).filter(([key]) => key.startsWith('menu.')).map(([, text]) => text));

  it.each([
    ['en-US', 'en'],
    ['zh-CN', 'zh-CN'],
  ] as const)('speaks the system language (%s)', async (system, locale) => {
    const { double } = await start({ preferredSystemLanguages: [system] });
    const shown = labels(double.applicationMenu);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.filter((label) => !menuLabels(locale).has(label))).toEqual([]);
    expect(double.applicationMenu?.items.map((item) => item.label)).toEqual(
      (['menu.file', 'menu.edit', 'menu.view', 'menu.window'] as const).map((key) => catalogs[locale][key]),
    );
  });

  it('follows the language chosen in Settings', async () => {
    const { double, page } = await start({ preferredSystemLanguages: ['en-US'] });
    const english = labels(double.applicationMenu);
    const vault = page.mainWorld.vault as { invoke(channel: string, request: unknown): Promise<{ ok: boolean }> };
    await expect(vault.invoke('settings.update', { language: 'zh-CN' })).resolves.toMatchObject({ ok: true });
    const chinese = labels(double.applicationMenu);
    expect(chinese).toHaveLength(english.length);
    expect(chinese.filter((label) => !menuLabels('zh-CN').has(label))).toEqual([]);
  });
});

describe('a failed start', () => {
  const fileInTheWay = () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    return path.join(file, 'Cert Vault');
  };

  /** The box names the cause: the folder, or the page, that failed. */
  const expectErrorBoxAndExit1 = (double: ReturnType<typeof launch>, cause: string) => {
    expect(double.ending()).toEqual({ how: 'exit', code: 1 });
    expect(double.dialogs.filter((dialog) => dialog.kind === 'error')).toEqual([
      { kind: 'error', parent: null, options: { title: 'Cert Vault', content: expect.stringMatching(/^Cert Vault could not start: /) } },
    ]);
    expect(double.dialogs[0]?.options.content).toContain(cause);
    expect(double.windows.filter((window) => !window.isDestroyed())).toEqual([]);
  };

  it('(a data folder that cannot be created) shows the error box and exits 1', async () => {
    const folder = fileInTheWay();
    const double = launch({ userData: folder });
    await becomeReady(double);
    expectErrorBoxAndExit1(double, folder);
  });

  it('(CERTVAULT_HOME that cannot be created) shows the error box and exits 1', async () => {
    const folder = fileInTheWay();
    const double = launch({ certvaultHome: folder });
    await becomeReady(double);
    expectErrorBoxAndExit1(double, folder);
  });

  it('(a page that does not load) shows the error box and exits 1', async () => {
    // The bundle installed without its renderer next to it.
    const double = launch({ installedAs: path.join(tempDir(), 'main', 'app.cjs') });
    await becomeReady(double);
    expectErrorBoxAndExit1(double, 'app://cert-vault/index.html');
  });
});
