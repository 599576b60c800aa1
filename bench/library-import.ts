// Import of 10,000 certificates with keys (or --size N; bench/library-fixture.ts) into a fresh vault
// by `certvault import --json <folder>`, measured in two processes:
// - the shipped CLI: the bundle dist/cli/certvault.cjs (built from this checkout first) executed as a
//   user runs it, through its shebang, in a child process under scripts/with-keyring.sh (it keeps
//   its data key in the system keychain: a throwaway one there), watched by bench/import-probe.cjs;
// - this process: the CLI command, its handler context and dispatch run in-process under tsx, with
//   an in-memory keychain (touched once per import, for the data key), so the main thread's CPU is
//   measured apart from the process's and the vault is kept for the library benches after this one.
// Both parse in the parse worker thread and write the JSON document (here to a sink that counts its
// bytes). Wall time, entries/s, CPU time and peak RSS of each process; the app's main process runs
// the same handler. `--engine postgres` (bench/engine.ts) imports into a team vault's database in
// a throwaway cluster, in this process only (the shipped CLI reaches a team vault through a
// signed-in member, which this bench has not).
import { spawnSync } from 'node:child_process';
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

const ROOT = path.join(__dirname, '..');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** What bench/import-probe.cjs reports from inside the shipped CLI. */
interface ProbeReport {
  readonly seconds: number;
  readonly rssAtWorkerStart: number | null;
  readonly maxRss: number;
  readonly peak: { readonly mainHeap: number; readonly mainYoung: number; readonly mainOld: number; readonly workerHeap: number; readonly external: number };
  readonly mainThreadCpuSeconds: number;
  readonly processCpuSeconds: number;
}

interface ShippedRun extends ProbeReport {
  readonly imported: number;
  readonly vaultBytes: number;
}

function importByShippedCli(folder: string): ShippedRun {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--main-only'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bench: building the CLI bundle failed: ${built.stderr || built.stdout}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-cli-'));
  try {
    const home = path.join(scratch, 'vault');
    const probeFile = path.join(scratch, 'probe.json');
    const cli = path.join(ROOT, 'dist/cli/certvault.cjs');
    const child = spawnSync('sh', [path.join(ROOT, 'scripts/with-keyring.sh'), cli, '--home', home, 'import', '--json', folder], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        // The shebang's `env` finds this Node first, as a user's PATH finds theirs.
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        NODE_OPTIONS: `--require ${path.join(__dirname, 'import-probe.cjs')}`,
        CERTVAULT_BENCH_PROBE: probeFile,
        CERTVAULT_LOG: 'off',
      },
    });
    if (child.status !== 0 || !fs.existsSync(probeFile)) throw new Error(`bench: the shipped CLI's import failed (exit ${child.status ?? child.signal}): ${child.stderr.slice(-2000)}`);
    const counts = (JSON.parse(child.stdout) as { counts: { new: number; failed: number } }).counts;
    if (counts.new !== LIBRARY_SIZE || counts.failed) throw new Error(`bench: the shipped CLI imported ${counts.new}, ${counts.failed} failed`);
    const probe = JSON.parse(fs.readFileSync(probeFile, 'utf8')) as ProbeReport;
    return { ...probe, imported: counts.new, vaultBytes: fs.statSync(path.join(home, 'vault.db')).size };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  log.setSink(null);
  const folder = await libraryFixture();
  // First, so its load average is read before this process's own import.
  const shipped = benchEngine() === 'sqlite' ? importByShippedCli(folder) : null;
  const shippedLoad = os.loadavg()[0]!.toFixed(1);
  // Printed now: at 100,000 the in-process import after it takes as long again.
  if (shipped) console.log(`shipped CLI: imported ${shipped.imported} in ${shipped.seconds.toFixed(2)} s (load ${shippedLoad}), peak RSS ${mb(shipped.maxRss)} MB (${mb(shipped.rssAtWorkerStart ?? 0)} MB when the parse worker started; largest heaps: main thread ${mb(shipped.peak.mainHeap)} MB of which young ${mb(shipped.peak.mainYoung)} MB and old ${mb(shipped.peak.mainOld)} MB, parse worker ${mb(shipped.peak.workerHeap)} MB, external ${mb(shipped.peak.external)} MB)`);
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
  const cpuRate = imported / cpuSeconds;
  const processCpuRate = imported / processCpuSeconds;
  console.log(`in-process: imported ${imported} in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} entries/s (${cpuRate.toFixed(0)} per CPU second of the main thread, ${processCpuRate.toFixed(0)} of the process, load ${load}), peak RSS ${mb(peakRss)} MB`);
  const row = (who: string, r: { seconds: number; mainCpu: number; processCpu: number; before: number | null; peak: number; dbBytes: number }) =>
    `| ${who} | ${imported} | ${r.seconds.toFixed(2)} | ${(imported / r.seconds).toFixed(0)} | ${r.mainCpu.toFixed(2)} | ${(imported / r.mainCpu).toFixed(0)} | ${r.processCpu.toFixed(2)} | ${(imported / r.processCpu).toFixed(0)} | ${r.before === null ? '-' : mb(r.before)} | ${mb(r.peak)} | ${mb(r.dbBytes)} |`;
  const rows = [row('this process (tsx)', { seconds, mainCpu: cpuSeconds, processCpu: processCpuSeconds, before: baselineRss, peak: peakRss, dbBytes })];
  if (shipped) {
    rows.unshift(row('`certvault` (dist/cli/certvault.cjs)', { seconds: shipped.seconds, mainCpu: shipped.mainThreadCpuSeconds, processCpu: shipped.processCpuSeconds, before: shipped.rssAtWorkerStart, peak: shipped.maxRss, dbBytes: shipped.vaultBytes }));
  }
  recordGrowth(LIBRARY_SIZE, [
    { measure: 'Import, entries/s (wall)', value: rate, digits: 0 },
    { measure: 'Import, entries per main-thread CPU second', value: cpuRate, digits: 0 },
    { measure: 'Import, entries per process CPU second (parse worker included)', value: processCpuRate, digits: 0 },
    { measure: 'Import, peak RSS (MB)', value: peakRss / 1024 / 1024, digits: 0 },
    ...(shipped ? [{ measure: 'Import, peak RSS of the shipped CLI (MB)', value: shipped.maxRss / 1024 / 1024, digits: 0 }] : []),
  ], engine);
  const shippedText = shipped
    ? ` Two processes: \`certvault\` is the shipped CLI, the bundle dist/cli/certvault.cjs built from this checkout and executed through its shebang as a user runs it, in a child process under scripts/with-keyring.sh (a throwaway system keychain holds its data key), its memory and CPU read by bench/import-probe.cjs inside it (load average ${shippedLoad} at its end); its time is the child's whole life (Node's start, the vault opened and migrated, the files counted), its "before" the RSS when the parse worker starts (every module loaded, the vault open, the files counted), and its largest heaps were: main thread ${mb(shipped.peak.mainHeap)} MB (young generation ${mb(shipped.peak.mainYoung)} MB, old ${mb(shipped.peak.mainOld)} MB), parse worker ${mb(shipped.peak.workerHeap)} MB, external memory ${mb(shipped.peak.external)} MB (sampled every 250 ms). "This process" runs the CLI command in-process under tsx with an in-memory keychain, after the shipped CLI; its "before" is its RSS with Node, tsx and every module loaded and the vault open, just before the import starts.`
    : ' "Before" is the RSS with Node, tsx and every module loaded and the vault open, just before the import starts.';
  writeSection(
    engineTitle(sizedTitle('Library import', LIBRARY_SIZE), engine),
    `${LIBRARY_SIZE.toLocaleString('en')} generated EC P-256 leaf certificates with their keys (one PEM bundle per file, plus the CA certificate), imported as one folder into a fresh vault (${postgres ? `a team vault: a migrated database on PostgreSQL ${postgres.serverVersion}, a throwaway cluster on this machine over loopback TCP, fsync off, so the server's CPU shares the same 2 cores` : 'vault.db, SQLite'}) by \`certvault import --json <folder>\` (the app's main process runs the same handler): files walked as they are reached (counted first for progress), each read and parsed in the parse worker (64 files per trip) and kept as DER plus the facts the library stores, chains and keys paired across files, each key sealed (AES-256-GCM), planned and written 500 files at a time (CA certificates kept for the chunks after them, keys and chains paired across chunks through the library), entries written 100 per transaction (each whole or not at all)${postgres ? '' : ', as a bulk write from 5,000 files (main/core/db/bulk-write.ts: the list\'s 15 sort indexes and the new entries\' trigram index rows built once at the end, which the time includes)'}, the outcome counted with the first 1,000 entries listed (${(stdoutBytes / 1024).toFixed(0)} KB of JSON). Peak RSS is the process's high-water mark (\`process.resourceUsage().maxRSS\`, the parse worker's thread included), of a process running only this bench.${shippedText} Wall time; the CPU time of the main thread (\`process.threadCpuUsage\`: reading files, planning, sealing, writing), and of the whole process (the parse worker's thread included). The machine is shared: load average ${load} on 2 cores at the end of the in-process run. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.

| Process | Entries | Time (s) | Entries/s | Main-thread CPU time (s) | Entries per main-thread CPU second | Process CPU time (s) | Entries per process CPU second | RSS before (MB) | Peak RSS (MB) | ${postgres ? 'Database' : 'vault.db'} (MB) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

Target: >= 2,000 entries/s and peak RSS <= 300 MB at 100,000 (>= 1,000 entries/s, RSS <= 200 MB at 10,000).`,
  );
}
