import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import timers from 'node:timers';
import url from 'node:url';
import { types } from 'node:util';
import vm from 'node:vm';
import { unimplemented } from './unimplemented';

// A preload script as Electron runs it in a sandboxed renderer (docs/tutorial/sandbox.md, "Preload
// scripts"): a browser-like global, a `require` that knows only `electron` (renderer modules),
// `events`, `timers` and `url`, and Node's Buffer, process, setImmediate and clearImmediate as the
// only other additions. With contextIsolation the page sees nothing of it but what
// contextBridge.exposeInMainWorld copies onto its window (docs/api/context-bridge.md).

/** What the preload's ipcRenderer.invoke reaches: the main process, through whichever frame the preload runs in. */
export interface PreloadTransport {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
}

export interface PreloadOptions {
  readonly transport: PreloadTransport;
  readonly contextIsolation: boolean;
  /** A sandboxed renderer limits `require`; an unsandboxed one (sandbox: false) gets Node's. */
  readonly sandboxed: boolean;
}

export interface PreloadRun {
  /** The page's `window` (the main world): what the page's own scripts can reach. */
  readonly mainWorld: Record<string, unknown>;
  /** Every module name the preload passed to `require`, in order. */
  readonly required: readonly string[];
  /** What the preload threw, if it did (Electron reports it and loads the page anyway). */
  readonly error: unknown;
  /** webContents.send(channel, ...args) arriving in this renderer. */
  deliver(channel: string, args: readonly unknown[]): void;
}

const sandboxModules: Readonly<Record<string, unknown>> = { events: EventEmitter, timers, url };

export function runPreload(file: string, options: PreloadOptions): PreloadRun {
  const source = fs.readFileSync(file, 'utf8');
  const mainWorld: Record<string, unknown> = {};
  const ipcRenderer = new IpcRendererDouble(options.transport);
  const contextBridge = {
    exposeInMainWorld(apiKey: string, api: unknown): void {
      if (!options.contextIsolation) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
      if (Object.hasOwn(mainWorld, apiKey)) throw new Error('Cannot bind an API on top of an existing property on the window object');
      Object.defineProperty(mainWorld, apiKey, { value: copyAcrossWorlds(api), enumerable: true });
    },
  };
  const electron = unimplemented(
    { contextBridge, ipcRenderer },
    ['crashReporter', 'nativeImage', 'webFrame', 'webUtils'],
    'the renderer',
  );
  const required: string[] = [];
  const nodeRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    if (!options.sandboxed) return createRequire(file)(name);
    if (Object.hasOwn(sandboxModules, name)) return sandboxModules[name];
    throw new Error(`module not found: ${name}`);
  };
  const process = { type: 'renderer', sandboxed: options.sandboxed, contextIsolated: options.contextIsolation, platform: globalThis.process.platform, versions: { ...globalThis.process.versions }, env: {} };

  const isolatedWorld = vm.createContext(browserGlobals());
  isolatedWorld.window = isolatedWorld;
  let error: unknown = null;
  try {
    const wrapped = vm.runInContext(`(function (require, process, Buffer, setImmediate, clearImmediate) {${source}\n})`, isolatedWorld, { filename: file }) as (
      ...args: unknown[]
    ) => void;
    wrapped.call(isolatedWorld, nodeRequire, process, Buffer, setImmediate, clearImmediate);
  } catch (thrown) {
    error = thrown;
  }
  return {
    mainWorld,
    required,
    error,
    deliver: (channel, args) => ipcRenderer.emit(channel, { sender: ipcRenderer, ports: [] }, ...structuredClone(args)),
  };
}

/** The renderer half of invoke/handle (docs/api/ipc-renderer.md): an EventEmitter for pushed messages, plus invoke. */
class IpcRendererDouble extends EventEmitter {
  readonly #transport: PreloadTransport;

  constructor(transport: PreloadTransport) {
    super();
    this.#transport = transport;
  }

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    return this.#transport.invoke(channel, args);
  }
}

/** What a page's global offers that a preload bundle may touch; no Node. */
function browserGlobals(): Record<string, unknown> {
  return {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    atob,
    btoa,
  };
}

/**
 * contextBridge's copy between worlds: functions are proxied (their arguments, results and thrown
 * errors copied the same way), promises proxied, errors copied by message, cloneable values cloned,
 * arrays and plain objects copied with their prototypes dropped, and every copy frozen. Symbols
 * are dropped. Values may come from the preload's own realm, so nothing here relies on instanceof.
 */
function copyAcrossWorlds(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return typeof value === 'symbol' ? undefined : value;
  if (typeof value === 'function') {
    const target = value as (...args: unknown[]) => unknown;
    return function bridged(...args: unknown[]) {
      let result: unknown;
      try {
        result = target(...args.map(copyAcrossWorlds));
      } catch (thrown) {
        throw copyAcrossWorlds(thrown);
      }
      return copyAcrossWorlds(result);
    };
  }
  if (types.isPromise(value)) {
    return new Promise((resolve, reject) => {
      (value as Promise<unknown>).then(
        (resolved) => resolve(copyAcrossWorlds(resolved)),
        (rejected) => reject(copyAcrossWorlds(rejected)),
      );
    });
  }
  if (types.isNativeError(value)) return new Error((value as Error).message);
  if (Array.isArray(value)) return Object.freeze(value.map(copyAcrossWorlds));
  if (Object.prototype.toString.call(value) === '[object Object]') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = copyAcrossWorlds(item);
    return Object.freeze(copy);
  }
  return structuredClone(value);
}
