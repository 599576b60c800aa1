import type { Transaction } from 'kysely';
import type { VaultTables } from '../db/tables';
import { sealingContext as deployRollbackContext } from '../deploy/engine';
import { sealingContext as libraryKeyContext } from '../library/store';
import { sharedSecretContext } from '../accounts/team-secret';
import { resealAll, type SealedBlob } from './crypto/reseal';

// Everything a team vault keeps sealed with the team key, re-sealed under a new one inside the
// rotation's transaction: the library's private keys, the material kept for rolling back a
// deployment and the secrets of shared cloud accounts. Each keeps the associated data it was sealed with (its row), so it stays bound to it.

export interface ResealCounts {
  readonly keys: number;
  readonly rollbacks: number;
  readonly accounts: number;
}

export async function resealTeamVault(tx: Transaction<VaultTables>, oldKey: Buffer, newKey: Buffer, newKeyVersion: number): Promise<ResealCounts> {
  const keys = await tx.selectFrom('sealed_keys').select(['entry_id', 'role', 'nonce', 'ciphertext']).orderBy('entry_id').orderBy('role').forUpdate().execute();
  const rollbacks = await tx
    .selectFrom('deployment_accounts')
    .select(['id', 'sealed_nonce', 'sealed_material'])
    .where('sealed_nonce', 'is not', null)
    .where('sealed_material', 'is not', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  const accounts = await tx
    .selectFrom('cloud_accounts')
    .select(['id', 'secret_nonce', 'secret_sealed'])
    .where('secret_source', '=', 'team')
    .orderBy('id')
    .forUpdate()
    .execute();
  const blobs: SealedBlob[] = [
    ...keys.map((row) => ({ id: `key:${libraryKeyContext(row.entry_id, row.role)}`, associatedData: libraryKeyContext(row.entry_id, row.role), sealed: { nonce: row.nonce, ciphertext: row.ciphertext } })),
    ...rollbacks.map((row) => ({ id: `rollback:${row.id}`, associatedData: deployRollbackContext(row.id), sealed: { nonce: row.sealed_nonce!, ciphertext: row.sealed_material! } })),
    ...accounts.map((row) => ({ id: `account:${row.id}`, associatedData: sharedSecretContext(row.id), sealed: { nonce: row.secret_nonce!, ciphertext: row.secret_sealed! } })),
  ];
  // All opened before anything is written: a blob the old key cannot open stops the rotation.
  const resealed = resealAll(blobs, oldKey, newKey);
  for (const [index, row] of keys.entries()) {
    const { sealed } = resealed[index]!;
    await tx.updateTable('sealed_keys').set({ nonce: sealed.nonce, ciphertext: sealed.ciphertext }).where('entry_id', '=', row.entry_id).where('role', '=', row.role).execute();
  }
  for (const [index, row] of rollbacks.entries()) {
    const { sealed } = resealed[keys.length + index]!;
    await tx.updateTable('deployment_accounts').set({ sealed_nonce: sealed.nonce, sealed_material: sealed.ciphertext }).where('id', '=', row.id).execute();
  }
  for (const [index, row] of accounts.entries()) {
    const { sealed } = resealed[keys.length + rollbacks.length + index]!;
    await tx.updateTable('cloud_accounts').set({ secret_nonce: sealed.nonce, secret_sealed: sealed.ciphertext, secret_key_version: newKeyVersion }).where('id', '=', row.id).execute();
  }
  return { keys: keys.length, rollbacks: rollbacks.length, accounts: accounts.length };
}
