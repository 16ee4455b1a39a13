import type { ChangedFile, ChangeSnapshot, Verifier } from '../../src/core/ports.ts';

/** A checkout whose change is always the same (core tests with fake ports). */
export function staticChanges(diff = '', files: ChangedFile[] = []): () => Promise<ChangeSnapshot> {
  return async () => ({
    id: files.length ? 'tree-after' : 'tree-start',
    startId: 'tree-start',
    files,
    diff,
    unignored: async () => [],
    since: async () => files,
    read: async () => [],
  });
}

/** For runs that never reach a clean verification (no test command): asked anyway, it fails the test. */
export const noVerifier: Verifier = {
  checkout: async () => {
    throw new Error('this test expects no clean verification');
  },
  mix: async () => {
    throw new Error('this test expects no clean verification');
  },
};
