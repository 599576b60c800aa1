// `npm run bench [name...]`: runs every registered bench, or the named ones. Each bench module
// exports `run()`, prints its numbers and rewrites its own section of docs/performance.md.

const benches: Readonly<Record<string, () => Promise<{ run(): Promise<void> | void }>>> = {
  sign: () => import('./sign'),
  inspect: () => import('./inspect'),
  'upload-fanout': () => import('./upload-fanout'),
  'upload-ratelimit': () => import('./upload-ratelimit'),
  'library-import': () => import('./library-import'),
  'library-search': () => import('./library-search'),
  'library-render': () => import('./library-render'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')} (known: ${Object.keys(benches).join(', ')})`);
    process.exitCode = 2;
    return;
  }
  for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
    console.log(`== ${name}`);
    await (await benches[name]!()).run();
  }
}

void main();
