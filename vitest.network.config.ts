import { defineConfig } from 'vitest/config';
import { NETWORK_TESTS } from './test/network-tier.ts';

/**
 * `npm run test:network`: the tests that reach the network (`test/network-tier.ts` names them). `.ci/run`
 * runs them after `npm test`, whose tier reaches nothing.
 */
export default defineConfig({
  test: {
    include: NETWORK_TESTS,
    maxWorkers: 1,
    testTimeout: 150_000,
    hookTimeout: 600_000,
  },
});
