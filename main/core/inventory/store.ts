import type Database from 'better-sqlite3';
import type { CloudId } from '../../../shared/model';
import type { RemoteCopyView } from '../../../shared/inventory';
import type { RemoteBinding, RemoteCopy } from '../../clouds/provider';
import { wrapBusy } from '../db/open';
import type { Match, MatchRule } from './match';

// The inventory tables: one account's copies are replaced as a whole, in one transaction, so a
// reader sees the previous sync or the new one, never half of each.

/** A remote copy as the last sync of its account recorded it, with its match in the library. */
export type StoredCopy = RemoteCopyView;

interface CopyRow {
  account_id: string;
  account: string;
  cloud: string;
  remote_id: string;
  name: string | null;
  common_name: string | null;
  dns_names: string;
  not_before: string | null;
  not_after: string | null;
  fingerprint_sha256: string | null;
  serial: string | null;
  issuer: string | null;
  library_id: string | null;
  matched_by: MatchRule | null;
  synced_at: string;
}

export interface SyncedCopy {
  readonly copy: RemoteCopy;
  readonly match: Match | null;
}

export class InventoryStore {
  constructor(private readonly db: Database.Database) {}

  /** Replaces everything recorded for the account with this sync's copies. */
  replaceAccount(accountId: string, copies: readonly SyncedCopy[], syncedAt: string): void {
    const insertCopy = this.db.prepare(`
      INSERT INTO remote_copies (account_id, remote_id, cloud, name, common_name, dns_names, not_before, not_after,
        fingerprint_sha256, serial, issuer, certificate_pem, library_id, matched_by, synced_at)
      VALUES (@accountId, @remoteId, @cloud, @name, @commonName, @dnsNames, @notBefore, @notAfter,
        @fingerprintSha256, @serial, @issuer, @certificatePem, @libraryId, @matchedBy, @syncedAt)`);
    const insertBinding = this.db.prepare(
      'INSERT INTO remote_bindings (account_id, remote_id, position, type, resource_id, name) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const replace = this.db.transaction(() => {
      this.db.prepare('DELETE FROM remote_copies WHERE account_id = ?').run(accountId);
      for (const { copy, match } of copies) {
        insertCopy.run({
          accountId,
          remoteId: copy.remoteId,
          cloud: copy.cloud,
          name: copy.name,
          commonName: copy.commonName,
          dnsNames: JSON.stringify(copy.dnsNames),
          notBefore: copy.notBefore,
          notAfter: copy.notAfter,
          fingerprintSha256: copy.fingerprintSha256,
          serial: copy.serial,
          issuer: copy.issuer,
          certificatePem: copy.certificatePem,
          libraryId: match?.libraryId ?? null,
          matchedBy: match?.matchedBy ?? null,
          syncedAt,
        });
        copy.bindings.forEach((binding, position) => insertBinding.run(accountId, copy.remoteId, position, binding.type, binding.id, binding.name));
      }
      this.db
        .prepare('INSERT INTO inventory_syncs (account_id, synced_at, certificates) VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET synced_at = excluded.synced_at, certificates = excluded.certificates')
        .run(accountId, syncedAt, copies.length);
    });
    wrapBusy(() => replace.immediate());
  }

  /** Every recorded copy, by account name then expiry; one account's when `accountId` is given. */
  list(accountId?: string): StoredCopy[] {
    const rows = this.db
      .prepare(
        `SELECT c.*, a.name AS account FROM remote_copies c JOIN cloud_accounts a ON a.id = c.account_id
         WHERE ? IS NULL OR c.account_id = ? ORDER BY a.name COLLATE NOCASE, c.not_after, c.remote_id`,
      )
      .all(accountId ?? null, accountId ?? null) as CopyRow[];
    const bindings = this.db
      .prepare('SELECT account_id, remote_id, type, resource_id, name FROM remote_bindings WHERE ? IS NULL OR account_id = ? ORDER BY account_id, remote_id, position')
      .all(accountId ?? null, accountId ?? null) as { account_id: string; remote_id: string; type: string; resource_id: string; name: string | null }[];
    const byCopy = new Map<string, RemoteBinding[]>();
    for (const row of bindings) {
      const key = `${row.account_id}\u0000${row.remote_id}`;
      byCopy.set(key, [...(byCopy.get(key) ?? []), { type: row.type, id: row.resource_id, name: row.name }]);
    }
    return rows.map((row) => ({
      accountId: row.account_id,
      account: row.account,
      cloud: row.cloud as CloudId,
      remoteId: row.remote_id,
      name: row.name,
      commonName: row.common_name,
      dnsNames: JSON.parse(row.dns_names) as string[],
      notBefore: row.not_before,
      notAfter: row.not_after,
      fingerprintSha256: row.fingerprint_sha256,
      serial: row.serial,
      issuer: row.issuer,
      libraryId: row.library_id,
      matchedBy: row.matched_by,
      syncedAt: row.synced_at,
      bindings: byCopy.get(`${row.account_id}\u0000${row.remote_id}`) ?? [],
    }));
  }

  /** The certificate PEM a sync stored for one copy (null: the cloud never returned it); undefined when no such copy is recorded. */
  certificatePem(accountId: string, remoteId: string): string | null | undefined {
    const row = this.db.prepare('SELECT certificate_pem FROM remote_copies WHERE account_id = ? AND remote_id = ?').get(accountId, remoteId) as
      | { certificate_pem: string | null }
      | undefined;
    return row ? row.certificate_pem : undefined;
  }

  /** Links a just-imported entry to the copy it came from and to every unmatched copy with its fingerprint. */
  matchImported(accountId: string, remoteId: string, libraryId: string, fingerprintSha256: string): void {
    this.db
      .prepare(
        `UPDATE remote_copies SET library_id = ?, matched_by = 'fingerprint'
         WHERE library_id IS NULL AND ((account_id = ? AND remote_id = ?) OR fingerprint_sha256 = ?)`,
      )
      .run(libraryId, accountId, remoteId, fingerprintSha256);
  }

  /** When each account last synced and how many certificates it held then. */
  lastSyncs(): Map<string, { readonly syncedAt: string; readonly certificates: number }> {
    const rows = this.db.prepare('SELECT account_id, synced_at, certificates FROM inventory_syncs').all() as { account_id: string; synced_at: string; certificates: number }[];
    return new Map(rows.map((row) => [row.account_id, { syncedAt: row.synced_at, certificates: row.certificates }]));
  }
}
