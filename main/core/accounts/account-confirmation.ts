import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount } from '../../../shared/uploads';
import type { CloudCredentials } from '../../clouds/provider';

// A private key leaves this machine only for an account whose identity (cloud, access key id,
// endpoint) the user confirmed after the account was created or its secret or endpoint changed.
// The confirmation is written here by the main process alone (a main-process dialog, or the CLI,
// whose user is at the terminal): no IPC request carries it, so a compromised page that creates an
// account with its own key pair cannot also declare it trusted. Kept in vault_meta (no migration);
// the key id only as a digest, since the table needs to recognise it, not show it.

/** Who receives the keys: the cloud, whose access key signs the request, at which endpoint (null: the cloud's public one). */
export interface AccountIdentity {
  readonly cloud: CloudId;
  readonly keyId: string;
  readonly endpoint: string | null;
}

interface StoredConfirmation {
  readonly cloud: string;
  readonly endpoint: string | null;
  readonly keyIdSha256: string;
}

export function accountIdentity(account: CloudAccount, credentials: CloudCredentials): AccountIdentity {
  return { cloud: account.cloud, keyId: credentials.accessKeyId, endpoint: account.endpoint };
}

function metaKey(accountId: string): string {
  return `account-confirmed:${accountId}`;
}

function digest(keyId: string): string {
  return createHash('sha256').update(keyId, 'utf8').digest('hex');
}

export class AccountConfirmations {
  constructor(private readonly db: Database.Database) {}

  record(accountId: string, identity: AccountIdentity): void {
    const value: StoredConfirmation = { cloud: identity.cloud, endpoint: identity.endpoint, keyIdSha256: digest(identity.keyId) };
    this.db.prepare('INSERT INTO vault_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(metaKey(accountId), JSON.stringify(value));
  }

  forget(accountId: string): void {
    this.db.prepare('DELETE FROM vault_meta WHERE key = ?').run(metaKey(accountId));
  }

  /** The full check, before a key is sent: the same cloud, endpoint and access key the user confirmed. */
  matches(accountId: string, identity: AccountIdentity): boolean {
    const stored = this.stored(accountId);
    return stored !== null && stored.cloud === identity.cloud && stored.endpoint === identity.endpoint && stored.keyIdSha256 === digest(identity.keyId);
  }

  /**
   * What the account list shows, without reading the keychain: confirmed for this cloud and
   * endpoint. A replaced secret forgets the confirmation (AccountStore.save); a changed environment
   * variable is caught by `matches` before anything is sent.
   */
  confirmedFor(account: CloudAccount): boolean {
    const stored = this.stored(account.id);
    return stored !== null && stored.cloud === account.cloud && stored.endpoint === account.endpoint;
  }

  private stored(accountId: string): StoredConfirmation | null {
    const row = this.db.prepare('SELECT value FROM vault_meta WHERE key = ?').get(metaKey(accountId)) as { value: string } | undefined;
    if (!row) return null;
    try {
      return JSON.parse(row.value) as StoredConfirmation;
    } catch {
      return null;
    }
  }
}
