import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the tier that runs in seconds. Pure code only: the engine (core), the protocol, what a
 * checkout tells (repo), the renderers and parsers of text posted to GitHub, the generated docs. Nothing here
 * starts a server, a sandbox or the network. `npm test` runs these and everything else.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/protocol/**/*.test.ts',
      'test/repo/**/*.test.ts',
      'test/docs/**/*.test.ts',
      'test/architecture/**/*.test.ts',
      'test/github/{parse-command,postable,quiet-mentions,render-final,fill-template,classify-event,config-schema}.test.ts',
      'test/cli/render-events.test.ts',
      'test/dashboard/render.test.ts',
    ],
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
