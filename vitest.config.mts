import { defineConfig } from 'vitest/config';

/**
 * Two projects that run side by side. Unit tests are pure and run in parallel with each other.
 * Integration and e2e tests share one real Temporal dev server and throwaway databases started by
 * test/setup/global.ts, so their files run one at a time.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'domain/**/*.test.ts', 'documents/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/global.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
