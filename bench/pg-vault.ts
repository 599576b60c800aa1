import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { migratePostgresVault } from '../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../main/core/db/pg/open';
import type { VaultTables } from '../main/core/db/tables';
import { LocalDataKeys } from '../main/core/library/data-key';
import { Vault } from '../main/core/library/vault';
import { parseTeamUrl } from '../main/core/team/db/connection-url';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { findPostgresBinDir, startPgCluster, type PgCluster } from '../tests/support/pg-cluster';
import { FIXTURE_VERSION, LIBRARY_SIZE, fixtureCacheDir, keychainOf, libraryFixture, writeKeychain } from './library-fixture';

// The library benches' PostgreSQL vault (bench/engine.ts): kept apart so that run.ts and the
// SQLite-only benches never load pg or start anything.

const run = promisify(execFile);

export interface PostgresBenchVault {
  readonly vault: Vault;
  /** The server's major version, for the report. */
  readonly serverVersion: string;
  /** The vault's database, for EXPLAIN and statistics beside the Vault's own queries. */
  readonly db: Kysely<VaultTables>;
  /**
   * CPU time the server's processes have run so far, in ms (the kernel's schedstat, ns exact): the
   * difference around a call is what the server spent on it, which the client's CPU time leaves out
   * and which, unlike wall time, waiting for the shared cores does not inflate.
   */
  serverCpuMs(): number;
  /** Size of the vault's database on disk (pg_database_size), tables and indexes. */
  databaseBytes(): Promise<number>;
  /**
   * The tables as autovacuum leaves them on a server in use: planner statistics, and the visibility
   * map that lets an index-only scan skip the table (an import's 10,000 inserts pass autovacuum's
   * insert threshold of 1,000 + 20 % of the table, so it runs within a minute of the import).
   */
  settle(): Promise<void>;
  /**
   * Keeps this vault's rows (the fixture of `count` entries, imported and checked) for
   * `populatedPostgresBenchVault`, unless rows of that size and columns are kept already.
   */
  keep(count?: number): Promise<void>;
  /** Closes the vault, stops the cluster and removes its folder. */
  close(): Promise<void>;
}

/** An empty, migrated PostgreSQL vault in a throwaway cluster, as the admin action creates it. */
export async function openPostgresBenchVault(secrets = new MemorySecretStore()): Promise<PostgresBenchVault> {
  const cluster = await startPgCluster();
  try {
    return await openOn(cluster, secrets);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function openOn(cluster: PgCluster, secrets: MemorySecretStore): Promise<PostgresBenchVault> {
  const parsed = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const vaultDb = openPostgresVaultDb({ address: parsed.address, password: parsed.password ?? '' });
  try {
    await migratePostgresVault(vaultDb.db);
    const version = await sql<{ server_version: string }>`SHOW server_version`.execute(vaultDb.db);
    const vault = Vault.over({ vaultDb, dataKeys: new LocalDataKeys(vaultDb, secrets), now: () => new Date() });
    return {
      vault,
      serverVersion: version.rows[0]!.server_version.split(' ')[0]!,
      db: vaultDb.db,
      serverCpuMs: () => serverCpuMs(cluster),
      databaseBytes: async () =>
        Number((await sql<{ bytes: string }>`SELECT pg_database_size(current_database()) AS bytes`.execute(vaultDb.db)).rows[0]!.bytes),
      settle: async () => {
        await sql`VACUUM (ANALYZE)`.execute(vaultDb.db);
      },
      keep: async (count = LIBRARY_SIZE) => {
        const kept = await keptDir(vaultDb.db, count);
        if (fs.existsSync(path.join(kept, 'complete'))) return;
        fs.rmSync(kept, { recursive: true, force: true });
        fs.mkdirSync(kept, { recursive: true });
        await pgTool('pg_dump', ['--data-only', '--format=custom', `--exclude-table-data=${SCHEMA_VERSION_TABLE}`, `--file=${path.join(kept, DUMP_FILE)}`], cluster);
        writeKeychain(kept, secrets);
        fs.writeFileSync(path.join(kept, 'complete'), '');
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
    await vaultDb.close();
    throw error;
  }
}

/**
 * A PostgreSQL vault holding the fixture, for the benches that measure reading it. Importing
 * 100,000 entries into PostgreSQL takes over 12 minutes, so the first run keeps the imported rows
 * (a data-only pg_dump, with the bench keychain) in the bench cache beside the SQLite vault, keyed
 * by size and by the vault tables' columns, and later runs load them into a freshly migrated vault.
 * The key leaves out the indexes on purpose: a change to them in the unreleased migration 1 (the
 * plans this bench checks) still loads the kept rows, and the indexes are built by the current
 * migration's own definitions after the load.
 */
export async function populatedPostgresBenchVault(count = LIBRARY_SIZE): Promise<PostgresBenchVault> {
  const cluster = await startPgCluster();
  try {
    const secrets = new MemorySecretStore();
    const bench = await openOn(cluster, secrets);
    const kept = await keptDir(bench.db, count);
    if (fs.existsSync(path.join(kept, 'complete'))) {
      await bench.close();
      return await loadedVault(kept);
    }
    const imported = await bench.vault.importPaths([await libraryFixture(count)]);
    if (imported.counts.new !== count) throw new Error(`bench vault wrong: ${imported.counts.new} of ${count} imported`);
    await bench.keep(count);
    return bench;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

const DUMP_FILE = 'vault-data.dump';
const SCHEMA_VERSION_TABLE = 'vault_schema_version';

/** A fresh cluster, migrated, with the kept rows loaded and the migration's indexes built over them. */
async function loadedVault(kept: string): Promise<PostgresBenchVault> {
  const cluster = await startPgCluster();
  try {
    const bench = await openOn(cluster, keychainOf(kept));
    const tables = (
      await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> ${SCHEMA_VERSION_TABLE}`.execute(bench.db)
    ).rows.map((row) => row.name);
    // Migration 1 writes the vault's id; the kept rows bring the one their data key belongs to.
    await sql`TRUNCATE ${sql.join(tables.map((name) => sql.id(name)))} CASCADE`.execute(bench.db);
    // Loading into bare tables and building each index once is minutes faster than maintaining the
    // trigram index row by row; the indexes behind constraints stay (the load checks nothing, it
    // runs with triggers off, but they are cheap b-trees).
    const indexes = (
      await sql<{ name: string; definition: string }>`
        SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
        JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname)
        WHERE i.schemaname = current_schema() AND i.tablename <> ${SCHEMA_VERSION_TABLE}
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = c.oid)`.execute(bench.db)
    ).rows;
    for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(bench.db);
    await pgTool('pg_restore', ['--data-only', '--disable-triggers', '--single-transaction', path.join(kept, DUMP_FILE)], cluster);
    await sql`SET maintenance_work_mem = '256MB'`.execute(bench.db);
    for (const index of indexes) await sql.raw(index.definition).execute(bench.db);
    return bench;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** The postmaster's and its children's (backends, autovacuum, writers) CPU time, in ms. */
function serverCpuMs(cluster: PgCluster): number {
  const postmaster = fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
  const children = fs.readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  let ns = 0;
  for (const pid of [postmaster, ...children]) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A backend that ended between the two reads: its time is gone with it.
    }
  }
  return ns / 1e6;
}

/** Where the rows of `count` entries are kept, for the vault tables' columns and types as migrated now: a kept dump loads only into the same. */
async function keptDir(db: Kysely<VaultTables>, count: number): Promise<string> {
  const columns = await sql<{ line: string }>`
    SELECT table_name || '.' || column_name || ' ' || data_type AS line FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`.execute(db);
  const key = createHash('sha256').update(columns.rows.map((row) => row.line).join('\n')).digest('hex').slice(0, 12);
  return path.join(fixtureCacheDir(), `pg-vault-v${FIXTURE_VERSION}-${count}-${key}`);
}

async function pgTool(program: 'pg_dump' | 'pg_restore', args: readonly string[], cluster: PgCluster): Promise<void> {
  const bin = findPostgresBinDir();
  if (!bin) throw new Error('PostgreSQL client binaries (pg_dump, pg_restore) not found beside the server');
  const connection = ['--host=127.0.0.1', `--port=${cluster.port}`, `--username=${cluster.superuser}`, program === 'pg_dump' ? 'postgres' : '--dbname=postgres'];
  await run(path.join(bin, program), [...connection, ...args], { env: { ...process.env, PGPASSWORD: cluster.password }, maxBuffer: 16 * 1024 * 1024 });
}
