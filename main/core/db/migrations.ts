import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { accountsAndHistorySql } from '../uploads/schema';
import { linkAllAsOfVersion4 } from './migration-4-lineage';
import { inventorySql } from '../inventory/schema';
import { alertsSql } from '../alerts/schema';
import { deploymentsSql } from '../deploy/schema';
import { historyCancelledSql } from '../uploads/history-cancelled-sql';

// Numbered schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
// A migration is never edited once released: a change is a new number.

export interface Migration {
  readonly version: number;
  readonly up: (db: Database.Database) => void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    up: (db) => {
      db.exec(`
        -- One row per vault: its id (names the data key in the keychain, so two vaults on one
        -- machine never share or overwrite a key) and a check value that tells whether the key
        -- found in the keychain is the one the sealed keys were written with.
        CREATE TABLE vault_meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;

        CREATE TABLE entries (
          id                 TEXT PRIMARY KEY,
          fingerprint_sha256 TEXT NOT NULL UNIQUE,
          name               TEXT NOT NULL,
          common_name        TEXT,
          dns_names          TEXT NOT NULL,          -- JSON array
          subject            TEXT NOT NULL,
          issuer             TEXT NOT NULL,
          issuer_common_name TEXT,
          serial_number      TEXT NOT NULL,
          not_before         TEXT NOT NULL,          -- ISO 8601 UTC, sorts as text
          not_after          TEXT NOT NULL,
          key_algorithm      TEXT NOT NULL,
          key_size           INTEGER,
          curve              TEXT,
          is_ca              INTEGER NOT NULL,
          tags               TEXT NOT NULL,          -- JSON array
          notes              TEXT NOT NULL,
          source_file        TEXT,
          imported_at        TEXT NOT NULL,
          updated_at         TEXT NOT NULL,
          has_key            INTEGER NOT NULL,
          sm2_dual           INTEGER NOT NULL,
          -- The certificate's searchable text (CN, SANs, subject, issuer, serial, fingerprints),
          -- lowercased; fixed at import, so an edit of name/tags/notes only re-joins it.
          cert_terms         TEXT NOT NULL,
          -- cert_terms + name, tags and notes, lowercased. Indexed by entries_search (trigram) for
          -- terms of 3+ characters; shorter terms, which match most rows anyway, scan it with instr().
          search_text        TEXT NOT NULL,
          search_rowid       INTEGER NOT NULL UNIQUE
        ) STRICT;
        -- Substring search in time proportional to the matches, not the library (bench/library-search.ts).
        CREATE VIRTUAL TABLE entries_search USING fts5(text, tokenize = 'trigram');
        CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN
          DELETE FROM entries_search WHERE rowid = old.search_rowid;
        END;
        CREATE INDEX entries_not_after ON entries(not_after);
        CREATE INDEX entries_name ON entries(name COLLATE NOCASE);
        CREATE INDEX entries_imported_at ON entries(imported_at);
        CREATE INDEX entries_common_name ON entries(common_name COLLATE NOCASE);
        -- The exact expression search.ts sorts the issuer column by, so the sort can walk the index.
        CREATE INDEX entries_issuer ON entries(coalesce(issuer_common_name, issuer) COLLATE NOCASE);

        -- The leaf (position 0), then its chain in order; an SM2 dual entry adds its encryption
        -- certificate with role 'sm2-encrypt'.
        CREATE TABLE entry_certificates (
          entry_id           TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
          position           INTEGER NOT NULL,
          role               TEXT NOT NULL CHECK (role IN ('leaf', 'chain', 'sm2-encrypt')),
          fingerprint_sha256 TEXT NOT NULL,
          -- SHA-256 of the SubjectPublicKeyInfo: finds the entry a key imported on its own belongs to.
          spki_sha256        TEXT NOT NULL,
          der                BLOB NOT NULL,
          PRIMARY KEY (entry_id, position)
        ) STRICT;
        CREATE INDEX entry_certificates_spki ON entry_certificates(spki_sha256) WHERE role != 'chain';

        -- Private keys, AES-256-GCM sealed (seal.ts). Deleting an entry deletes its keys.
        CREATE TABLE sealed_keys (
          entry_id      TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
          role          TEXT NOT NULL CHECK (role IN ('leaf', 'sm2-encrypt')),
          key_algorithm TEXT NOT NULL,
          nonce         BLOB NOT NULL,
          ciphertext    BLOB NOT NULL,
          PRIMARY KEY (entry_id, role)
        ) STRICT;
      `);
      db.prepare('INSERT INTO vault_meta (key, value) VALUES (?, ?)').run('vault_id', randomBytes(8).toString('hex'));
    },
  },
  // Cloud accounts (secrets in the keychain, not here) and the upload history (main/core/uploads).
  { version: 2, up: (db) => db.exec(accountsAndHistorySql) },
  {
    version: 3,
    up: (db) => {
      db.exec(`
        -- The library list (library/search.ts): one index per sortable column, each holding the
        -- sort key, the tie-breaker (search_rowid, unique) and every filtered column, so a window in
        -- any order, at any depth, with any filter, and the count of matches, walk one index and
        -- never the wide entry rows; only the window's rows are read. The sort expressions must be
        -- search.ts's SORT_SQL, character for character (tests/unit/vault/search.test.ts checks).
        DROP INDEX entries_not_after;
        DROP INDEX entries_name;
        DROP INDEX entries_imported_at;
        DROP INDEX entries_common_name;
        DROP INDEX entries_issuer;
        CREATE INDEX entries_by_name ON entries(name COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_common_name ON entries(common_name COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_dns_names ON entries(dns_names COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_issuer ON entries(coalesce(issuer_common_name, issuer) COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_serial_number ON entries(serial_number, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_fingerprint ON entries(fingerprint_sha256, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_not_before ON entries(not_before, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_not_after ON entries(not_after, search_rowid, has_key, is_ca);
        CREATE INDEX entries_by_key_algorithm ON entries(key_algorithm, key_size, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_has_key ON entries(has_key, search_rowid, not_after, is_ca);
        CREATE INDEX entries_by_is_ca ON entries(is_ca, search_rowid, not_after, has_key);
        CREATE INDEX entries_by_tags ON entries(tags COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_source_file ON entries(source_file COLLATE NOCASE, search_rowid, not_after, has_key, is_ca);
        CREATE INDEX entries_by_imported_at ON entries(imported_at, search_rowid, not_after, has_key, is_ca);
      `);
    },
  },
  {
    version: 4,
    up: (db) => {
      db.exec(`
        -- Renewal lineage (library/lineage.ts): the entry this one renews. Deleting that entry
        -- relinks to the next older one in code; SET NULL is the floor if anything else deletes.
        ALTER TABLE entries ADD COLUMN renews_id TEXT REFERENCES entries(id) ON DELETE SET NULL;
        CREATE INDEX entries_renews ON entries(renews_id);
        -- Each entry's names (DNS SANs and CN, lowercased): finds the entries a certificate may
        -- renew, or be renewed by, without reading the library.
        CREATE TABLE entry_names (
          name     TEXT NOT NULL,
          entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
          PRIMARY KEY (name, entry_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX entry_names_entry ON entry_names(entry_id);
        -- Which data key sealed each key (library/data-key.ts). Starting a new data key after the
        -- keychain lost the old one raises the vault's generation: the older keys stay, marked
        -- unrecoverable, until the same key is imported again.
        ALTER TABLE sealed_keys ADD COLUMN data_key_generation INTEGER NOT NULL DEFAULT 1;
      `);
      linkAllAsOfVersion4(db);
    },
  },
  // Remote copies and their bindings (main/core/inventory).
  { version: 5, up: (db) => db.exec(inventorySql) },
  // What expiry alerts were already sent (main/core/alerts).
  { version: 6, up: (db) => db.exec(alertsSql) },
  // Upload history records a cancelled target as 'cancelled', not 'failed' (main/core/uploads).
  { version: 7, up: (db) => db.exec(historyCancelledSql) },
  // The deployment history (main/core/deploy).
  { version: 8, up: (db) => db.exec(deploymentsSql) },
  {
    version: 9,
    // Nothing a single-entry request runs reads the whole library (bench/library-search.ts, CLI
    // start at 100,000 entries). IF NOT EXISTS / OR IGNORE: safe to apply again under a new number.
    up: (db) => {
      db.exec(`
        -- The library's CA certificates, once each: every chain certificate and every CA entry's
        -- own. Inspecting one entry ends its chain at one of them (vault.ts detail); reading them
        -- from entry_certificates meant reading every entry's chain row, 100,000 for 100,000
        -- leaves of one CA. Kept by the triggers below, whatever writes or deletes an entry.
        CREATE TABLE IF NOT EXISTS library_cas (
          fingerprint_sha256 TEXT PRIMARY KEY,
          der                BLOB NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS entry_certificates_fingerprint ON entry_certificates(fingerprint_sha256);
        CREATE TRIGGER IF NOT EXISTS library_cas_insert AFTER INSERT ON entry_certificates
        WHEN new.role = 'chain' OR (new.role = 'leaf' AND (SELECT is_ca FROM entries WHERE id = new.entry_id) = 1)
        BEGIN
          INSERT OR IGNORE INTO library_cas (fingerprint_sha256, der) VALUES (new.fingerprint_sha256, new.der);
        END;
        CREATE TRIGGER IF NOT EXISTS library_cas_delete AFTER DELETE ON entry_certificates
        WHEN NOT EXISTS (
          SELECT 1 FROM entry_certificates c JOIN entries e ON e.id = c.entry_id
          WHERE c.fingerprint_sha256 = old.fingerprint_sha256 AND (c.role = 'chain' OR (c.role = 'leaf' AND e.is_ca = 1))
        )
        BEGIN
          DELETE FROM library_cas WHERE fingerprint_sha256 = old.fingerprint_sha256;
        END;
        INSERT OR IGNORE INTO library_cas (fingerprint_sha256, der)
          SELECT c.fingerprint_sha256, c.der FROM entry_certificates c JOIN entries e ON e.id = c.entry_id
          WHERE c.role = 'chain' OR (c.role = 'leaf' AND e.is_ca = 1);
        -- The keychain status counts keys by data key generation (library/data-key.ts) from this
        -- narrow index instead of reading every sealed key.
        CREATE INDEX IF NOT EXISTS sealed_keys_generation ON sealed_keys(data_key_generation);
      `);
    },
  },
  {
    version: 10,
    // Who holds a running deployment step or a pending upload (main/core/db/row-owner.ts): a
    // refusal names them, and the crash sweep judges another machine's rows by their heartbeat,
    // since a process id means nothing off its own machine.
    up: (db) => {
      db.exec(`
        ALTER TABLE deployment_accounts ADD COLUMN owner_machine TEXT;
        ALTER TABLE deployment_accounts ADD COLUMN owner_name TEXT;
        ALTER TABLE deployment_accounts ADD COLUMN heartbeat_at TEXT;
        ALTER TABLE upload_history ADD COLUMN owner_machine TEXT;
        ALTER TABLE upload_history ADD COLUMN owner_name TEXT;
        ALTER TABLE upload_history ADD COLUMN heartbeat_at TEXT;
      `);
    },
  },
  {
    version: 11,
    // The radar (main/core/inventory/radar-source.ts) reads every entry after any change of the
    // database: from this covering index, in its own order, it scans a narrow B-tree instead of
    // every wide row (at 100,000 entries about half the CPU, and nothing left to sort). The
    // expression is the one firstJsonElement writes, so the query is answered from the index alone.
    // No PostgreSQL counterpart: it answers no `->>` expression from an index alone, and
    // entries_by_not_after already gives it the order.
    up: (db) => db.exec(`CREATE INDEX IF NOT EXISTS entries_radar ON entries(not_after, name, id, common_name, json_extract(dns_names, '$[0]'), is_ca);`),
  },
  {
    version: 12,
    // Shared cloud accounts of a team vault (main/core/accounts/team-secret.ts). The local vault
    // never holds one: the CHECK of migration 2 still refuses secret_source 'team' here; the
    // columns exist so both engines keep one schema (tests/integration/db/schema-parity.test.ts).
    up: (db) => {
      db.exec(`
        ALTER TABLE cloud_accounts ADD COLUMN secret_nonce BLOB;
        ALTER TABLE cloud_accounts ADD COLUMN secret_sealed BLOB;
        ALTER TABLE cloud_accounts ADD COLUMN secret_key_version INTEGER;
        ALTER TABLE cloud_accounts ADD COLUMN owner_member_id TEXT;
      `);
    },
  },
];

export const latestVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);
