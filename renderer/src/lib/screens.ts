import type { MessageKey } from '../../../shared/i18n';
import type { IconName } from '../components/Icon.svelte';

export type ScreenId = 'overview' | 'library' | 'inspect' | 'accounts' | 'uploads' | 'team' | 'settings';

export interface ScreenEntry {
  readonly id: ScreenId;
  readonly label: MessageKey;
  readonly icon: IconName;
}

export const screens: readonly ScreenEntry[] = [
  { id: 'overview', label: 'ui.nav.overview', icon: 'radar' },
  { id: 'library', label: 'ui.nav.library', icon: 'library' },
  { id: 'inspect', label: 'ui.nav.inspect', icon: 'inspect' },
  { id: 'accounts', label: 'ui.nav.accounts', icon: 'accounts' },
  { id: 'uploads', label: 'ui.nav.uploads', icon: 'uploads' },
  { id: 'team', label: 'ui.nav.team', icon: 'team' },
  { id: 'settings', label: 'ui.nav.settings', icon: 'settings' },
];
