import { VaultError } from '../../../shared/errors';
import type { CloudCredentials } from '../../clouds/provider';
import { seal, unseal } from '../seal';
import type { MemberRole } from '../team/db/schema';
import { parseStoredCredentials, serializeCredentials } from './credentials';

// Cloud accounts on a team vault. Settings are the team's either way; the secret is either the
// team's (a shared account: sealed with the team key in the database, opened in main only when a
// request is signed) or one member's (a personal account: in that member's keychain, as on the
// local vault). Only admins share a secret; a viewer holds no team key, so it cannot open one.

export interface TeamKeyForSecrets {
  /** The current team key and its version; `team.viewer_no_key` / `team.no_team_key` when this member holds none. */
  current(): Promise<{ readonly key: Buffer; readonly version: number }>;
}

/** What the account store needs to know about the team vault it works on. */
export interface AccountTeam {
  readonly teamName: string;
  /** Null while a vault opened offline has not heard its member yet (writes are refused then: roles.ts). */
  readonly member: { readonly id: string; readonly name: string } | null;
  readonly role: MemberRole | null;
  readonly keys: TeamKeyForSecrets;
  /** Member names by id (removed members included), for "personal account of <member>". */
  memberNames(ids: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

export interface SealedSecret {
  readonly nonce: Buffer;
  readonly sealed: Buffer;
  readonly keyVersion: number;
}

/** Binds a sealed secret to its account row: copied onto another account, it fails to open. */
export function sharedSecretContext(accountId: string): string {
  return `cloud-account:${accountId}`;
}

export async function sealSharedSecret(team: AccountTeam, accountId: string, credentials: CloudCredentials): Promise<SealedSecret> {
  const { key, version } = await team.keys.current();
  const sealed = seal(key, Buffer.from(serializeCredentials(credentials), 'utf8'), sharedSecretContext(accountId));
  return { nonce: sealed.nonce, sealed: sealed.ciphertext, keyVersion: version };
}

/**
 * The shared secret of `account`. A rotation re-seals every shared secret in its own transaction
 * (team/reseal-vault.ts), so one sealed under another version than the current key cannot open:
 * it is reported, never guessed at.
 */
export async function openSharedSecret(team: AccountTeam, account: { readonly id: string; readonly name: string }, stored: SealedSecret): Promise<CloudCredentials> {
  const { key, version } = await team.keys.current();
  const plaintext = stored.keyVersion === version ? unseal(key, { nonce: stored.nonce, ciphertext: stored.sealed }, sharedSecretContext(account.id)) : null;
  if (!plaintext) throw new VaultError('account.shared_unreadable', { name: account.name, team: team.teamName });
  try {
    return parseStoredCredentials(plaintext.toString('utf8'), account.name);
  } finally {
    plaintext.fill(0);
  }
}

/** Sharing a secret, or changing a shared account, is an admin's (the team key opens it for every operator). */
export function requireSharingAdmin(team: AccountTeam | null, accountName: string): void {
  if (!team) throw new VaultError('account.shared_needs_team', { name: accountName });
  if (team.role === null) throw new VaultError('team.offline_role_unknown', { team: team.teamName });
  if (team.role !== 'admin') throw new VaultError('team.role_required', { team: team.teamName, role: team.role, needed: 'admin', action: 'share-account' });
}

/** This member, for a write in their name; unknown only on a vault opened offline, where writes are refused. */
export function knownMember(team: AccountTeam): { readonly id: string; readonly name: string } {
  if (team.member === null) throw new VaultError('team.offline_role_unknown', { team: team.teamName });
  return team.member;
}
