import { defineConfig } from 'vitest/config';

/**
 * Unit tests are fast and pure; integration and e2e tests share one real Temporal dev server
 * and throwaway databases started by test/setup/global.ts, so files run one at a time there.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'domain/**/*.test.ts', 'documents/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/setup/global.ts'],
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
