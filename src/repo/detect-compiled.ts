import { at, type EcosystemFinding } from './detection.ts';
import type { RepoFiles } from './repo-files.ts';

/** Go, Rust and Java: one build file each says almost everything. */
export function detectGo(repo: RepoFiles): EcosystemFinding | undefined {
  if (!repo.exists('go.mod')) return undefined;
  return {
    language: 'go',
    packageManager: 'go',
    setup: [at('go mod download', 'go.mod', 1, 'go module')],
    test: at('go test ./...', 'go.mod', 1, 'go module'),
    lint: at('go vet ./...', 'go.mod', 1, 'go module'),
  };
}

export function detectRust(repo: RepoFiles): EcosystemFinding | undefined {
  const cargo = repo.read('Cargo.toml');
  if (cargo === undefined) return undefined;
  const workspace = /^\[workspace\]/m.test(cargo);
  return {
    language: 'rust',
    packageManager: 'cargo',
    setup: [at('cargo fetch', 'Cargo.toml', 1, 'cargo manifest')],
    test: at(
      workspace ? 'cargo test --workspace' : 'cargo test',
      'Cargo.toml',
      workspace ? repo.lineOf('Cargo.toml', /^\[workspace\]/) : 1,
      'cargo manifest',
    ),
    lint: at('cargo clippy --all-targets', 'Cargo.toml', 1, 'cargo manifest'),
  };
}

export function detectJava(repo: RepoFiles): EcosystemFinding | undefined {
  if (repo.exists('pom.xml')) {
    const mvn = repo.exists('mvnw') ? './mvnw' : 'mvn';
    const file = mvn === './mvnw' ? 'mvnw' : 'pom.xml';
    return {
      language: 'java',
      packageManager: 'maven',
      setup: [at(`${mvn} -B -q dependency:go-offline`, file, 1, 'maven project')],
      test: at(`${mvn} -B test`, file, 1, 'maven project'),
      lint: null,
    };
  }
  return detectGradle(repo);
}

/** Gradle, on its own or beside Maven (a project that builds with both). */
export function detectGradle(repo: RepoFiles): EcosystemFinding | undefined {
  const gradleFile = ['build.gradle.kts', 'build.gradle', 'settings.gradle.kts', 'settings.gradle'].find((f) =>
    repo.exists(f),
  );
  if (!gradleFile) return undefined;
  const gradle = repo.exists('gradlew') ? './gradlew' : 'gradle';
  const language = gradleFile.endsWith('.kts') ? 'kotlin' : 'java';
  return {
    language,
    packageManager: 'gradle',
    setup: [
      at(`${gradle} --no-daemon dependencies`, gradle === './gradlew' ? 'gradlew' : gradleFile, 1, 'gradle project'),
    ],
    test: at(`${gradle} --no-daemon test`, gradle === './gradlew' ? 'gradlew' : gradleFile, 1, 'gradle project'),
    lint: null,
  };
}

/** Ruby: bundler, then rspec when there is a spec dir, else rake. */
export function detectRuby(repo: RepoFiles): EcosystemFinding | undefined {
  if (!repo.exists('Gemfile')) return undefined;
  const gemfile = repo.read('Gemfile') ?? '';
  const setup = [at('bundle install', repo.exists('Gemfile.lock') ? 'Gemfile.lock' : 'Gemfile', 1, 'bundler')];
  const lint = /rubocop/.test(gemfile)
    ? at('bundle exec rubocop', 'Gemfile', repo.lineOf('Gemfile', /rubocop/), 'rubocop in Gemfile')
    : null;
  if (repo.isDir('spec') && /rspec/.test(gemfile)) {
    return {
      language: 'ruby',
      packageManager: 'bundler',
      setup,
      test: at('bundle exec rspec', 'Gemfile', repo.lineOf('Gemfile', /rspec/), 'rspec in Gemfile and a spec dir'),
      lint,
    };
  }
  const rakefile = repo.read('Rakefile');
  if (rakefile !== undefined && /TestTask|task\s*[:(]?\s*:?test|:default/.test(rakefile)) {
    const hasTest = /TestTask|:test\b/.test(rakefile);
    return {
      language: 'ruby',
      packageManager: 'bundler',
      setup,
      test: at(
        hasTest ? 'bundle exec rake test' : 'bundle exec rake',
        'Rakefile',
        repo.lineOf('Rakefile', /TestTask|:test|:default/),
        'Rakefile task',
      ),
      lint,
    };
  }
  return {
    language: 'ruby',
    packageManager: 'bundler',
    setup,
    test: null,
    lint,
    testReason: 'no spec dir with rspec, and no test task in the Rakefile',
  };
}

/** A Makefile with a `test` or `check` target. */
export function detectMake(repo: RepoFiles): EcosystemFinding | undefined {
  const file = ['Makefile', 'makefile', 'GNUmakefile'].find((f) => repo.exists(f));
  if (!file) return undefined;
  const text = repo.read(file) ?? '';
  // `test-unit` beside `test` (etcd: `test` adds integration and e2e passes): the unit suite is the one named so.
  const target = ['test-unit', 'unit-test', 'unit-tests', 'test', 'check', 'tests'].find(
    (t) => new RegExp(`^${t}\\s*:`, 'm').test(text) && (!/unit/.test(t) || /^test\s*:/m.test(text)),
  );
  const lintTarget = /^lint\s*:/m.test(text);
  return {
    language: 'make',
    packageManager: null,
    setup: [],
    test: target
      ? at(`make ${target}`, file, repo.lineOf(file, new RegExp(`^${target}\\s*:`)), `${file} target`)
      : null,
    lint: lintTarget ? at('make lint', file, repo.lineOf(file, /^lint\s*:/), `${file} target`) : null,
    ...(target ? {} : { testReason: `${file} has no test or check target` }),
  };
}
