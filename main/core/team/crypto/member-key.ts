import { createPrivateKey, createPublicKey } from 'node:crypto';
import { VaultError } from '../../../../shared/errors';
import type { SecretStore } from '../../keychain';
import { X25519_KEY_BYTES, bytesOf, teamSuite } from './suite';

// A member's own key pair: generated on their machine, the private half kept only in their OS
// keychain, the public half published with the join request so admins can wrap the team key to it.
//
// The keychain holds a small versioned JSON document. Both halves are stored (not just the
// private half) and checked against each other on load, so an entry damaged by hand or by another
// tool is reported as `team.member_key_corrupt` instead of silently producing a different public
// key that opens nothing.

export interface MemberKeyPair {
  /** Raw X25519 public key, 32 bytes. */
  readonly publicKey: Buffer;
  /** Raw X25519 private key, 32 bytes. */
  readonly privateKey: Buffer;
}

const ENTRY_FORMAT = 'cert-vault team member key';
const ENTRY_VERSION = 1;

interface StoredEntry {
  readonly format: typeof ENTRY_FORMAT;
  readonly version: typeof ENTRY_VERSION;
  readonly publicKey: string;
  readonly privateKey: string;
}

/** The keychain account of one member key; one per team and member, so two teams never share a key. */
export function memberKeyAccount(teamId: string, memberId: string): string {
  return `team-member:${teamId}:${memberId}`;
}

export async function generateMemberKeyPair(): Promise<MemberKeyPair> {
  const pair = await teamSuite.kem.generateKeyPair();
  return {
    publicKey: bytesOf(await teamSuite.kem.serializePublicKey(pair.publicKey)),
    privateKey: bytesOf(await teamSuite.kem.serializePrivateKey(pair.privateKey)),
  };
}

/** Stores the pair, replacing any key kept for this member. Throws `keychain.unavailable`. */
export async function saveMemberKey(secrets: SecretStore, teamId: string, memberId: string, pair: MemberKeyPair): Promise<void> {
  if (!isConsistent(pair)) throw new RangeError('member key pair: the public key does not belong to the private key');
  const entry: StoredEntry = {
    format: ENTRY_FORMAT,
    version: ENTRY_VERSION,
    publicKey: pair.publicKey.toString('base64'),
    privateKey: pair.privateKey.toString('base64'),
  };
  await secrets.set(memberKeyAccount(teamId, memberId), JSON.stringify(entry));
}

/**
 * The member's key pair, or null when the keychain has none for this member. Throws
 * `team.member_key_corrupt` when the entry is not a key pair this app wrote, and
 * `keychain.unavailable` when the keychain cannot be reached.
 */
export async function loadMemberKey(secrets: SecretStore, teamId: string, memberId: string): Promise<MemberKeyPair | null> {
  const account = memberKeyAccount(teamId, memberId);
  const stored = await secrets.get(account);
  if (stored === null) return null;
  const pair = decodeEntry(stored);
  if (!pair) throw new VaultError('team.member_key_corrupt', { team: teamId, account });
  return pair;
}

/** As `loadMemberKey`, for the places that cannot go on without the key: a missing one is `team.member_key_missing`. */
export async function requireMemberKey(secrets: SecretStore, teamId: string, memberId: string): Promise<MemberKeyPair> {
  const pair = await loadMemberKey(secrets, teamId, memberId);
  if (!pair) throw new VaultError('team.member_key_missing', { team: teamId });
  return pair;
}

/** True when a key was deleted (the member left or was refused), false when there was none. */
export async function deleteMemberKey(secrets: SecretStore, teamId: string, memberId: string): Promise<boolean> {
  return secrets.delete(memberKeyAccount(teamId, memberId));
}

function decodeEntry(stored: string): MemberKeyPair | null {
  let entry: unknown;
  try {
    entry = JSON.parse(stored);
  } catch {
    return null;
  }
  if (typeof entry !== 'object' || entry === null) return null;
  const { format, version, publicKey, privateKey } = entry as Partial<Record<keyof StoredEntry, unknown>>;
  if (format !== ENTRY_FORMAT || version !== ENTRY_VERSION) return null;
  const pair = { publicKey: strictBase64(publicKey), privateKey: strictBase64(privateKey) };
  if (!pair.publicKey || !pair.privateKey) return null;
  return isConsistent(pair as MemberKeyPair) ? (pair as MemberKeyPair) : null;
}

/** Node's base64 decoder skips junk; a value that does not re-encode to itself was changed. */
function strictBase64(value: unknown): Buffer | null {
  if (typeof value !== 'string') return null;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : null;
}

// RFC 8410 PKCS#8 header of an X25519 private key; with it Node's own X25519 derives the public key,
// a check independent of the HPKE library that made the pair.
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function isConsistent(pair: MemberKeyPair): boolean {
  if (pair.publicKey.length !== X25519_KEY_BYTES || pair.privateKey.length !== X25519_KEY_BYTES) return false;
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, pair.privateKey]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return typeof jwk.x === 'string' && Buffer.from(jwk.x, 'base64url').equals(pair.publicKey);
}
