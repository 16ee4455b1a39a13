import { defineConfig } from 'vitest/config';
import { NETWORK_TESTS } from './test/network-tier.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The network tier (vitest.network.config.ts): nothing in `npm test` reaches the network.
    exclude: [...NETWORK_TESTS, '**/node_modules/**'],
    // Tests start real servers, git and bubblewrap; two cores run two files at once.
    maxWorkers: 2,
    // Hang guards, not speed checks: whole jobs through the real app take several times longer on a loaded
    // machine (two CPU hogs beside the suite), and a test must pass there too.
    testTimeout: 150_000,
    hookTimeout: 150_000,
    // A repository asking for a Node the worker lacks would have the app fetch it from the real npm
    // registry: tests that want it name a stand-in registry on loopback (test/support/npm-registry.ts).
    env: { PATCHWRIGHT_NODE_REGISTRY: 'off' },
  },
});
