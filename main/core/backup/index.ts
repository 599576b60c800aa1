import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { VaultError } from '../../../shared/errors';
import type { BackupSummary, RestoreSummary } from '../../../shared/ipc';
import { keychainAccount } from '../accounts/account-store';
import { writeFileAtomic } from '../atomic-write';
import { userVersion } from '../db/open';
import type { SecretStore } from '../keychain';
import { sqliteVaultDb } from '../db/vault-db';
import { LocalDataKeys } from '../library/data-key';
import { log } from '../log';
import { PRIVATE_FILE_MODE } from '../private-files';
import { checkPassphrase, decryptBackup, encryptBackup } from './format';
import { contentsOf, readSnapshot, writeSnapshot, type BackupPayload } from './snapshot';

// `certvault backup` / `restore` and Settings › Backup and restore: the library, its private keys
// and the upload history in one passphrase-encrypted file (format.ts), restorable on a machine
// whose keychain has never seen this vault. Restore never merges: into an empty vault, or with
// `replace` over everything the backup covers, in one transaction (snapshot.ts).

export interface BackupOptions {
  readonly db: Database.Database;
  readonly secrets: SecretStore;
  readonly file: string;
  readonly passphrase: string;
  /** Copy the cloud accounts' keychain secrets into the backup too. */
  readonly includeSecrets: boolean;
  readonly now: Date;
}

export interface RestoreOptions {
  readonly db: Database.Database;
  readonly secrets: SecretStore;
  readonly file: string;
  readonly passphrase: string;
  /** Replace what a non-empty vault holds; without it, restore refuses a non-empty vault. */
  readonly replace: boolean;
}

/** Reads the file no larger than this: a library of 100,000 entries fits in a fraction of it. */
const MAX_BACKUP_BYTES = 2 * 1024 ** 3 - 1;

export async function backupVault({ db, secrets, file, passphrase, includeSecrets, now }: BackupOptions): Promise<BackupSummary> {
  checkPassphrase(passphrase);
  const hasKeys = (db.prepare('SELECT count(*) FROM sealed_keys').pluck().get() as number) > 0;
  const status = hasKeys ? await dataKeysOf(db, secrets).status() : null;
  const dataKey = status?.state === 'ready' ? status.key : null;
  if (status?.state === 'missing') throw new VaultError('keychain.data_key_missing', { count: status.sealedKeys });
  const entryName = db.prepare('SELECT name FROM entries WHERE id = ?').pluck();
  const snapshot = readSnapshot(db, dataKey, (entryId) => (entryName.get(entryId) as string | undefined) ?? entryId);
  const payload: BackupPayload = { ...snapshot, secrets: includeSecrets ? await accountSecrets(db, secrets) : null };
  writeFileAtomic(file, await encryptBackup(payload, passphrase, now), PRIVATE_FILE_MODE);
  const summary = {
    file,
    entries: snapshot.tables.entries?.length ?? 0,
    keys: snapshot.keys.length,
    accounts: snapshot.tables.cloud_accounts?.length ?? 0,
    history: snapshot.tables.upload_history?.length ?? 0,
    secrets: payload.secrets !== null,
  };
  log.info('vault_backed_up', { entries: summary.entries, keys: summary.keys, accounts: summary.accounts, history: summary.history, secrets: summary.secrets });
  return summary;
}

export async function restoreVault({ db, secrets, file, passphrase, replace }: RestoreOptions): Promise<RestoreSummary> {
  const payload = parsePayload(await decryptBackup(readBackupFile(file), passphrase, file), file);
  const supported = userVersion(db);
  if (payload.schema > supported) throw new VaultError('backup.too_new', { file, version: payload.schema, supported });
  const before = contentsOf(db);
  if (!replace && (before.entries > 0 || before.accounts > 0 || before.history > 0)) {
    throw new VaultError('backup.vault_not_empty', { entries: before.entries, accounts: before.accounts, history: before.history });
  }
  const previousAccounts = db.prepare("SELECT id FROM cloud_accounts WHERE secret_source = 'keychain'").pluck().all() as string[];
  // Sealed under this vault's own data key (created now on a new machine), before anything changes.
  const dataKey = payload.keys.length > 0 ? await dataKeysOf(db, secrets).forSealing() : null;
  const putBack = await writeSecrets(secrets, payload.secrets ?? {});
  try {
    writeSnapshot(db, payload, dataKey, file);
  } catch (error) {
    await putBack();
    throw error;
  }
  const restoredIds = new Set((payload.tables.cloud_accounts ?? []).map((row) => String(row.id)));
  for (const id of previousAccounts.filter((id) => !restoredIds.has(id))) {
    await secrets.delete(keychainAccount(id)).catch((error: unknown) => log.warn('restore_secret_not_deleted', { accountId: id, error }));
  }
  const after = contentsOf(db);
  const summary = { entries: after.entries, keys: payload.keys.length, accounts: after.accounts, history: after.history, secrets: Object.keys(payload.secrets ?? {}).length };
  log.info('vault_restored', { ...summary, replaced: replace });
  return summary;
}

/** The data keys over the backup's own connection, on which nothing else runs while they are asked. */
function dataKeysOf(db: Database.Database, secrets: SecretStore): LocalDataKeys {
  return new LocalDataKeys(sqliteVaultDb(db, { owned: false }), secrets);
}

async function accountSecrets(db: Database.Database, secrets: SecretStore): Promise<Record<string, string>> {
  const ids = db.prepare("SELECT id FROM cloud_accounts WHERE secret_source = 'keychain'").pluck().all() as string[];
  const found: Record<string, string> = {};
  for (const id of ids) {
    const secret = await secrets.get(keychainAccount(id));
    if (secret !== null) found[id] = secret;
  }
  return found;
}

/** Writes the backup's account secrets; the returned function puts the keychain back as it was. */
async function writeSecrets(secrets: SecretStore, wanted: Readonly<Record<string, string>>): Promise<() => Promise<void>> {
  const previous = new Map<string, string | null>();
  const putBack = async () => {
    for (const [account, value] of previous) {
      await (value === null ? secrets.delete(account) : secrets.set(account, value)).catch((error: unknown) => log.warn('restore_secret_rollback_failed', { error }));
    }
  };
  try {
    for (const [id, secret] of Object.entries(wanted)) {
      const account = keychainAccount(id);
      previous.set(account, await secrets.get(account));
      await secrets.set(account, secret);
    }
  } catch (error) {
    await putBack();
    throw error;
  }
  return putBack;
}

function readBackupFile(file: string): Buffer {
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_BACKUP_BYTES) throw new VaultError('backup.corrupt', { file, reason: 'it is larger than any backup Cert Vault writes' });
    return fs.readFileSync(file);
  } catch (error) {
    if (error instanceof VaultError) throw error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new VaultError('input.unreadable_file', { file, reason: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code });
  }
}

const payloadSchema = z.object({
  schema: z.number().int().min(1),
  tables: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.array(z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.unknown()))),
  keys: z.array(z.object({ entryId: z.string().min(1), role: z.enum(['leaf', 'sm2-encrypt']), keyAlgorithm: z.string().min(1), pkcs8: z.base64() })),
  secrets: z.record(z.string().min(1), z.string()).nullable(),
});

/** The payload is authenticated, so a mismatch here is a bug or a hand-made file; either way nothing is restored. */
function parsePayload(value: unknown, file: string): BackupPayload {
  const parsed = payloadSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VaultError('backup.corrupt', { file, reason: `unexpected contents at ${issue?.path.join('.') || 'the top level'}` });
  }
  return parsed.data;
}
