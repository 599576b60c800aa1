import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer rules of eslint.config.js, exercised on small snippets placed (virtually) in each
// layer, so that a config edit that silently stops enforcing them fails here.

const root = path.resolve(__dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'eslint.config.js') });
});

/** The layer-rule messages ESLint reports for `code` as if it were the file at `file`. */
async function layerViolations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  if (!result) throw new Error('no lint result');
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const uses = (source: string) => `import { x } from '${source}';\nexport const y = x;\n`;

describe('layer rules', () => {
  it.each([
    ['main/core/inspect/example.ts', uses('electron')],
    ['main/clouds/tencent/example.ts', uses('electron')],
    ['main/cli/example.ts', uses('electron')],
    ['renderer/src/lib/example.ts', uses('electron')],
    ['shared/example.ts', uses('electron')],
    ['tests/unit/example.test.ts', uses('electron')],
    ['bench/example.ts', uses('electron/main')],
    ['main/core/example.ts', "export const app = require('electron');\n"],
    ['main/core/example.ts', "export const app = import('electron');\n"],
  ])('forbids electron in %s', async (file, code) => {
    expect((await layerViolations(file, code)).join('\n')).toMatch(/electron/);
  });

  it.each([
    ['main/core/example.ts', 'export const app = import(`electron`);\n'],
    ['main/clouds/example.ts', "const name = 'electron';\nexport const app = import(name);\n"],
    ['shared/example.ts', "export const load = () => import('../main/core/log');\n"],
    ['renderer/src/lib/example.ts', "export const fs = require('node:fs');\n"],
    ['main/cli/example.ts', "import { createRequire } from 'node:module';\nexport const app = createRequire(__filename)('electron');\n"],
  ])('allows only static imports in product code: %s', async (file, code) => {
    expect((await layerViolations(file, code)).join('\n')).toMatch(/Static imports only/);
  });

  it.each([
    ['shared/example.ts', uses('../tests/fixtures/paths')],
    ['renderer/src/lib/example.ts', uses('../../../bench/report')],
    ['main/core/example.ts', uses('../../scripts/build')],
  ])('keeps test, script and bench code out of the product: %s', async (file, code) => {
    expect((await layerViolations(file, code)).join('\n')).toMatch(/tests, scripts or benchmarks/);
  });

  it('allows electron in main/electron', async () => {
    expect(await layerViolations('main/electron/example.ts', uses('electron'))).toEqual([]);
  });

  it.each([
    ['renderer/src/routes/example.ts', uses('../../../main/core/inspect')],
    ['renderer/src/lib/example.ts', uses('node:fs')],
    ['renderer/src/lib/example.ts', uses('crypto')],
    ['renderer/src/lib/example.ts', uses('fs/promises')],
    ['renderer/src/components/Example.svelte', `<script lang="ts">\n  import { x } from '../../../main/core/log';\n  console.log(x);\n</script>\n`],
  ])('keeps renderer/ away from main/ and Node: %s', async (file, code) => {
    expect(await layerViolations(file, code)).not.toEqual([]);
  });

  it('lets renderer/ import shared/', async () => {
    expect(await layerViolations('renderer/src/lib/example.ts', uses('../../../shared/ipc'))).toEqual([]);
  });

  it.each([
    ['shared/example.ts', uses('../main/core/log')],
    ['shared/i18n/example.ts', uses('../../renderer/src/lib/api')],
    ['shared/example.ts', uses('node:crypto')],
    ['shared/example.ts', uses('path')],
  ])('keeps shared/ free of our other layers and Node: %s imports', async (file, code) => {
    expect(await layerViolations(file, code)).not.toEqual([]);
  });

  it.each([
    ['main/core/example.ts', uses('../cli/run')],
    ['main/core/ipc/example.ts', uses('../../electron/window')],
    ['main/clouds/example.ts', uses('../electron/ipc')],
    ['main/core/example.ts', uses('../../renderer/src/lib/api')],
    ['main/cli/example.ts', uses('../electron/window')],
    ['main/cli/example.ts', uses('../../renderer/src/App.svelte')],
    ['main/electron/example.ts', uses('../cli/run')],
  ])('keeps core and the front doors apart: %s', async (file, code) => {
    expect(await layerViolations(file, code)).not.toEqual([]);
  });

  it('lets the front doors and core use core and shared', async () => {
    for (const file of ['main/cli/example.ts', 'main/electron/example.ts', 'main/core/example.ts']) {
      expect(await layerViolations(file, uses('../core/ipc/dispatch'))).toEqual([]);
      expect(await layerViolations(file, uses('../../shared/errors'))).toEqual([]);
      expect(await layerViolations(file, uses('node:fs'))).toEqual([]);
    }
  });

  it("lets only the Electron launch test use Playwright's _electron", async () => {
    const code = "import { _electron } from '@playwright/test';\nexport const e = _electron;\n";
    expect(await layerViolations('tests/e2e/electron-launch.spec.ts', code)).toEqual([]);
    expect(await layerViolations('tests/e2e/inspect.spec.ts', code)).not.toEqual([]);
  });
});
