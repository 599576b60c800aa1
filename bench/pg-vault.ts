import { sql } from 'kysely';
import { migratePostgresVault } from '../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../main/core/db/pg/open';
import { LocalDataKeys } from '../main/core/library/data-key';
import { Vault } from '../main/core/library/vault';
import { parseTeamUrl } from '../main/core/team/db/connection-url';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { startPgCluster } from '../tests/support/pg-cluster';

// The library benches' PostgreSQL vault (bench/engine.ts): kept apart so that run.ts and the
// SQLite-only benches never load pg or start anything.

export interface PostgresBenchVault {
  readonly vault: Vault;
  /** The server's major version, for the report. */
  readonly serverVersion: string;
  /** Size of the vault's database on disk (pg_database_size), tables and indexes. */
  databaseBytes(): Promise<number>;
  /**
   * The tables as autovacuum leaves them on a server in use: planner statistics, and the visibility
   * map that lets an index-only scan skip the table (an import's 10,000 inserts pass autovacuum's
   * insert threshold of 1,000 + 20 % of the table, so it runs within a minute of the import).
   */
  settle(): Promise<void>;
  /** Closes the vault, stops the cluster and removes its folder. */
  close(): Promise<void>;
}

/** An empty, migrated PostgreSQL vault in a throwaway cluster, as the admin action creates it. */
export async function openPostgresBenchVault(secrets = new MemorySecretStore()): Promise<PostgresBenchVault> {
  const cluster = await startPgCluster();
  try {
    const parsed = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
    const vaultDb = openPostgresVaultDb({ address: parsed.address, password: parsed.password ?? '' });
    await migratePostgresVault(vaultDb.db);
    const version = await sql<{ server_version: string }>`SHOW server_version`.execute(vaultDb.db);
    const vault = Vault.over({ vaultDb, dataKeys: new LocalDataKeys(vaultDb, secrets), now: () => new Date() });
    return {
      vault,
      serverVersion: version.rows[0]!.server_version.split(' ')[0]!,
      databaseBytes: async () =>
        Number((await sql<{ bytes: string }>`SELECT pg_database_size(current_database()) AS bytes`.execute(vaultDb.db)).rows[0]!.bytes),
      settle: async () => {
        await sql`VACUUM (ANALYZE)`.execute(vaultDb.db);
      },
      close: async () => {
        try {
          await vault.close();
          // Vault.over leaves the database to its opener.
          await vaultDb.close();
        } finally {
          await cluster.stop();
        }
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
