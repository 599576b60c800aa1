import type { ColumnType, Generated } from 'kysely';

// The vault's tables as Kysely sees them, on both engines: what migrations.ts (SQLite, frozen) and
// pg/migrations.ts (PostgreSQL) create. One interface per table; a column's TypeScript type is what
// both drivers return for it, so one store reads and writes both engines alike:
// - text (ISO 8601 UTC timestamps included, which sort as text) -> string;
// - SQLite INTEGER / PostgreSQL bigint -> number (vault-db.ts makes pg parse int8 as a number and
//   refuses one beyond 2^53); flags are 0/1 on both, as the SQLite code has always written them;
// - SQLite BLOB / PostgreSQL bytea -> Buffer.
// `Generated` marks a column a row may omit on insert because the schema fills it (DEFAULT).
// A column added by a migration is added here in the same change.

/** A 0/1 flag, the same on both engines (SQLite has no boolean; PostgreSQL keeps the same shape). */
export type Flag = 0 | 1;

export interface VaultMetaTable {
  key: string;
  value: string;
}

export interface EntriesTable {
  id: string;
  fingerprint_sha256: string;
  name: string;
  common_name: string | null;
  /** JSON array */
  dns_names: string;
  subject: string;
  issuer: string;
  issuer_common_name: string | null;
  serial_number: string;
  not_before: string;
  not_after: string;
  key_algorithm: string;
  key_size: number | null;
  curve: string | null;
  is_ca: Flag;
  /** JSON array */
  tags: string;
  notes: string;
  source_file: string | null;
  imported_at: string;
  updated_at: string;
  has_key: Flag;
  sm2_dual: Flag;
  cert_terms: string;
  search_text: string;
  /**
   * SQLite: the rowid of the entry's entries_search row, taken from that insert; PostgreSQL: an
   * identity column, which the insert leaves to its default. dialect-sql.ts `searchRowidColumns`.
   */
  search_rowid: Generated<number>;
  renews_id: Generated<string | null>;
}

/**
 * SQLite only: the FTS5 trigram index over entries.search_text (PostgreSQL indexes the column itself
 * with pg_trgm). Kysely sees the two columns a store touches; `MATCH` is in dialect-sql.ts.
 */
export interface EntriesSearchTable {
  rowid: Generated<number>;
  text: string;
}

export interface EntryCertificatesTable {
  entry_id: string;
  position: number;
  role: 'leaf' | 'chain' | 'sm2-encrypt';
  fingerprint_sha256: string;
  spki_sha256: string;
  der: Buffer;
}

export interface SealedKeysTable {
  entry_id: string;
  role: 'leaf' | 'sm2-encrypt';
  key_algorithm: string;
  nonce: Buffer;
  ciphertext: Buffer;
  data_key_generation: Generated<number>;
}

export interface EntryNamesTable {
  name: string;
  entry_id: string;
}

/** Kept by triggers on entry_certificates; stores only read it. */
export interface LibraryCasTable {
  fingerprint_sha256: string;
  der: Buffer;
}

export interface CloudAccountsTable {
  id: string;
  name: string;
  cloud: string;
  region: string | null;
  endpoint: string | null;
  fields_json: Generated<string>;
  default_options_json: Generated<string>;
  secret_source: Generated<'keychain' | 'environment' | 'team'>;
  created_at: string;
  updated_at: string;
  /** A shared account's secret, sealed with the team key of `secret_key_version` (team vaults only). */
  secret_nonce: Buffer | null;
  secret_sealed: Buffer | null;
  secret_key_version: number | null;
  /** On a team vault: the member whose keychain holds a personal account's secret. */
  owner_member_id: string | null;
}

export type UploadStatus = 'pending' | 'uploaded' | 'duplicate' | 'failed' | 'cancelled' | 'unknown';

export interface UploadHistoryTable {
  id: string;
  job_id: string;
  certificate_id: string | null;
  fingerprint_sha256: string;
  fingerprint_sha1: string | null;
  common_name: string | null;
  dns_names_json: Generated<string>;
  not_after: string | null;
  account_id: string | null;
  account_name: string;
  cloud: string;
  status: UploadStatus;
  remote_id: string | null;
  request_id: string | null;
  error_code: string | null;
  error_message: string | null;
  error_hint_json: string | null;
  attempts: Generated<number>;
  duration_ms: number | null;
  started_at: string;
  finished_at: string | null;
  owner_pid: number | null;
  /** Host name of the process holding the row (main/core/db/row-owner.ts). */
  owner_machine: string | null;
  /** Who holds it: the member's name on a team vault, the OS user otherwise. */
  owner_name: string | null;
  /** Refreshed while the holder runs: another machine's row is abandoned once this is older than the lease. */
  heartbeat_at: string | null;
}

export interface RemoteCopiesTable {
  account_id: string;
  remote_id: string;
  cloud: string;
  name: string | null;
  common_name: string | null;
  /** JSON array */
  dns_names: string;
  not_before: string | null;
  not_after: string | null;
  fingerprint_sha256: string | null;
  serial: string | null;
  issuer: string | null;
  certificate_pem: string | null;
  library_id: string | null;
  matched_by: 'fingerprint' | 'serial' | 'names' | null;
  synced_at: string;
}

export interface RemoteBindingsTable {
  account_id: string;
  remote_id: string;
  position: number;
  type: string;
  resource_id: string;
  name: string | null;
}

export interface InventorySyncsTable {
  account_id: string;
  synced_at: string;
  certificates: number;
}

export interface AlertNotificationsTable {
  channel: string;
  /** 'library:<entry id>' or 'remote:<account id>:<remote id>' */
  subject: string;
  not_after: string;
  /** 'expired' or a number of days */
  threshold: string;
  notified_at: string;
}

export type WebhookKindColumn = 'wecom' | 'dingtalk' | 'feishu' | 'slack' | 'json';

export interface AlertWebhooksTable {
  id: string;
  name: string;
  kind: WebhookKindColumn;
  created_at: string;
}

export interface DeploymentsTable {
  id: string;
  certificate_id: string;
  fingerprint_sha256: string;
  common_name: string | null;
  rollback_of: string | null;
  options_json: string;
  started_at: string;
  finished_at: string | null;
}

export interface DeploymentAccountsTable {
  id: string;
  deployment_id: string;
  position: number;
  account_id: string | null;
  account_name: string;
  cloud: string;
  mode: 'rebind' | 'in-place';
  old_remote_id: string | null;
  new_remote_id: string | null;
  status: 'running' | 'deployed' | 'partial' | 'failed' | 'unknown' | 'rolled-back';
  phase: 'planned' | 'sent';
  handle_json: string | null;
  retired_json: Generated<string>;
  verified_json: Generated<string>;
  error_json: string | null;
  sealed_nonce: Buffer | null;
  sealed_material: Buffer | null;
  owner_pid: number | null;
  /** Host name of the process holding the row (main/core/db/row-owner.ts). */
  owner_machine: string | null;
  /** Who holds it: the member's name on a team vault, the OS user otherwise. */
  owner_name: string | null;
  /** Refreshed while the holder runs: another machine's row is abandoned once this is older than the lease. */
  heartbeat_at: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface DeploymentResourcesTable {
  step_id: string;
  position: number;
  type: string;
  resource_id: string;
  name: string | null;
  action: 'replace' | 'bind' | 'skip' | 'blocked';
  resource_json: string;
  status: 'pending' | 'running' | 'deployed' | 'failed' | 'unknown' | 'rolled-back' | 'rollback-failed';
  error_json: string | null;
}

/** PostgreSQL only: the vault schema's migration record (SQLite keeps `PRAGMA user_version`). */
export interface VaultSchemaVersionTable {
  version: number;
  applied_at: ColumnType<Date, never, never>;
}

/** Every vault table on both engines. Names never clash with the team tables (team/db/schema.ts). */
export interface VaultTables {
  vault_meta: VaultMetaTable;
  entries: EntriesTable;
  entries_search: EntriesSearchTable;
  entry_certificates: EntryCertificatesTable;
  sealed_keys: SealedKeysTable;
  entry_names: EntryNamesTable;
  library_cas: LibraryCasTable;
  cloud_accounts: CloudAccountsTable;
  upload_history: UploadHistoryTable;
  remote_copies: RemoteCopiesTable;
  remote_bindings: RemoteBindingsTable;
  inventory_syncs: InventorySyncsTable;
  alert_notifications: AlertNotificationsTable;
  alert_webhooks: AlertWebhooksTable;
  deployments: DeploymentsTable;
  deployment_accounts: DeploymentAccountsTable;
  deployment_resources: DeploymentResourcesTable;
  vault_schema_version: VaultSchemaVersionTable;
}
