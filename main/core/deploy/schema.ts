// The deployment history (main/core/deploy), migration 8. Like the upload history, every row is
// written before the request it records is sent, and a row left 'running' by a process that is
// gone becomes 'unknown' at the next open, until `check` settles it by reading the cloud's state.
// Account names and clouds are copied so a record survives the account's deletion.

export const deploymentsSql = `
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  -- The library entry deployed; no foreign key, so the record outlives the entry's removal.
  certificate_id TEXT NOT NULL,
  fingerprint_sha256 TEXT NOT NULL,
  common_name TEXT,
  rollback_of TEXT REFERENCES deployments(id) ON DELETE SET NULL,
  options_json TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX deployments_certificate ON deployments (certificate_id, started_at);
CREATE INDEX deployments_started ON deployments (started_at);

-- One account's step: move the resources serving old_remote_id to new_remote_id.
-- handle_json is the cloud's task reference (DeployHandle), stored as soon as the start call
-- answers, so a restarted app resumes watching instead of starting again. sealed_* holds the old
-- certificate's material for an in-place rollback, sealed with the vault's data key (seal.ts).
CREATE TABLE deployment_accounts (
  id TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  account_id TEXT REFERENCES cloud_accounts(id) ON DELETE SET NULL,
  account_name TEXT NOT NULL,
  cloud TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('rebind', 'in-place')),
  old_remote_id TEXT,
  new_remote_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'deployed', 'partial', 'failed', 'unknown', 'rolled-back')),
  -- 'planned' until the first request of the step; 'sent' once the start (or rollback) call may have gone out.
  phase TEXT NOT NULL CHECK (phase IN ('planned', 'sent')),
  handle_json TEXT,
  retired_json TEXT NOT NULL DEFAULT '[]',
  verified_json TEXT NOT NULL DEFAULT '[]',
  error_json TEXT,
  sealed_nonce BLOB,
  sealed_material BLOB,
  owner_pid INTEGER,
  started_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX deployment_accounts_deployment ON deployment_accounts (deployment_id, position);
CREATE INDEX deployment_accounts_status ON deployment_accounts (status, account_id);

CREATE TABLE deployment_resources (
  step_id TEXT NOT NULL REFERENCES deployment_accounts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  name TEXT,
  action TEXT NOT NULL CHECK (action IN ('replace', 'bind', 'skip', 'blocked')),
  -- The DeployResource as discovered: what a rollback or a check must send back unchanged.
  resource_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'deployed', 'failed', 'unknown', 'rolled-back', 'rollback-failed')),
  error_json TEXT,
  PRIMARY KEY (step_id, position)
) STRICT;
`;
