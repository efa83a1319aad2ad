import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: DuckDB tests are I/O and native-thread heavy, two workers keep the run stable.
    maxWorkers: 2,
  },
});
