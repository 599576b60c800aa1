import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

// Electron's security checklist, as values a test can read: isolated, sandboxed renderer with no
// Node, same-origin policy on, no <webview>, and devtools only when developing.

export function secureWebPreferences(preloadPath: string, dev: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped outside the drop zone would otherwise navigate the window to file://.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: dev,
  };
}

export interface WindowGeometry {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
}

export function mainWindowOptions(geometry: WindowGeometry, preloadPath: string, dev: boolean): BrowserWindowConstructorOptions {
  return {
    ...geometry,
    minWidth: 880,
    minHeight: 560,
    title: 'Cert Vault',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    webPreferences: secureWebPreferences(preloadPath, dev),
  };
}
