import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The network tier (vitest.network.config.ts): nothing in `npm test` reaches the network.
    exclude: ['test/deploy/**', '**/node_modules/**'],
    // Tests start real servers, git and bubblewrap; two cores run two files at once.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
