import { catalogs, pickLocale, translate, type Locale, type MessageKey } from '../../../../shared/i18n';
import type { ErrorInfo, ErrorParams } from '../../../../shared/errors';
import { PASTED_TEXT_SOURCE } from '../../../../shared/model';
import { printable } from '../../../../shared/printable';

// The UI language as reactive state: every `t()` call made while rendering re-runs when it changes.
// Starts from the browser's language so the first paint is already right for most users; App then
// applies the saved setting or the OS language reported by main.

let current = $state<Locale>(pickLocale(navigator.language));

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  current = next;
  document.documentElement.lang = next;
}

export function t(key: MessageKey, params?: ErrorParams): string {
  return translate(current, key, params);
}

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(catalogs.en, key);
}

/** A `source`/`file` value from main, with main's English name for pasted text translated. */
export function sourceName(source: string): string {
  // A file name, or a value in an error, may carry bidi or control characters: shown visibly.
  return source === PASTED_TEXT_SOURCE ? t('ui.inspect.source.pasted') : printable(source);
}

function localParams(params: ErrorParams | undefined): ErrorParams | undefined {
  if (!params) return params;
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? sourceName(value) : value]));
}

/** Text for a catalog key built at run time (`problem.<code>`), or `fallback` (main's English text). */
export function tOr(key: string, fallback: string, params?: ErrorParams): string {
  return isMessageKey(key) ? t(key, localParams(params)) : fallback;
}

/** An error from main, re-rendered in the user's language from its code and parameters. */
export function errorText(error: ErrorInfo): string {
  return tOr(`error.${error.code}`, error.message, error.params);
}

/** "1 day" / "12 days" / "12 天". */
export function daysText(count: number): string {
  return t(count === 1 ? 'ui.days.one' : 'ui.days.other', { count });
}
