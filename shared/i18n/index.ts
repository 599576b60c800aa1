import { en, type Catalog, type MessageKey } from './en';
import { zhCN } from './zh-CN';
import { formatMessage } from './format';
import type { ErrorParams } from '../errors';

export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];

export const catalogs: Readonly<Record<Locale, Catalog>> = { en, 'zh-CN': zhCN };

/** Maps an OS/browser language tag to one of ours: any Chinese variant reads Simplified Chinese first. */
export function pickLocale(tag: string | undefined): Locale {
  return tag?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function translate(locale: Locale, key: MessageKey, params?: ErrorParams): string {
  return formatMessage(catalogs[locale][key], params);
}

export { en, zhCN, formatMessage, type Catalog, type MessageKey };
