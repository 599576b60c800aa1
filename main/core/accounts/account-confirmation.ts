import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount } from '../../../shared/uploads';
import type { CloudCredentials } from '../../clouds/provider';
import type { VaultTables } from '../db/tables';
import type { VaultDb } from '../db/vault-db';

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

/** The vault's database or a transaction on it: `forget` runs inside the account store's own. */
type Executor = Kysely<VaultTables>;

export class AccountConfirmations {
  constructor(private readonly vault: VaultDb) {}

  async record(accountId: string, identity: AccountIdentity): Promise<void> {
    const value: StoredConfirmation = { cloud: identity.cloud, endpoint: identity.endpoint, keyIdSha256: digest(identity.keyId) };
    await this.vault.db
      .insertInto('vault_meta')
      .values({ key: metaKey(accountId), value: JSON.stringify(value) })
      .onConflict((conflict) => conflict.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
      .execute();
  }

  async forget(accountId: string, db: Executor = this.vault.db): Promise<void> {
    await db.deleteFrom('vault_meta').where('key', '=', metaKey(accountId)).execute();
  }

  /** The full check, before a key is sent: the same cloud, endpoint and access key the user confirmed. */
  async matches(accountId: string, identity: AccountIdentity): Promise<boolean> {
    const stored = (await this.stored([accountId])).get(accountId);
    return stored !== undefined && stored.cloud === identity.cloud && stored.endpoint === identity.endpoint && stored.keyIdSha256 === digest(identity.keyId);
  }

  /**
   * What the account list shows, without reading the keychain: confirmed for this cloud and
   * endpoint, per account id, in one read for the whole list. A replaced secret forgets the
   * confirmation (AccountStore.save); a changed environment variable is caught by `matches`
   * before anything is sent.
   */
  async confirmedFor(accounts: readonly Pick<CloudAccount, 'id' | 'cloud' | 'endpoint'>[]): Promise<Set<string>> {
    const stored = await this.stored(accounts.map((account) => account.id));
    return new Set(
      accounts
        .filter((account) => {
          const confirmation = stored.get(account.id);
          return confirmation !== undefined && confirmation.cloud === account.cloud && confirmation.endpoint === account.endpoint;
        })
        .map((account) => account.id),
    );
  }

  private async stored(accountIds: readonly string[]): Promise<Map<string, StoredConfirmation>> {
    const result = new Map<string, StoredConfirmation>();
    if (accountIds.length === 0) return result;
    const keys = new Map(accountIds.map((id) => [metaKey(id), id]));
    const rows = await this.vault.db.selectFrom('vault_meta').select(['key', 'value']).where('key', 'in', [...keys.keys()]).execute();
    for (const row of rows) {
      const confirmation = parseConfirmation(row.value);
      if (confirmation) result.set(keys.get(row.key)!, confirmation);
    }
    return result;
  }
}

function parseConfirmation(value: string): StoredConfirmation | null {
  try {
    return JSON.parse(value) as StoredConfirmation;
  } catch {
    return null;
  }
}
