import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers, git and bubblewrap; two cores run two files at once.
    maxWorkers: 2,
    // Hang guards, not speed checks: whole jobs through the real app take several times longer on a loaded
    // machine (two CPU hogs beside the suite), and a test must pass there too.
    testTimeout: 150_000,
    hookTimeout: 150_000,
  },
});
