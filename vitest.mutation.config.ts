import { defineConfig } from 'vitest/config';

// What StrykerJS runs for each mutant: the tests beside the mutated layer, with no HTTP server and
// no child process, so a mutant is judged in about a second. MUTATE_LAYER picks them.
const layer = process.env.MUTATE_LAYER ?? 'domain';
export default defineConfig({
  test: {
    // `http` adds the HTTP suites, where most of the application is exercised: slower per mutant,
    // for a run on a few files (`--mutate`).
    include:
      layer === 'domain'
        ? ['test/domain/**/*.spec.ts']
        : layer === 'http'
          ? ['test/domain/**/*.spec.ts', 'test/application/**/*.spec.ts', 'test/http/**/*.spec.ts']
          : ['test/domain/**/*.spec.ts', 'test/application/**/*.spec.ts'],
    testTimeout: 30_000,
    pool: 'threads',
  },
});
