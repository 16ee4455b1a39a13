import type { ToolchainRequirement } from '../protocol/toolchain.ts';
import type { RepoFiles } from './repo-files.ts';

/**
 * The toolchain versions a repository asks for: `.nvmrc`/`.node-version`/volta/`devEngines`/`engines.node`,
 * `.python-version`/`requires-python`, `go.mod`'s `go` and `toolchain`, `rust-toolchain(.toml)`,
 * and `.tool-versions`. The first statement per tool wins, version files before manifests.
 */
export function toolchainRequirements(repo: RepoFiles): ToolchainRequirement[] {
  const out: ToolchainRequirement[] = [];
  const add = (r: ToolchainRequirement | null) => {
    if (r && r.wants && !out.some((o) => o.tool === r.tool)) out.push(r);
  };
  for (const file of ['.nvmrc', '.node-version']) {
    const v = firstLine(repo.read(file))?.replace(/^v/, '');
    if (v && /^\d+(\.\d+){0,2}$/.test(v)) add({ tool: 'node', wants: v, kind: 'pin', file, line: 1 });
  }
  add(fromToolVersions(repo, 'nodejs', 'node'));
  const pkg = packageJson(repo.read('package.json'));
  // Volta pins the exact version; npm's devEngines names the runtime's range; engines the range it supports.
  const volta = typeof pkg?.volta?.node === 'string' ? pkg.volta.node.trim() : '';
  if (/^\d+(\.\d+){0,2}$/.test(volta))
    add({
      tool: 'node',
      wants: volta,
      kind: 'pin',
      file: 'package.json',
      line: repo.lineOf('package.json', /"volta"\s*:/),
    });
  const runtime = [pkg?.devEngines?.runtime].flat().find((r) => r?.name === 'node' && typeof r.version === 'string');
  if (runtime?.version?.trim())
    add({
      tool: 'node',
      wants: runtime.version.trim(),
      kind: 'range',
      file: 'package.json',
      line: repo.lineOf('package.json', /"devEngines"\s*:/),
    });
  const engines = engineNode(pkg);
  if (engines)
    add({
      tool: 'node',
      wants: engines,
      kind: 'range',
      file: 'package.json',
      line: repo.lineOf('package.json', /"node"\s*:/),
    });

  const py = firstLine(repo.read('.python-version'));
  if (py && /^\d+\.\d+(\.\d+)?$/.test(py))
    add({ tool: 'python', wants: py, kind: 'pin', file: '.python-version', line: 1 });
  add(fromToolVersions(repo, 'python', 'python'));
  const requires = /^requires-python\s*=\s*["']([^"']+)["']/m.exec(repo.read('pyproject.toml') ?? '')?.[1];
  if (requires)
    add({
      tool: 'python',
      wants: requires.replace(/,\s*/g, ' '),
      kind: 'range',
      file: 'pyproject.toml',
      line: repo.lineOf('pyproject.toml', /^requires-python/),
    });

  const gomod = repo.read('go.mod') ?? '';
  const toolchain = /^toolchain\s+go(\d+\.\d+(?:\.\d+)?)/m.exec(gomod)?.[1];
  const go = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(gomod)?.[1];
  if (toolchain)
    add({
      tool: 'go',
      wants: `>=${toolchain}`,
      kind: 'min',
      file: 'go.mod',
      line: repo.lineOf('go.mod', /^toolchain\s/),
    });
  if (go) add({ tool: 'go', wants: `>=${go}`, kind: 'min', file: 'go.mod', line: repo.lineOf('go.mod', /^go\s/) });
  add(fromToolVersions(repo, 'golang', 'go'));

  const rustToml = /^\s*channel\s*=\s*["']([^"']+)["']/m.exec(repo.read('rust-toolchain.toml') ?? '')?.[1];
  const rustPlain = firstLine(repo.read('rust-toolchain'));
  const rust = rustToml ?? (rustPlain && !rustPlain.startsWith('[') ? rustPlain : undefined);
  if (rust && rust !== 'stable')
    add({ tool: 'rust', wants: rust, kind: 'pin', file: rustToml ? 'rust-toolchain.toml' : 'rust-toolchain', line: 1 });
  add(fromToolVersions(repo, 'rust', 'rust'));
  return out;
}

function firstLine(text: string | undefined): string | undefined {
  return text
    ?.split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .find(Boolean);
}

interface PackageJson {
  engines?: { node?: unknown };
  volta?: { node?: unknown };
  devEngines?: { runtime?: { name?: unknown; version?: string } | Array<{ name?: unknown; version?: string }> };
}

function packageJson(text: string | undefined): PackageJson | null {
  try {
    const pkg = JSON.parse(text ?? 'null') as unknown;
    return pkg && typeof pkg === 'object' ? (pkg as PackageJson) : null;
  } catch {
    return null;
  }
}

function engineNode(pkg: PackageJson | null): string | null {
  const node = pkg?.engines?.node;
  return typeof node === 'string' && node.trim() && node.trim() !== '*' ? node.trim() : null;
}

function fromToolVersions(
  repo: RepoFiles,
  name: string,
  tool: ToolchainRequirement['tool'],
): ToolchainRequirement | null {
  const text = repo.read('.tool-versions');
  const v = text && new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text)?.[1];
  return v && /^\d/.test(v)
    ? {
        tool,
        wants: v,
        kind: 'pin',
        file: '.tool-versions',
        line: repo.lineOf('.tool-versions', new RegExp(`^${name}\\s`)),
      }
    : null;
}
