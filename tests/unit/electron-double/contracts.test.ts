import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createElectronDouble, runPreload, type BrowserWindowDouble } from '../../electron-double';
import { allowedByPolicy, pageResources } from '../../electron-double/page-resources';

// The electron double enforces what Electron's documentation promises; if it stopped doing so,
// the integration tests built on it (tests/integration/electron) would stop catching wrong wiring.

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-double-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const root = path.resolve(__dirname, '../../..');
const double = () => createElectronDouble({ appPath: root, userData: scratch });

interface MainModule {
  app: { whenReady(): Promise<void>; isReady(): boolean; enableSandbox(): void; setPath(name: string, value: string): void; getVersion(): string; getLocale(): string };
  protocol: { registerSchemesAsPrivileged(schemes: unknown[]): void; handle(scheme: string, handler: () => Response): void };
  ipcMain: { handle(channel: string, handler: (...args: unknown[]) => unknown): void };
  session: { defaultSession: unknown };
  BrowserWindow: new (options?: object) => BrowserWindowDouble;
  screen: { getAllDisplays(): unknown[] };
  clipboard: unknown;
}
const electronOf = (runtime: ReturnType<typeof double>) => runtime.electron as unknown as MainModule;

describe('app', () => {
  it('is ready once: whenReady is one promise, fulfilled by ready()', async () => {
    const runtime = double();
    const { app } = electronOf(runtime);
    const readyEvents: unknown[] = [];
    runtime.app.on('ready', () => readyEvents.push(1));
    expect(app.whenReady()).toBe(app.whenReady());
    expect(app.isReady()).toBe(false);
    runtime.ready();
    runtime.ready();
    await app.whenReady();
    expect(app.isReady()).toBe(true);
    expect(readyEvents).toHaveLength(1);
  });

  it('names the version from package.json', () => {
    expect(electronOf(double()).app.getVersion()).toBe((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('refuses a userData folder that does not exist, or a relative one', () => {
    const { app } = electronOf(double());
    expect(() => app.setPath('userData', path.join(scratch, 'missing'))).toThrow('Failed to set path');
    expect(() => app.setPath('userData', 'relative')).toThrow('Path must be absolute');
    expect(() => app.setPath('userData', scratch)).not.toThrow();
  });

  it('allows enableSandbox and privileged schemes only before ready, and the schemes only once', () => {
    const early = double();
    electronOf(early).protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true } }]);
    expect(() => electronOf(early).protocol.registerSchemesAsPrivileged([{ scheme: 'other' }])).toThrow('only once');
    const late = double();
    late.ready();
    expect(() => electronOf(late).app.enableSandbox()).toThrow('before app is ready');
    expect(() => electronOf(late).protocol.registerSchemesAsPrivileged([])).toThrow('before app is ready');
  });

  it('offers sessions, windows, screens, locales and protocol handlers only after ready', () => {
    const runtime = double();
    const electron = electronOf(runtime);
    expect(() => electron.session.defaultSession).toThrow('when app is ready');
    expect(() => new electron.BrowserWindow()).toThrow('before app is ready');
    expect(() => electron.screen.getAllDisplays()).toThrow("before the app 'ready' event");
    expect(() => electron.app.getLocale()).toThrow('after the ready event');
    expect(() => electron.protocol.handle('app', () => new Response(''))).toThrow("after the app 'ready' event");
    runtime.ready();
    expect(electron.session.defaultSession).toBeTruthy();
    expect(electron.screen.getAllDisplays()).toHaveLength(1);
  });

  it('names a documented module it does not model yet', () => {
    expect(() => electronOf(double()).clipboard).toThrow(/electron\.clipboard .* not modelled/);
  });
});

describe('ipcMain', () => {
  it('refuses a second handler for a channel', () => {
    const { ipcMain } = electronOf(double());
    ipcMain.handle('x', () => 1);
    expect(() => ipcMain.handle('x', () => 2)).toThrow("Attempted to register a second handler for 'x'");
  });

  it('rejects an invoke nobody handles, and gives a frame that was replaced as a null senderFrame', async () => {
    const runtime = double();
    const electron = electronOf(runtime);
    runtime.ready();
    (electron.protocol as unknown as { handle(scheme: string, handler: () => Response): void }).handle('test', () => new Response('<html></html>'));
    const window = new electron.BrowserWindow({ show: false });
    await window.loadURL('test://page/');
    const frame = window.webContents.frameHandle('main');
    await expect(frame.invoke('nobody')).rejects.toThrow("No handler registered for 'nobody'");
    const frames: unknown[] = [];
    electron.ipcMain.handle('who', (event) => {
      frames.push((event as { senderFrame: unknown }).senderFrame);
      return null;
    });
    await frame.invoke('who');
    await window.loadURL('test://page/again');
    await frame.invoke('who');
    expect(frames[0]).toMatchObject({ url: 'test://page/' });
    expect(frames[1]).toBeNull();
  });
});

describe('a sandboxed preload', () => {
  const preload = (source: string) => {
    const file = path.join(scratch, `preload-${Math.random().toString(36).slice(2)}.js`);
    fs.writeFileSync(file, source);
    return file;
  };
  const transport = { invoke: async () => null };

  it('may require electron, events, timers and url, and nothing else', () => {
    const allowed = runPreload(preload("require('electron'); require('events'); require('timers'); require('url');"), { transport, contextIsolation: true, sandboxed: true });
    expect(allowed.error).toBeNull();
    const refused = runPreload(preload("require('fs');"), { transport, contextIsolation: true, sandboxed: true });
    expect(String(refused.error)).toContain('module not found: fs');
  });

  it('has no Node globals beyond those Electron polyfills', () => {
    const run = runPreload(
      preload(
        "require('electron').contextBridge.exposeInMainWorld('seen', { module: typeof module, exports: typeof exports, __dirname: typeof __dirname, Buffer: typeof Buffer, process: typeof process, setImmediate: typeof setImmediate });",
      ),
      { transport, contextIsolation: true, sandboxed: true },
    );
    expect(run.mainWorld.seen).toEqual({ module: 'undefined', exports: 'undefined', __dirname: 'undefined', Buffer: 'function', process: 'object', setImmediate: 'function' });
  });

  it('can use contextBridge only with context isolation, once per key, and the page gets a frozen copy', () => {
    const isolated = runPreload(preload("const { contextBridge } = require('electron'); const api = { n: 1 }; contextBridge.exposeInMainWorld('api', api); api.n = 2;"), {
      transport,
      contextIsolation: true,
      sandboxed: true,
    });
    expect(isolated.mainWorld.api).toEqual({ n: 1 });
    expect(Object.isFrozen(isolated.mainWorld.api)).toBe(true);
    const twice = runPreload(preload("const { contextBridge } = require('electron'); contextBridge.exposeInMainWorld('a', 1); contextBridge.exposeInMainWorld('a', 2);"), {
      transport,
      contextIsolation: true,
      sandboxed: true,
    });
    expect(String(twice.error)).toContain('Cannot bind an API on top of an existing property');
    const shared = runPreload(preload("require('electron').contextBridge.exposeInMainWorld('a', 1);"), { transport, contextIsolation: false, sandboxed: true });
    expect(String(shared.error)).toContain('contextIsolation is enabled');
  });
});

describe("a page's Content-Security-Policy", () => {
  const page = 'app://cert-vault/index.html';
  const policy = "default-src 'none'; script-src 'self'; img-src 'self' data:";
  const html =
    '<link rel="icon" href="./favicon.svg"><link rel="stylesheet" href="./a.css">' +
    '<script src="./a.js"></script><script src="https://cdn.example/x.js"></script><script>inline()</script>';

  it('finds the scripts, styles and icons a page loads', () => {
    expect(pageResources(html).map((resource) => [resource.directive, resource.url, resource.inline])).toEqual([
      ['script-src', './a.js', false],
      ['script-src', 'https://cdn.example/x.js', false],
      ['script-src', null, true],
      ['img-src', './favicon.svg', false],
      ['style-src', './a.css', false],
    ]);
  });

  it("allows the page's own files, and blocks inline code, other origins and what default-src 'none' covers", () => {
    const allowed = pageResources(html).map((resource) =>
      allowedByPolicy(policy, page, resource.url === null ? resource : { ...resource, url: new URL(resource.url, page).href }),
    );
    expect(allowed).toEqual([true, false, false, true, false]);
    expect(allowedByPolicy(null, page, { url: null, directive: 'script-src', inline: true })).toBe(true);
    expect(allowedByPolicy("script-src 'unsafe-inline'", page, { url: null, directive: 'script-src', inline: true })).toBe(true);
  });
});
