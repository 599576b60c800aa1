import type { CloudId } from '../../../../shared/model';
import type { Localized } from '../../../../shared/uploads';
import { locale, t } from '../../lib/i18n/locale.svelte';

// Text that main sends in both languages (field labels, hints, pre-flight issues) and the clouds'
// display names, in the UI's current language.

export function localized(text: Localized): string {
  return text[locale()];
}

export function cloudName(cloud: CloudId): string {
  return t(`ui.cloud.${cloud}`);
}
