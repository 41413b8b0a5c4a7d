import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/perf/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and browser tests start real servers and a real Chromium; two cores are shared.
    maxWorkers: 2,
    // CI also writes a JSON report, from which .ci/run prints a one-line summary.
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: 'tests/.tmp/results.json' },
  },
});
