import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './app-harness.ts';

/** Where this machine's own package mirror keeps its wheels (pip's user config names it: `pip config list`). */
const SOURCES = ['/opt/pypi/files', '/opt/pypi-more/files', '/opt/wheels'];

/** pytest and what it needs, and setuptools to build a package: enough for a Python project's setup and tests. */
export const PYTEST_WHEELS = [
  'pytest-9.1.1',
  'pluggy-1.6.0',
  'iniconfig-2.3.0',
  'packaging-26.3',
  'pygments-2.21.0',
  'setuptools-84.0.0',
];

export interface PipMirror {
  /** The mirror's folder: `simple/` (a PEP 503 index) and `files/` beside it, as `pip download`-style mirrors lay it out. */
  root: string;
  simple: string;
  /** A pip config file naming it, as a deployment's /etc/pip.conf would. */
  config: string;
}

/**
 * A package mirror in a host temp dir, made from wheels of this machine's local mirror: the
 * sandbox does not see it unless the deployment names it (PATCHWRIGHT_SANDBOX_PATHS), exactly as
 * a deployment's mirror folder outside the system dirs. Its pages link to `../../files/`.
 */
export function pipMirror(wheels: string[] = PYTEST_WHEELS, extraConfig = ''): PipMirror {
  const root = tempDir('pw-pip-mirror-');
  const files = path.join(root, 'files');
  fs.mkdirSync(files);
  const available = SOURCES.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : []));
  for (const wheel of wheels) {
    const found = available.find((f) => path.basename(f).startsWith(`${wheel}-`) && f.endsWith('.whl'));
    if (!found)
      throw new Error(
        `this test builds its package mirror from this machine's local one (${SOURCES.join(', ')}), which has no ${wheel} wheel`,
      );
    const name = path.basename(found);
    fs.copyFileSync(found, path.join(files, name));
    const project = wheel
      .replace(/-[\d.]+$/, '')
      .toLowerCase()
      .replace(/[_.]+/g, '-');
    const page = path.join(root, 'simple', project);
    fs.mkdirSync(page, { recursive: true });
    const sha = crypto.createHash('sha256').update(fs.readFileSync(found)).digest('hex');
    fs.writeFileSync(
      path.join(page, 'index.html'),
      `<!DOCTYPE html><html><body>\n<a href="../../files/${name}#sha256=${sha}">${name}</a>\n</body></html>\n`,
    );
  }
  fs.chmodSync(root, 0o755);
  const simple = path.join(root, 'simple');
  const config = path.join(root, 'pip.conf');
  fs.writeFileSync(config, `[global]\nindex-url = file://${simple}\nretries = 0\ntimeout = 5\n${extraConfig}`);
  return { root, simple, config };
}
