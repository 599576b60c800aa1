import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount, SecretSource } from '../../../shared/uploads';
import type { AccountConfig, CloudCredentials, CloudProvider } from '../../clouds/provider';
import type { SecretStore } from '../keychain';
import { log } from '../log';
import { AccountConfirmations } from './account-confirmation';
import { validateAccountInput, type AccountInput } from './account-input';
import { credentialEnvironment, credentialsFromEnvironment, parseStoredCredentials, serializeCredentials } from './credentials';

// Cloud accounts: the non-secret fields in SQLite, the secret in the OS keychain under
// `cloud-account:<id>` (or, chosen explicitly per account, the cloud's usual environment variables
// read at each use, for servers without a keychain). The secret is written by `save` and read by
// `credentials`, and no other method returns or logs it.

export type ProviderLookup = (cloud: CloudId) => CloudProvider;

interface AccountRow {
  id: string;
  name: string;
  cloud: string;
  region: string | null;
  endpoint: string | null;
  fields_json: string;
  default_options_json: string;
  secret_source: SecretSource;
  created_at: string;
  updated_at: string;
}

export interface SaveAccount extends AccountInput {
  /** Present when editing. */
  readonly id?: string;
  /** Default 'keychain' for a new account, unchanged on edit. */
  readonly secretSource?: SecretSource;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Asked before an account starts sending uploads (private keys included) to an endpoint override
 * it did not have; true to go ahead. The window's front door answers with a main-process dialog,
 * so a compromised page cannot point an account at its own server unnoticed.
 */
export type ConfirmEndpoint = (account: { readonly name: string; readonly cloud: CloudId }, endpoint: string) => Promise<boolean>;

export function keychainAccount(accountId: string): string {
  return `cloud-account:${accountId}`;
}

function toAccount(row: AccountRow, confirmations: AccountConfirmations): CloudAccount {
  const account: Omit<CloudAccount, 'confirmed'> = {
    id: row.id,
    name: row.name,
    cloud: row.cloud as CloudId,
    region: row.region,
    endpoint: row.endpoint,
    fields: JSON.parse(row.fields_json) as Record<string, string>,
    defaultOptions: JSON.parse(row.default_options_json) as Record<string, unknown>,
    secretSource: row.secret_source,
    secretStored: row.secret_source === 'keychain',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return { ...account, confirmed: confirmations.confirmedFor({ ...account, confirmed: false }) };
}

export function accountConfig(account: CloudAccount): AccountConfig {
  return { cloud: account.cloud, region: account.region, endpoint: account.endpoint, fields: account.fields };
}

export class AccountStore {
  readonly confirmations: AccountConfirmations;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
    private readonly providers: ProviderLookup,
    private readonly now: () => Date = () => new Date(),
    private readonly env: Environment = process.env,
  ) {
    this.confirmations = new AccountConfirmations(db);
  }

  list(): CloudAccount[] {
    const rows = this.db.prepare('SELECT * FROM cloud_accounts ORDER BY name COLLATE NOCASE').all() as AccountRow[];
    return rows.map((row) => toAccount(row, this.confirmations));
  }

  /** By id, or by display name (case-insensitive, as the CLI takes it). */
  get(idOrName: string): CloudAccount {
    const row = this.db.prepare('SELECT * FROM cloud_accounts WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1').get(idOrName, idOrName, idOrName) as
      | AccountRow
      | undefined;
    if (!row) throw new VaultError('account.not_found', { name: idOrName.slice(0, 80) });
    return toAccount(row, this.confirmations);
  }

  /**
   * Creates (no id) or edits an account. A new keychain account needs a secret; an edit keeps the
   * stored one unless a new one is given ("replace secret"). Nothing is half-written: the keychain
   * entry and the row are written together or the previous state is put back. `confirmEndpoint`,
   * when given, must agree to a new or changed endpoint override before anything is written.
   */
  async save(input: SaveAccount, credentials?: CloudCredentials, confirmEndpoint?: ConfirmEndpoint): Promise<CloudAccount> {
    const valid = validateAccountInput(input, this.providers(input.cloud));
    const existing = input.id ? this.get(input.id) : null;
    if (existing && existing.cloud !== valid.cloud) {
      throw new VaultError('account.invalid', { field: 'cloud', reason: `cannot change from ${existing.cloud} to ${valid.cloud}; add a new account instead` });
    }
    const source = input.secretSource ?? existing?.secretSource ?? 'keychain';
    if (source === 'environment' && credentials) {
      throw new VaultError('account.invalid', { field: 'secret', reason: 'an account that reads its secret from the environment stores none; leave the secret empty' });
    }
    const needsSecret = source === 'keychain' && existing?.secretSource !== 'keychain';
    if (needsSecret && !credentials) throw new VaultError('account.invalid', { field: 'secret', reason: 'an account with its secret in the keychain needs the secret' });
    this.assertNameFree(valid.name, existing?.id ?? null);
    if (confirmEndpoint && valid.endpoint !== null && valid.endpoint !== existing?.endpoint) {
      if (!(await confirmEndpoint({ name: valid.name, cloud: valid.cloud }, valid.endpoint))) {
        log.info('account_endpoint_declined', { accountId: existing?.id ?? null, cloud: valid.cloud });
        throw new VaultError('account.endpoint_not_confirmed', { name: valid.name, endpoint: valid.endpoint });
      }
    }

    const id = existing?.id ?? randomUUID();
    const key = keychainAccount(id);
    const stamp = this.now().toISOString();
    const leavingKeychain = existing?.secretSource === 'keychain' && source === 'environment';
    const touchesKeychain = credentials !== undefined || leavingKeychain;
    // Kept to put back if the row cannot be written.
    const previousSecret = existing?.secretSource === 'keychain' && touchesKeychain ? await this.secrets.get(key) : null;
    if (credentials) await this.secrets.set(key, serializeCredentials(credentials));
    else if (leavingKeychain) await this.secrets.delete(key);
    try {
      const values = {
        id,
        name: valid.name,
        cloud: valid.cloud,
        region: valid.region,
        endpoint: valid.endpoint,
        fields_json: JSON.stringify(valid.fields),
        default_options_json: JSON.stringify(valid.defaultOptions),
        secret_source: source,
        stamp,
      };
      if (existing) {
        // Who receives the keys may have changed: the user confirms the account again before the next upload.
        const identityChanged = credentials !== undefined || valid.endpoint !== existing.endpoint || source !== existing.secretSource;
        this.db.transaction(() => {
          this.db
            .prepare(
              `UPDATE cloud_accounts SET name = @name, region = @region, endpoint = @endpoint, fields_json = @fields_json,
               default_options_json = @default_options_json, secret_source = @secret_source, updated_at = @stamp WHERE id = @id`,
            )
            .run(values);
          if (identityChanged) this.confirmations.forget(id);
        })();
      } else {
        this.db
          .prepare(
            `INSERT INTO cloud_accounts (id, name, cloud, region, endpoint, fields_json, default_options_json, secret_source, created_at, updated_at)
             VALUES (@id, @name, @cloud, @region, @endpoint, @fields_json, @default_options_json, @secret_source, @stamp, @stamp)`,
          )
          .run(values);
      }
    } catch (error) {
      await this.restoreSecret(id, touchesKeychain, previousSecret);
      if (isUniqueViolation(error)) throw new VaultError('account.exists', { name: valid.name });
      throw error;
    }
    log.info('account_saved', { accountId: id, cloud: valid.cloud, created: !existing, secretSource: source, secretReplaced: Boolean(existing && credentials) });
    return this.get(id);
  }

  /** Deletes the keychain entry first: a failure there leaves the account intact, never an orphaned secret. */
  async remove(idOrName: string): Promise<CloudAccount> {
    const account = this.get(idOrName);
    if (account.secretSource === 'keychain') await this.secrets.delete(keychainAccount(account.id));
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM cloud_accounts WHERE id = ?').run(account.id);
      this.confirmations.forget(account.id);
    })();
    log.info('account_removed', { accountId: account.id, cloud: account.cloud });
    return account;
  }

  /** The secret, for signing requests in this process only. */
  async credentials(account: CloudAccount): Promise<CloudCredentials> {
    if (account.secretSource === 'environment') {
      const fromEnvironment = credentialsFromEnvironment(account.cloud, this.env);
      if (fromEnvironment) return fromEnvironment;
      const names = credentialEnvironment[account.cloud];
      throw new VaultError('account.env_missing', { name: account.name, variables: `${names.id} and ${names.secret}` });
    }
    const stored = await this.secrets.get(keychainAccount(account.id));
    if (stored === null) throw new VaultError('account.secret_missing', { name: account.name });
    return parseStoredCredentials(stored, account.name);
  }

  private assertNameFree(name: string, selfId: string | null): void {
    const clash = this.db.prepare('SELECT id FROM cloud_accounts WHERE name = ?').get(name) as { id: string } | undefined;
    if (clash && clash.id !== selfId) throw new VaultError('account.exists', { name });
  }

  /** Puts the keychain back as it was before `save`: the previous secret, or no entry at all. */
  private async restoreSecret(id: string, touched: boolean, previous: string | null): Promise<void> {
    if (!touched) return;
    try {
      if (previous !== null) await this.secrets.set(keychainAccount(id), previous);
      else await this.secrets.delete(keychainAccount(id));
    } catch (error) {
      log.warn('account_secret_rollback_failed', { accountId: id, error });
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
