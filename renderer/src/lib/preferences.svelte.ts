import type { AppInfo, Settings } from '../../../shared/ipc';
import type { ErrorInfo } from '../../../shared/errors';
import type { Locale } from '../../../shared/i18n';
import { defaultLibrarySort } from '../../../shared/library';
import { api } from './api';

// Settings and app info as shared reactive state. Main owns the stored values; this mirror is
// replaced by whatever main answers, so the UI never shows a setting that was not saved.

const defaults: Settings = { language: 'system', theme: 'system', expiringWithinDays: 30, autoSync: 'off', librarySort: defaultLibrarySort };

class Preferences {
  settings = $state<Settings>(defaults);
  info = $state<AppInfo | null>(null);

  /** The language the UI should use now. */
  get locale(): Locale {
    if (this.settings.language !== 'system') return this.settings.language;
    return this.info?.systemLocale ?? 'en';
  }

  async load(): Promise<ErrorInfo | null> {
    const [info, settings] = await Promise.all([api.app.info(), api.settings.get()]);
    if (info.ok) this.info = info.value;
    if (settings.ok) this.settings = settings.value;
    if (!info.ok) return info.error;
    return settings.ok ? null : settings.error;
  }

  async update(patch: Partial<Settings>): Promise<ErrorInfo | null> {
    const result = await api.settings.update(patch);
    if (!result.ok) return result.error;
    this.settings = result.value;
    return null;
  }
}

export const preferences = new Preferences();
