import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // HTTP suites each start a server on a random port; two workers match the CI machine's cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
