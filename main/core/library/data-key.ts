import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import type { SecretStore } from '../keychain';
import { DATA_KEY_BYTES, dataKeyCheck, generateDataKey, matchesCheck } from '../seal';
import { wrapBusy } from '../db/open';
import { StatementCache } from '../db/statements';
import { log } from '../log';

// The vault's data key lives in the OS keychain under "vault-data-key:<vault id>"; the database
// keeps only an HMAC check value. Rules:
// - a key is created only when the keychain has none AND the vault holds no sealed key;
// - a key found in the keychain is adopted when it matches the check value, or when no sealed key
//   exists yet (nothing could be lost);
// - otherwise (missing or replaced while sealed keys exist) sealing refuses with
//   `keychain.data_key_missing` and unsealing reports the keys unrecoverable. Nothing
//   overwrites a keychain entry, except `reset` when the user confirms it and the entry provably
//   holds no key that opens anything (it is gone or fails the check value).
// - `reset` starts a new key and a new generation: the keys sealed before stay in the vault,
//   counted as retired (never opened, never deleted) until the same key is imported again.

const CHECK_META = 'data_key_check';
const GENERATION_META = 'data_key_generation';

export type DataKeyStatus =
  | { readonly state: 'ready'; readonly key: Buffer }
  /** No usable key in the keychain; `sealedKeys` keys of the current generation cannot be opened. */
  | { readonly state: 'missing'; readonly sealedKeys: number };

/** Where a vault's data key comes from: the local keychain (DataKeys) or a team vault's team key. */
export interface DataKeyProvider {
  status(): Promise<DataKeyStatus>;
  forSealing(): Promise<Buffer>;
}

/** The user's answer to giving up `sealedKeys` keys for a new data key (a native dialog, or the CLI's --confirm). */
export type ConfirmDataKeyReset = (sealedKeys: number) => Promise<boolean>;

/** The generation a key is sealed under, from the vault's metadata (1 until the first reset). */
export const CURRENT_GENERATION_SQL = `coalesce((SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = '${GENERATION_META}'), 1)`;

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

  /**
   * Starts a new data key after the keychain lost the old one. Refused (nothing changed) when the
   * keychain is unreachable, when its key still opens the vault's keys, or when no sealed key
   * depends on it (the next import creates a key anyway). Once a reset is due, `confirm` is asked
   * with the number of keys it gives up; a no throws `keychain.reset_cancelled`, nothing changed.
   * Returns how many keys stay unrecoverable.
   */
  async reset(confirm: ConfirmDataKeyReset): Promise<{ retiredKeys: number }> {
    const before = await this.status();
    if (before.state === 'ready' || before.sealedKeys === 0) throw new VaultError('keychain.reset_not_needed');
    // Asked outside the write lock: the user may take minutes, and the other front door must not wait on them.
    if (!(await confirm(before.sealedKeys))) {
      log.info('data_key_reset_declined', { sealedKeys: before.sealedKeys });
      throw new VaultError('keychain.reset_cancelled');
    }
    wrapBusy(() => this.db.exec('BEGIN IMMEDIATE'));
    try {
      // Again under the lock: the other front door may have reset, or the keychain come back.
      this.cached = null;
      const status = await this.status();
      if (status.state === 'ready' || status.sealedKeys === 0) throw new VaultError('keychain.reset_not_needed');
      const key = generateDataKey();
      this.sql.get(`INSERT INTO vault_meta (key, value) VALUES (?, CAST(${CURRENT_GENERATION_SQL} + 1 AS TEXT))
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(GENERATION_META);
      this.writeCheck(key);
      await this.secrets.set(this.account, key.toString('base64'));
      this.db.exec('COMMIT');
      this.cached = key;
      const retiredKeys = this.retiredKeyCount();
      log.info('data_key_reset', { retiredKeys });
      return { retiredKeys };
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Keys sealed under a data key that a reset replaced: kept, never openable. */
  retiredKeyCount(): number {
    return (this.sql.get(`SELECT count(*) AS n FROM sealed_keys WHERE data_key_generation < ${CURRENT_GENERATION_SQL}`).get() as { n: number }).n;
  }

  sealedKeyCount(): number {
    return (this.sql.get(`SELECT count(*) AS n FROM sealed_keys WHERE data_key_generation = ${CURRENT_GENERATION_SQL}`).get() as { n: number }).n;
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
}

/** A keychain value that is not 32 bytes of base64 is as good as missing: it cannot be our key. */
function decode(secret: string | null): Buffer | null {
  if (secret === null) return null;
  const key = Buffer.from(secret, 'base64');
  return key.length === DATA_KEY_BYTES ? key : null;
}
