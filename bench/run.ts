import { spawnSync } from 'node:child_process';
import { ENGINE_ENV } from './engine';
import { SIZE_ENV } from './size';

// `npm run bench [-- --size N] [--engine sqlite|postgres] [name...]`: runs every registered bench, or the named ones. The
// library benches measure a library of N entries (10,000 unless --size says otherwise, 100,000 for
// the growth figures; bench/library-fixture.ts), which every child process finds in CERTVAULT_BENCH_SIZE,
// on the engine --engine names (SQLite unless it says postgres; bench/engine.ts, CERTVAULT_BENCH_ENGINE). Each bench module
// exports `run()`, prints its numbers and rewrites its own section of docs/performance.md.
// Every bench gets a process of its own, so one bench's memory high-water mark or warm caches
// never show up in another's numbers.

const benches: Readonly<Record<string, () => Promise<{ run(): Promise<void> | void }>>> = {
  sign: () => import('./sign'),
  inspect: () => import('./inspect'),
  'upload-fanout': () => import('./upload-fanout'),
  'upload-ratelimit': () => import('./upload-ratelimit'),
  'library-import': () => import('./library-import'),
  'library-lineage': () => import('./library-lineage'),
  'library-search': () => import('./library-search'),
  'library-render': () => import('./library-render'),
  'overview-render': () => import('./overview-render'),
  'hostile-chain': () => import('./hostile-chain'),
  'inventory-sync': () => import('./inventory-sync'),
  'cli-start': () => import('./cli-start'),
  deploy: () => import('./deploy'),
  'db-statements': () => import('./db-statements'),
  'team-notify': () => import('./team-notify'),
  'team-snapshot': () => import('./team-snapshot'),
  'team-import-concurrent': () => import('./team-import-concurrent'),
};

/** The benches that measure the library on either engine; the others know only SQLite. */
const POSTGRES_BENCHES = ['library-import', 'library-search'];

async function runOne(name: string): Promise<void> {
  await (await benches[name]!()).run();
}

function runEach(names: readonly string[], size: string | undefined, engine: string | undefined): void {
  for (const name of names) {
    console.log(`== ${name}${size ? ` (${size} entries)` : ''}${engine ? ` on ${engine}` : ''}`);
    const env = {
      ...process.env,
      CERTVAULT_LOG: process.env.CERTVAULT_LOG ?? 'off',
      ...(size ? { [SIZE_ENV]: size } : {}),
      ...(engine ? { [ENGINE_ENV]: engine } : {}),
    };
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--one', name], { stdio: 'inherit', env });
    if (child.status !== 0) {
      console.error(`bench ${name} failed (exit ${child.status ?? child.signal})`);
      process.exitCode = 1;
    }
  }
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--one' && args[1]) {
    void runOne(args[1]);
    return;
  }
  const sizeAt = args.indexOf('--size');
  const size = sizeAt === -1 ? undefined : args.splice(sizeAt, 2)[1];
  if (sizeAt !== -1 && !(size && /^[1-9][0-9]*$/.test(size))) {
    console.error(`--size takes a number of entries, e.g. --size 100000 (got ${size ?? 'nothing'})`);
    process.exitCode = 2;
    return;
  }
  const engineAt = args.indexOf('--engine');
  const engine = engineAt === -1 ? undefined : args.splice(engineAt, 2)[1];
  if (engineAt !== -1 && engine !== 'sqlite' && engine !== 'postgres') {
    console.error(`--engine takes sqlite or postgres (got ${engine ?? 'nothing'})`);
    process.exitCode = 2;
    return;
  }
  if (engine === 'postgres') {
    const other = (args.length > 0 ? args : Object.keys(benches)).filter((name) => !POSTGRES_BENCHES.includes(name));
    if (other.length > 0) {
      console.error(`--engine postgres runs only ${POSTGRES_BENCHES.join(', ')} (not ${other.join(', ')}): name them`);
      process.exitCode = 2;
      return;
    }
  }
  const unknown = args.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
    process.exitCode = 2;
    return;
  }
  runEach(args.length > 0 ? args : Object.keys(benches), size, engine);
}

main();
