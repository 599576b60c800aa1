import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { MenuDouble, MenuItemDouble } from './menu';
import { allowedByPolicy, pageResources } from './page-resources';
import { unimplemented } from './unimplemented';
import { cancellableEvent, createWindowClasses, Page, type BrowserWindowDouble, type FrameDocument, type Rectangle, type WebContentsDouble } from './windows';

// A stand-in for the main process's `electron` module, written from Electron's API documentation
// (docs/api/*.md), for running the built main bundle under plain Node. Where the docs state a
// contract (only before ready, only after ready, one handler per channel, a frame that may be
// gone) the double enforces it by throwing as Electron does, so a wrong order in the product fails
// here rather than on a user's machine. The test drives what Electron itself would do: finish
// initialising (`ready()`), answer dialogs, send IPC from a frame, request a URL.

/** One machine's single-instance locks, shared by the doubles of every "process" in a test. */
export class Machine {
  readonly #holders = new Map<string, Runtime>();

  acquire(key: string, runtime: Runtime): Runtime | null {
    const holder = this.#holders.get(key);
    if (holder && holder !== runtime && !holder.hasEnded()) return holder;
    this.#holders.set(key, runtime);
    return null;
  }

  release(runtime: Runtime): void {
    for (const [key, holder] of this.#holders) if (holder === runtime) this.#holders.delete(key);
  }
}

export interface DoubleOptions {
  /** The folder whose package.json names and versions the app (`electron .`). */
  readonly appPath: string;
  /** app.getPath('userData') until the app overrides it. */
  readonly userData: string;
  readonly machine?: Machine;
  readonly preferredSystemLanguages?: readonly string[];
  readonly locale?: string;
  readonly displays?: readonly Rectangle[];
  /** This process's command line and working directory, as a second instance reports them. */
  readonly argv?: readonly string[];
  readonly cwd?: string;
}

/** One file or inline block of a page: fetched (status), or blocked by the page's CSP (the directive). */
export interface Subresource {
  readonly url: string | null;
  readonly status: number | null;
  readonly blockedBy: string | null;
}

export interface Call {
  readonly api: string;
  readonly args: readonly unknown[];
  readonly afterReady: boolean;
}

export interface ShownNotification {
  readonly title: string;
  readonly body: string;
  click(): void;
}

export interface Ending {
  readonly how: 'quit' | 'exit';
  readonly code: number;
}

export interface DialogShown {
  readonly kind: 'open' | 'save' | 'message' | 'error';
  readonly parent: BrowserWindowDouble | null;
  readonly options: Readonly<Record<string, unknown>>;
}

/** How the (simulated) user answers dialogs; each default cancels. */
export interface User {
  open(options: Readonly<Record<string, unknown>>): { canceled: boolean; filePaths: string[] };
  save(options: Readonly<Record<string, unknown>>): { canceled: boolean; filePath: string };
  message(options: Readonly<Record<string, unknown>>): { response: number; checkboxChecked: boolean };
}

/** The parts of the app double that the double itself and the tests call. */
export interface AppDouble extends EventEmitter {
  getPath(name: string): string;
  quit(): void;
  exit(exitCode?: number): void;
}

type PermissionHandler = (...args: never[]) => unknown;
type InvokeHandler = (event: object, ...args: unknown[]) => unknown;

const mainProcessModules = [
  'app', 'autoUpdater', 'BaseWindow', 'BrowserView', 'BrowserWindow', 'clipboard', 'contentTracing', 'crashReporter',
  'desktopCapturer', 'dialog', 'globalShortcut', 'ImageView', 'inAppPurchase', 'ipcMain', 'Menu', 'MenuItem',
  'MessageChannelMain', 'nativeImage', 'nativeTheme', 'net', 'netLog', 'Notification', 'powerMonitor',
  'powerSaveBlocker', 'protocol', 'pushNotifications', 'safeStorage', 'screen', 'session', 'ShareMenu', 'shell',
  'systemPreferences', 'TouchBar', 'Tray', 'utilityProcess', 'View', 'webContents', 'WebContentsView', 'webFrameMain',
];

const pathNames = ['home', 'appData', 'userData', 'sessionData', 'temp', 'exe', 'module', 'desktop', 'documents', 'downloads', 'music', 'pictures', 'videos', 'logs', 'crashDumps'];

export class Runtime {
  readonly calls: Call[] = [];
  readonly dialogs: DialogShown[] = [];
  readonly windows: BrowserWindowDouble[] = [];
  readonly pages = new Map<WebContentsDouble, Page>();
  readonly privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[] = [];
  readonly shellCalls: { api: string; target: string }[] = [];
  /** Shown notifications; `click()` is the user clicking one. */
  readonly notifications: ShownNotification[] = [];
  applicationMenu: MenuDouble | null = null;
  /** The session's permission handlers; without one Electron grants every request. */
  readonly permissionHandlers: { request: PermissionHandler | null; check: PermissionHandler | null; device: PermissionHandler | null } = {
    request: null,
    check: null,
    device: null,
  };
  user: User = {
    open: () => ({ canceled: true, filePaths: [] }),
    save: () => ({ canceled: true, filePath: '' }),
    message: (options) => ({ response: typeof options.cancelId === 'number' ? options.cancelId : 0, checkboxChecked: false }),
  };

  readonly #options: DoubleOptions;
  readonly #machine: Machine;
  readonly #events = new EventEmitter();
  readonly #paths: Map<string, string>;
  readonly #handlers = new Map<string, InvokeHandler>();
  readonly #protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  #ready = false;
  #sandbox = false;
  #ending: Ending | null = null;
  #quitting = false;
  #nextId = 1;
  #readyPromise: Promise<void>;
  #resolveReady!: () => void;
  #session: object | null = null;
  readonly #pendingSecondInstances: unknown[][] = [];
  readonly electron: Record<string, unknown>;
  readonly app: AppDouble;

  constructor(options: DoubleOptions) {
    this.#options = options;
    this.#machine = options.machine ?? new Machine();
    this.#paths = new Map([
      ['home', path.dirname(options.userData)],
      ['appData', path.dirname(options.userData)],
      ['userData', options.userData],
      ['sessionData', options.userData],
      ['temp', fs.realpathSync(process.env.TMPDIR ?? '/tmp')],
    ]);
    this.#readyPromise = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
    this.app = this.#createApp(this);
    this.electron = this.#createModule(this);
  }

  // ---- what Electron does on its own, driven by the test ----

  /** Electron has finished initialising: 'ready' once, whenReady fulfilled; a second instance is told now. */
  ready(): void {
    if (this.#ready || this.#ending) return;
    this.#ready = true;
    this.app.emit('ready', cancellableEvent(), {});
    this.#resolveReady();
    for (const args of this.#pendingSecondInstances.splice(0)) this.app.emit('second-instance', cancellableEvent(), ...args);
  }

  isReady(): boolean {
    return this.#ready;
  }

  hasEnded(): boolean {
    return this.#ending !== null;
  }

  ending(): Ending | null {
    return this.#ending;
  }

  sandboxEnabled(): boolean {
    return this.#sandbox;
  }

  /** The first page to finish loading, or the app's end if it comes first. */
  firstPageLoaded(): Promise<Page | Ending> {
    return new Promise((resolve) => {
      if (this.#ending) resolve(this.#ending);
      this.#events.once('page-loaded', resolve);
      this.#events.once('ended', resolve);
    });
  }

  handledChannels(): string[] {
    return [...this.#handlers.keys()];
  }

  /** A request from the renderer to `url`, answered by the session's protocol handler for its scheme. */
  async request(url: string, init?: RequestInit): Promise<Response> {
    const canonical = this.#canonicalUrl(url);
    const scheme = canonical.slice(0, canonical.indexOf(':'));
    const handler = this.#protocolHandlers.get(scheme);
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME: the double has no network and no handler for ${scheme}:`);
    const response = await handler(new Request(canonical, init));
    if (!(response instanceof Response)) throw new TypeError(`the ${scheme}: handler must return a Response`);
    return response;
  }

  /**
   * The scripts, styles and icons a page links, each requested like the browser would (relative to
   * the page), and each checked against the page's Content-Security-Policy.
   */
  async loadSubresources(pageUrl: string, html: string, policy: string | null): Promise<Subresource[]> {
    const scheme = pageUrl.slice(0, pageUrl.indexOf(':'));
    const standard = this.privilegedSchemes.some((entry) => entry.scheme === scheme && entry.privileges.standard);
    const results: Subresource[] = [];
    for (const resource of pageResources(html)) {
      if (resource.inline) {
        results.push({ url: null, status: null, blockedBy: allowedByPolicy(policy, pageUrl, resource) ? null : resource.directive });
        continue;
      }
      // docs/api/protocol.md: a scheme not registered as standard cannot resolve relative URLs.
      const written = resource.url ?? '';
      if (!standard && !/^[a-z][a-z0-9+.-]*:/i.test(written)) {
        results.push({ url: written, status: 0, blockedBy: null });
        continue;
      }
      const url = new URL(written, pageUrl).href;
      if (!allowedByPolicy(policy, pageUrl, { ...resource, url })) {
        results.push({ url, status: null, blockedBy: resource.directive });
        continue;
      }
      const response = await this.request(url).catch(() => null);
      results.push({ url, status: response?.status ?? 0, blockedBy: null });
    }
    return results;
  }

  /** ipcRenderer.invoke from `document` of `sender`, as ipcMain sees it (docs/api/ipc-main.md, structures/ipc-main-invoke-event.md). */
  async invoke(sender: WebContentsDouble, document: FrameDocument, channel: string, args: unknown[]): Promise<unknown> {
    const cloned = structuredClone(args);
    // IPC is a message between processes: the handler never runs inside the caller's turn.
    await Promise.resolve();
    const handler = this.#handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const frame = sender.frameView(document);
    const event = {
      type: 'frame',
      processId: document.processId,
      frameId: document.routingId,
      sender,
      get senderFrame() {
        return document.current ? frame : null;
      },
    };
    try {
      return structuredClone(await handler(event, ...cloned));
    } catch (error) {
      throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
    }
  }

  nextId(): number {
    return this.#nextId++;
  }

  pageFor(contents: WebContentsDouble): Page {
    let page = this.pages.get(contents);
    if (!page) {
      page = new Page(contents);
      this.pages.set(contents, page);
    }
    return page;
  }

  pageLoaded(page: Page): void {
    this.#events.emit('page-loaded', page);
  }

  windowOf(contents: WebContentsDouble): BrowserWindowDouble | undefined {
    return this.windows.find((window) => window.webContents === contents);
  }

  openWindows(): BrowserWindowDouble[] {
    return this.windows.filter((window) => !window.isDestroyed());
  }

  addWindow(window: BrowserWindowDouble, contents: WebContentsDouble): void {
    this.windows.push(window);
    this.app.emit('web-contents-created', cancellableEvent(), contents);
    this.app.emit('browser-window-created', cancellableEvent(), window);
  }

  /** docs/api/app.md 'window-all-closed': without a listener, closing the last window quits. */
  windowClosed(_window: BrowserWindowDouble): void {
    if (this.openWindows().length > 0 || this.#ending || this.#quitting) return;
    if (this.app.listenerCount('window-all-closed') > 0) this.app.emit('window-all-closed', cancellableEvent());
    else this.app.quit();
  }

  defaultSession(): object {
    if (!this.#ready) throw new Error('Session can only be received when app is ready');
    this.#session ??= this.#createSession();
    return this.#session;
  }

  // ---- the module ----

  #record(api: string, args: readonly unknown[]): void {
    this.calls.push({ api, args, afterReady: this.#ready });
  }

  #end(ending: Ending): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.#machine.release(this);
    this.#events.emit('ended', ending);
  }

  /** `runtime` is `this`, named for the nested class's methods (whose own `this` is the app). */
  #createApp(runtime: Runtime): AppDouble {
    const options = this.#options;
    const packageJson = JSON.parse(fs.readFileSync(path.join(options.appPath, 'package.json'), 'utf8')) as { name: string; productName?: string; version: string };
    const record = (api: string, ...args: unknown[]) => this.#record(`app.${api}`, args);
    const paths = this.#paths;

    class App extends EventEmitter {
      readonly isPackaged = false;

      whenReady(): Promise<void> {
        record('whenReady');
        return runtime.#readyPromise;
      }

      isReady(): boolean {
        return runtime.#ready;
      }

      getVersion(): string {
        return packageJson.version;
      }

      getName(): string {
        return packageJson.productName ?? packageJson.name;
      }

      getPath(name: string): string {
        const value = paths.get(name);
        if (value === undefined) throw new Error(`Failed to get '${name}' path`);
        return value;
      }

      /** docs: an Error for a relative path, an unknown name, or a directory that does not exist. */
      setPath(name: string, value: string): void {
        record('setPath', name, value);
        if (!path.isAbsolute(value)) throw new Error('Path must be absolute');
        if (!pathNames.includes(name) || !fs.statSync(value, { throwIfNoEntry: false })?.isDirectory()) throw new Error('Failed to set path');
        paths.set(name, value);
      }

      getLocale(): string {
        if (!runtime.#ready) throw new Error('app.getLocale() must be called after the ready event (docs/api/app.md)');
        return options.locale ?? 'en-US';
      }

      getPreferredSystemLanguages(): string[] {
        return [...(options.preferredSystemLanguages ?? ['en-US'])];
      }

      enableSandbox(): void {
        record('enableSandbox');
        if (runtime.#ready) throw new Error('app.enableSandbox() can only be called before app is ready');
        runtime.#sandbox = true;
      }

      requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
        record('requestSingleInstanceLock', additionalData);
        const holder = runtime.#machine.acquire(paths.get('userData') ?? '', runtime);
        if (!holder) return true;
        holder.#secondInstance([...(options.argv ?? [])], options.cwd ?? process.cwd(), additionalData ?? null);
        return false;
      }

      releaseSingleInstanceLock(): void {
        runtime.#machine.release(runtime);
      }

      focus(): void {
        record('focus');
      }

      /** before-quit, every window closed (any may cancel), will-quit, then the process ends with 0. */
      quit(): void {
        record('quit');
        if (runtime.#ending || runtime.#quitting) return;
        const beforeQuit = cancellableEvent();
        this.emit('before-quit', beforeQuit);
        if (beforeQuit.defaultPrevented) return;
        runtime.#quitting = true;
        for (const window of runtime.openWindows()) window.close();
        runtime.#quitting = false;
        if (runtime.openWindows().length > 0) return;
        const willQuit = cancellableEvent();
        this.emit('will-quit', willQuit);
        if (willQuit.defaultPrevented) return;
        runtime.#end({ how: 'quit', code: 0 });
        this.emit('quit', cancellableEvent(), 0);
      }

      /** Immediately: windows destroyed, no before-quit or will-quit. */
      exit(exitCode = 0): void {
        record('exit', exitCode);
        const windows = runtime.openWindows();
        runtime.#end({ how: 'exit', code: exitCode });
        for (const window of windows) window.destroy();
      }
    }
    return new App();
  }

  #secondInstance(argv: string[], workingDirectory: string, additionalData: unknown): void {
    const args = [argv, workingDirectory, additionalData];
    if (this.#ready) setImmediate(() => this.app.emit('second-instance', cancellableEvent(), ...args));
    else this.#pendingSecondInstances.push(args);
  }

  #createModule(runtime: Runtime): Record<string, unknown> {
    const { BrowserWindow } = createWindowClasses(this);

    const handlers = this.#handlers;
    class IpcMain extends EventEmitter {
      handle(channel: string, listener: InvokeHandler): void {
        runtime.#record('ipcMain.handle', [channel]);
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        if (typeof listener !== 'function') throw new TypeError(`Expected handler to be a function, but found type '${typeof listener}'`);
        handlers.set(channel, listener);
      }

      handleOnce(channel: string, listener: InvokeHandler): void {
        this.handle(channel, (event, ...args) => {
          this.removeHandler(channel);
          return listener(event, ...args);
        });
      }

      removeHandler(channel: string): void {
        handlers.delete(channel);
      }
    }

    class Menu extends MenuDouble {
      static setApplicationMenu(menu: MenuDouble | null): void {
        runtime.#record('Menu.setApplicationMenu', [menu]);
        if (menu !== null && !(menu instanceof MenuDouble)) throw new TypeError('Invalid menu');
        runtime.applicationMenu = menu;
      }

      static getApplicationMenu(): MenuDouble | null {
        return runtime.applicationMenu;
      }
    }

    const parentAndOptions = (args: unknown[]): [BrowserWindowDouble | null, Record<string, unknown>] =>
      args[0] instanceof BrowserWindow ? [args[0], (args[1] ?? {}) as Record<string, unknown>] : [null, (args[0] ?? {}) as Record<string, unknown>];
    const shown = (kind: DialogShown['kind'], args: unknown[]) => {
      const [parent, options] = parentAndOptions(args);
      this.dialogs.push({ kind, parent, options });
      return options;
    };
    const dialog = {
      showOpenDialog: async (...args: unknown[]) => this.user.open(shown('open', args)),
      showSaveDialog: async (...args: unknown[]) => this.user.save(shown('save', args)),
      showMessageBox: async (...args: unknown[]) => this.user.message(shown('message', args)),
      /** docs: safe before ready (on Linux it then goes to stderr). */
      showErrorBox: (title: string, content: string) => {
        this.#record('dialog.showErrorBox', [title, content]);
        this.dialogs.push({ kind: 'error', parent: null, options: { title, content } });
      },
    };

    const protocol = {
      registerSchemesAsPrivileged: (schemes: { scheme: string; privileges?: Record<string, boolean> }[]) => {
        this.#record('protocol.registerSchemesAsPrivileged', [schemes]);
        if (this.#ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
        if (this.privilegedSchemes.length > 0) throw new Error('protocol.registerSchemesAsPrivileged can be called only once');
        for (const { scheme, privileges } of schemes) this.privilegedSchemes.push({ scheme, privileges: { ...privileges } });
      },
      ...this.#protocolMethods('protocol'),
    };

    const displays = this.#options.displays ?? [{ x: 0, y: 0, width: 1920, height: 1080 }];
    const display = (bounds: Rectangle, id: number) => ({
      id,
      bounds,
      workArea: { ...bounds, height: bounds.height - 40 },
      size: { width: bounds.width, height: bounds.height },
      workAreaSize: { width: bounds.width, height: bounds.height - 40 },
      scaleFactor: 1,
      rotation: 0,
      internal: false,
    });
    const screenReady = () => {
      if (!this.#ready) throw new Error("The 'screen' module can't be used before the app 'ready' event");
    };
    const screen = {
      getAllDisplays: () => {
        screenReady();
        return displays.map(display);
      },
      getPrimaryDisplay: () => {
        screenReady();
        return display(displays[0]!, 0);
      },
    };

    const nativeTheme = new (class NativeTheme extends EventEmitter {
      #source = 'system';
      get themeSource(): string {
        return this.#source;
      }
      set themeSource(value: string) {
        if (!['system', 'light', 'dark'].includes(value)) throw new TypeError(`Invalid themeSource: ${value}`);
        const changed = value !== this.#source;
        this.#source = value;
        if (changed) this.emit('updated');
      }
      get shouldUseDarkColors(): boolean {
        return this.#source === 'dark';
      }
    })();

    const shell = {
      openExternal: async (url: string) => void this.shellCalls.push({ api: 'openExternal', target: url }),
      openPath: async (target: string) => (this.shellCalls.push({ api: 'openPath', target }), ''),
      showItemInFolder: (target: string) => void this.shellCalls.push({ api: 'showItemInFolder', target }),
    };

    class Notification extends EventEmitter {
      static isSupported(): boolean {
        return true;
      }
      readonly title: string;
      readonly body: string;
      constructor(options: { title?: string; body?: string } = {}) {
        super();
        this.title = options.title ?? '';
        this.body = options.body ?? '';
      }
      show(): void {
        runtime.notifications.push({ title: this.title, body: this.body, click: () => this.emit('click', cancellableEvent()) });
        this.emit('show', cancellableEvent());
      }
      close(): void {
        this.emit('close', cancellableEvent());
      }
    }

    const session = {
      get defaultSession() {
        return runtime.defaultSession();
      },
    };

    return unimplemented(
      { app: this.app, BrowserWindow, ipcMain: new IpcMain(), protocol, session, Menu, MenuItem: MenuItemDouble, dialog, screen, nativeTheme, shell, Notification },
      mainProcessModules,
      'the main process',
    );
  }

  /** protocol.handle and friends; docs/api/protocol.md: only after ready, one handler per scheme. */
  #protocolMethods(owner: string) {
    const handlers = this.#protocolHandlers;
    return {
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
        this.#record(`${owner}.handle`, [scheme]);
        if (!this.#ready) throw new Error(`${owner}.handle can only be used after the app 'ready' event`);
        if (handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
        handlers.set(scheme, handler);
      },
      unhandle: (scheme: string) => {
        if (!handlers.delete(scheme)) throw new Error(`Failed to unhandle protocol: ${scheme}`);
      },
      isProtocolHandled: (scheme: string) => handlers.has(scheme),
    };
  }

  #createSession(): object {
    const handlerSetter = (name: keyof Runtime['permissionHandlers']) => (handler: PermissionHandler | null) => {
      this.#record(`session.set${name[0]!.toUpperCase()}${name.slice(1)}PermissionHandler`, [handler]);
      this.permissionHandlers[name] = handler;
    };
    return {
      protocol: this.#protocolMethods('session.protocol'),
      webRequest: {
        onHeadersReceived: (...args: unknown[]) => this.#record('session.webRequest.onHeadersReceived', args),
      },
      setPermissionRequestHandler: handlerSetter('request'),
      setPermissionCheckHandler: handlerSetter('check'),
      setDevicePermissionHandler: handlerSetter('device'),
    };
  }

  /**
   * Chromium canonicalises a standard scheme's URL like http's (dot segments resolved, backslashes
   * read as slashes); other schemes keep their path as written.
   */
  #canonicalUrl(url: string): string {
    const scheme = url.slice(0, url.indexOf(':'));
    const standard = this.privilegedSchemes.some((entry) => entry.scheme === scheme && entry.privileges.standard);
    if (!standard) return new URL(url).href;
    const asHttp = new URL(`http${url.slice(scheme.length)}`);
    return `${scheme}${asHttp.href.slice('http'.length)}`;
  }
}

export function createElectronDouble(options: DoubleOptions): Runtime {
  return new Runtime(options);
}
