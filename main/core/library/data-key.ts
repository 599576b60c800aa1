import { sql, type Kysely, type RawBuilder } from 'kysely';
import { VaultError } from '../../../shared/errors';
import { lockNamed } from '../db/dialect-sql';
import type { VaultTables } from '../db/tables';
import type { VaultDb } from '../db/vault-db';
import type { SecretStore } from '../keychain';
import { DATA_KEY_BYTES, dataKeyCheck, generateDataKey, matchesCheck } from '../seal';
import { log } from '../log';

// Where the vault's data key comes from: `DataKeyProvider`. The local vault's (`LocalDataKeys`)
// lives in the OS keychain under "vault-data-key:<vault id>"; the database keeps only an HMAC
// check value. A team vault brings its own provider (HandlerContext.dataKeys). Rules of the local one:
// - a key is created only when the keychain has none AND the vault holds no sealed key;
// - a key found in the keychain is adopted when it matches the check value, or when no sealed key
//   exists yet (nothing could be lost);
// - otherwise (missing or replaced while sealed keys exist) sealing refuses with
//   `keychain.data_key_missing` and unsealing reports the keys unrecoverable. Nothing
//   overwrites a keychain entry, except `reset` when the user confirms it and the entry provably
//   holds no key that opens anything (it is gone or fails the check value).
// - `reset` starts a new key and a new generation: the keys sealed before stay in the vault,
//   counted as retired (never opened, never deleted) until the same key is imported again.
//
// No transaction stays open across a keychain call (docs/data-layer.md): it would hold the
// vault's write lock for as long as the keychain takes (a desktop unlock prompt: minutes). So a
// creation claims first, in a short transaction: the new key's check value and a claim row with
// the time; only the claimant writes the keychain, then drops the claim. Another process finding
// a fresh claim waits for the claimant's key to appear in the keychain, and adopts it.

const CHECK_META = 'data_key_check';
const GENERATION_META = 'data_key_generation';
/** A creation under way in some process: when it claimed (ISO time), until its key is in the keychain. */
const CLAIM_META = 'data_key_claim';
/** How long a claim holds others back (as SQLite's busy timeout): past it, its process is taken to have died. */
const CLAIM_WAIT_MS = 5000;
const CLAIM_POLL_MS = 50;
/** What the data key's transactions lock on PostgreSQL (dialect-sql.ts `lockNamed`). */
const DATA_KEY_LOCK = 'data-key';

type Db = Kysely<VaultTables>;

export type DataKeyStatus =
  | { readonly state: 'ready'; readonly key: Buffer }
  /** No usable key in the keychain; `sealedKeys` keys of the current generation cannot be opened. */
  | { readonly state: 'missing'; readonly sealedKeys: number };

/** The user's answer to giving up `sealedKeys` keys for a new data key (a native dialog, or the CLI's --confirm). */
export type ConfirmDataKeyReset = (sealedKeys: number) => Promise<boolean>;

/** The source of the key new private keys are sealed with, and old ones opened with. */
export interface DataKeyProvider {
  /** For unsealing and for telling the user; throws only when the key's store is unreachable (`keychain.unavailable`). */
  status(): Promise<DataKeyStatus>;
  /** The key to seal new keys with; throws a VaultError when there is none (`keychain.data_key_missing`, `keychain.unavailable`). */
  forSealing(): Promise<Buffer>;
  /** Starts a new key after the old one was lost; a provider without one of its own to lose has none. */
  reset?(confirm: ConfirmDataKeyReset): Promise<{ retiredKeys: number }>;
  /** Why there is no key, when the provider can say better than "unrecoverable" (a team viewer never holds one). */
  missingKeyError?(): Promise<VaultError>;
}

/** The generation a key is sealed under, from the vault's metadata (1 until the first reset); the same SQL on both engines. */
export function currentGeneration(): RawBuilder<number> {
  return sql<number>`coalesce((SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = ${GENERATION_META}), 1)`;
}

/** Keys sealed under the current data key. */
export async function sealedKeyCount(db: Db): Promise<number> {
  const row = await db.selectFrom('sealed_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('data_key_generation', '=', currentGeneration()).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Keys sealed under a data key that a reset replaced: kept, never openable. */
export async function retiredKeyCount(db: Db): Promise<number> {
  const row = await db.selectFrom('sealed_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('data_key_generation', '<', currentGeneration()).executeTakeFirstOrThrow();
  return Number(row.n);
}

export class LocalDataKeys implements DataKeyProvider {
  private cached: Buffer | null = null;
  private creating: Promise<Buffer> | null = null;
  private vaultId: string | null = null;

  constructor(
    private readonly vault: Pick<VaultDb, 'db' | 'engine'>,
    private readonly secrets: SecretStore,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  private async account(): Promise<string> {
    if (this.vaultId === null) {
      const row = await this.vault.db.selectFrom('vault_meta').select('value').where('key', '=', 'vault_id').executeTakeFirstOrThrow();
      this.vaultId = row.value;
    }
    return `vault-data-key:${this.vaultId}`;
  }

  private async keychainKey(): Promise<Buffer | null> {
    return decode(await this.secrets.get(await this.account()));
  }

  /** For unsealing and for telling the user: throws only `keychain.unavailable`. */
  async status(): Promise<DataKeyStatus> {
    if (this.cached) return { state: 'ready', key: this.cached };
    const found = await this.keychainKey();
    const check = await readCheck(this.vault.db);
    if (found && (check === null || matchesCheck(found, check))) {
      this.cached = found;
      return { state: 'ready', key: found };
    }
    const sealedKeys = await sealedKeyCount(this.vault.db);
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
      await this.recordCheck(status.key);
      return status.key;
    }
    if (status.sealedKeys > 0) throw new VaultError('keychain.data_key_missing', { count: status.sealedKeys });
    // One creation at a time in this process; the claim (the check value) serialises other processes.
    this.creating ??= this.create().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  /**
   * The key in the keychain was adopted: its check value is recorded, unless the check value
   * already is its (the usual case, one read). Replaced only while no sealed key depends on it.
   */
  private async recordCheck(key: Buffer): Promise<void> {
    const check = await readCheck(this.vault.db);
    if (check !== null && matchesCheck(key, check)) return;
    const sealedKeys = await this.vault.db.transaction().execute(async (trx) => {
      await lockNamed(this.vault.engine, trx, DATA_KEY_LOCK);
      const sealed = await sealedKeyCount(trx);
      const current = await readCheck(trx);
      if (sealed === 0 || current === null) await writeCheck(trx, key);
      else if (!matchesCheck(key, current)) return sealed;
      return 0;
    });
    if (sealedKeys > 0) {
      this.cached = null;
      throw new VaultError('keychain.data_key_missing', { count: sealedKeys });
    }
  }

  /**
   * Creates a key, or adopts the one another process (the app vs the CLI) is creating at the same
   * moment, so the two never store different keys. In a short transaction, with no sealed key in
   * the vault: a check value that the keychain's key matches is adopted; a fresh claim of another
   * process is waited for (its key reaches the keychain, then matches); otherwise this process
   * claims, writing its key's check value (a check value left without a key opens nothing: no
   * sealed key) and the claim. Only the claimant then writes the keychain, and drops the claim.
   */
  private async create(): Promise<Buffer> {
    const account = await this.account();
    for (;;) {
      const existing = await this.keychainKey();
      const candidate = existing ?? generateDataKey();
      const claimedAt = new Date().toISOString();
      const claim = await this.vault.db.transaction().execute(async (trx) => {
        await lockNamed(this.vault.engine, trx, DATA_KEY_LOCK);
        const sealed = await sealedKeyCount(trx);
        if (sealed > 0) return { kind: 'sealed', sealed } as const;
        const check = await readCheck(trx);
        if (check !== null && matchesCheck(candidate, check)) return { kind: 'adopt' } as const;
        const other = await readMeta(trx, CLAIM_META);
        if (other !== null && Date.parse(other) > Date.parse(claimedAt) - CLAIM_WAIT_MS) return { kind: 'wait' } as const;
        await writeCheck(trx, candidate);
        await writeMeta(trx, CLAIM_META, claimedAt);
        return { kind: 'claimed' } as const;
      });
      if (claim.kind === 'sealed') throw new VaultError('keychain.data_key_missing', { count: claim.sealed });
      if (claim.kind === 'wait') {
        await this.sleep(CLAIM_POLL_MS);
        continue;
      }
      if (claim.kind === 'claimed') {
        try {
          if (!existing) await this.secrets.set(account, candidate.toString('base64'));
        } catch (error) {
          await this.endClaim(claimedAt, candidate);
          throw error;
        }
        await this.endClaim(claimedAt, null);
      }
      this.cached = candidate;
      return candidate;
    }
  }

  /**
   * Drops this process's claim. `withdrawn`: the keychain refused that key, so its check value
   * goes too, unless something was sealed under it meanwhile.
   */
  private async endClaim(claimedAt: string, withdrawn: Buffer | null): Promise<void> {
    await this.vault.db.transaction().execute(async (trx) => {
      await lockNamed(this.vault.engine, trx, DATA_KEY_LOCK);
      await trx.deleteFrom('vault_meta').where('key', '=', CLAIM_META).where('value', '=', claimedAt).execute();
      if (!withdrawn) return;
      const check = await readCheck(trx);
      if (check === null || !matchesCheck(withdrawn, check) || (await sealedKeyCount(trx)) > 0) return;
      await trx.deleteFrom('vault_meta').where('key', '=', CHECK_META).execute();
    });
  }

  /**
   * Starts a new data key after the keychain lost the old one. Refused (nothing changed) when the
   * keychain is unreachable, when its key still opens the vault's keys, or when no sealed key
   * depends on it (the next import creates a key anyway). Once a reset is due, `confirm` is asked
   * with the number of keys it gives up; a no throws `keychain.reset_cancelled`, nothing changed.
   * The new generation and check value are committed first, in a transaction that checks nothing
   * changed since the user was asked (the other front door may have reset meanwhile: then this one
   * is not needed); the keychain is written after, and if it refuses, the vault is put back.
   * Returns how many keys stay unrecoverable.
   */
  async reset(confirm: ConfirmDataKeyReset): Promise<{ retiredKeys: number }> {
    const before = await this.status();
    if (before.state === 'ready' || before.sealedKeys === 0) throw new VaultError('keychain.reset_not_needed');
    // Asked before anything is written: the user may take minutes.
    if (!(await confirm(before.sealedKeys))) {
      log.info('data_key_reset_declined', { sealedKeys: before.sealedKeys });
      throw new VaultError('keychain.reset_cancelled');
    }
    // Again after the answer: the keychain may have come back.
    this.cached = null;
    const now = await this.status();
    if (now.state === 'ready' || now.sealedKeys === 0) throw new VaultError('keychain.reset_not_needed');
    const key = generateDataKey();
    const previous = await this.vault.db.transaction().execute(async (trx) => {
      await lockNamed(this.vault.engine, trx, DATA_KEY_LOCK);
      if ((await sealedKeyCount(trx)) === 0) return null;
      const check = await readCheck(trx);
      const generation = await readGeneration(trx);
      await writeMeta(trx, GENERATION_META, String(generation + 1));
      await writeCheck(trx, key);
      return { check, generation };
    });
    if (!previous) throw new VaultError('keychain.reset_not_needed');
    try {
      await this.secrets.set(await this.account(), key.toString('base64'));
    } catch (error) {
      await this.vault.db.transaction().execute(async (trx) => {
        await lockNamed(this.vault.engine, trx, DATA_KEY_LOCK);
        await trx.updateTable('vault_meta').set({ value: String(previous.generation) }).where('key', '=', GENERATION_META).execute();
        if (previous.check === null) await trx.deleteFrom('vault_meta').where('key', '=', CHECK_META).execute();
        else await trx.updateTable('vault_meta').set({ value: previous.check }).where('key', '=', CHECK_META).execute();
      });
      throw error;
    }
    this.cached = key;
    const retiredKeys = await retiredKeyCount(this.vault.db);
    log.info('data_key_reset', { retiredKeys });
    return { retiredKeys };
  }
}

function readCheck(db: Db): Promise<string | null> {
  return readMeta(db, CHECK_META);
}

async function readMeta(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('vault_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

async function writeMeta(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('vault_meta')
    .values({ key, value })
    .onConflict((c) => c.column('key').doUpdateSet({ value }))
    .execute();
}

async function readGeneration(db: Db): Promise<number> {
  const value = await readMeta(db, GENERATION_META);
  return value === null ? 1 : Number(value);
}

function writeCheck(db: Db, key: Buffer): Promise<void> {
  return writeMeta(db, CHECK_META, dataKeyCheck(key));
}

/** A keychain value that is not 32 bytes of base64 is as good as missing: it cannot be our key. */
function decode(secret: string | null): Buffer | null {
  if (secret === null) return null;
  const key = Buffer.from(secret, 'base64');
  return key.length === DATA_KEY_BYTES ? key : null;
}
