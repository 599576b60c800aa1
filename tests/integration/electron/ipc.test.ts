import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors';
import { channels, type VaultBridge } from '../../../shared/ipc';
import { generatedFixturesDir } from '../../fixtures/paths';
import type { BrowserWindowDouble, Page, Runtime } from '../../electron-double';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { minimalRequest } from './minimal-request';
import { removeTempDirs, start } from './harness';

// The IPC wiring of the built app, through the built preload: every channel of the contract
// (shared/ipc.ts, whatever it lists today) has its handler before the page loads, answers our
// window's main frame, and refuses every other frame before looking at the request.
assertThrowawayKeyring();

let double: Runtime;
let page: Page;
let vault: { invoke(channel: string, request: unknown): Promise<Result<unknown>>; on: VaultBridge['on'] };

beforeAll(async () => {
  ({ double, page } = await start());
  vault = page.mainWorld.vault as typeof vault;
});

afterAll(() => {
  double.app.quit();
  removeTempDirs();
});

/** Refusals by the IPC guard or the contract, as opposed to the handler's own answer. */
const notHandled = ['ipc.forbidden_sender', 'ipc.bad_request', 'ipc.unknown_channel'];
const outcome = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code);

describe('every channel of the contract', () => {
  it('has exactly one handler, registered before the window loaded its page', () => {
    expect([...page.handlersAtLoad].sort()).toEqual([...channels].sort());
  });

  it.each(channels)('%s answers a valid request from our window', async (channel) => {
    const result = await vault.invoke(channel, minimalRequest(channel));
    expect(notHandled).not.toContain(outcome(result));
  });

  it.each(channels)('%s refuses it from any other frame', async (channel) => {
    const others = [
      page.webContents.frameHandle('child', 'app://cert-vault/index.html'),
      page.webContents.frameHandle('other-process', 'https://evil.example/'),
    ];
    for (const frame of others) {
      await expect(frame.invoke(channel, minimalRequest(channel))).resolves.toMatchObject({ ok: false, error: { code: 'ipc.forbidden_sender' } });
    }
  });
});

describe('requests that do real work', () => {
  const fixture = (name: string) => path.join(generatedFixturesDir, 'rsa2048', name);

  it('an import from the window is stored, and library.changed reaches the page', async () => {
    const received: unknown[] = [];
    const off = vault.on('library.changed', (payload) => received.push(payload));
    const data = new Uint8Array(fs.readFileSync(fixture('fullchain.pem')));
    await expect(vault.invoke('library.importContent', { files: [{ name: 'fullchain.pem', data }] })).resolves.toMatchObject({ ok: true });
    expect(received).toContainEqual({ reason: 'import' });
    off();
    await expect(vault.invoke('library.list', {})).resolves.toMatchObject({ ok: true, value: { total: expect.any(Number) } });
  });

  it('a file picked in the open dialog (over our window) may be read; any other may not', async () => {
    const picked = fixture('leaf.crt');
    double.user = { ...double.user, open: () => ({ canceled: false, filePaths: [picked] }) };
    await expect(vault.invoke('files.choose', { purpose: 'inspect' })).resolves.toEqual({ ok: true, value: { paths: [picked] } });
    expect(double.dialogs.at(-1)).toMatchObject({ kind: 'open', parent: double.windows[0] });
    await expect(vault.invoke('inspect.paths', { paths: [picked] })).resolves.toMatchObject({ ok: true });
    await expect(vault.invoke('inspect.paths', { paths: [fixture('leaf.key')] })).resolves.toMatchObject({ ok: false, error: { code: 'ipc.path_not_chosen' } });
  });
});

describe('frames that are not our window', () => {
  it('another window showing our own page is refused', async () => {
    const Window = double.electron.BrowserWindow as new (options: object) => BrowserWindowDouble;
    const other = new Window({ show: false, webPreferences: { sandbox: true, contextIsolation: true } });
    await other.loadURL('app://cert-vault/index.html');
    await expect(other.webContents.frameHandle('main').invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'ipc.forbidden_sender' } });
    other.destroy();
  });

  it('a main-frame document that has since been replaced is refused', async () => {
    const stale = page.webContents.frameHandle('main');
    await expect(stale.invoke('app.info', {})).resolves.toMatchObject({ ok: true });
    await page.webContents.loadURL('app://cert-vault/index.html');
    await expect(stale.invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'ipc.forbidden_sender' } });
    await expect(page.webContents.frameHandle('main').invoke('app.info', {})).resolves.toMatchObject({ ok: true });
  });
});
