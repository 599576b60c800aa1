// ESLint flat config. Besides the usual TypeScript and Svelte checks it enforces the layers of
// DESIGN.md ("Dependency rule ... enforced by lint, not by convention"):
//   shared/                  imports nothing of ours, no Node built-ins, no electron
//   renderer/                only shared/ (no main/, no Node built-ins, no electron)
//   main/core, main/clouds   plain Node: no electron, no renderer/, no front doors (cli, electron)
//   main/cli                 no electron (not even main/electron), no renderer/
//   main/electron            the only importer of electron; no renderer/, no cli
// tests/unit/lint/layers.test.ts lints snippets against these rules so they cannot silently rot.
'use strict';

const { builtinModules } = require('node:module');
const { defineConfig } = require('eslint/config');
const globals = require('globals');
const svelte = require('eslint-plugin-svelte');
const tseslint = require('typescript-eslint');

const svelteFiles = ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'];
const bareBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

const forbidden = {
  electron: {
    paths: [{ name: 'electron', message: 'Only main/electron may import electron (elsewhere it tries to download a binary).' }],
    patterns: [{ regex: '^electron/', message: 'Only main/electron may import electron.' }],
  },
  nodeBuiltins: {
    paths: bareBuiltins.map((name) => ({ name, message: 'No Node built-ins in this layer: it runs in the renderer or on both sides.' })),
    patterns: [{ regex: '^node:', message: 'No Node built-ins in this layer: it runs in the renderer or on both sides.' }],
  },
  main: {
    patterns: [{ regex: '(^|/)main(/|$)', message: 'This layer may not import main/: go through window.vault and shared/.' }],
  },
  renderer: {
    patterns: [{ regex: '(^|/)renderer(/|$)', message: 'Nothing outside renderer/ imports renderer code.' }],
  },
  frontDoors: {
    patterns: [
      { regex: '(^|/)(cli|electron)(/|$)', message: 'main/core and main/clouds may not import the front doors (main/cli, main/electron).' },
    ],
  },
  electronFolder: {
    patterns: [{ regex: '(^|/)electron(/|$)', message: 'main/cli may not import main/electron (it imports electron).' }],
  },
  cliFolder: {
    patterns: [{ regex: '(^|/)cli(/|$)', message: 'main/electron may not import main/cli: both are front doors onto main/core.' }],
  },
  toolingCode: {
    patterns: [{ regex: '(^|/)(tests|scripts|bench)(/|$)', message: 'Product code may not import tests, scripts or benchmarks.' }],
  },
  playwrightElectron: {
    paths: [
      {
        name: '@playwright/test',
        importNames: ['_electron'],
        message: 'Only tests/e2e/electron-launch.spec.ts launches Electron.',
      },
    ],
  },
};

/** One `no-restricted-imports` setting from several restrictions (a later config object would replace, not merge, it). */
function restrict(...restrictions) {
  return [
    'error',
    {
      paths: restrictions.flatMap((r) => r.paths ?? []),
      patterns: restrictions.flatMap((r) => r.patterns ?? []),
    },
  ];
}

// no-restricted-imports sees only static imports; require('electron') and import('electron') are caught here.
const noDynamicElectron = [
  'error',
  {
    selector: "ImportExpression[source.value=/^electron(\\u002F|$)/]",
    message: 'Only main/electron may import electron.',
  },
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value=/^electron(\\u002F|$)/]",
    message: 'Only main/electron may import electron.',
  },
];

// Product code has no reason for import() or require(): with static imports only, every
// dependency is visible to no-restricted-imports (a computed or template-literal specifier is not).
const staticImportsOnly = [
  'error',
  { selector: 'ImportExpression', message: 'Static imports only in product code, so the layer rules can see every dependency.' },
  {
    selector: "CallExpression[callee.name=/^(require|createRequire)$/]",
    message: 'Static imports only in product code, so the layer rules can see every dependency.',
  },
];

function layer(files, restrictions, { ignores = [], syntax = noDynamicElectron } = {}) {
  return {
    files,
    ignores,
    rules: {
      'no-restricted-imports': restrict(...restrictions),
      ...(syntax ? { 'no-restricted-syntax': syntax } : {}),
    },
  };
}

const product = { syntax: [...noDynamicElectron, ...staticImportsOnly.slice(1)] };

module.exports = defineConfig(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'artifacts/**',
      'coverage/**',
      'tests/fixtures/generated/**',
      '**/.vite/**',
    ],
  },
  tseslint.configs.recommended,
  // Svelte's rules are for Svelte code; on plain scripts some of them misread the scopes.
  svelte.configs.recommended.map((config) => (config.rules && !config.files ? { ...config, files: svelteFiles } : config)),
  {
    files: svelteFiles,
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.cjs', 'eslint.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
  },

  // The layers. Every file falls in exactly one of these blocks.
  layer(['main/electron/**'], [forbidden.renderer, forbidden.cliFolder, forbidden.toolingCode, forbidden.playwrightElectron], product),
  layer(
    ['main/core/**', 'main/clouds/**'],
    [forbidden.electron, forbidden.renderer, forbidden.frontDoors, forbidden.toolingCode, forbidden.playwrightElectron],
    product,
  ),
  layer(['main/cli/**'], [forbidden.electron, forbidden.renderer, forbidden.electronFolder, forbidden.toolingCode, forbidden.playwrightElectron], product),
  layer(['renderer/**'], [forbidden.electron, forbidden.nodeBuiltins, forbidden.main, forbidden.toolingCode, forbidden.playwrightElectron], product),
  layer(
    ['shared/**'],
    [forbidden.electron, forbidden.nodeBuiltins, forbidden.main, forbidden.renderer, forbidden.toolingCode, forbidden.playwrightElectron],
    product,
  ),
  layer(['**/*'], [forbidden.electron, forbidden.playwrightElectron], {
    ignores: ['main/**', 'renderer/**', 'shared/**', 'tests/e2e/electron-launch.spec.ts'],
  }),
  layer(['tests/e2e/electron-launch.spec.ts'], [forbidden.electron]),
);
