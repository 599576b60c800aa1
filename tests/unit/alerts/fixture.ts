import type Database from 'better-sqlite3';
import { sqliteVaultDb, type VaultDb } from '../../../main/core/db/vault-db';
import { memoryDatabase } from '../uploads/support/vault';

// A vault database with library entries and remote copies written as the library and a sync write them.

const DAY_MS = 86_400_000;

export const START = new Date('2026-01-01T09:00:00.000Z');

export function inDays(days: number, from: Date = START): string {
  return new Date(from.getTime() + days * DAY_MS).toISOString();
}

export interface AlertVault {
  readonly db: Database.Database;
  /** The same connection on the data layer, as the alerts read it. */
  readonly vaultDb: VaultDb;
  entry(id: string, fields: { cn: string; notAfter: string; renews?: string; isCa?: boolean; dns?: string[] }): void;
  copy(account: string, remoteId: string, fields: { cn: string | null; notAfter: string | null; libraryId?: string; dns?: string[] }): void;
}

export function alertVault(db: Database.Database = memoryDatabase()): AlertVault {
  let rowid = db.prepare('SELECT coalesce(max(search_rowid), 0) FROM entries').pluck().get() as number;
  const entry = db.prepare(`INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, serial_number, not_before, not_after,
    key_algorithm, is_ca, tags, notes, imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text, search_rowid, renews_id)
    VALUES (@id, @id, @id, @cn, @dns, 'CN=x', 'CN=ca', '01', '2025-01-01T00:00:00.000Z', @notAfter, 'RSA', @isCa, '[]', '', 'now', 'now', 0, 0, '', '', @rowid, @renews)`);
  const account = db.prepare(`INSERT OR IGNORE INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES (?, ?, 'tencent', 'now', 'now')`);
  const copy = db.prepare(`INSERT INTO remote_copies (account_id, remote_id, cloud, common_name, dns_names, not_after, library_id, matched_by, synced_at)
    VALUES (?, ?, 'tencent', ?, ?, ?, ?, ?, 'now')`);
  return {
    db,
    vaultDb: sqliteVaultDb(db, { owned: false }),
    entry: (id, fields) =>
      entry.run({ id, cn: fields.cn, dns: JSON.stringify(fields.dns ?? [fields.cn]), notAfter: fields.notAfter, isCa: fields.isCa ? 1 : 0, rowid: (rowid += 1), renews: fields.renews ?? null }),
    copy: (name, remoteId, fields) => {
      account.run(`acct-${name}`, name);
      copy.run(`acct-${name}`, remoteId, fields.cn, JSON.stringify(fields.dns ?? []), fields.notAfter, fields.libraryId ?? null, fields.libraryId ? 'fingerprint' : null);
    },
  };
}
