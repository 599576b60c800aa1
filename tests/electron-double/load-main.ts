import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

// Runs a built main-process bundle under Node with `require('electron')` answered by a double.
// The hook lives on this one module instance only (its own `require`), so the product carries
// nothing for tests and several app "processes" can run side by side in one test.

interface CompilableModule {
  filename: string;
  paths: string[];
  require(id: string): unknown;
  _compile(source: string, filename: string): unknown;
}

export interface LoadOptions {
  /** Where the bundle pretends to live (its __dirname decides where it looks for preload and renderer). */
  readonly as?: string;
}

/** Executes `bundle` as a fresh module (top-level code runs again on every call). */
export function loadMainBundle(bundle: string, electron: object, options: LoadOptions = {}): void {
  assertBuilt(bundle);
  const filename = options.as ?? bundle;
  const mod = new Module(filename) as unknown as CompilableModule;
  mod.filename = filename;
  // Native modules (better-sqlite3, the keyring) come from the project's node_modules wherever the bundle pretends to be.
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(bundle));
  const realRequire = mod.require.bind(mod);
  mod.require = (id) => (id === 'electron' ? electron : realRequire(id));
  mod._compile(fs.readFileSync(bundle, 'utf8'), filename);
}

/** These tests run the build's output; without it they say so instead of failing obscurely. */
export function assertBuilt(...files: string[]): void {
  const missing = files.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(`${missing.map((file) => path.relative(process.cwd(), file)).join(', ')} missing: run \`npm run build\` first (npm test builds before vitest)`);
  }
}
