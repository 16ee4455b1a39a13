/**
 * The package registries by name, for `PATCHWRIGHT_EGRESS_ALLOW` and `.github/agent.yml`'s
 * `sandbox.egress`. Each lists the hosts its package manager downloads from by default (the
 * index and where the files are), so that a preset alone makes an install work.
 */
export const EGRESS_PRESETS = {
  npm: ['registry.npmjs.org', 'registry.yarnpkg.com', 'repo.yarnpkg.com'],
  pypi: ['pypi.org', 'files.pythonhosted.org'],
  crates: ['crates.io', 'index.crates.io', 'static.crates.io'],
  go: ['proxy.golang.org', 'sum.golang.org'],
  maven: [
    'repo.maven.apache.org',
    'repo1.maven.org',
    'plugins.gradle.org',
    'plugins-artifacts.gradle.org',
    'services.gradle.org',
    'downloads.gradle.org',
  ],
  rubygems: ['rubygems.org', 'index.rubygems.org'],
} as const satisfies Record<string, readonly string[]>;

export type EgressPreset = keyof typeof EGRESS_PRESETS;

export const PRESET_NAMES = Object.keys(EGRESS_PRESETS) as EgressPreset[];

/** What a deployment that says nothing allows: every registry preset, nothing else. */
export const DEFAULT_EGRESS_ALLOW = PRESET_NAMES.join(',');

export function isPreset(name: string): name is EgressPreset {
  return Object.hasOwn(EGRESS_PRESETS, name);
}
