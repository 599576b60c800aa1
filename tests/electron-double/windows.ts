import { EventEmitter } from 'node:events';
import { runPreload, type PreloadRun } from './preload-sandbox';
import type { Runtime, Subresource } from './runtime';

// BrowserWindow, its WebContents and their frames (docs/api/browser-window.md, web-contents.md,
// web-frame-main.md), and the test's view of what a renderer does: load a page through the
// session's protocol handler, run the preload, send IPC from a given frame.

export interface Rectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowOptions {
  readonly x?: number;
  readonly y?: number;
  readonly width?: number;
  readonly height?: number;
  readonly show?: boolean;
  readonly webPreferences?: Readonly<Record<string, unknown>>;
  readonly [option: string]: unknown;
}

/** One document in one frame: what a WebFrameMain refers to until the frame navigates or goes away. */
export interface FrameDocument {
  readonly frameTreeNodeId: number;
  readonly routingId: number;
  readonly processId: number;
  readonly url: string;
  readonly parent: FrameDocument | null;
  current: boolean;
}

/** An Event as Electron passes it to listeners that may cancel the default action. */
export function cancellableEvent(): { preventDefault(): void; readonly defaultPrevented: boolean } {
  let prevented = false;
  return {
    preventDefault: () => {
      prevented = true;
    },
    get defaultPrevented() {
      return prevented;
    },
  };
}

/** WebFrameMain: a view onto a frame's current document; a new instance per access, as docs allow. */
function webFrameMain(document: FrameDocument): object {
  return {
    get url() {
      return document.url;
    },
    get origin() {
      return new URL(document.url).origin;
    },
    get processId() {
      return document.processId;
    },
    get routingId() {
      return document.routingId;
    },
    get frameTreeNodeId() {
      return document.frameTreeNodeId;
    },
    get parent() {
      return document.parent ? webFrameMain(document.parent) : null;
    },
    get top() {
      let top = document;
      while (top.parent) top = top.parent;
      return webFrameMain(top);
    },
    get detached() {
      return !document.current;
    },
    isDestroyed: () => !document.current,
  };
}

export function createWindowClasses(runtime: Runtime) {
  class WebContents extends EventEmitter {
    readonly id = runtime.nextId();
    readonly session = runtime.defaultSession();
    readonly #processId = runtime.nextId() + 1000;
    readonly #preferences: Readonly<Record<string, unknown>>;
    #document: FrameDocument;
    #destroyed = false;
    #windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
    #renderer: PreloadRun | null = null;

    constructor(preferences: Readonly<Record<string, unknown>>) {
      super();
      this.#preferences = preferences;
      this.#document = { frameTreeNodeId: runtime.nextId(), routingId: runtime.nextId(), processId: this.#processId, url: 'about:blank', parent: null, current: true };
    }

    get mainFrame(): object {
      return webFrameMain(this.#document);
    }

    frameView(document: FrameDocument): object {
      return webFrameMain(document);
    }

    getURL(): string {
      return this.#document.url;
    }

    isDestroyed(): boolean {
      return this.#destroyed;
    }

    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
      this.#windowOpenHandler = handler;
    }

    send(channel: string, ...args: unknown[]): void {
      if (this.#destroyed) throw new Error('Object has been destroyed');
      this.#renderer?.deliver(channel, args);
    }

    /** Resolves when the page and the files it links have loaded; rejects like Electron when the load fails. */
    async loadURL(url: string): Promise<void> {
      const page = runtime.pageFor(this);
      page.handlersAtLoad = runtime.handledChannels();
      const response = await runtime.request(url);
      if (response.status !== 200) {
        page.loadFailure = `ERR_FILE_NOT_FOUND (-6) loading '${url}'`;
        throw new Error(page.loadFailure);
      }
      this.#navigate(response.url || url);
      page.html = await response.text();
      page.headers = response.headers;
      this.#renderer = this.#runPreload();
      page.mainWorld = this.#renderer.mainWorld;
      page.preloadRequired = this.#renderer.required;
      page.preloadError = this.#renderer.error;
      page.subresources = await runtime.loadSubresources(this.#document.url, page.html, response.headers.get('content-security-policy'));
      this.emit('did-finish-load', cancellableEvent());
      runtime.windowOf(this)?.pageRendered();
      runtime.pageLoaded(page);
    }

    #navigate(url: string): void {
      this.#document.current = false;
      this.#document = { ...this.#document, routingId: runtime.nextId(), url, current: true };
    }

    #runPreload(): PreloadRun {
      const preload = this.#preferences.preload;
      const sandboxed = runtime.sandboxEnabled() || this.#preferences.sandbox === true || (this.#preferences.sandbox !== false && this.#preferences.nodeIntegration !== true);
      const document = this.#document;
      const run = (file: string) =>
        runPreload(file, {
          transport: { invoke: (channel, args) => runtime.invoke(this, document, channel, args) },
          contextIsolation: this.#preferences.contextIsolation !== false,
          sandboxed,
        });
      if (typeof preload !== 'string') return { mainWorld: {}, required: [], error: null, deliver: () => undefined };
      try {
        return run(preload);
      } catch (error) {
        // Electron reports an unreadable preload and shows the page without it.
        return { mainWorld: {}, required: [], error, deliver: () => undefined };
      }
    }

    /** The test's renderer: a frame of this page sending IPC (its own preload's, or a compromised page's). */
    frameHandle(kind: 'main' | 'child' | 'other-process', url = this.#document.url): FrameHandle {
      const document: FrameDocument =
        kind === 'main'
          ? this.#document
          : { frameTreeNodeId: runtime.nextId(), routingId: runtime.nextId(), processId: kind === 'child' ? this.#processId : runtime.nextId() + 1000, url, parent: this.#document, current: true };
      return { invoke: (channel, ...args) => runtime.invoke(this, document, channel, args) };
    }

    /** The page asks to go elsewhere: will-navigate and will-frame-navigate may cancel it (docs/api/web-contents.md). */
    attemptNavigation(url: string): boolean {
      const event = cancellableEvent();
      this.emit('will-frame-navigate', Object.assign(event, { url, isMainFrame: true }));
      this.emit('will-navigate', Object.assign(event, { url, isMainFrame: true }));
      if (event.defaultPrevented) return false;
      this.#navigate(url);
      this.#renderer = null;
      return true;
    }

    /** window.open from the page: the handler decides; without one Electron opens a window. */
    attemptWindowOpen(url: string): boolean {
      const decision = this.#windowOpenHandler ? this.#windowOpenHandler({ url }) : { action: 'allow' };
      return decision.action === 'allow';
    }

    destroy(): void {
      this.#destroyed = true;
      this.#document.current = false;
      this.emit('destroyed');
    }
  }

  class BrowserWindow extends EventEmitter {
    static getAllWindows(): BrowserWindow[] {
      return runtime.openWindows() as BrowserWindow[];
    }

    readonly id = runtime.nextId();
    readonly webContents: WebContents;
    readonly options: WindowOptions;
    #bounds: Rectangle;
    #visible: boolean;
    #maximized = false;
    #minimized = false;
    #focused = false;
    #destroyed = false;
    #shownOnce = false;

    constructor(options: WindowOptions = {}) {
      super();
      if (!runtime.isReady()) throw new Error('Cannot create BrowserWindow before app is ready');
      this.options = structuredClone(options);
      this.#bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
      this.#visible = options.show !== false;
      this.webContents = new WebContents(options.webPreferences ?? {});
      runtime.addWindow(this, this.webContents);
    }

    loadURL(url: string): Promise<void> {
      return this.webContents.loadURL(url);
    }

    /** Called by the webContents once the page has rendered (docs: 'ready-to-show'). */
    pageRendered(): void {
      if (!this.#visible && !this.#shownOnce) {
        this.#shownOnce = true;
        this.emit('ready-to-show', cancellableEvent());
      }
    }

    show(): void {
      this.#visible = true;
      this.#focused = true;
      this.emit('show');
    }

    isVisible(): boolean {
      return this.#visible;
    }

    focus(): void {
      this.#focused = true;
      this.emit('focus');
    }

    isFocused(): boolean {
      return this.#focused;
    }

    blur(): void {
      this.#focused = false;
    }

    maximize(): void {
      this.#maximized = true;
      this.emit('maximize');
    }

    isMaximized(): boolean {
      return this.#maximized;
    }

    minimize(): void {
      this.#minimized = true;
      this.#focused = false;
      this.emit('minimize');
    }

    isMinimized(): boolean {
      return this.#minimized;
    }

    restore(): void {
      this.#minimized = false;
      this.emit('restore');
    }

    getBounds(): Rectangle {
      return { ...this.#bounds };
    }

    getNormalBounds(): Rectangle {
      return { ...this.#bounds };
    }

    isDestroyed(): boolean {
      return this.#destroyed;
    }

    /** Like the user clicking the close button: 'close' may cancel it. */
    close(): void {
      if (this.#destroyed) return;
      const event = cancellableEvent();
      this.emit('close', event);
      if (!event.defaultPrevented) this.destroy();
    }

    /** Closes without 'close' (docs: force closing). */
    destroy(): void {
      if (this.#destroyed) return;
      this.#destroyed = true;
      this.webContents.destroy();
      this.emit('closed');
      runtime.windowClosed(this);
    }
  }

  return { BrowserWindow, WebContents };
}

export type WindowClasses = ReturnType<typeof createWindowClasses>;
export type BrowserWindowDouble = InstanceType<WindowClasses['BrowserWindow']>;
export type WebContentsDouble = InstanceType<WindowClasses['WebContents']>;

/** IPC as it leaves one frame of a renderer. */
export interface FrameHandle {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

/** What the test can see of one loaded page. */
export class Page {
  handlersAtLoad: readonly string[] = [];
  loadFailure: string | null = null;
  html = '';
  headers: Headers | null = null;
  mainWorld: Record<string, unknown> = {};
  preloadRequired: readonly string[] = [];
  preloadError: unknown = null;
  subresources: readonly Subresource[] = [];

  constructor(readonly webContents: WebContentsDouble) {}
}
