import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { sql } from 'kysely';
import { parseTeamUrl } from '../../main/core/team/db/connection-url';
import { migratePostgresVault, requirePostgresVaultSchema } from '../../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../../main/core/db/pg/open';
import { openSqliteVaultDb, type VaultDb, type VaultEngine } from '../../main/core/db/vault-db';
import { startPgCluster, type PgCluster } from './pg-cluster';

// Runs a suite once per engine, so every store on the data layer is tested on both:
//
//   forEachEngine('webhook store', (open) => {
//     it('adds', async () => { const vault = await open(); ... });
//   });
//
// `open()` gives a fresh, migrated, empty vault: on SQLite a temp data folder, on PostgreSQL a new
// database in a throwaway cluster (one cluster per test file, started by the file's first
// PostgreSQL suite and stopped after its last test; a database per open()). Everything opened is
// closed (and its folder removed) after each test.

export type OpenVault = () => Promise<VaultDb>;

export const ENGINES: readonly VaultEngine[] = ['sqlite', 'postgres'];

let cluster: Promise<PgCluster> | null = null;
let stopRegistered = false;
let databases = 0;

/** The file's cluster, started by its first PostgreSQL suite. */
function fileCluster(): Promise<PgCluster> {
  cluster ??= startPgCluster();
  return cluster;
}

async function stopCluster(): Promise<void> {
  const running = cluster;
  cluster = null;
  if (running) await (await running).stop();
}

/** A new database on the cluster, with the vault schema applied as the admin action would. */
async function openPostgres(pg: PgCluster): Promise<VaultDb> {
  const name = `vault_${++databases}`;
  const admin = openPostgresVaultDb(connectionOf(pg, 'postgres'));
  try {
    await sql`CREATE DATABASE ${sql.id(name)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
  const connection = connectionOf(pg, name);
  const vault = openPostgresVaultDb(connection);
  try {
    await migratePostgresVault(vault.db);
    await requirePostgresVaultSchema(vault.db);
  } catch (error) {
    await vault.close();
    throw error;
  }
  return vault;
}

function connectionOf(pg: PgCluster, database: string) {
  const parsed = parseTeamUrl(pg.url({ database, query: 'sslmode=disable' }));
  return { address: parsed.address, password: parsed.password ?? '' };
}

/** Call at a test file's top level: the cluster is stopped after the file's last test. */
export function forEachEngine(name: string, body: (open: OpenVault) => void): void {
  if (!stopRegistered) {
    stopRegistered = true;
    afterAll(stopCluster, 60_000);
  }
  for (const engine of ENGINES) {
    describe(`${name} [${engine}]`, () => {
      const opened: { vault: VaultDb; cleanup: () => void }[] = [];
      let pg: PgCluster | null = null;
      if (engine === 'postgres') {
        beforeAll(async () => {
          pg = await fileCluster();
        }, 120_000);
      }
      afterEach(async () => {
        for (const { vault, cleanup } of opened.splice(0)) {
          await vault.close();
          cleanup();
        }
      });
      body(async () => {
        if (engine === 'sqlite') {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-engine-'));
          const vault = openSqliteVaultDb(dir);
          opened.push({ vault, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) });
          return vault;
        }
        const vault = await openPostgres(pg!);
        opened.push({ vault, cleanup: () => undefined });
        return vault;
      });
    });
  }
}
