import { refusalIn } from './access-refusal';
import { locale } from './i18n/locale.svelte';
import { vaults } from './vaults.svelte';

// The vault in use's refusal (access-refusal.ts) as the window reads it: reactive on the vault
// switch, its `team.status` and the UI language, so a control's state follows each of them.

/**
 * The team vault in use when this member is its viewer: its private keys are sealed with a team key
 * this computer never receives, which is why they do not open here (not a lost data key).
 */
export function viewerOf(): string | null {
  const standing = vaults.isLocal ? null : vaults.status?.standing;
  return standing?.state === 'member' && standing.role === 'viewer' ? vaults.current : null;
}

/** Why this member cannot change the vault in use, in the UI's language (a disabled control's title); null when it can. */
export function refusal(): string | null {
  return refusalIn(vaults.isLocal ? null : { name: vaults.current, status: vaults.status }, locale(), new Date());
}
