import { defineConfig } from '@playwright/test';

// Renderer tests run the BUILT renderer (dist/renderer, from `npm run build`) in Debian's Chromium;
// `window.vault` is bridged to the real handlers (tests/e2e/fixtures/bridge.ts). The Electron
// launch test is its own project: it drives Electron itself, not this browser.

// The bridge runs the real handlers in this process; their JSON log lines would bury the report.
process.env.CERTVAULT_LOG ??= 'off';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  // One retry on CI only: a 2-core runner under load can miss a timing; a real failure fails twice.
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  projects: [
    {
      name: 'renderer',
      testIgnore: /electron-launch\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
        viewport: { width: 1280, height: 860 },
        deviceScaleFactor: 1,
        trace: 'retain-on-failure',
        screenshot: 'only-on-failure',
      },
    },
    {
      name: 'electron',
      testMatch: /electron-launch\.spec\.ts$/,
    },
  ],
});
