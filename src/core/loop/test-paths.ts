/** Where tests live, and the files that decide how they are found, loaded and run. */

export const TEST_PATH =
  /(^|\/)(tests?|__tests__|spec|specs|testing)\/|(^|\/)test_[^/]+\.py$|_test\.(py|go|rb|exs?)$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$|(^|\/)src\/test\/|Tests?\.(java|kt|cs|scala)$|(^|\/)__snapshots__\/|\.snap(shot)?$/i;

/**
 * Runner configuration, preloads and package-manager settings: a change to any of them can make
 * a whole suite pass (a filter, a setup file, `node-options=--require`, a `.pth` that Python runs
 * at start-up), so each is named as a concern whatever it changes.
 */
export const RUNNER_CONFIG: RegExp[] = [
  /(^|\/)(jest|vitest|vite|karma|ava|playwright|cypress|wdio|mocha|nyc|c8|tap|babel|uvu)\.config\.[cm]?[jt]s(on)?$/,
  /(^|\/)(jest|vitest)\.(setup|workspace|projects)\.([cm]?[jt]s|json)$/,
  /(^|\/)jest[.-]preset\.[cm]?[jt]s(on)?$/,
  /(^|\/)setupTests\.[cm]?[jt]sx?$/,
  /(^|\/)\.(mocharc|nycrc|c8rc|taprc|babelrc)(\.[a-z]+)?$/,
  /(^|\/)(pytest\.ini|\.pytest\.ini|pytest\.toml|\.pytest\.toml|tox\.ini|noxfile\.py|conftest\.py|sitecustomize\.py|usercustomize\.py)$/,
  /\.pth$/,
  /(^|\/)(\.npmrc|\.yarnrc|\.yarnrc\.yml|\.pnpmfile\.cjs|bunfig\.toml|\.pnp\.c?js|\.pnp\.loader\.mjs)$/,
  /(^|\/)(\.rspec|\.rspec-local|phpunit\.xml|phpunit\.xml\.dist|\.cargo\/config|\.cargo\/config\.toml|go\.work|\.bazelrc)$/,
  /(^|\/)(gradlew|mvnw|gradle\/wrapper\/[^/]+|\.mvn\/[^/]+)$/,
];

export function isRunnerConfig(p: string): boolean {
  return RUNNER_CONFIG.some((r) => r.test(p));
}

/** Sections of shared files that configure a runner: `[tool.pytest.ini_options]` in pyproject.toml, `[tool:pytest]` in setup.cfg. */
export const RUNNER_SECTIONS: Array<{ file: RegExp; section: RegExp }> = [
  { file: /(^|\/)pyproject\.toml$/, section: /^\[tool\.(pytest|coverage|nose|unittest|hatch\.envs\.[^\]]*test[^\]]*)/ },
  { file: /(^|\/)setup\.cfg$/, section: /^\[(tool:pytest|pytest|nosetests|coverage:[^\]]*)\]/ },
];

/** Keys of package.json that configure a runner. */
export const RUNNER_KEYS = ['jest', 'mocha', 'ava', 'vitest', 'c8', 'nyc', 'tap', 'uvu'];

/** Build files whose lines can switch tests off: these lines, added or removed, are named. */
export const BUILD_FILES =
  /(^|\/)(pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|Cargo\.toml|build\.sbt|CMakeLists\.txt|meson\.build)$/;
export const BUILD_TEST_SWITCH =
  /\b(skipTests|maven\.test\.(skip|failure\.ignore)|testFailureIgnore|ignoreFailures|failIfNoTests|failIfNoSpecifiedTests|harness\s*=|test\s*=\s*false|doctest\s*=\s*false|<skip>|exclude|onlyIf|enabled\s*=\s*false|add_test|set_tests_properties|WILL_FAIL|DISABLED)\b/;

/**
 * Task runners the test command goes through: when it starts with one of these programs, a
 * change to that runner's files changes what "the tests" are.
 */
export const TASK_RUNNER_FILES: Record<string, RegExp> = {
  make: /(^|\/)(Makefile|makefile|GNUmakefile|[^/]+\.mk)$/,
  rake: /(^|\/)(Rakefile|rakefile|[^/]+\.rake)$/,
  just: /(^|\/)(justfile|Justfile|\.justfile)$/,
  task: /(^|\/)Taskfile(\.dist)?\.ya?ml$/,
  tox: /(^|\/)tox\.ini$/,
  nox: /(^|\/)noxfile\.py$/,
  invoke: /(^|\/)tasks\.py$/,
  inv: /(^|\/)tasks\.py$/,
  cmake: /(^|\/)CMakeLists\.txt$/,
  ctest: /(^|\/)CMakeLists\.txt$/,
  meson: /(^|\/)meson\.build$/,
};

/** Lines that skip, focus, disable or expect failure of tests, in the languages `inspect` knows. */
export const SKIP_MARKERS: RegExp[] = [
  /\b(it|test|describe|context|suite|bench)\.(skip|only|todo|failing|skipIf|runIf)\b/,
  /(^|[^.\w])x(it|test|describe|context|specify)\s*\(/,
  /(^|[^.\w])f(it|describe)\s*\(/,
  /\bthis\.skip\s*\(/,
  /\bpytest\.mark\.(skip|skipif|xfail)\b/,
  /\bpytest\.(skip|xfail|importorskip)\s*\(/,
  /\bunittest\.(skip|skipIf|skipUnless|expectedFailure)\b/,
  /\b(raise\s+)?(unittest\.)?SkipTest\b/,
  /\bself\.skipTest\s*\(/,
  /\bt\.Skip(Now|f)?\s*\(/,
  /^\s*\/\/\s*(go:build|\+build)\s/,
  /#\[ignore\b/,
  /#\[cfg\(\s*(any\(\s*\)|FALSE|false|never)\s*\)\]/,
  /@(Disabled|Ignore|EnabledIf|DisabledIf|EnabledOn|DisabledOn)\w*\b/,
  /\bassume(True|False|That)\s*\(/,
  /\[(Fact|Theory|Test|TestMethod)\s*\([^)]*Skip\s*=/,
  /\[Ignore\b/,
  /\bmarkTest(Skipped|Incomplete)\s*\(/,
  /@(module)?tag\s+:?skip\b/,
  /^\s*(skip|pending)\b/,
  /\{\s*skip\s*:\s*true\s*\}/,
];

/** Ending the process from a test file: whatever ran after it never reports. */
export const EARLY_EXIT =
  /\b(process\.(exit|reallyExit|abort)|os\._exit|sys\.exit|os\.Exit|std::process::exit|System\.exit|Environment\.Exit|Kernel\.exit!?|exit!)\s*\(/;

/** Ending the process with success from code: a run judged by its exit code alone cannot tell it from passing tests. */
export const SUCCESS_EXIT =
  /\b(process\.(exit|reallyExit)|os\._exit|sys\.exit|os\.Exit|std::process::exit|System\.exit|Environment\.Exit|exit!?)\s*\(\s*(0|true|True|EXIT_SUCCESS|None)?\s*\)|^\s*exit(\s+0)?\s*;?\s*$/;
