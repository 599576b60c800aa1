import type { VaultTables } from '../../db/tables';

// Which vault tables a team vault's local copy holds, and the key each is read in order of (the
// copy pages through a table by its primary key, so it never holds a whole table in memory).
// Typed as a Record over every vault table but the two that only one engine has, so a table added
// to tables.ts without a line here does not compile.

/** SQLite's FTS index (rebuilt from the copied entries) and PostgreSQL's migration record. */
type NotCopied = 'entries_search' | 'vault_schema_version';

export type CopiedTable = Exclude<keyof VaultTables, NotCopied>;

const keys: { readonly [T in CopiedTable]: readonly (keyof VaultTables[T] & string)[] } = {
  vault_meta: ['key'],
  entries: ['id'],
  entry_certificates: ['entry_id', 'position'],
  sealed_keys: ['entry_id', 'role'],
  entry_names: ['name', 'entry_id'],
  library_cas: ['fingerprint_sha256'],
  cloud_accounts: ['id'],
  upload_history: ['id'],
  remote_copies: ['account_id', 'remote_id'],
  remote_bindings: ['account_id', 'remote_id', 'position'],
  inventory_syncs: ['account_id'],
  alert_notifications: ['channel', 'subject', 'not_after', 'threshold'],
  alert_webhooks: ['id'],
  deployments: ['id'],
  deployment_accounts: ['id'],
  deployment_resources: ['step_id', 'position'],
};

/**
 * In copy order. library_cas comes last: SQLite fills it by trigger while entry_certificates is
 * copied, so the copy empties it first and then takes the server's rows as they are.
 */
export const copiedTables: readonly { readonly table: CopiedTable; readonly key: readonly string[] }[] = (Object.keys(keys) as CopiedTable[])
  .sort((a, b) => Number(a === 'library_cas') - Number(b === 'library_cas'))
  .map((table) => ({ table, key: keys[table] }));
