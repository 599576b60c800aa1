import fs from 'node:fs';
import path from 'node:path';
import { app, dialog, Menu, session, type BrowserWindow } from 'electron';
import { pickLocale, type Locale } from '../../shared/i18n';
import type { Settings } from '../../shared/ipc';
import type { HandlerContext, SettingsStore } from '../core/ipc/context';
import { runSync } from '../core/inventory/handlers';
import { runSyncScheduler } from '../core/inventory/scheduler';
import { log } from '../core/log';
import { systemClock } from '../core/uploads/clock';
import { ensurePrivateFolder, PRIVATE_FILE_MODE, tightenPrivateFiles } from '../core/private-files';
import { FileSettingsStore } from '../core/settings-store';
import { devServerUrl } from './dev-server';
import { electronDialogs } from './dialogs';
import { registerIpc, windowEvents } from './ipc';
import { showDesktopNotice } from './notifications';
import { alertsOf } from '../core/alerts/service';
import { applicationMenuTemplate } from './menu-template';
import { applyDevServerPolicy, registerAppScheme, serveRenderer } from './protocol';
import { createMainWindow, lockDownPermissions, lockDownWebContents } from './window';
import { VaultSwitcher } from '../core/team/vault-switch';

// The Electron front door: one window onto main/core. Everything security-relevant is decided in
// the small modules beside this one; this file only wires them together in the right order.

// Anything that fails from here to the window's first page is a failed start: the user is told in
// an error box and the process exits, rather than running on with no window.
try {
  const devServer = devServerUrl(process.argv, process.env, app.isPackaged);
  useDataFolderFromEnvironment();
  registerAppScheme();
  app.enableSandbox();
  if (app.requestSingleInstanceLock()) {
    start(devServer);
  } else {
    // Another Cert Vault is running; it was told (second-instance) and comes to the front.
    app.quit();
  }
} catch (error) {
  failedToStart(error);
}

/**
 * The CLI honours CERTVAULT_HOME too, so both can be pointed at one throwaway vault (tests, demos).
 * Electron refuses a userData folder that does not exist, so a new one is created first.
 */
function useDataFolderFromEnvironment(): void {
  if (!process.env.CERTVAULT_HOME) return;
  const home = path.resolve(process.env.CERTVAULT_HOME);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  app.setPath('userData', home);
}

function failedToStart(error: unknown): void {
  log.error('app_start_failed', { error });
  const reason = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('Cert Vault', `Cert Vault could not start: ${reason}`);
  app.exit(1);
}

function start(devServer: URL | null): void {
  let mainWindow: BrowserWindow | null = null;
  const currentWindow = () => mainWindow;

  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      const dataDir = app.getPath('userData');
      ensurePrivateFolder(dataDir);
      log.setSink(fileSink(path.join(dataDir, 'logs', 'main.log')));
      log.info('app_start', { version: app.getVersion(), dev: devServer !== null });

      const systemLocale = pickLocale(app.getPreferredSystemLanguages()[0] ?? app.getLocale());
      const menuLocale = (settings: Settings): Locale => (settings.language === 'system' ? systemLocale : settings.language);
      const applyMenu = (settings: Settings) =>
        Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate(menuLocale(settings), process.platform, devServer !== null)));

      const settings = refreshMenuOnChange(new FileSettingsStore(dataDir), applyMenu);
      const base: HandlerContext = {
        dataDir,
        appVersion: app.getVersion(),
        platform: process.platform,
        systemLocale,
        dialogs: electronDialogs(currentWindow, () => menuLocale(settings.get())),
        events: windowEvents(currentWindow),
        settings,
        now: () => new Date(),
      };

      applyMenu(settings.get());
      lockDownPermissions(session.defaultSession, devServer);
      if (devServer) applyDevServerPolicy(session.defaultSession, devServer);
      else serveRenderer(session.defaultSession, path.join(__dirname, '..', 'renderer'));
      // The vault in use (local or a team's) is opened before the window asks anything of it.
      return VaultSwitcher.start(base).then((switcher) => ({ switcher, dataDir }));
    })
    .then(({ switcher, dataDir }) => {
      const ctx = () => switcher.current;
      app.on('will-quit', () => void switcher.close());
      registerIpc(ctx, currentWindow, devServer);
      startAutoSync(ctx, currentWindow);

      const openWindow = () => {
        mainWindow = createMainWindow({
          preloadPath: path.join(__dirname, 'preload.cjs'),
          devServer,
          stateFile: path.join(dataDir, 'window-state.json'),
          onLoadFailed: failedToStart,
        });
        mainWindow.on('closed', () => {
          mainWindow = null;
        });
      };
      // The radar is not built ahead: the Overview's first page is read from the database's indexes (inventory/radar-window.ts).
      openWindow();
      app.on('activate', () => {
        if (!mainWindow) openWindow();
      });
    })
    .catch(failedToStart);
}

/**
 * Inventory sync at start and every N hours while the app runs, as Settings say, each followed by
 * the desktop notification of what became due; ends with the app.
 */
function startAutoSync(ctx: () => HandlerContext, mainWindow: () => BrowserWindow | null): void {
  const stop = new AbortController();
  app.on('will-quit', () => stop.abort());
  void runSyncScheduler(
    {
      clock: systemClock,
      setting: () => ctx().settings.get().autoSync,
      sync: () => runSync(ctx(), []),
      afterSync: () => {
        alertsOf(ctx())
          .notifyDesktop((notice) => showDesktopNotice(notice, mainWindow, ctx().events))
          .catch((error: unknown) => log.warn('desktop_alert_failed', { error }));
      },
    },
    stop.signal,
  );
}

/** The menu follows the language chosen in Settings as soon as it changes. */
function refreshMenuOnChange(store: SettingsStore, onChange: (settings: Settings) => void): SettingsStore {
  return {
    get: () => store.get(),
    update(patch) {
      const next = store.update(patch);
      onChange(next);
      return next;
    },
  };
}

function fileSink(file: string): (line: string) => void {
  ensurePrivateFolder(path.dirname(file));
  tightenPrivateFiles([file]);
  const stream = fs.createWriteStream(file, { flags: 'a', mode: PRIVATE_FILE_MODE });
  // A full disk must not take the app down with it; the lines are lost, the app keeps working.
  stream.on('error', () => undefined);
  return (line) => {
    stream.write(`${line}\n`);
  };
}
