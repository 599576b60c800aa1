export { createElectronDouble, Machine, Runtime, type Call, type DialogShown, type DoubleOptions, type Ending, type User } from './runtime';
export { loadMainBundle, assertBuilt } from './load-main';
export { runPreload, copyAcrossWorlds, type PreloadRun, type PreloadTransport } from './preload-sandbox';
export { MenuDouble, MenuItemDouble } from './menu';
export { Page, type BrowserWindowDouble, type FrameHandle, type WebContentsDouble } from './windows';
