import path from 'node:path';
import os from 'node:os';

// The folder holding vault.db, settings.json and logs. Electron's app.getPath('userData') for
// productName "Cert Vault" lands in the same place on every OS, so the app and the CLI share one vault.

export const APP_FOLDER_NAME = 'Cert Vault';

export interface DataDirInputs {
  /** `--home DIR` from the command line; wins over everything. */
  readonly home?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  readonly cwd: string;
}

export function resolveDataDir({ home, env, platform, homedir, cwd }: DataDirInputs): string {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const override = nonEmpty(home) ?? nonEmpty(env.CERTVAULT_HOME);
  if (override) return paths.resolve(cwd, override);
  return paths.join(platformConfigDir(platform, env, homedir), APP_FOLDER_NAME);
}

/** The per-user config root, as Electron computes `appData`. */
function platformConfigDir(platform: NodeJS.Platform, env: DataDirInputs['env'], homedir: string): string {
  switch (platform) {
    case 'darwin':
      return path.posix.join(homedir, 'Library', 'Application Support');
    case 'win32':
      return nonEmpty(env.APPDATA) ?? path.win32.join(homedir, 'AppData', 'Roaming');
    default: {
      // XDG Base Directory spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
      const xdg = nonEmpty(env.XDG_CONFIG_HOME);
      return xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(homedir, '.config');
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

/** The data folder for this process: its OS, home folder and working folder, and `env`. */
export function dataDirFromEnvironment(home?: string, env: DataDirInputs['env'] = process.env): string {
  return resolveDataDir({ home, env, platform: process.platform, homedir: os.homedir(), cwd: process.cwd() });
}
