import type { Kysely } from 'kysely';
import { searchRowidColumns } from '../../main/core/db/dialect-sql';
import type { VaultTables } from '../../main/core/db/tables';
import type { VaultEngine } from '../../main/core/db/vault-db';

/**
 * For a test that inserts an `entries` row itself: the row's search_rowid column (SQLite; none on
 * PostgreSQL, whose identity column numbers it), its text indexed at once, as an import's batch does.
 */
export async function searchRowidColumn(engine: VaultEngine, db: Kysely<VaultTables>, text: string): Promise<{ search_rowid?: number }> {
  const { columns, indexTexts } = await searchRowidColumns(engine, db, [text]);
  await indexTexts();
  return columns[0]!;
}
