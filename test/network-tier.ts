/**
 * The tests that reach the network (the npm registry, Debian's mirror), run by `npm run test:network`
 * and left out of `npm test`: the app's container image from a debootstrapped base, the CLI installed
 * from its tarball, and the Node toolchain tests, whose real tarballs `npm pack` fetches once per machine.
 */
export const NETWORK_TESTS = [
  'test/deploy/**/*.test.ts',
  'test/adapters/npm-node.test.ts',
  'test/cli/node-toolchain.test.ts',
];
