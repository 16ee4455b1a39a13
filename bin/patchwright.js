#!/usr/bin/env node
// Patchwright's entry point. The sources are TypeScript run by Node's own type stripping,
// so there is no build step; this file only checks the Node version first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Patchwright needs Node.js >= 22.12; this is ${process.version}.\n` +
      'Run it through npm (npm start, npx patchwright), which uses the Node 24 that `npm install` put in node_modules/.bin.',
  );
  process.exit(1);
}
if (!process.features.typescript) {
  // Node 22.12-22.17 strips types only behind a flag.
  const main = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', main, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(res.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
