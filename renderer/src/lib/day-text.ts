import type { Locale } from '../../../shared/i18n';

// A calendar day typed and shown as text in the UI's language, independent of the browser's own
// date input (which follows the OS locale: mm/dd/yyyy in a Chinese UI on an English system).
// The value is always `YYYY-MM-DD`.

const DAY_PATTERN = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;

/** `YYYY-MM-DD` for a typed day (`2026-1-31`, `2026/01/31`, `2026年1月31日`); '' for ''; null if it is not a day. */
export function parseDay(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const match = DAY_PATTERN.exec(trimmed);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `2026-01-31` as the UI's language writes it: unchanged in English, `2026年1月31日` in Chinese. */
export function formatDay(value: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match || locale !== 'zh-CN') return value;
  return `${match[1]}年${Number(match[2])}月${Number(match[3])}日`;
}
