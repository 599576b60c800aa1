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
// database in a throwaway cluster (one cluster per test file, started with the file's first
// PostgreSQL suite and stopped after its last; a database per open()). Everything opened is closed
// (and its folder removed) after each test.

export type OpenVault = () => Promise<VaultDb>;

export const ENGINES: readonly VaultEngine[] = ['sqlite', 'postgres'];

let cluster: Promise<PgCluster> | null = null;
let clusterUsers = 0;
let databases = 0;

async function acquireCluster(): Promise<PgCluster> {
  clusterUsers++;
  cluster ??= startPgCluster();
  return cluster;
}

async function releaseCluster(): Promise<void> {
  clusterUsers--;
  if (clusterUsers > 0 || !cluster) return;
  const running = cluster;
  cluster = null;
  await (await running).stop();
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

export function forEachEngine(name: string, body: (open: OpenVault) => void): void {
  for (const engine of ENGINES) {
    describe(`${name} [${engine}]`, () => {
      const opened: { vault: VaultDb; cleanup: () => void }[] = [];
      let pg: PgCluster | null = null;
      if (engine === 'postgres') {
        beforeAll(async () => {
          pg = await acquireCluster();
        }, 120_000);
        afterAll(() => releaseCluster(), 60_000);
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
