// Import of 10,000 certificates with keys (or --size N; bench/library-fixture.ts) into a fresh vault: wall time,
// entries/s and peak RSS of this process, which stands for the main process. The keychain is an
// in-memory store: it is touched once per import (the data key), so the real one changes nothing here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Vault } from '../main/core/library/vault';
import { log } from '../main/core/log';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { LIBRARY_SIZE, libraryFixture } from './library-fixture';
import { recordGrowth, writeSection } from './report';
import { sizedTitle } from './size';

export async function run(): Promise<void> {
  log.setSink(null);
  const folder = await libraryFixture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-vault-'));
  const vault = Vault.open({ dataDir, secrets: new MemorySecretStore() });
  const baselineRss = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const result = await vault.importPaths([folder]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(startCpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const load = os.loadavg()[0]!.toFixed(1);
  // The process's high-water mark: nothing before the import (loading modules, finding the
  // fixture) comes near it, and no peak between two samples is missed.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const imported = result.counts.new;
  const withKeys = (await vault.keychainStatus()).sealedKeys;
  vault.close();
  const dbBytes = fs.statSync(path.join(dataDir, 'vault.db')).size;
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (imported !== LIBRARY_SIZE || result.counts.failed || withKeys !== LIBRARY_SIZE) {
    throw new Error(`bench import wrong: ${imported} imported, ${withKeys} with keys, ${result.counts.failed} failed`);
  }
  const rate = imported / seconds;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const cpuRate = imported / cpuSeconds;
  console.log(`imported ${imported} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} entries/s (${cpuRate.toFixed(0)} per CPU second, load ${load}), peak RSS ${mb(peakRss)} MB`);
  recordGrowth(LIBRARY_SIZE, [
    { measure: 'Import, entries/s (wall)', value: rate, digits: 0 },
    { measure: 'Import, entries per CPU second', value: cpuRate, digits: 0 },
    { measure: 'Import, peak RSS (MB)', value: peakRss / 1024 / 1024, digits: 0 },
  ]);
  writeSection(
    sizedTitle('Library import', LIBRARY_SIZE),
    `${LIBRARY_SIZE.toLocaleString('en')} generated EC P-256 leaf certificates with their keys (one PEM bundle per file, plus the CA certificate), imported as one folder into a fresh vault: every file parsed by the inspector and kept as DER plus the facts the library stores, chains and keys paired across files, each key sealed (AES-256-GCM), read, parsed, planned and written 1,000 files at a time (CA certificates kept for the chunks after them, keys and chains paired across chunks through the library), entries written 100 per transaction (each whole or not at all). Peak RSS is the process's high-water mark (\`process.resourceUsage().maxRSS\`), of a process running only this bench; "before" is its RSS with Node, tsx and every module loaded and the vault open, just before the import starts. Wall time and this process's CPU time (the machine is shared: load average ${load} on 2 cores during this run). Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.

| Entries | Time (s) | Entries/s | CPU time (s) | Entries per CPU second | RSS before (MB) | Peak RSS (MB) | vault.db (MB) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${imported} | ${seconds.toFixed(2)} | ${rate.toFixed(0)} | ${cpuSeconds.toFixed(2)} | ${cpuRate.toFixed(0)} | ${mb(baselineRss)} | ${mb(peakRss)} | ${mb(dbBytes)} |

Target: >= 2,000 entries/s and peak RSS <= 300 MB at 100,000 (>= 1,000 entries/s, RSS <= 200 MB at 10,000).`,
  );
}

