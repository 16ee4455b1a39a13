import { defineConfig } from 'vitest/config';

/**
 * `npm run test:network`: the tests that reach the network (the npm registry, Debian's mirror): the app's
 * container image built from a debootstrapped base, and the CLI installed from its tarball. `.ci/run` runs
 * them after `npm test`, whose tier reaches nothing.
 */
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.test.ts'],
    maxWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
