import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, createElectronDouble, loadMainBundle, type DoubleOptions, type Ending, type Page, type Runtime } from '../../electron-double';

// Starts the BUILT main bundle (dist/main/app.cjs) under the electron double, the way Electron
// starts it: the module's top level runs, then Electron becomes ready and the app takes over.

export const root = path.resolve(__dirname, '../../..');
export const built = {
  app: path.join(root, 'dist/main/app.cjs'),
  preload: path.join(root, 'dist/main/preload.cjs'),
  renderer: path.join(root, 'dist/renderer'),
};

assertBuilt(built.app, built.preload, path.join(built.renderer, 'index.html'));

const temporary: string[] = [];

export function tempDir(prefix = 'certvault-electron-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface LaunchOptions extends Partial<DoubleOptions> {
  /** CERTVAULT_HOME as the app's process sees it (unset when absent). */
  readonly certvaultHome?: string;
  /** Where the bundle pretends to be installed (default: dist/main/app.cjs itself). */
  readonly installedAs?: string;
}

/** Runs the bundle's top level (what happens before Electron is ready) and returns the double. */
export function launch(options: LaunchOptions = {}): Runtime {
  const double = createElectronDouble({ appPath: root, userData: options.userData ?? path.join(tempDir(), 'Cert Vault'), ...options });
  const saved = process.env.CERTVAULT_HOME;
  if (options.certvaultHome === undefined) delete process.env.CERTVAULT_HOME;
  else process.env.CERTVAULT_HOME = options.certvaultHome;
  try {
    loadMainBundle(built.app, double.electron, options.installedAs ? { as: options.installedAs } : {});
  } finally {
    if (saved === undefined) delete process.env.CERTVAULT_HOME;
    else process.env.CERTVAULT_HOME = saved;
  }
  return double;
}

const START_TIMEOUT_MS = 15_000;

/** Electron becomes ready; resolves with the first loaded page, or the way the app ended instead. */
export async function becomeReady(double: Runtime): Promise<Page | Ending> {
  const outcome = double.firstPageLoaded();
  double.ready();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the app neither loaded its window nor exited within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  });
  try {
    return await Promise.race([outcome, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Launch and become ready; the test fails unless the window's page loads. */
export async function start(options: LaunchOptions = {}): Promise<{ double: Runtime; page: Page }> {
  const double = launch(options);
  const outcome = await becomeReady(double);
  if (!('webContents' in outcome)) {
    const errors = double.dialogs.filter((d) => d.kind === 'error').map((d) => d.options.content);
    throw new Error(`the app ended (${outcome.how} ${outcome.code}) instead of opening its window: ${errors.join('; ')}`);
  }
  return { double, page: outcome };
}
