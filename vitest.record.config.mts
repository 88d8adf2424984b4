import { defineConfig } from 'vitest/config';

/** `npm run record-histories`: the history recorder only, against the same real servers as the tests. */
export default defineConfig({
  test: {
    include: ['test/record/**/*.record.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    globalSetup: ['test/setup/global.ts'],
    pool: 'forks',
    fileParallelism: false,
  },
});
