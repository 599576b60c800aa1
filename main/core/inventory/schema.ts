// The inventory tables (main/core/inventory), applied as one numbered migration of the vault
// database: what each cloud account held at its last successful sync, and what each copy serves.
// A sync replaces one account's rows in one transaction, so a failed sync leaves the previous one.

export const inventorySql = `
CREATE TABLE remote_copies (
  account_id         TEXT NOT NULL REFERENCES cloud_accounts(id) ON DELETE CASCADE,
  remote_id          TEXT NOT NULL,
  cloud              TEXT NOT NULL,
  name               TEXT,
  common_name        TEXT,
  dns_names          TEXT NOT NULL,          -- JSON array
  not_before         TEXT,                   -- ISO 8601 UTC
  not_after          TEXT,
  fingerprint_sha256 TEXT,
  serial             TEXT,
  issuer             TEXT,
  -- The certificate chain as the cloud returned it (public); never a key.
  certificate_pem    TEXT,
  library_id         TEXT REFERENCES entries(id) ON DELETE SET NULL,
  matched_by         TEXT CHECK (matched_by IN ('fingerprint', 'serial', 'names')),
  synced_at          TEXT NOT NULL,
  PRIMARY KEY (account_id, remote_id)
) STRICT;
CREATE INDEX remote_copies_not_after ON remote_copies(not_after);
CREATE INDEX remote_copies_library ON remote_copies(library_id);

CREATE TABLE remote_bindings (
  account_id  TEXT NOT NULL,
  remote_id   TEXT NOT NULL,
  position    INTEGER NOT NULL,
  type        TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  name        TEXT,
  PRIMARY KEY (account_id, remote_id, position),
  FOREIGN KEY (account_id, remote_id) REFERENCES remote_copies(account_id, remote_id) ON DELETE CASCADE
) STRICT;

-- The last successful sync of each account.
CREATE TABLE inventory_syncs (
  account_id   TEXT PRIMARY KEY REFERENCES cloud_accounts(id) ON DELETE CASCADE,
  synced_at    TEXT NOT NULL,
  certificates INTEGER NOT NULL
) STRICT;
`;
