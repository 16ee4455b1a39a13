#!/usr/bin/env node
// Patchwright's entry point. The sources are TypeScript run by Node's own type stripping,
// so there is no build step; this file only makes sure a Node that can run them runs them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(import.meta.url);
const [major, minor] = process.versions.node.split('.').map(Number);

/** Runs this file again with another Node (or with a flag) and exits with its status. */
function again(node, flags) {
  const res = spawnSync(node, [...flags, main, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (res.error) {
    console.error(`Patchwright could not start ${node}: ${res.error.message}`);
    process.exit(1);
  }
  process.exit(res.status ?? (res.signal ? 128 : 1));
}

if (major < 22 || (major === 22 && minor < 12)) {
  // The package depends (optionally) on the npm package `node`, which carries a Node 24 binary: a global
  // install from the checkout or a tarball works on a machine whose own Node is older.
  let bundled;
  try {
    bundled = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    bundled = undefined;
  }
  if (bundled && fs.existsSync(bundled) && bundled !== process.execPath) again(bundled, []);
  console.error(
    `Patchwright needs Node.js >= 22.12; this is ${process.version}.\n` +
      'Install a newer Node, or install Patchwright with its optional dependencies (npm install, npm install -g <checkout or tarball>),\n' +
      'which bring Node 24 along.',
  );
  process.exit(1);
}
if (!process.features.typescript) {
  // Node 22.12-22.17 strips types only behind a flag.
  again(process.execPath, ['--experimental-strip-types', '--no-warnings']);
}
if (main.split(path.sep).includes('node_modules')) {
  // Installed (npm install -g): Node strips types only outside node_modules, so this package's own
  // sources are stripped by a load hook instead. Only files of this package; dependencies are JavaScript.
  const root = path.dirname(path.dirname(main)) + path.sep;
  module.registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
      const file = fileURLToPath(url);
      if (!file.startsWith(root) || file.slice(root.length).split(path.sep).includes('node_modules'))
        return nextLoad(url, context);
      return {
        format: 'module',
        source: module.stripTypeScriptTypes(fs.readFileSync(file, 'utf8')),
        shortCircuit: true,
      };
    },
  });
}
const { main: run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
