import type { Insertable } from 'kysely';
import type { CloudId } from '../../../shared/model';
import type { RemoteCopyView } from '../../../shared/inventory';
import type { RemoteBinding, RemoteCopy } from '../../clouds/provider';
import { nocase } from '../db/dialect-sql';
import type { RemoteBindingsTable, RemoteCopiesTable } from '../db/tables';
import type { VaultDb } from '../db/vault-db';
import type { Match } from './match';

// The inventory tables: one account's copies are replaced as a whole, in one transaction, so a
// reader sees the previous sync or the new one, never half of each.

/** A remote copy as the last sync of its account recorded it, with its match in the library. */
export type StoredCopy = RemoteCopyView;

export interface SyncedCopy {
  readonly copy: RemoteCopy;
  readonly match: Match | null;
}

/** Rows per INSERT: few statement texts for SQLite's cache, few round trips to PostgreSQL, well under either's parameter limit. */
const INSERT_BATCH = 100;

export class InventoryStore {
  constructor(private readonly vault: VaultDb) {}

  /** Replaces everything recorded for the account with this sync's copies. */
  async replaceAccount(accountId: string, copies: readonly SyncedCopy[], syncedAt: string): Promise<void> {
    const copyRows = copies.map(({ copy, match }): Insertable<RemoteCopiesTable> => ({
      account_id: accountId,
      remote_id: copy.remoteId,
      cloud: copy.cloud,
      name: copy.name,
      common_name: copy.commonName,
      dns_names: JSON.stringify(copy.dnsNames),
      not_before: copy.notBefore,
      not_after: copy.notAfter,
      fingerprint_sha256: copy.fingerprintSha256,
      serial: copy.serial,
      issuer: copy.issuer,
      certificate_pem: copy.certificatePem,
      library_id: match?.libraryId ?? null,
      matched_by: match?.matchedBy ?? null,
      synced_at: syncedAt,
    }));
    const bindingRows = copies.flatMap(({ copy }) =>
      copy.bindings.map((binding, position): Insertable<RemoteBindingsTable> => ({
        account_id: accountId,
        remote_id: copy.remoteId,
        position,
        type: binding.type,
        resource_id: binding.id,
        name: binding.name,
      })),
    );
    await this.vault.db.transaction().execute(async (trx) => {
      // The account's bindings go with its copies (ON DELETE CASCADE).
      await trx.deleteFrom('remote_copies').where('account_id', '=', accountId).execute();
      for (let start = 0; start < copyRows.length; start += INSERT_BATCH) {
        await trx.insertInto('remote_copies').values(copyRows.slice(start, start + INSERT_BATCH)).execute();
      }
      for (let start = 0; start < bindingRows.length; start += INSERT_BATCH) {
        await trx.insertInto('remote_bindings').values(bindingRows.slice(start, start + INSERT_BATCH)).execute();
      }
      await trx
        .insertInto('inventory_syncs')
        .values({ account_id: accountId, synced_at: syncedAt, certificates: copies.length })
        .onConflict((conflict) => conflict.column('account_id').doUpdateSet((eb) => ({ synced_at: eb.ref('excluded.synced_at'), certificates: eb.ref('excluded.certificates') })))
        .execute();
    });
  }

  /** Every recorded copy, by account name then expiry (copies without one first); one account's when `accountId` is given. */
  async list(accountId?: string): Promise<StoredCopy[]> {
    let copies = this.vault.db
      .selectFrom('remote_copies as c')
      .innerJoin('cloud_accounts as a', 'a.id', 'c.account_id')
      .selectAll('c')
      .select('a.name as account')
      .orderBy(nocase(this.vault.engine, 'a.name'))
      // SQLite's order for NULLs, asked for explicitly: PostgreSQL puts them last by default.
      .orderBy('c.not_after', (order) => order.asc().nullsFirst())
      .orderBy('c.remote_id');
    let bindings = this.vault.db
      .selectFrom('remote_bindings')
      .select(['account_id', 'remote_id', 'type', 'resource_id', 'name'])
      .orderBy('account_id')
      .orderBy('remote_id')
      .orderBy('position');
    if (accountId !== undefined) {
      copies = copies.where('c.account_id', '=', accountId);
      bindings = bindings.where('account_id', '=', accountId);
    }
    const [rows, bindingRows] = [await copies.execute(), await bindings.execute()];
    const byCopy = new Map<string, RemoteBinding[]>();
    for (const row of bindingRows) {
      const key = `${row.account_id}\u0000${row.remote_id}`;
      const list = byCopy.get(key);
      const binding = { type: row.type, id: row.resource_id, name: row.name };
      if (list) list.push(binding);
      else byCopy.set(key, [binding]);
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
  async certificatePem(accountId: string, remoteId: string): Promise<string | null | undefined> {
    const row = await this.vault.db
      .selectFrom('remote_copies')
      .select('certificate_pem')
      .where('account_id', '=', accountId)
      .where('remote_id', '=', remoteId)
      .executeTakeFirst();
    return row ? row.certificate_pem : undefined;
  }

  /** Links a just-imported entry to the copy it came from and to every unmatched copy with its fingerprint. */
  async matchImported(accountId: string, remoteId: string, libraryId: string, fingerprintSha256: string): Promise<void> {
    await this.vault.db
      .updateTable('remote_copies')
      .set({ library_id: libraryId, matched_by: 'fingerprint' })
      .where('library_id', 'is', null)
      .where((eb) => eb.or([eb.and([eb('account_id', '=', accountId), eb('remote_id', '=', remoteId)]), eb('fingerprint_sha256', '=', fingerprintSha256)]))
      .execute();
  }

  /** When each account last synced and how many certificates it held then. */
  async lastSyncs(): Promise<Map<string, { readonly syncedAt: string; readonly certificates: number }>> {
    const rows = await this.vault.db.selectFrom('inventory_syncs').select(['account_id', 'synced_at', 'certificates']).execute();
    return new Map(rows.map((row) => [row.account_id, { syncedAt: row.synced_at, certificates: row.certificates }]));
  }
}
