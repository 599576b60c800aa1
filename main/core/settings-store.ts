import { writeFileAtomic } from './atomic-write';
import fs from 'node:fs';
import path from 'node:path';
import { contract, type Settings } from '../../shared/ipc';
import { defaultLibrarySort } from '../../shared/library';
import type { SettingsStore } from './ipc/context';
import { log } from './log';
import { ensurePrivateFolder, tightenPrivateFiles } from './private-files';

export const SETTINGS_FILE = 'settings.json';

export const defaultSettings: Settings = { language: 'system', theme: 'system', expiringWithinDays: 30, autoSync: 'off', librarySort: defaultLibrarySort };

// The same schema that guards `settings.update` guards the file: whatever the file says went
// through the rules the UI is held to.
const storedSettings = contract['settings.update'].request;

/** User preferences in `settings.json` in the data folder; every write replaces the file atomically. */
export class FileSettingsStore implements SettingsStore {
  private readonly file: string;
  private current: Settings;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, SETTINGS_FILE);
    tightenPrivateFiles([this.file]);
    this.current = readSettings(this.file);
  }

  get(): Settings {
    return this.current;
  }

  update(patch: Partial<Settings>): Settings {
    const next: Settings = { ...this.current, ...definedFields(patch) };
    writeJsonAtomic(this.file, next);
    this.current = next;
    return next;
  }
}

function readSettings(file: string): Settings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (!isMissingFile(error)) log.warn('settings_unreadable', { file, error });
    return defaultSettings;
  }
  try {
    const parsed = storedSettings.safeParse(JSON.parse(text));
    if (parsed.success) return { ...defaultSettings, ...definedFields(parsed.data) };
    log.warn('settings_invalid', { file, reason: parsed.error.issues[0]?.message ?? 'invalid' });
  } catch (error) {
    log.warn('settings_invalid', { file, error });
  }
  return defaultSettings;
}

/** `{theme: undefined}` must not erase a stored theme. */
function definedFields(patch: Partial<Settings>): Partial<Settings> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<Settings>;
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

/**
 * Writes `value` as JSON so that a reader (or a crash) sees the old file or the new one, never half
 * of either: a temporary file in the same folder, flushed, then renamed over the target.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  ensurePrivateFolder(path.dirname(file));
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, 0o600);
}
