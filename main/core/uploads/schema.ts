// The tables of cloud accounts and upload history, applied as one numbered migration of the vault
// database (main/core/db). Secrets are not here: they live in the OS keychain, one entry per account.

export const accountsAndHistorySql = `
CREATE TABLE cloud_accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  cloud TEXT NOT NULL,
  region TEXT,
  endpoint TEXT,
  fields_json TEXT NOT NULL DEFAULT '{}',
  default_options_json TEXT NOT NULL DEFAULT '{}',
  -- 'keychain': the secret is in the OS keychain; 'environment': read from the cloud's usual
  -- environment variables at each use (servers without a keychain, e.g. a certbot deploy hook).
  secret_source TEXT NOT NULL DEFAULT 'keychain' CHECK (secret_source IN ('keychain', 'environment')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- One row per target of an upload, inserted as 'pending' before the request is sent.
-- account_name and cloud are copied so the record survives the account's deletion.
-- owner_pid tells a crashed process's pending rows from those of a live one (app and CLI share the file).
CREATE TABLE upload_history (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  certificate_id TEXT,
  fingerprint_sha256 TEXT NOT NULL,
  fingerprint_sha1 TEXT,
  common_name TEXT,
  dns_names_json TEXT NOT NULL DEFAULT '[]',
  not_after TEXT,
  account_id TEXT REFERENCES cloud_accounts(id) ON DELETE SET NULL,
  account_name TEXT NOT NULL,
  cloud TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'uploaded', 'duplicate', 'failed', 'unknown')),
  remote_id TEXT,
  request_id TEXT,
  error_code TEXT,
  error_message TEXT,
  error_hint_json TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  owner_pid INTEGER
) STRICT;

CREATE INDEX upload_history_certificate ON upload_history (certificate_id, started_at);
CREATE INDEX upload_history_fingerprint ON upload_history (fingerprint_sha256, account_id, status);
CREATE INDEX upload_history_account ON upload_history (account_id, started_at);
CREATE INDEX upload_history_cloud ON upload_history (cloud, started_at);
CREATE INDEX upload_history_status ON upload_history (status, started_at);
`;
