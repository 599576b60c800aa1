// What renewal lineage (main/core/library/lineage.ts) costs an import: the 10,000-entry library of
// bench/library-fixture.ts imported, then every link built again two ways, CPU time each: entry by
// entry as an import links them (Lineage.linkNew, in one transaction), and all at once as
// migration 4 does for an existing library (linkAllAsOfVersion4). The fixture's hosts are all distinct, so
// this is the cost every import pays; a lineage adds a few rows per renewal on top.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { linkAllAsOfVersion4 } from '../main/core/db/migration-4-lineage';
import { sqliteVaultDb } from '../main/core/db/vault-db';
import { Lineage, type FactsRow } from '../main/core/library/lineage';
import { Vault } from '../main/core/library/vault';
import { log } from '../main/core/log';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { LIBRARY_SIZE, libraryFixture } from './library-fixture';
import { writeSection } from './report';

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function cpuMsAsync(work: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export async function run(): Promise<void> {
  log.setSink(null);
  const folder = await libraryFixture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-lineage-'));
  const vault = Vault.open({ dataDir, secrets: new MemorySecretStore() });
  const importStart = process.cpuUsage();
  const result = await vault.importPaths([folder]);
  const importUsed = process.cpuUsage(importStart);
  await vault.close();
  const importMs = (importUsed.user + importUsed.system) / 1000;
  const db = new Database(path.join(dataDir, 'vault.db'));
  const unlink = () => db.exec('UPDATE entries SET renews_id = NULL; DELETE FROM entry_names;');
  // What the store hands linkNew for each entry it has just inserted.
  const rows = db.prepare('SELECT id, key_algorithm, is_ca, common_name, dns_names, not_after, not_before, fingerprint_sha256, renews_id, name FROM entries').all() as FactsRow[];
  unlink();
  const vaultDb = sqliteVaultDb(db, { owned: false });
  const lineage = new Lineage(vaultDb);
  const perEntryMs = await cpuMsAsync(() =>
    vaultDb.db.transaction().execute(async (trx) => {
      for (const row of rows) await lineage.linkNew(trx, { ...row, renews_id: null });
    }),
  );
  unlink();
  const allMs = cpuMs(() => db.transaction(() => linkAllAsOfVersion4(db))());
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (result.counts.new !== LIBRARY_SIZE) throw new Error(`bench import wrong: ${result.counts.new} imported`);
  const load = os.loadavg()[0]!.toFixed(1);
  const us = (ms: number) => ((ms * 1000) / rows.length).toFixed(0);
  console.log(`lineage: ${us(perEntryMs)} us/entry linked one by one, ${us(allMs)} us/entry all at once; import ${us(importMs)} us/entry (load ${load})`);
  writeSection(
    'Renewal lineage',
    `The ${rows.length.toLocaleString('en')} entries of "Library import" linked again, CPU time of this process (load average ${load} on 2 cores during this run): one by one as an import links each new entry (names indexed, predecessor and renewals looked up), and all at once as migration 4 links an existing library. The whole import's CPU time per entry, linking included, for scale. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.

| Entries | Linked one by one (µs/entry) | All at once (µs/entry) | Whole import (µs/entry) | Share of the import |
| ---: | ---: | ---: | ---: | ---: |
| ${rows.length} | ${us(perEntryMs)} | ${us(allMs)} | ${us(importMs)} | ${((100 * perEntryMs) / importMs).toFixed(0)}% |`,
  );
}
