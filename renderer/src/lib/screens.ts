import type { MessageKey } from '../../../shared/i18n';
import type { IconName } from '../components/Icon.svelte';

export type ScreenId = 'library' | 'inspect' | 'accounts' | 'uploads' | 'settings';

export interface ScreenEntry {
  readonly id: ScreenId;
  readonly label: MessageKey;
  readonly icon: IconName;
  /** Filled by a later version; the sidebar marks it so nobody expects it to work yet. */
  readonly later: boolean;
}

export const screens: readonly ScreenEntry[] = [
  { id: 'library', label: 'ui.nav.library', icon: 'library', later: false },
  { id: 'inspect', label: 'ui.nav.inspect', icon: 'inspect', later: false },
  { id: 'accounts', label: 'ui.nav.accounts', icon: 'accounts', later: true },
  { id: 'uploads', label: 'ui.nav.uploads', icon: 'uploads', later: true },
  { id: 'settings', label: 'ui.nav.settings', icon: 'settings', later: false },
];
