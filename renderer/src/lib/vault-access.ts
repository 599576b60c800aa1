import { refusalIn } from './access-refusal';
import { locale } from './i18n/locale.svelte';
import { vaults } from './vaults.svelte';

// The vault in use's refusal (access-refusal.ts) as the window reads it: reactive on the vault
// switch, its `team.status` and the UI language, so a control's state follows each of them.

/** Why this member cannot change the vault in use, in the UI's language (a disabled control's title); null when it can. */
export function refusal(): string | null {
  return refusalIn(vaults.isLocal ? null : { name: vaults.current, status: vaults.status }, locale(), new Date());
}
