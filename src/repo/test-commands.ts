import { resolveCiValues } from './ci-values.ts';
import { isUnknownValue, shellWords, splitEnvPrefix } from './shell-words.ts';

/** Commands that run a test suite, in the runners projects use (after env assignments are taken off). */
/** `uv run --frozen`, `poetry run`, `pdm run --group dev`: a Python environment runner in front of the command. */
const PY_RUN = String.raw`((uv|poetry|pipenv|hatch|pdm) run( --?[\w-]+(=\S+| (?!-)[\w.,-]+)?)* )?`;
const OPTS = String.raw`( -{1,2}[\w-]+(=\S+)?)*`;

/** Commands that run a test suite, in the runners projects use (after env assignments and wrappers are taken off). */
export const TEST_COMMANDS: RegExp[] = [
  new RegExp(String.raw`^(npm|pnpm|yarn|bun)${OPTS}( run)?${OPTS} (test|tests|test[:-][\w:-]+|unit)\b`),
  /^npm t\b/,
  /^yarn workspace \S+ (run )?test\b/,
  /^(pnpm|yarn|npx|bunx)?\s*(exec )?(vitest|jest|mocha|ava|uvu|tap)( run)?(\s|$)/,
  /^node --test\b/,
  // shelljs-make projects (eslint and its kin): `node Makefile mocha`.
  /^node Makefile(\.js)? (test|mocha|unit\w*)\b/,
  /^(pnpm |yarn |npx )?(turbo|nx|lerna)( run)? test\b/,
  /^(pnpm |yarn |npx )?nx (run-many|affected)\b.*(-t|--targets?)[= ]test\b/,
  // With the interpreter's own flags too (`python3 -bb -X dev -m pytest`).
  new RegExp(
    String.raw`^${PY_RUN}(python3?( -[bBdEiIOsSuvqR]+| -[WX] ?\S+)* -m |coverage run (-\S+ )*-m )?(pytest|unittest)\b`,
  ),
  new RegExp(String.raw`^${PY_RUN.replace('hatch|', '')}((uvx|pipx run) )?(python3? -m )?(tox|nox)\b`),
  /^hatch (run )?(\+\S+ )?test\b/,
  new RegExp(String.raw`^${PY_RUN}(poe|task) (test|tests)\b`),
  /^(\.\/)?(tests\/)?run_?tests\.py\b|^python3? (\.\/)?(tests\/)?run_?tests\.py\b/,
  /^go test\b/,
  /^gotestsum\b/,
  /^cargo (test|nextest run)\b/,
  /^(\.\/mvnw|mvn)\b/,
  /^(\.\/gradlew|gradle)\b.*\b(test|check|build|allTests)\b/,
  /^(bundle exec |bin\/)?(rake|rspec)\b/,
  /^bundle exec thor spec\b/,
  /^(bundle exec |bin\/)?rails (test|spec)\b/,
  // Django: `python manage.py test`, `django-admin test`, `python -m django test`.
  new RegExp(String.raw`^${PY_RUN}(python3? (\S+\/)?manage\.py|django-admin|python3? -m django) test\b`),
  /^(task|just|make)((\s+-C\s*\S+)|(\s+-(?!C\b)[\w-]+)|(\s+[A-Z_]+=\S+))*\s+(test|tests|check|unit|unit-tests?)([-:_][\w:-]+)?(\s|$)/,
  /^ctest\b/,
  /^meson test\b|^ninja -C \S+ test\b/,
  /^cmake --build \S+.*--target (test|check|tests|RUN_TESTS)\b/,
  // A repo's own test runner script: `./runtest`, `./run-tests.sh`, `script/test`, `bash scripts/test.sh`,
  /^(bash |sh )?(\.\/)?((script|scripts|bin|tools|ci)\/)?(runtests?|run[-_]tests?|tests?|unit[-_]?tests?)(\.sh)?(\s|$)/,
  // ...run inside the project's environment too (`uv run bash scripts/test.sh`; its folder named, so `uv run --group test x` is not one).
  new RegExp(
    String.raw`^${PY_RUN}(bash |sh )?(\.\/)?(script|scripts|bin|tools|ci)\/(runtests?|run[-_]tests?|tests?|unit[-_]?tests?)(\.sh)?(\s|$)`,
  ),
  // ...or one in the test folder: `test/runner` (puma), `tests/run_all.sh`.
  /^(bash |sh |ruby )?(\.\/)?tests?\/(runner|run|run[-_]?all|run[-_]?tests?|all)(\.(sh|rb|py))?(\s|$)/,
];

/** Programs that only wrap the command they run (`xvfb-run -a npm test`, `timeout 600 make check`). */
const WRAPPER =
  /^(xvfb-run( -a| --auto-servernum)?|time|timeout( -\S+)* \d+[smh]?|nice( -n -?\d+)?|stdbuf( -\S+)+|catchsegv|env( -\S+)*|(c8|nyc)( -{1,2}[\w-]+(=\S+)?)*)\s+/;

export function stripWrappers(command: string): string {
  let c = command;
  for (let i = 0; i < 3 && WRAPPER.test(c); i++) c = c.replace(WRAPPER, '');
  return c;
}

export function isTestCommand(command: string): boolean {
  const { rest } = splitEnvPrefix(shellWords(command));
  const bare = stripWrappers(rest.join(' '));
  return TEST_COMMANDS.some((re) => re.test(bare));
}

/** Build steps a CI job runs before its tests (`./configure`, `cmake -B build`, `make`): the setup those tests need. */
export const BUILD_COMMANDS: RegExp[] = [
  /^(autoreconf|autoconf|\.\/autogen\.sh|sh autogen\.sh|\.\/bootstrap)\b/,
  /^\.\/configure\b/,
  /^cmake\b(?!.*\s-E\s)/,
  /^meson (setup|compile)\b/,
  // rake-compiler's native extensions (`bundle exec rake compile`), before the tests load them.
  /^(bundle exec |bin\/)?rake compile(\s|$)/,
  /^make((\s+-C\s*\S+)|(\s+-j\S*)|(\s+-[\w-]+("[^"]*")?)|(\s+[A-Z_]+=\S+))*(\s+(all|build)([-_][\w-]+)?)?((\s+-[\w-]+)|(\s+[A-Z_]+=\S+))*\s*$/,
  /^mkdir( -p)? [\w.][\w./-]*$/,
  // `make tests` before `make check` builds the test programs.
  /^make((\s+-[\w-]+("[^"]*")?)|(\s+[A-Z_]+=\S+))*\s+tests\s*$/,
];

/**
 * Settings that are CI's own, not what a test run needs: colour, the CI service's and package
 * managers' own, tokens, coverage and reports, a compiler's flags (CI's build variants), the tox
 * or nox selection (read as `-e`/`-s`), and snapshot-accepting ones (`INSTA_FORCE_PASS`,
 * `UPDATE_SNAPSHOTS` would make failing tests pass).
 */
export const CI_ONLY_SETTING =
  /^(CI|FORCE_COLOR|NO_COLOR|TERM|COLORTERM|CLICOLOR(_FORCE)?|PY_COLORS|\w*_?COLOU?RS?(_\w+)?|CARGO_TERM_\w+|RUST_BACKTRACE|RUST_LIB_BACKTRACE|GITHUB_\w+|RUNNER_\w+|ACTIONS_\w+|HOME|PATH|SHELL|USER|LANG|LC_\w+|DEBIAN_FRONTEND|HOMEBREW_\w+|PIP_\w+|UV_\w+|npm_config_\w+|NPM_CONFIG_\w+|YARN_\w+|PNPM_\w+|COREPACK_\w+|\w*_(TOKEN|SECRET|PASSWORD|KEY|API_KEY)|CODECOV_\w+|COVERALLS_\w+|SONAR_\w+|NX_\w+|TURBO_\w+|JAVA_OPTS|MAVEN_OPTS|MAVEN_ARGS|GRADLE_OPTS|_JAVA_OPTIONS|INSTA_\w+|\w*UPDATE_SNAPSHOTS?\w*|\w*SNAPSHOT_UPDATE\w*|CARGO_INCREMENTAL|CARGO_NET_\w+|CARGO_PROFILE_\w+|RUSTUP_\w+|GOPROXY|GO111MODULE|GOPATH|GOCACHE|GOFLAGS|DOTNET_\w+|DISPLAY|WAYLAND_DISPLAY|PYTEST_ADDOPTS|\w*JUNIT\w*|\w*COVERAGE\w*|JRUBY_OPTS|RUSTFLAGS|RUSTDOCFLAGS|CFLAGS|CXXFLAGS|CPPFLAGS|LDFLAGS|MOREFLAGS|CC|CXX|TOXENV|NOXSESSION)$/i;

/** Flags that take no value: a CI value after one of them is an argument of its own (`cargo test --locked "$FEATURES"`). */
const BOOLEAN_FLAG =
  /^(--locked|--frozen|--offline|--verbose|-v|-vv|--release|--all-features|--workspace|--all|--no-default-features|--all-targets|-race|-short|-count=\d+|--ci|--no-daemon|--quiet|-q|-B|--batch-mode|--no-fail-fast|--coverage|--color|--immutable|--frozen-lockfile)$/;

export type Normalised = { command: string; changes: string[] } | { setAside: string };

/** Flags that ask for debug output, build scans or CI-only reporting: the suite runs the same without them. */
const NOISE: Array<{ tool: RegExp; flags: RegExp; takesValue?: RegExp }> = [
  {
    tool: /^(\.\/mvnw|mvn)$/,
    flags:
      /^(-X|--debug|-e|--errors|-V|--show-version|-ntp|--no-transfer-progress|-ff|--fail-fast|-Dstyle\.color=\S+|-Djansi\.passthrough=\S+)$/,
  },
  {
    tool: /^(\.\/gradlew|gradle)$/,
    flags: /^(--stacktrace|-s|--full-stacktrace|-S|--scan|--info|-i|--debug|-d|--console=\S+)$/,
  },
  { tool: /^cargo$/, flags: /^(--verbose|-v|-vv|--color=\S+)$/ },
  // Colour, and stopping at the first failures or running the last ones first: the harness needs every failure of the whole suite.
  {
    tool: /^(pytest|py\.test|python3? -m pytest)$/,
    flags:
      /^(--color=\S+|--code-highlight=\S+|--ff|--failed-first|--lf|--last-failed|--sw|--stepwise|-x|--exitfirst|--maxfail=\d+|--maxfail)$/,
    takesValue: /^--maxfail$/,
  },
  {
    tool: /^task$/,
    flags: /^--output(-group-(begin|end))?$|^--output=\S+$/,
    takesValue: /^--output(-group-(begin|end))?$/,
  },
  { tool: /^ctest$/, flags: /^(-V|-VV|--verbose|--extra-verbose)$/ },
  { tool: /^meson$/, flags: /^(-v|--verbose)$/ },
  { tool: /^(bundle|rspec|bin\/rspec)$/, flags: /^(--backtrace|-b)$/ },
];

/**
 * A CI or AGENTS.md command made runnable here: environment assignments and debug or reporting flags
 * are taken off, and options whose value comes from the CI matrix or a variable are dropped. A command
 * that still depends on such a value is set aside.
 */
export interface CommandContext {
  /** The sessions noxfile.py defines. */
  noxSessions?: string[];
  /** package.json scripts, to run the whole of which a CI script is one part. */
  scripts?: Record<string, string>;
  /** `poetry run ` or `uv run `: where the project's Python environment lives, for CI steps that ran inside an activated one. */
  pythonRunner?: string;
  /** The values the CI step's command sees (its workflow's, job's and step's `env:`): references to them are resolved. */
  env?: Record<string, string>;
  /** The test command a repository script ends with, when the command runs one (`ci/check.sh`: values exported, then pytest); else null. */
  testScript?: (command: string, cwd: string | undefined) => string | null;
}

export function normaliseCommand(raw: string, context: CommandContext = {}): Normalised {
  // `--features $TOKIO_STABLE_FEATURES` with `TOKIO_STABLE_FEATURES: "full,test-util"` in the workflow's env: those features.
  const values = resolveCiValues(raw, context.env);
  // `tox run --installpkg `find dist/*.whl``: a package CI built in an earlier step, whatever the quoting.
  // A CI expression is one word, whatever its spaces (`${{ matrix.tox || format('py{0}', matrix.python) }}`).
  const command = values.command
    .replace(/\s--installpkg(=|\s+)(`[^`]*`|"[^"]*"|'[^']*'|\S+)/g, ' --installpkg dist')
    .replace(/\$\{\{.*?\}\}/g, (e) => e.replace(/\s+/g, ''));
  const bare = command.replace(/\$\{\{.*?\}\}/g, 'X').replace(/"[^"]*"|'[^']*'/g, '""');
  if (/;|\|\||(^|[^|])\|([^|]|$)|[<>`]/.test(bare)) return { setAside: 'a shell construct, not one command' };
  const changes: string[] = values.resolved.length
    ? [`with ${values.resolved.map((n) => `\`${n}\``).join(', ')} from the workflow’s env`]
    : [];
  const split = splitEnvPrefix(shellWords(command));
  // `FAKER_LAZY_LOAD=1 bundle exec rake test`: on one command line, CI's way of writing a variant of the same run.
  // (What a step sets up for the commands after it, its env: and exports, is kept: see pick-test.ts.)
  const env = split.env;
  const arch = env.find((e) => /^(GOARCH|GOOS)=/.test(e));
  if (arch) return { setAside: `a run for another platform (${arch})` };
  if (env.length) changes.push(`without CI’s ${env.map((e) => e.split('=')[0]).join(', ')}`);
  const unwrapped = stripWrappers(split.rest.join(' '));
  if (unwrapped !== split.rest.join(' '))
    changes.push(
      `without \`${split.rest
        .join(' ')
        .slice(0, split.rest.join(' ').length - unwrapped.length)
        .trim()}\``,
    );
  const rest = shellWords(unwrapped);
  const words: string[] = [];
  const tool = rest[0] ?? '';
  if (isUnknownValue(tool)) return { setAside: 'the program is a CI variable' };
  const noise = NOISE.filter(
    (n) => n.tool.test(tool) || (/^python3?$/.test(tool) && n.tool.test(rest.slice(0, 3).join(' '))),
  );
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const next = rest[i + 1];
    const n = noise.find((x) => x.flags.test(w));
    if (i > 0 && n) {
      if (n.takesValue?.test(w) && next !== undefined) i++;
      changes.push(`without ${w}`);
      continue;
    }
    const runner = words.find((x) => /(^|\/)(nox|tox)$/.test(x));
    const selector = /^(-s|--session|--sessions|-e|-t|--tags)$/.test(words.at(-1) ?? '') && !!runner;
    // `tox -e $PYTHON-tests`, `tox -e ${{ matrix.env }}`: the CI value is the Python; here that is `py`.
    if (selector && /\$/.test(w) && /tox$/.test(runner!)) {
      const env = w
        .replace(/^["']|["']$/g, '')
        .replace(/\$\{\{.*?\}\}|\$\{\w+\}|\$\w+/g, 'py')
        .replace(/^py-?py/, 'py');
      if (/^[\w.-]+$/.test(env)) {
        words.push(env);
        changes.push(`the tests on this Python (\`-e ${env}\`)`);
        continue;
      }
      return { setAside: `the environment is a value only CI knows (${w})` };
    }
    if (selector && /\$/.test(w)) {
      // `nox -s test-${{ matrix.python }}`: the session for every Python; `nox -s "$SESSION"`: the noxfile's test session.
      const prefix = /^["']?([\w.]+?)-?\$\{\{[^}]*\}\}["']?$/.exec(w)?.[1];
      const test = context.noxSessions?.find((x) => /^tests?$/.test(x));
      if (prefix) {
        words.push(prefix);
        changes.push('every Python version of the session');
      } else if (test) {
        words.push(test);
        changes.push(`the noxfile’s ${test} session (CI picks one per matrix entry)`);
      } else return { setAside: `the session is a value only CI knows (${w})` };
      continue;
    }
    // `go test -race -bench . -benchmem ./...` runs every test, then the benchmarks: the tests are the suite.
    if (
      tool === 'go' &&
      rest[1] === 'test' &&
      !rest.some((x) => /^-{1,2}run(=|$)/.test(x)) &&
      /^-{1,2}(bench|benchmem|benchtime)(=|$)/.test(w)
    ) {
      if (/^-{1,2}(bench|benchtime)$/.test(w) && next !== undefined) i++;
      changes.push('without the benchmarks');
      continue;
    }
    // `tox run --skip-pkg-install`: an earlier CI step (`--notest`) installed the package; here this run does.
    if (w === '--skip-pkg-install' && words.some((x) => /(^|\/)tox$/.test(x))) {
      changes.push('without --skip-pkg-install (an earlier CI step installed the package)');
      continue;
    }
    // `tox run --installpkg dist/*.whl`: a package CI built in an earlier step.
    if (w === '--installpkg' && next !== undefined) {
      i++;
      changes.push('without CI’s prebuilt package');
      continue;
    }
    // `nox -s test -- tests/unit --verbose`: CI splits the suite across steps; the session alone runs all of it.
    if (w === '--' && words.some((x) => /(^|\/)(nox|tox)$/.test(x))) {
      if (i < rest.length - 1) changes.push('without CI’s test arguments');
      break;
    }
    // `--python ${{ matrix.python }}`, `--target=$TARGET`, `-Pversion=${{ x }}`, `"${FEATURES}"`
    if (isUnknownValue(w)) {
      // `rake ${{ matrix.task }}`: without its task, rake (make, just, task) would run its default one, another command.
      const runnerAt = words.findIndex((x) => /^(rake|make|just|task)$/.test(x));
      if (runnerAt >= 0 && words.slice(runnerAt + 1).every((x) => x.startsWith('-') || /^[A-Z_]+=/.test(x)))
        return { setAside: `the task is a value only CI knows (${w})` };
      // A bare `$X` after an option is that option's value; a quoted "${X}" stands for whole arguments.
      const prev = words.at(-1);
      if (prev && /^--?[\w-]+$/.test(prev) && prev !== '--' && !BOOLEAN_FLAG.test(prev)) words.pop();
      changes.push('without values only CI knows');
      continue;
    }
    const eq = /^(--?[\w.-]+=|-[DP][\w.-]+=|[A-Z_]+=|\+\w+=)(.*)$/.exec(w);
    if (eq && isUnknownValue(eq[2]!)) {
      changes.push('without values only CI knows');
      continue;
    }
    // `mvn verify javadoc:jar`: the lifecycle phase runs the tests; plugin goals beside it are CI's extras.
    if (
      /^(\.\/mvnw|mvn)$/.test(tool) &&
      i > 0 &&
      /^[\w.-]+:[\w.-]+(@[\w-]+)?$/.test(w) &&
      rest.some((r) => /^(test|verify|install)$/.test(r))
    ) {
      changes.push(`without ${w}`);
      continue;
    }
    if (/\$\{\{|\$\w|\$\{/.test(w.replace(/\$\((nproc|getconf [^)]*|sysctl [^)]*)\)/g, '')))
      return { setAside: `depends on a value only CI knows (${w})` };
    words.push(w);
  }
  while (words.length > 1 && words.at(-1) === '--') words.pop();
  // CI ran `pytest` inside an activated virtualenv; here the project's own runner provides it.
  if (
    context.pythonRunner &&
    /^(pytest|python3? -m (pytest|unittest))$/.test(words.slice(0, words[0] === 'pytest' ? 1 : 3).join(' '))
  ) {
    words.unshift(...context.pythonRunner.trim().split(' '));
    changes.push(`through \`${context.pythonRunner.trim()}\`, where setup installs the project`);
  }
  // `npm run test-node:unit` where `test-node` runs every `test-node:*` part: the whole of it.
  const whole = wholeScript(words, context.scripts);
  if (whole) {
    changes.push(`the whole \`${whole.parent}\` script, of which \`${whole.part}\` is one part`);
    words.splice(0, words.length, ...whole.words);
  }
  // `tox` / `tox run` with no environment runs every env of its list (docs, lint, other Pythons): the tests on this Python are `-e py`.
  const toxAt = words.findIndex((x) => /(^|\/)tox$/.test(x));
  if (toxAt >= 0 && !words.includes('-e') && !env.some((e) => e.startsWith('TOXENV='))) {
    const after = words[toxAt + 1] === 'run' ? toxAt + 2 : toxAt + 1;
    words.splice(after, 0, '-e', 'py');
    changes.push('the tests on this Python (`-e py`)');
  }
  return { command: words.join(' '), changes: [...new Set(changes)] };
}

/** A task is a lint or type check when one word of its name says so (`lint`, `lint:js`, `mypy-test`, `check-format`). */
/** The script a `npm run parent:part` belongs to, when the parent runs all its parts (`run-s parent:*`, or names this part). */
function wholeScript(
  words: string[],
  scripts: Record<string, string> | undefined,
): { parent: string; part: string; words: string[] } | null {
  if (!scripts || !/^(npm|pnpm|yarn|bun)$/.test(words[0] ?? '')) return null;
  const at = words[1] === 'run' ? 2 : 1;
  const part = words[at];
  if (!part || words.length > at + 1) return null;
  const cut = Math.max(part.lastIndexOf(':'), part.lastIndexOf('-'));
  const parent = cut > 0 ? part.slice(0, cut) : '';
  const body = parent ? scripts[parent] : undefined;
  if (!body || !/^test/.test(parent) || LINT_TASK.test(part) || OTHER_TASK.test(part) || SPECIAL_QUALIFIER.test(part))
    return null;
  // `test` = `npm-run-all build lint test:unit`: the parent lints too, so the part is the tests.
  // ...or runs special-purpose suites (`test:browser`, `test:memory`) beside it.
  if (
    body
      .split(/[\s&|;]+/)
      .some(
        (w) =>
          LINT_TASK.test(w) ||
          /^(xo|eslint|prettier|biome|oxlint|tsc)$/.test(w) ||
          (/^test[:-]/.test(w) && SPECIAL_QUALIFIER.test(w)),
      )
  )
    return null;
  const runsAll =
    body.includes(`${parent}:*`) ||
    body.includes(`${parent}-*`) ||
    new RegExp(`(^|\\s)${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(body);
  return runsAll
    ? { parent, part, words: [words[0]!, ...(parent === 'test' && words[0] !== 'bun' ? ['test'] : ['run', parent])] }
    : null;
}

const LINT_TASK =
  /(^|[:_-])(lint|linters?|eslint|rubocop|standard|internal_investigation|documentation_syntax_check|format|fmt|style|typecheck|typing|types|mypy|pyright|pep484|pep8|flake8|black|isort|pre-commit|prek|precommit|vet|clippy|spotlessCheck|checkstyle\w*|ktlint\w*|detekt)($|[:_-])/i;
/** Tasks that are about something else than the tests: by one word of the name (`docs`, `docset`, `release`), or by the whole name. */
const OTHER_TASK =
  /(^|[:_-])(docs?|docset|rdoc|yard|apidoc|release|publish|deploy|vendoring|changelog|dist|clean|tidy|licen[cs]es?|links|spelling|codespell|generated|readmes?|headers)($|[:_-])|^(build|compile|prepare[-_]release|build[-_]release|coverage|coverage[:-]\w+|bench|benchmark|package|install|clean|generate|codegen|size)$/i;
export const SPECIAL_QUALIFIER =
  /(^|[:_-])(stress|fuzz|bench|benchmark|perf|smoke|basic|slow|nightly|memory|memcheck|memray|leak|valgrind|asan|tsan|ubsan|msan|sanitize|sanitizers|e2e|browser|browsers|playwright|cypress|external|downstream|compat|minimal|min|dev-package|production|standalone|deno|edge|workerd|lambda|fastly|ui|miri|loom|watch|serve|integration-only|legacy|compatibility|types|typecheck|typing|tsd|dts|install|emfile|ecosystem|without|pypy\d*|fuzzing|typescript|wasm|wasi|wasm32|cloud|sauce|saucelabs|browserstack|headless|webworker|chrome|chromium|firefox|safari|webkit)($|[:_-])/i;

/** CI jobs whose name says they are not the plain unit suite (`ts-compatibility`, `lint`, `docs`, `test-leak`). */
export const SPECIAL_JOB = new RegExp(
  `${SPECIAL_QUALIFIER.source}|(^|[:_ -])(lint|linters?|static|static-checks|docs?|docset|release|publish|deploy|coverity|codeql|sonar\\w*|codspeed|codespell|spelling|typos|links|markdown|changelog|license)($|[:_ -])`,
  'i',
);

/** CI jobs and workflows for another platform than the Linux worker (`freebsd.yml`, a `windows` job). */
export const PLATFORM_JOB =
  /(^|[:_ -])(freebsd|openbsd|netbsd|dragonfly|solaris|illumos|windows|macos|mingw|cygwin|msys2?|android|ios)($|[:_ -])/i;

/**
 * Reasons that only make a CI command second best: a build-tag run, a job for another platform.
 * Such a command is still the team's own, so it beats a default made from the project files.
 */
export const SOFT_REASON =
  /^(a run with build tags|its (CI job|workflow) `[^`]*` is for another platform|leaves modules out of the build|one component's tests)/;

/**
 * Why a runnable command is not the project's full unit suite, or null when it is: lint, a single
 * package, module, feature or file, a special-purpose run, a watch mode, or something needing root.
 */
export function setAsideReason(command: string): string | null {
  const { rest } = splitEnvPrefix(shellWords(command));
  const [tool = '', ...args] = rest;
  const line = rest.join(' ');
  if (tool === 'sudo') return 'needs root';
  // `./mvnw --version`, `pytest --version`: prints what it is and runs nothing.
  if (
    args.length &&
    args.every((a) => /^(--version|-version|--help|-h)$/.test(a) || (/^(\.\/mvnw|mvn)$/.test(tool) && a === '-v'))
  )
    return 'only prints its version or help';
  if (
    /^(rubocop|standardrb|eslint|xo|ruff|flake8|pylint|mypy|golangci-lint|clippy|shellcheck|prettier|biome)$/.test(tool)
  )
    return 'a linter, not the tests';
  // `tox -e base,dist,docs`: every environment of the list must be a test one.
  const toxEnvs = /(^|\/)tox$/.test(tool) ? namedTask(tool, args)?.split(',') : undefined;
  const notTox = toxEnvs?.find((e) => LINT_TASK.test(e) || OTHER_TASK.test(e));
  if (notTox) return `\`${notTox}\` is not a test environment`;
  const task = namedTask(tool, args);
  if (task !== null) {
    if (LINT_TASK.test(task)) return `\`${task}\` is a lint or type check, not the tests`;
    if (OTHER_TASK.test(task)) return `\`${task}\` does not run the tests`;
    if (SPECIAL_QUALIFIER.test(task) && !/^(test|tests)$/.test(task))
      return `\`${task}\` is a special-purpose run, not the whole suite`;
  }
  // `rake lexer templates compile`: rake runs what it is asked, and none of these is the tests.
  const rakeTasks = rakeTaskList(tool, args);
  // `rake gumbo:test`: one component's tests (second best: see SOFT_REASON).
  const part = rakeTasks?.length === 1 && /^([\w-]+):(test|spec)$/.exec(rakeTasks[0]!);
  if (part && !/^(test|spec)s?$/.test(part[1]!)) return `one component's tests (\`${rakeTasks![0]}\`)`;
  if (
    rakeTasks?.length &&
    !rakeTasks.some(
      (t) => /(^|[:_-])(test|tests|spec|specs|default|ci|check|all)($|[:_-])/.test(t) && !LINT_TASK.test(t),
    )
  )
    return `rake ${rakeTasks.join(' ')}: none of these tasks is the tests`;
  if (/(^|\/)tox$/.test(tool) && /(^|\s)--notest(\s|$)/.test(line))
    return 'prepares the tox environments without running the tests';
  if (/(^|\s)(--filter|-F)[ =]\S+/.test(line) && /^(pnpm|yarn|turbo|npx|nx)$/.test(tool))
    return 'one package of the workspace';
  if (/(^|\s)(-w|--workspace)[ =]\S+/.test(line) && tool === 'npm') return 'one package of the workspace';
  if (tool === 'yarn' && args[0] === 'workspace') return 'one package of the workspace';
  const watch = /^(npm|pnpm|yarn|bun)$/.test(tool)
    ? /(^|\s)(--watch|--watchAll)(\s|$)/
    : /(^|\s)(--watch|-w|--watchAll)(\s|$)/;
  if (watch.test(line) || (/(^|\s)(vitest|jest)(\s*$)/.test(line) && tool !== 'npm'))
    return 'a watch mode that never ends';
  if (/(^|\s)nx affected\b/.test(line)) return 'only the projects a change affects';
  if (/(^|\s)--browser(\s|=|$)/.test(line)) return 'runs the tests in a browser';
  if (/(^|\s)(--selectProjects|--shard)[ =]\S+/.test(line)) return 'one shard or project of the suite';
  const makeDir = tool === 'make' ? /(?:^|\s)-C\s*(\S+)/.exec(args.join(' '))?.[1] : undefined;
  if (makeDir && !/^(\.\/)?(tests?|build|_build|out)\/?$/.test(makeDir))
    return `runs in ${makeDir.replace(/\/$/, '')}/, one part of the repository`;
  if (tool === 'cargo') return cargoSubset(args);
  if (/^(\.\/mvnw|mvn)$/.test(tool)) return mavenSubset(args);
  if (/^(\.\/gradlew|gradle)$/.test(tool)) return gradleSubset(args);
  if (tool === 'go') return goSubset(args);
  if (/pytest/.test(line)) return pytestSubset(line);
  if (
    !/(^|\/)(nox|tox)$/.test(tool) &&
    !/\b(nox|tox)\b/.test(line) &&
    /(^|\s)(-k|-t|--grep|-g|--testNamePattern|--test-name-pattern|-run)\s/.test(line)
  )
    return 'runs only the tests matching a name';
  if (/\.(test|spec)\.[jt]sx?(\s|$)|_test\.go(\s|$)|_spec\.rb(\s|$)|::/.test(line)) return 'runs one test file';
  return null;
}

/** The tasks a `rake` (or `bundle exec rake`, `bin/rake`) command names; undefined for other tools. */
function rakeTaskList(tool: string, args: string[]): string[] | undefined {
  const rest = /^(bin\/)?rake$/.test(tool)
    ? args
    : tool === 'bundle' && args[0] === 'exec' && args[1] === 'rake'
      ? args.slice(2)
      : undefined;
  return rest?.filter((a) => !a.startsWith('-') && !/^[A-Z_]+=/.test(a));
}

/** The task, script, session or target a runner is asked for (`npm run X`, `nox -s X`, `rake X`, `make X`), if any. */
function namedTask(tool: string, args: string[]): string | null {
  // Options that take a value (`make -C tests`, `make -f x.mk`, `-j 4`) do not name the task.
  const valued = new Set(['-C', '-f', '-j', '--directory', '--file']);
  const plain = args.filter((a, i) => !a.startsWith('-') && !/^[A-Z_]+=/.test(a) && !valued.has(args[i - 1] ?? ''));
  if (/^(npm|pnpm|yarn|bun)$/.test(tool)) return (plain[0] === 'run' ? plain[1] : plain[0]) ?? null;
  if (/(^|\/)(nox|tox)$/.test(tool) || args.some((a) => /(^|\/)(nox|tox)$/.test(a))) {
    const i = args.findIndex((a) => a === '-s' || a === '--session' || a === '-e' || a === '-f');
    return i >= 0 ? (args[i + 1] ?? null) : null;
  }
  if (/^(rake|task|just|make|thor)$/.test(tool) || /^bin\/rake$/.test(tool)) return plain[0] ?? null;
  if (tool === 'bundle' && args[0] === 'exec')
    return /^(rake|thor)$/.test(args[1] ?? '') ? (args.slice(2).find((a) => !a.startsWith('-')) ?? null) : null;
  if (/^(\.\/gradlew|gradle)$/.test(tool))
    return plain.find((a) => !/^(test|build|check|allTests|clean)$/.test(a)) ?? null;
  return null;
}

function cargoSubset(args: string[]): string | null {
  const line = ` ${args.join(' ')} `;
  if (/\s(miri|hack|fuzz|bench)\s/.test(line)) return 'a special-purpose cargo run';
  if (/\s(\+nightly\S*|-Z\s*\S+)/.test(line) || args[0]?.startsWith('+'))
    return 'needs a nightly Rust (`-Z` flags or a `+toolchain`)';
  if (/\s(-p|--package)[ =]/.test(line)) return 'one crate of the workspace';
  if (/\s--manifest-path[ =]/.test(line)) return 'one crate of the workspace';
  if (/\s(--test|--bin|--example|--bench)[ =]\S+|\s(--lib|--doc|--bins|--examples)\s/.test(line))
    return 'one target, not the whole suite';
  // `--workspace --features full,test-util`: every crate with the features its tests need (tokio's CI runs nothing else).
  if (/\s(--features|-F)[ =]/.test(line) && !/\s(--workspace|--all)\s/.test(line))
    return 'a feature-flag run, not the default suite';
  if (/\s--no-default-features\s/.test(line)) return 'a feature-flag run, not the default suite';
  if (/\s--release\s/.test(line)) return 'a release-profile run';
  const dashdash = args.indexOf('--');
  if (dashdash >= 0 && args.slice(dashdash + 1).some((a) => !a.startsWith('-')))
    return 'runs only the tests matching a name';
  return null;
}

function mavenSubset(args: string[]): string | null {
  const line = ` ${args.join(' ')} `;
  if (/\s-D(maven\.test\.skip|skipTests)(=true)?\s/.test(line)) return 'skips the tests';
  if (/\s(-pl|--projects)[ =]['"]?!/.test(line)) return 'leaves modules out of the build';
  // `-f service/pom.xml`: a module's own pom, not the build's (`-f build-pom.xml` at the top is).
  if (/\s(-f|--file)[ =]\S*\/\S*pom\.xml\s/.test(line)) return 'one module, not the whole build';
  if (/\s(-pl|--projects)[ =]/.test(line)) return 'one module, not the whole build';
  const profile = /\s(?:-P|--activate-profiles)[ =]?(\S+)/.exec(line)?.[1];
  if (
    profile &&
    (SPECIAL_QUALIFIER.test(profile) ||
      /native|release|deploy|sonar|docs?\b|it\b|integration|subset|graal|jdk\d/i.test(profile))
  )
    return 'a profile run, not the default build';
  if (/\s-Dtest=/.test(line)) return 'runs only some tests';
  const goals = args.filter((a) => !a.startsWith('-'));
  if (goals.length && !goals.some((g) => /^(test|verify|install|package|integration-test)$/.test(g)))
    return 'runs no test phase';
  return null;
}

function gradleSubset(args: string[]): string | null {
  const line = ` ${args.join(' ')} `;
  if (/\s(-x|--exclude-task)[ =](test|\S*Test)\s/.test(line)) return 'excludes the tests';
  if (args.some((a) => /^:?[\w-]+(:[\w-]+)*:(test|check|build|\w*Test)$/.test(a)))
    return 'one module, not the whole build';
  if (/\s--tests[ =]/.test(line)) return 'runs only some tests';
  return null;
}

function goSubset(args: string[]): string | null {
  if (args.some((a) => /^-(fuzz|bench|run)(=|$)/.test(a))) return 'a special-purpose go test run';
  const tags = args.find((a, i) => /^--?tags(=|$)/.test(a) && (a.includes('=') || args[i + 1] !== undefined));
  if (tags)
    return `a run with build tags (${tags.includes('=') ? tags : `${tags} ${args[args.indexOf(tags) + 1]}`}), not the default build`;
  const pkgs = args.slice(1).filter((a) => !a.startsWith('-') && !/^\d/.test(a));
  if (pkgs.length && !pkgs.includes('./...')) return 'some packages, not ./...';
  if (!pkgs.length && args[0] === 'test') return 'only the root package, not ./...';
  return null;
}

function pytestSubset(line: string): string | null {
  // pytest's own options only: `python -m pytest` is no marker.
  const after = line.split(/\bpytest\b/)[1] ?? '';
  if (/\s(-k|-m)\s/.test(` ${after} `)) return 'runs only the tests matching a marker or name';
  if (/\s--(memray|benchmark-only|codspeed)\b/.test(after)) return 'a special-purpose pytest run';
  const paths = shellWords(after).filter((a) => !a.startsWith('-') && !/=/.test(a));
  if (paths.some((p) => /\/./.test(p.replace(/\/$/, '')) || /\.py(::|$)/.test(p))) return 'one part of the test tree';
  return null;
}

/** `bundle exec rake` with no task runs the Rakefile's default, which may lint too (`task default: %w[test rubocop]`). */
export function rakeDefaultReason(command: string, rakefile: string | undefined): string | null {
  if (!/^(bundle exec |bin\/)?rake$/.test(command) || !rakefile) return null;
  const line = /^\s*(?:multi)?task\s*\(?\s*:?default\s*(?:=>|:)\s*(.+)$/m.exec(rakefile)?.[1] ?? '';
  const tasks = [...line.matchAll(/[\w:]+/g)].map((m) => m[0].replace(/^:/, '')).filter((t) => !/^(i|w)$/.test(t));
  const extra = tasks.filter((t) => LINT_TASK.test(t) || /^(codespell|spell\w*|features|cucumber)$/.test(t));
  return extra.length ? `the default rake task also runs ${extra.join(', ')}` : null;
}
