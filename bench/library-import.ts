// Import of 10,000 certificates with keys (or --size N; bench/library-fixture.ts) into a fresh vault,
// as `certvault import --json <folder>` runs it: the CLI command, its handler context and dispatch,
// files parsed in the parse worker thread, the JSON document written (to a sink that counts its
// bytes). Wall time, entries/s and the peak RSS of this process, which is what the CLI process
// (or the app's main process, which runs the same handler) holds. The keychain is an in-memory
// store: it is touched once per import (the data key), so the real one changes nothing here.
// `--engine postgres` (bench/engine.ts) imports into a team vault's database in a throwaway cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliHandlerContext } from '../main/cli/handler-context';
import { importCommand } from '../main/cli/import';
import { Vault } from '../main/core/library/vault';
import { log } from '../main/core/log';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { benchEngine, engineTitle } from './engine';
import { LIBRARY_SIZE, keepImportedVault, libraryFixture } from './library-fixture';
import { recordGrowth, writeSection } from './report';
import { sizedTitle } from './size';

export async function run(): Promise<void> {
  log.setSink(null);
  const folder = await libraryFixture();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-vault-'));
  const secrets = new MemorySecretStore();
  const engine = benchEngine();
  const postgres = engine === 'postgres' ? await (await import('./pg-vault')).openPostgresBenchVault(secrets) : null;
  const vault = postgres?.vault ?? Vault.open({ dataDir, secrets });
  let json = '';
  let stdoutBytes = 0;
  const io = {
    stdout: (output: string | Uint8Array) => {
      stdoutBytes += output.length;
      // Only the counts are read back; the rest is measured, not kept.
      if (typeof output === 'string' && output.includes('"counts"')) json = output.slice(output.lastIndexOf('"counts"'));
    },
    stderr: () => undefined,
    readStdin: async () => '',
    env: {},
  };
  const handlers = { ...cliHandlerContext({ dataDir, appVersion: 'bench', env: {} }), vault: () => vault };
  const baselineRss = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const startThreadCpu = process.threadCpuUsage();
  const code = await importCommand.run(['--json', folder], { io, handlers: () => handlers });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // The main thread's CPU time (reading files, planning, writing the vault), and the whole
  // process's, the parse worker's thread included: process.cpuUsage counts every thread.
  const cpuOf = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1e6;
  const cpuSeconds = cpuOf(process.threadCpuUsage(startThreadCpu));
  const processCpuSeconds = cpuOf(process.cpuUsage(startCpu));
  const load = os.loadavg()[0]!.toFixed(1);
  // The process's high-water mark, the parse worker's thread included: nothing before the import
  // (loading modules, finding the fixture) comes near it, and no peak between two samples is missed.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const counts = (JSON.parse(`{${json}`) as { counts: { new: number; failed: number } }).counts;
  const imported = counts.new;
  const withKeys = (await vault.keychainStatus()).sealedKeys;
  const postgresBytes = postgres ? await postgres.databaseBytes() : 0;
  // The PostgreSQL search bench loads these rows rather than importing the fixture again (bench/pg-vault.ts).
  if (postgres && imported === LIBRARY_SIZE && !counts.failed && withKeys === LIBRARY_SIZE) await postgres.keep();
  await (postgres ?? vault).close();
  // SQLite's file is measured once closed, its write-ahead log folded in.
  const dbBytes = postgres ? postgresBytes : fs.statSync(path.join(dataDir, 'vault.db')).size;
  if (code !== 0 || imported !== LIBRARY_SIZE || counts.failed || withKeys !== LIBRARY_SIZE) {
    throw new Error(`bench import wrong: exit ${code}, ${imported} imported, ${withKeys} with keys, ${counts.failed} failed`);
  }
  // The library benches after this one read this vault instead of importing the fixture again.
  if (postgres) fs.rmSync(dataDir, { recursive: true, force: true });
  else keepImportedVault(dataDir, secrets);
  const rate = imported / seconds;
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  const cpuRate = imported / cpuSeconds;
  const processCpuRate = imported / processCpuSeconds;
  console.log(`imported ${imported} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} entries/s (${cpuRate.toFixed(0)} per CPU second of the main thread, ${processCpuRate.toFixed(0)} of the process, load ${load}), peak RSS ${mb(peakRss)} MB`);
  recordGrowth(LIBRARY_SIZE, [
    { measure: 'Import, entries/s (wall)', value: rate, digits: 0 },
    { measure: 'Import, entries per main-thread CPU second', value: cpuRate, digits: 0 },
    { measure: 'Import, entries per process CPU second (parse worker included)', value: processCpuRate, digits: 0 },
    { measure: 'Import, peak RSS (MB)', value: peakRss / 1024 / 1024, digits: 0 },
  ], engine);
  writeSection(
    engineTitle(sizedTitle('Library import', LIBRARY_SIZE), engine),
    `${LIBRARY_SIZE.toLocaleString('en')} generated EC P-256 leaf certificates with their keys (one PEM bundle per file, plus the CA certificate), imported as one folder into a fresh vault (${postgres ? `a team vault: a migrated database on PostgreSQL ${postgres.serverVersion}, a throwaway cluster on this machine over loopback TCP, fsync off, so the server's CPU shares the same 2 cores` : 'vault.db, SQLite'}) by \`certvault import --json <folder>\` (the CLI command through its handler context; the app's main process runs the same handler): files walked as they are reached (counted first for progress), each parsed in the parse worker and kept as DER plus the facts the library stores, chains and keys paired across files, each key sealed (AES-256-GCM), planned and written 1,000 files at a time (CA certificates kept for the chunks after them, keys and chains paired across chunks through the library), entries written 100 per transaction (each whole or not at all), the outcome counted with the first 1,000 entries listed (${(stdoutBytes / 1024).toFixed(0)} KB of JSON). Peak RSS is the process's high-water mark (\`process.resourceUsage().maxRSS\`, the parse worker's thread included), of a process running only this bench; "before" is its RSS with Node, tsx and every module loaded and the vault open, just before the import starts. Wall time; the CPU time of the main thread (\`process.threadCpuUsage\`: reading files, planning, sealing, writing), and of the whole process (the parse worker's thread included). The machine is shared: load average ${load} on 2 cores during this run. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.

| Entries | Time (s) | Entries/s | Main-thread CPU time (s) | Entries per main-thread CPU second | Process CPU time (s) | Entries per process CPU second | RSS before (MB) | Peak RSS (MB) | ${postgres ? 'Database' : 'vault.db'} (MB) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${imported} | ${seconds.toFixed(2)} | ${rate.toFixed(0)} | ${cpuSeconds.toFixed(2)} | ${cpuRate.toFixed(0)} | ${processCpuSeconds.toFixed(2)} | ${processCpuRate.toFixed(0)} | ${mb(baselineRss)} | ${mb(peakRss)} | ${mb(dbBytes)} |

Target: >= 2,000 entries/s and peak RSS <= 300 MB at 100,000 (>= 1,000 entries/s, RSS <= 200 MB at 10,000).`,
  );
}
