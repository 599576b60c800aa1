import { dataRevisionToken } from './dialect-sql';
import type { VaultDb } from './vault-db';

/**
 * A token that changes whenever anything commits a change to the vault database: this process,
 * the CLI in another process, or another member of a team vault (how, per engine: dialect-sql.ts
 * `dataRevisionToken`). What is computed from the whole database can be kept until it changes.
 * Read it BEFORE reading what it keys: a commit in between then changes it again, so what was read
 * is at worst newer than the token says (a needless rebuild next time), never older.
 */
export function dataRevision(vault: VaultDb): Promise<string> {
  return dataRevisionToken(vault.engine, vault.db);
}
