import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // HTTP suites each start a server on a random port; two workers match the CI machine's cores.
    pool: 'forks',
    maxWorkers: 2,
    // In CI a committed `.only` fails the run instead of silently skipping the rest.
    allowOnly: !process.env.CI,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // They run only in worker threads, which V8's coverage of the test's own thread does not see:
      // the projection thread's, the prefix scan's and the WAL checkpointer's specs drive them.
      exclude: ['src/adapters/sqlite/*-worker.ts'],
      reporter: ['text-summary'],
      // Measured, then rounded down: raise them when coverage rises, never lower them.
      thresholds: { statements: 94.7, branches: 87.2, functions: 95.3, lines: 97.1 },
    },
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.spec.ts'] } },
      // The whole HTTP suite again, on the S3 blob store (s3rver on 127.0.0.1).
      { extends: true, test: { name: 'http-on-s3', include: ['test/http/**/*.spec.ts'], env: { LOCKER_TEST_BLOB_STORE: 's3' } } },
    ],
  },
});
