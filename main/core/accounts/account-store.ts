import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { VaultError } from '../../../shared/errors';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount, SecretSource } from '../../../shared/uploads';
import type { AccountConfig, CloudCredentials, CloudProvider } from '../../clouds/provider';
import { equalsNocase, isUniqueViolation, nocase } from '../db/dialect-sql';
import type { CloudAccountsTable } from '../db/tables';
import type { AuditEntry, VaultDb } from '../db/vault-db';
import type { SecretStore } from '../keychain';
import { log } from '../log';
import { AccountConfirmations } from './account-confirmation';
import { validateAccountInput, type AccountInput } from './account-input';
import { credentialEnvironment, credentialsFromEnvironment, parseStoredCredentials, serializeCredentials } from './credentials';
import { knownMember, openSharedSecret, requireSharingAdmin, sealSharedSecret, type AccountTeam, type SealedSecret } from './team-secret';

// Cloud accounts: the non-secret fields in the vault database (either engine), the secret in the OS keychain under
// `cloud-account:<id>` (or, chosen explicitly per account, the cloud's usual environment variables
// read at each use, for servers without a keychain). On a team vault an account may instead be
// shared: its secret sealed with the team key in the row (team-secret.ts); a keychain account there
// is its owner's, whose keychain alone holds the secret. The secret is written by `save` and read
// by `credentials`, and no other method returns or logs it.

export type ProviderLookup = (cloud: CloudId) => CloudProvider;

type AccountRow = Selectable<CloudAccountsTable>;

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

function toAccount(row: AccountRow, confirmed: ReadonlySet<string>, owners: ReadonlyMap<string, string>, selfId: string | null): CloudAccount {
  const ownerId = row.secret_source === 'keychain' ? row.owner_member_id : null;
  return {
    id: row.id,
    name: row.name,
    cloud: row.cloud as CloudId,
    region: row.region,
    endpoint: row.endpoint,
    fields: JSON.parse(row.fields_json) as Record<string, string>,
    defaultOptions: JSON.parse(row.default_options_json) as Record<string, unknown>,
    secretSource: row.secret_source,
    secretStored: row.secret_source === 'team' || (row.secret_source === 'keychain' && (ownerId === null || ownerId === selfId)),
    owner: ownerId === null ? null : { id: ownerId, name: owners.get(ownerId) ?? ownerId },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    confirmed: confirmed.has(row.id),
  };
}

export function accountConfig(account: CloudAccount): AccountConfig {
  return { cloud: account.cloud, region: account.region, endpoint: account.endpoint, fields: account.fields };
}

export class AccountStore {
  readonly confirmations: AccountConfirmations;

  constructor(
    private readonly vault: VaultDb,
    private readonly secrets: SecretStore,
    private readonly providers: ProviderLookup,
    private readonly now: () => Date = () => new Date(),
    private readonly env: Environment = process.env,
    /** The team vault this store works on; null on the local vault. */
    private readonly team: AccountTeam | null = null,
  ) {
    this.confirmations = new AccountConfirmations(vault);
  }

  async list(): Promise<CloudAccount[]> {
    const rows = await this.vault.db.selectFrom('cloud_accounts').selectAll().orderBy(nocase(this.vault.engine, 'name')).execute();
    return this.toAccounts(rows);
  }

  /** By id, or by display name (case-insensitive, as the CLI takes it). */
  async get(idOrName: string): Promise<CloudAccount> {
    const row = await this.vault.db
      .selectFrom('cloud_accounts')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), equalsNocase(this.vault.engine, 'name', idOrName)]))
      // An id wins over another account's name that happens to equal it.
      .orderBy(sql`CASE WHEN id = ${idOrName} THEN 0 ELSE 1 END`)
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new VaultError('account.not_found', { name: idOrName.slice(0, 80) });
    return (await this.toAccounts([row]))[0]!;
  }

  /**
   * Creates (no id) or edits an account. A new keychain account needs a secret; an edit keeps the
   * stored one unless a new one is given ("replace secret"). Nothing is half-written: the keychain
   * entry and the row are written together or the previous state is put back. `confirmEndpoint`,
   * when given, must agree to a new or changed endpoint override before anything is written.
   */
  async save(input: SaveAccount, credentials?: CloudCredentials, confirmEndpoint?: ConfirmEndpoint): Promise<CloudAccount> {
    const valid = validateAccountInput(input, this.providers(input.cloud));
    const existing = input.id ? await this.get(input.id) : null;
    if (existing && existing.cloud !== valid.cloud) {
      throw new VaultError('account.invalid', { field: 'cloud', reason: `cannot change from ${existing.cloud} to ${valid.cloud}; add a new account instead` });
    }
    const source = input.secretSource ?? existing?.secretSource ?? 'keychain';
    if (source === 'team' || existing?.secretSource === 'team') requireSharingAdmin(this.team, valid.name);
    if (source === 'environment' && credentials) {
      throw new VaultError('account.invalid', { field: 'secret', reason: 'an account that reads its secret from the environment stores none; leave the secret empty' });
    }
    const needsSecret = source !== 'environment' && existing?.secretSource !== source;
    if (needsSecret && !credentials) {
      const where = source === 'team' ? 'shared with the team' : 'in the keychain';
      throw new VaultError('account.invalid', { field: 'secret', reason: `an account with its secret ${where} needs the secret` });
    }
    await this.assertNameFree(valid.name, existing?.id ?? null);
    if (confirmEndpoint && valid.endpoint !== null && valid.endpoint !== existing?.endpoint) {
      if (!(await confirmEndpoint({ name: valid.name, cloud: valid.cloud }, valid.endpoint))) {
        log.info('account_endpoint_declined', { accountId: existing?.id ?? null, cloud: valid.cloud });
        throw new VaultError('account.endpoint_not_confirmed', { name: valid.name, endpoint: valid.endpoint });
      }
    }

    const id = existing?.id ?? randomUUID();
    const key = keychainAccount(id);
    const stamp = this.now().toISOString();
    // Only the owner's keychain holds a personal account's secret: another member's has nothing to move.
    const ownKeychain = existing?.secretSource === 'keychain' && this.ownsSecret(existing);
    const leavingKeychain = ownKeychain && source !== 'keychain';
    const toKeychain = source === 'keychain' ? credentials : undefined;
    const touchesKeychain = toKeychain !== undefined || leavingKeychain;
    // Kept to put back if the row cannot be written.
    const previousSecret = ownKeychain && touchesKeychain ? await this.secrets.get(key) : null;
    // Sealed before anything is written: a member without the team key changes nothing.
    const shared = source === 'team' && credentials ? await sealSharedSecret(this.team!, id, credentials) : null;
    if (toKeychain) await this.secrets.set(key, serializeCredentials(toKeychain));
    else if (leavingKeychain) await this.secrets.delete(key);
    const saved: AuditEntry = { action: 'account.save', subject: id, detail: { name: valid.name, cloud: valid.cloud, shared: source === 'team' } };
    try {
      const values = {
        name: valid.name,
        region: valid.region,
        endpoint: valid.endpoint,
        fields_json: JSON.stringify(valid.fields),
        default_options_json: JSON.stringify(valid.defaultOptions),
        secret_source: source,
        updated_at: stamp,
        ...(shared ? { secret_nonce: shared.nonce, secret_sealed: shared.sealed, secret_key_version: shared.keyVersion } : {}),
        ...(source !== 'team' ? { secret_nonce: null, secret_sealed: null, secret_key_version: null } : {}),
        // Whoever stores a personal secret owns it: it is in their keychain from now on.
        ...(this.team && toKeychain ? { owner_member_id: knownMember(this.team).id } : {}),
        ...(source !== 'keychain' ? { owner_member_id: null } : {}),
      };
      if (existing) {
        // Who receives the keys may have changed: the user confirms the account again before the next upload.
        const identityChanged = credentials !== undefined || valid.endpoint !== existing.endpoint || source !== existing.secretSource;
        await this.vault.db.transaction().execute(async (trx) => {
          await trx.updateTable('cloud_accounts').set(values).where('id', '=', id).execute();
          if (identityChanged) await this.confirmations.forget(id, trx);
          await this.vault.audit?.(trx, saved);
        });
      } else {
        await this.vault.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('cloud_accounts')
            .values({ ...values, id, cloud: valid.cloud, created_at: stamp })
            .execute();
          await this.vault.audit?.(trx, saved);
        });
      }
    } catch (error) {
      await this.restoreSecret(id, touchesKeychain, previousSecret);
      if (isUniqueViolation(error)) throw new VaultError('account.exists', { name: valid.name });
      throw error;
    }
    log.info('account_saved', { accountId: id, cloud: valid.cloud, created: !existing, secretSource: source, secretReplaced: Boolean(existing && credentials) });
    return this.get(id);
  }

  /**
   * Deletes the keychain entry first: a failure there leaves the account intact, never an orphaned
   * secret. When the row cannot be deleted (a team vault that cannot record it in its audit log),
   * the secret is put back.
   */
  async remove(idOrName: string): Promise<CloudAccount> {
    const account = await this.get(idOrName);
    if (account.secretSource === 'team') requireSharingAdmin(this.team, account.name);
    const ownKeychain = account.secretSource === 'keychain' && this.ownsSecret(account);
    const previousSecret = ownKeychain ? await this.secrets.get(keychainAccount(account.id)) : null;
    if (ownKeychain) await this.secrets.delete(keychainAccount(account.id));
    try {
      await this.vault.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('cloud_accounts').where('id', '=', account.id).execute();
        await this.confirmations.forget(account.id, trx);
        await this.vault.audit?.(trx, { action: 'account.remove', subject: account.id, detail: { name: account.name, shared: account.secretSource === 'team' } });
      });
    } catch (error) {
      await this.restoreSecret(account.id, ownKeychain, previousSecret);
      throw error;
    }
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
    if (account.secretSource === 'team') return openSharedSecret(this.team!, account, await this.sealedSecret(account));
    if (!this.ownsSecret(account)) {
      throw new VaultError('account.personal_of_member', { name: account.name, member: account.owner?.name ?? '' });
    }
    const stored = await this.secrets.get(keychainAccount(account.id));
    if (stored === null) throw new VaultError('account.secret_missing', { name: account.name });
    return parseStoredCredentials(stored, account.name);
  }

  private async toAccounts(rows: readonly AccountRow[]): Promise<CloudAccount[]> {
    const confirmed = await this.confirmations.confirmedFor(rows.map((row) => ({ id: row.id, cloud: row.cloud as CloudId, endpoint: row.endpoint })));
    const ownerIds = [...new Set(rows.flatMap((row) => (row.owner_member_id === null ? [] : [row.owner_member_id])))];
    const owners = this.team && ownerIds.length > 0 ? await this.team.memberNames(ownerIds) : new Map<string, string>();
    return rows.map((row) => toAccount(row, confirmed, owners, this.team?.member?.id ?? null));
  }

  /** A personal account's secret is this member's when it has no owner (the local vault, or saved before sharing existed) or this member owns it. */
  private ownsSecret(account: CloudAccount): boolean {
    return account.owner === null || account.owner.id === this.team?.member?.id;
  }

  private async sealedSecret(account: CloudAccount): Promise<SealedSecret> {
    const row = await this.vault.db.selectFrom('cloud_accounts').select(['secret_nonce', 'secret_sealed', 'secret_key_version']).where('id', '=', account.id).executeTakeFirst();
    if (!row?.secret_nonce || !row.secret_sealed || row.secret_key_version === null) throw new VaultError('account.not_found', { name: account.name });
    return { nonce: row.secret_nonce, sealed: row.secret_sealed, keyVersion: row.secret_key_version };
  }

  private async assertNameFree(name: string, selfId: string | null): Promise<void> {
    const clash = await this.vault.db.selectFrom('cloud_accounts').select('id').where(equalsNocase(this.vault.engine, 'name', name)).executeTakeFirst();
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
