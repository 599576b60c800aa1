// A stand-in for the `electron` module, written from Electron's documentation, so the built main
// bundle and preload run under Node in tests (see runtime.ts for the main process, preload-sandbox.ts
// for the preload, load-main.ts for how the bundle is given it).
export { createElectronDouble, Machine, type DoubleOptions, type Ending, type Runtime } from './runtime';
export { assertBuilt, loadMainBundle } from './load-main';
export { runPreload, type PreloadRun } from './preload-sandbox';
export type { MenuDouble } from './menu';
export type { BrowserWindowDouble, Page } from './windows';
