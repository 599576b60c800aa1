import type { Events, EventName, Settings } from '../../../shared/ipc';
import type { Locale } from '../../../shared/i18n';

// What every handler receives. The Electron front door, the CLI and the Playwright bridge each
// build one; handlers never know which.

/** File dialogs need Electron; the front door supplies them (tests supply a scripted one). */
export interface Dialogs {
  chooseFiles(purpose: 'inspect' | 'import', folders: boolean): Promise<string[]>;
}

export interface EventSink {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export interface SettingsStore {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

export interface HandlerContext {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly platform: string;
  readonly systemLocale: Locale;
  readonly dialogs: Dialogs;
  readonly events: EventSink;
  readonly settings: SettingsStore;
  readonly now: () => Date;
}
