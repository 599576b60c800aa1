import { spawnSync } from 'node:child_process';

// `npm run bench [name...]`: runs every registered bench, or the named ones. Each bench module
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
  deploy: () => import('./deploy'),
};

async function runOne(name: string): Promise<void> {
  await (await benches[name]!()).run();
}

function runEach(names: readonly string[]): void {
  for (const name of names) {
    console.log(`== ${name}`);
    const env = { ...process.env, CERTVAULT_LOG: process.env.CERTVAULT_LOG ?? 'off' };
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
  const unknown = args.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
    process.exitCode = 2;
    return;
  }
  runEach(args.length > 0 ? args : Object.keys(benches));
}

main();
