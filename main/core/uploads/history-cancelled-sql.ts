// Migration 7: upload history learns 'cancelled'. SQLite cannot alter a CHECK constraint, so the
// table is rebuilt: a copy with the new constraint, every row moved over, the old table dropped and
// the copy renamed, its indexes made again. The migration runner wraps it in one transaction, so a
// failure leaves the version-6 table as it was. Nothing references upload_history, so dropping it
// under foreign_keys = ON deletes nothing else. Frozen with the migration: never edit, add a new one.

export const historyCancelledSql = `
CREATE TABLE upload_history_v7 (
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
  -- 'cancelled': the user stopped the target after at least one upload request had an answer.
  status TEXT NOT NULL CHECK (status IN ('pending', 'uploaded', 'duplicate', 'failed', 'cancelled', 'unknown')),
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

INSERT INTO upload_history_v7 (id, job_id, certificate_id, fingerprint_sha256, fingerprint_sha1, common_name, dns_names_json,
  not_after, account_id, account_name, cloud, status, remote_id, request_id, error_code, error_message, error_hint_json,
  attempts, duration_ms, started_at, finished_at, owner_pid)
SELECT id, job_id, certificate_id, fingerprint_sha256, fingerprint_sha1, common_name, dns_names_json,
  not_after, account_id, account_name, cloud, status, remote_id, request_id, error_code, error_message, error_hint_json,
  attempts, duration_ms, started_at, finished_at, owner_pid
FROM upload_history;

DROP TABLE upload_history;
ALTER TABLE upload_history_v7 RENAME TO upload_history;

CREATE INDEX upload_history_certificate ON upload_history (certificate_id, started_at);
CREATE INDEX upload_history_fingerprint ON upload_history (fingerprint_sha256, account_id, status);
CREATE INDEX upload_history_account ON upload_history (account_id, started_at);
CREATE INDEX upload_history_cloud ON upload_history (cloud, started_at);
CREATE INDEX upload_history_status ON upload_history (status, started_at);
`;
