import { BrowserWindow, screen, type Session, type WebContents } from 'electron';
import { APP_ENTRY_URL } from './app-url';
import { isPermissionGranted } from './permissions';
import { mainWindowOptions } from './web-preferences';
import { fitToDisplays, readWindowState, writeWindowState } from './window-state';

export interface MainWindowOptions {
  readonly preloadPath: string;
  readonly devServer: URL | null;
  readonly stateFile: string;
  /** The page did not load (a broken install, a dev server that is down): the window would stay blank. */
  readonly onLoadFailed: (error: unknown) => void;
}

/** The one window: secure options, remembered geometry, our page and nothing else. */
export function createMainWindow({ preloadPath, devServer, stateFile, onLoadFailed }: MainWindowOptions): BrowserWindow {
  const displays = screen.getAllDisplays().map((display) => display.workArea);
  const state = fitToDisplays(readWindowState(stateFile), displays);
  const window = new BrowserWindow(mainWindowOptions(state, preloadPath, devServer !== null));
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    writeWindowState(stateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() });
  });
  window.loadURL(devServer ? devServer.href : APP_ENTRY_URL).catch(onLoadFailed);
  return window;
}

/**
 * Applied to every webContents the app ever creates: the page may not navigate, redirect, open
 * windows or attach <webview>s, so no remote URL is ever loaded.
 */
export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function lockDownPermissions(session: Session, devServer: URL | null): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, devServer));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin, devServer),
  );
  session.setDevicePermissionHandler(() => false);
}
