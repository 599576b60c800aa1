#!/usr/bin/env node
// Builds everything `npm start`, `npx certvault` and electron-builder need into dist/:
//   dist/main/app.cjs, dist/main/preload.cjs   Electron main process and preload (esbuild)
//   dist/cli/certvault.cjs                     the CLI (esbuild, executable, shebang)
//   dist/{main,cli}/parse-worker.cjs           the worker thread both parse user files in (main/core/parse-worker)
//   dist/renderer/                             the Svelte UI (vite, configured in vite.config.mts)
//
// Usage: node scripts/build.mjs [--dev] [--main-only] [--outdir DIR]
//   --dev        unminified with inline source maps, then starts Vite's dev server and Electron on it
//   --main-only  skip the renderer (tests that only need the CLI bundle)
//   --outdir     where the main bundles go (default dist); the renderer always goes to dist/renderer
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Native modules and Electron itself are loaded from node_modules at run time, never bundled.
const external = ['electron', 'better-sqlite3', '@napi-rs/keyring'];

const { values: options } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    'main-only': { type: 'boolean', default: false },
    outdir: { type: 'string', default: 'dist' },
  },
});
const outdir = path.resolve(root, options.outdir);

try {
  await buildMain(outdir, options.dev);
  if (!options['main-only']) await buildRenderer(options.dev);
  if (options.dev) await runDevelopment();
} catch (error) {
  // esbuild and vite have already printed their diagnostics with file and line; a stack adds nothing.
  if (!(error && typeof error === 'object' && 'errors' in error)) console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function buildMain(out, dev) {
  const common = {
    bundle: true,
    absWorkingDir: root,
    external,
    sourcemap: dev ? 'inline' : false,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['main/electron/app.ts'],
      outfile: path.join(out, 'main/app.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node22',
    }),
    // Sandboxed preloads get a browser-like environment with a tiny `require` (electron only), so
    // this bundle must be self-contained CommonJS with no Node built-ins.
    esbuild.build({
      ...common,
      entryPoints: ['main/electron/preload.ts'],
      outfile: path.join(out, 'main/preload.cjs'),
      platform: 'browser',
      format: 'cjs',
      target: 'chrome140',
      // The channel list comes with the zod contract; minified, the preload parses in a few ms.
      minify: !dev,
    }),
    esbuild.build({
      ...common,
      entryPoints: ['main/cli/certvault.ts'],
      outfile: path.join(out, 'cli/certvault.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      banner: { js: '#!/usr/bin/env node' },
    }),
    // Found beside the bundle that starts it (parse-worker.ts, startWorker).
    ...['main', 'cli'].map((dir) =>
      esbuild.build({
        ...common,
        entryPoints: ['main/core/parse-worker/worker.ts'],
        outfile: path.join(out, dir, 'parse-worker.cjs'),
        platform: 'node',
        format: 'cjs',
        target: 'node22',
      }),
    ),
  ]);
  fs.chmodSync(path.join(out, 'cli/certvault.cjs'), 0o755);
  console.log(`build: main, preload, CLI and parse worker -> ${path.relative(root, out) || '.'}/`);
}

async function buildRenderer(dev) {
  if (!fs.existsSync(path.join(root, 'renderer/index.html'))) {
    console.log('build: renderer skipped (renderer/index.html does not exist yet)');
    return;
  }
  if (dev) return; // the dev server serves the renderer from source
  const vite = await import('vite');
  await vite.build({ configFile: path.join(root, 'vite.config.mts'), mode: 'production', logLevel: 'warn' });
  console.log('build: renderer -> dist/renderer/');
}

/** `npm run dev`: Vite's dev server plus Electron pointed at it; stops both when the window closes. */
async function runDevelopment() {
  const electronBinary = electronPath();
  if (electronBinary === null) {
    console.error('dev: the Electron binary is not installed (node_modules/electron/dist); run `npx install-electron` on a machine that can reach GitHub.');
    process.exit(1);
  }
  const vite = await import('vite');
  const server = await vite.createServer({ configFile: path.join(root, 'vite.config.mts'), mode: 'development' });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('Vite did not report a local URL');
  const child = spawn(electronBinary, [root, '--dev'], {
    stdio: 'inherit',
    env: { ...process.env, CERTVAULT_DEV_SERVER_URL: url },
  });
  child.on('exit', async (code) => {
    await server.close();
    process.exit(code ?? 0);
  });
}

/** The Electron executable, read without require('electron'), which would try to download it. */
function electronPath() {
  const pathFile = path.join(root, 'node_modules/electron/path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const binary = path.join(root, 'node_modules/electron/dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : null;
}
