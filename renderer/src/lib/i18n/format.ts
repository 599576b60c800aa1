import type { Locale } from '../../../../shared/i18n';

// Locale-aware display of the values an inspection carries. Dates are shown in UTC, as
// certificates state them, so two engineers in different time zones read the same moment.

const DAY_MS = 86_400_000;

/**
 * One formatter per locale and style, made on first use: building an Intl formatter costs far
 * more than formatting with it (a few ms per scroll frame when every new Library row made its own).
 */
function formatterCache<F>(make: (locale: Locale) => F): (locale: Locale) => F {
  const made = new Map<Locale, F>();
  return (locale) => {
    let formatter = made.get(locale);
    if (!formatter) made.set(locale, (formatter = make(locale)));
    return formatter;
  };
}

const dateTimeFormat = formatterCache((locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC', hourCycle: 'h23' }));
const dateFormat = formatterCache((locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }));
const numberFormat = formatterCache((locale) => new Intl.NumberFormat(locale));

export function formatDateTime(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(locale).format(date) + ' UTC';
}

/** The calendar date alone (UTC), for a line that names a certificate by its expiry. */
export function formatDate(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(locale).format(date);
}

/** Whole days from `from` until `to`, rounded toward `from` (an hour left is 0 days, an hour late is -1). */
export function daysBetween(from: string, to: string): number {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / DAY_MS);
}

/** `ab12cd…` -> `AB:12:CD:…`, the form `openssl x509 -fingerprint` prints. */
export function colonHex(hex: string): string {
  return (hex.toUpperCase().match(/.{1,2}/g) ?? []).join(':');
}

export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(locale).format(value);
}

/**
 * A duration in seconds for "{seconds} s": one decimal under 10 s (a 400 ms upload is "0.4",
 * not "0"), whole seconds above. Under 0.1 s it still says something ("0.05") rather than "0".
 */
export function formatSeconds(ms: number, locale: Locale): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds >= 10) return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(seconds);
  if (seconds >= 0.1 || seconds === 0) return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(seconds);
  return new Intl.NumberFormat(locale, { maximumSignificantDigits: 1 }).format(seconds);
}
