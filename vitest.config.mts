import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/setup/fixtures.ts'],
    // Core code logs one JSON line per event to stderr; tests that check logging install their own sink.
    env: { CERTVAULT_LOG: 'off' },
  },
});
