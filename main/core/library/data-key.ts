import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import type { SecretStore } from '../keychain';
import { DATA_KEY_BYTES, dataKeyCheck, generateDataKey, matchesCheck } from '../seal';
import { wrapBusy } from '../db/open';
import { StatementCache } from '../db/statements';

// The vault's data key lives in the OS keychain under "vault-data-key:<vault id>"; the database
// keeps only an HMAC check value. Rules:
// - a key is created only when the keychain has none AND the vault holds no sealed key;
// - a key found in the keychain is adopted when it matches the check value, or when no sealed key
//   exists yet (nothing could be lost);
// - otherwise (missing or replaced while sealed keys exist) sealing refuses with
//   `keychain.data_key_missing` and unsealing reports the keys unrecoverable. Nothing ever
//   overwrites a keychain entry.

const CHECK_META = 'data_key_check';

export type DataKeyStatus =
  | { readonly state: 'ready'; readonly key: Buffer }
  /** No usable key in the keychain; `sealedKeys` keys in the vault cannot be opened. */
  | { readonly state: 'missing'; readonly sealedKeys: number };

export class DataKeys {
  private cached: Buffer | null = null;
  private creating: Promise<Buffer> | null = null;
  private readonly sql: StatementCache;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
    private readonly vaultId: string,
  ) {
    this.sql = new StatementCache(db);
  }

  get account(): string {
    return `vault-data-key:${this.vaultId}`;
  }

  /** For unsealing and for telling the user: throws only `keychain.unavailable`. */
  async status(): Promise<DataKeyStatus> {
    if (this.cached) return { state: 'ready', key: this.cached };
    const found = decode(await this.secrets.get(this.account));
    const check = this.check();
    if (found && (check === null || matchesCheck(found, check))) {
      this.cached = found;
      return { state: 'ready', key: found };
    }
    const sealedKeys = this.sealedKeyCount();
    if (found && sealedKeys === 0) {
      this.cached = found;
      return { state: 'ready', key: found };
    }
    return { state: 'missing', sealedKeys };
  }

  /**
   * For sealing: the key, created on first use. Throws `keychain.unavailable` (nothing written)
   * or `keychain.data_key_missing` (sealed keys exist and their key is gone).
   */
  async forSealing(): Promise<Buffer> {
    const status = await this.status();
    if (status.state === 'ready') {
      this.storeCheckIfAbsent(status.key);
      return status.key;
    }
    if (status.sealedKeys > 0) throw new VaultError('keychain.data_key_missing', { count: status.sealedKeys });
    // One creation at a time in this process; the IMMEDIATE transaction serialises other processes.
    this.creating ??= this.create().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  /**
   * Creates and stores a new key while holding the database write lock, so the app and the CLI
   * importing their first keys at the same moment cannot each store a different key. Under the
   * lock the keychain is read again: if the other process won, its key is adopted.
   */
  private async create(): Promise<Buffer> {
    wrapBusy(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      const sealedKeys = this.sealedKeyCount();
      if (sealedKeys > 0) throw new VaultError('keychain.data_key_missing', { count: sealedKeys });
      const existing = decode(await this.secrets.get(this.account));
      const key = existing ?? generateDataKey();
      if (!existing) await this.secrets.set(this.account, key.toString('base64'));
      this.writeCheck(key);
      this.db.exec('COMMIT');
      this.cached = key;
      return key;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private storeCheckIfAbsent(key: Buffer): void {
    const check = this.check();
    if (check !== null && matchesCheck(key, check)) return;
    this.writeCheck(key);
  }

  private writeCheck(key: Buffer): void {
    this.sql
      .get('INSERT INTO vault_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(CHECK_META, dataKeyCheck(key));
  }

  private check(): string | null {
    const row = this.sql.get('SELECT value FROM vault_meta WHERE key = ?').get(CHECK_META) as { value: string } | undefined;
    return row?.value ?? null;
  }

  private sealedKeyCount(): number {
    return (this.sql.get('SELECT count(*) AS n FROM sealed_keys').get() as { n: number }).n;
  }
}

/** A keychain value that is not 32 bytes of base64 is as good as missing: it cannot be our key. */
function decode(secret: string | null): Buffer | null {
  if (secret === null) return null;
  const key = Buffer.from(secret, 'base64');
  return key.length === DATA_KEY_BYTES ? key : null;
}
