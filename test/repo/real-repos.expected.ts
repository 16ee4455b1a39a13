/**
 * The test command each corpus repository's team relies on, written down from reading its CI
 * (the workflow that runs on push or pull request), package scripts and build files, before
 * `inspect` was run on it. `test` must match what `inspect` picks; `setup`, when given, must
 * match one of its setup commands. The full unit suite, in the project's own runner, without
 * lint, debug flags, browser-only or release jobs.
 */
export type Ecosystem = 'node' | 'python' | 'go' | 'rust' | 'java' | 'ruby' | 'c/c++';

export interface Expected {
  ecosystem: Ecosystem;
  test: RegExp;
  setup?: RegExp;
  why: string;
  /** 2 and 3: added after a round of fixes, to check the detection on repositories it was never tuned on. */
  batch?: 2 | 3 | 4 | 5 | 6 | 7;
}

/** `npm test` whose script lints first (`xo && ava`): the tests without the lint step. */
const AVA_WITHOUT_XO = /^(?!.*\bxo\b).*\bava\b/;
const MVN = String.raw`(\.\/mvnw|mvn)( -B| --batch-mode| -q| -ntp| --no-transfer-progress| -ff)*`;

export const EXPECTED: Record<string, Expected> = {
  // ---- Node: npm, pnpm, yarn, bun; monorepos
  'chalk+chalk': { ecosystem: 'node', test: AVA_WITHOUT_XO, why: 'CI runs `npm test` = `xo && c8 ava && tsd`: the tests without xo' },
  'sindresorhus+camelcase': { ecosystem: 'node', test: AVA_WITHOUT_XO, why: '`npm test` = `xo && ava && tsd`' },
  'sindresorhus+p-limit': { ecosystem: 'node', test: AVA_WITHOUT_XO, why: '`npm test` = `xo && ava && tsd`' },
  'sindresorhus+slugify': { ecosystem: 'node', test: AVA_WITHOUT_XO, why: '`npm test` = `xo && ava && tsd`' },
  'sindresorhus+yocto-queue': { ecosystem: 'node', test: /^npm test$/, why: '`npm test` = `ava && tsd` (xo moved out)' },
  'lukeed+clsx': { ecosystem: 'node', test: /^npm test$/, why: 'ci.yml: `npm run build`, then `npm test` (uvu)' },
  'lukeed+dequal': { ecosystem: 'node', test: /^npm test$/, why: 'ci.yml: `npm test` (pretest builds)' },
  'lukeed+kleur': { ecosystem: 'node', test: /^npm test$/, why: 'ci.yml: `c8 npm test`; c8 is only coverage' },
  'vercel+ms': { ecosystem: 'node', test: /^pnpm (run )?test$/, why: 'test.yml matrix runs test:nodejs and test:edge, which `pnpm test` chains' },
  'ai+nanoid': { ecosystem: 'node', test: /^pnpm (run )?(bnt|test:coverage)$/, why: '`pnpm test` runs every test:* script, oxlint and size-limit included; the unit tests are `bnt` (the short job)' },
  'vitejs+vite': { ecosystem: 'node', test: /^pnpm (run )?(test-unit|test)$/, why: 'ci.yml test job: `pnpm run test-unit` (the serve/build tests are Playwright)' },
  'honojs+hono': { ecosystem: 'node', test: /^bun run test$/, why: 'ci.yml main job: `bun run test` (the script; `bun test` would be bun’s own runner)' },
  'prettier+prettier': { ecosystem: 'node', test: /^yarn (run )?test$/, why: 'dev-test.yml: `yarn test` (jest)' },
  'trpc+trpc': { ecosystem: 'node', test: /^pnpm (run )?test( --coverage)?$/, why: 'main.yml test job: `pnpm test --coverage` (vitest over the pnpm+turbo monorepo)' },
  'colinhacks+zod': { ecosystem: 'node', test: /^pnpm (run )?test$|^pnpm (exec )?vitest run$/, why: 'test.yml: `pnpm build`, `pnpm test`; AGENTS.md says `pnpm vitest run`' },
  'expressjs+express': { ecosystem: 'node', test: /^npm (run )?test(-ci)?$/, setup: /^npm install$/, why: 'ci.yml: `npm run test-ci` (npm test under nyc); no lockfile' },

  // ---- Python: pip, uv, poetry, hatch, tox, nox
  'pallets+jinja': { ecosystem: 'python', test: /^python -m pytest$/, setup: /requirements\/tests\.txt/, why: 'tox.ini: deps from requirements/tests.txt, then pytest' },
  'pallets+flask': { ecosystem: 'python', test: /^(uv run (--\S+( (?!-)\S+)? )*)?((python -m )?pytest|tox run -e py[\w.]*)$/, why: 'tests.yaml: `tox run` over uv; the py envs run pytest (env_list also has style/typing/docs)' },
  'pypa+pip': { ecosystem: 'python', test: /^(python -m )?nox -s test(-[\d.]+)?$/, why: 'ci.yml: `python -m nox -s test-X.Y -- tests/unit`; the default nox session is lint' },
  'encode+httpx': { ecosystem: 'python', test: /^((\.\/)?scripts\/test|(python -m )?pytest)$/, why: 'test-suite.yml: `scripts/test` (coverage run -m pytest; it lints first outside GitHub Actions)' },
  'pypa+hatch': { ecosystem: 'python', test: /^hatch test\b(?!.*\$\{\{)/, why: 'test.yml: `hatch test --python X --randomize --parallel`' },
  'python-poetry+poetry': { ecosystem: 'python', test: /^poetry run (python -m )?pytest\b/, why: '.tests-matrix.yaml: `poetry run pytest --integration -v`' },
  'pytest-dev+pluggy': { ecosystem: 'python', test: /^((python -m )?tox (run )?-e py[\w.]*|(python -m )?pytest)$/, why: 'test.yml: `tox run` per Python; envlist also has docs' },
  'urllib3+urllib3': { ecosystem: 'python', test: /^((uvx |python -m )?nox -s test(-[\w.]+)?|(python -m )?pytest)$/, why: 'ci.yml: `uvx nox -s $NOX_SESSION` with test-X.Y sessions' },
  'pydantic+pydantic': { ecosystem: 'python', test: /^(make test|uv run (python -m )?pytest)$/, why: 'ci.yml test job: `uv sync ...` then `make test`' },
  'fastapi+typer': { ecosystem: 'python', test: /^(uv run )?bash scripts\/test\.sh$|^uv run (python -m )?pytest$/, why: 'test.yml: `uv run bash scripts/test.sh` (pytest with coverage)' },

  // ---- Go
  'google+uuid': { ecosystem: 'go', test: /^go test( -v)? \.\/\.\.\.$/, why: '.travis.yml runs `go test -v ./...`; no Makefile' },
  'pkg+errors': { ecosystem: 'go', test: /^make (test|check)$/, why: '.travis.yml runs `make check`; `make test` is its test part' },
  'spf13+cobra': { ecosystem: 'go', test: /^(go test \.\/\.\.\.|make test)$/, why: 'CI runs `make test` (go test under richgo)' },
  'gin-gonic+gin': { ecosystem: 'go', test: /^(make test|go test \.\/\.\.\.)$/, why: 'gin.yml: `make test`' },
  'urfave+cli': { ecosystem: 'go', test: /^(make test|go test \.\/\.\.\.)$/, why: 'test.yml: `make lint`, `make vet`, `make test` (the Makefile forwards targets to its Go build script)' },
  'go-task+task': { ecosystem: 'go', test: /^task test$/, why: 'ci.yml: `task test` (the project’s own runner)' },
  'stretchr+testify': { ecosystem: 'go', test: /^go test( -v)?( -race)? \.\/\.\.\.$/, why: 'main.yml: `go test -v -race ./...` after the gofmt/vet scripts' },
  'junegunn+fzf': { ecosystem: 'go', test: /^make test$/, why: 'linux.yml: `make lint`, then `make test`' },

  // ---- Rust: the workspace suite, not one crate or feature
  'serde-rs+serde': { ecosystem: 'rust', test: /^cargo test( --workspace| --all)?$/, why: 'CI tests crates one by one with nightly features; the workspace suite is `cargo test`' },
  'BurntSushi+ripgrep': { ecosystem: 'rust', test: /^cargo test (--workspace|--all)$/, why: 'ci.yml: `cargo test --verbose --workspace` (feature variants are extra)' },
  'tokio-rs+tokio': { ecosystem: 'rust', test: /^cargo (test|nextest run) (--workspace|--all)( --all-features| --features full)?$/, why: 'ci.yml: `cargo nextest run --workspace --features ...`' },
  'clap-rs+clap': { ecosystem: 'rust', test: /^(make test-(full|default)|cargo test (--workspace|--all))$/, why: 'ci.yml: `make test-${{features}}` = `cargo test <features> --workspace`' },
  'sharkdp+fd': { ecosystem: 'rust', test: /^cargo test( --locked)?$/, why: 'CICD.yml: `cargo test --locked --target ...`' },
  'rust-lang+regex': { ecosystem: 'rust', test: /^cargo test( --workspace| --all)?$/, why: 'ci.yml tests the root crate and each sub-crate; `cargo test --workspace` covers them' },

  // ---- Java: Maven and Gradle
  'google+gson': { ecosystem: 'java', test: new RegExp(`^${MVN} (clean )?verify$`), why: 'build.yml: `mvn verify javadoc:jar`; not the gson-subset profile job' },
  'square+okhttp': { ecosystem: 'java', test: /^\.\/gradlew (--no-daemon )?test( allTests)?$/, why: 'build.yml jvm job: `./gradlew test allTests`' },
  'apache+commons-lang': { ecosystem: 'java', test: new RegExp(`^${MVN}( -Ddoclint=all| --errors| --show-version)*( (clean )?(verify|test))?$`), why: 'maven.yml: `mvn --batch-mode ...` (the default goal runs the tests)' },
  'FasterXML+jackson-core': { ecosystem: 'java', test: new RegExp(`^${MVN} (verify|test)$`), why: 'main.yml: `./mvnw -B -q -ff -ntp verify`' },
  'mockito+mockito': { ecosystem: 'java', test: /^\.\/gradlew (--no-daemon )?(build|test|check)$/, why: 'ci.yml: `./gradlew build` (spotlessCheck and --scan are not the tests)' },
  'spring-projects+spring-petclinic': { ecosystem: 'java', test: new RegExp(`^(${MVN} (verify|test)|\\.\\/gradlew (--no-daemon )?(build|test))$`), why: 'maven-build.yml `./mvnw -B verify`; gradle-build.yml `./gradlew build`' },

  // ---- Ruby
  'rubocop+rubocop': { ecosystem: 'ruby', test: /^bundle exec (rake spec|rspec)$/, why: 'rubocop.yml: `bundle exec rake spec`; `rake internal_investigation` is the lint' },
  'sinatra+sinatra': { ecosystem: 'ruby', test: /^bundle exec rake( test)?$/, why: 'test.yml: `bundle exec rake` (default: test)' },
  'rack+rack': { ecosystem: 'ruby', test: /^bundle exec rake( test)?$/, why: 'test.yaml: `bundle exec rake` (default: test)' },
  'faker-ruby+faker': { ecosystem: 'ruby', test: /^bundle exec rake test$/, why: 'ruby.yml test job: `bundle exec rake test`; `rake rubocop` is the lint job and the default task runs both' },
  'rails+thor': { ecosystem: 'ruby', test: /^bundle exec (thor spec|rspec)$/, why: 'tests.yml: `bundle exec thor spec`' },
  'jekyll+jekyll': { ecosystem: 'ruby', test: /^((bash )?(\.\/)?script\/test|bundle exec rake test)$/, why: 'ci.yml: `bash script/test` (then cucumber features)' },

  // ---- C/C++: Make, autotools, CMake
  'redis+redis': { ecosystem: 'c/c++', test: /^(\.\/runtest\b.*|make test)$/, setup: /^make\b/, why: 'ci.yml builds with `make ...`, then runs `./runtest`' },
  'jqlang+jq': { ecosystem: 'c/c++', test: /^make( -j\S+)? check( VERBOSE=yes)?$/, setup: /configure/, why: 'ci.yml: autoreconf, ./configure, make, `make check`' },
  'nlohmann+json': { ecosystem: 'c/c++', test: /^(cd build && )?ctest\b(?!.*\$\{\{).*$/, setup: /^cmake -S \. -B build\b.*JSON_BuildTests=On/i, why: 'macos.yml: cmake with JSON_BuildTests, build, `ctest` in build' },
  'fmtlib+fmt': { ecosystem: 'c/c++', test: /^(cd build && )?ctest\b(?!.*\$\{\{).*$/, setup: /^cmake\b/, why: 'linux.yml: cmake, build, `ctest`' },
  'libuv+libuv': { ecosystem: 'c/c++', test: /^((cd build && )?ctest\b(?!.*\$\{\{).*|make( -C build)? check)$/, setup: /cmake|configure/, why: 'CI-unix.yml: cmake -DBUILD_TESTING=ON, build, `ctest -V` (or autotools distcheck)' },
  'DaveGamble+cJSON': { ecosystem: 'c/c++', test: /^(make test|(cd build && )?ctest\b.*)$/, why: 'CI.yml: cmake then `make test`; the root Makefile has a test target too' },
  'madler+zlib': { ecosystem: 'c/c++', test: /^(make test|(cd build && )?ctest\b(?!.*\$\{\{).*)$/, setup: /configure|cmake/, why: 'configure.yml: `./configure`, `make`, `make test`; cmake.yml: ctest' },
  // ---- Batch 2: expectations written from CI after the rework, before `inspect` ran on them.
  'axios+axios': { ecosystem: 'node', batch: 2, test: /^(npm run test:mocha|(?!.*eslint).*npm run test:mocha.*)$/, why: 'ci.yml: `npm test` = eslint, mocha, karma, dtslint, exports: the tests without eslint' },
  'date-fns+date-fns': { ecosystem: 'node', batch: 2, test: /^pnpm (exec )?vitest run$|^pnpm (run )?test$/, why: 'node_tests.yaml: `pnpm vitest run` (the browser job runs it with --browser)' },
  'jestjs+jest': { ecosystem: 'node', batch: 2, test: /^yarn (jest|test-ci-partial(:parallel)?)$/, why: 'test.yml: `yarn test-ci-partial:parallel --shard=...` = `yarn jest`; `yarn test` lints first' },
  'psf+requests': { ecosystem: 'python', batch: 2, test: /^(make (ci|test)|python -m pytest( tests)?)$/, why: 'run-tests.yml: `make`, then `make ci` (pytest tests)' },
  'pallets+click': { ecosystem: 'python', batch: 2, test: /^(uv run (--\S+( (?!-)\S+)? )*)?((python -m )?pytest|tox run -e py[\w.]*)$/, why: 'tests.yaml: `tox run` over uv, per Python' },
  'sqlalchemy+alembic': { ecosystem: 'python', batch: 2, test: /^((python -m )?nox( -s tests| -t py)?|(python -m )?pytest)$/, why: 'run-test.yaml: `nox -t py-${{ matrix.sqlalchemy }}`; the default session is tests' },
  'spf13+viper': { ecosystem: 'go', batch: 2, test: /^(go test( -race)?( -v)?( -shuffle=on)? \.\/\.\.\.|make test)$/, why: 'ci.yaml: `go test -race -v -tags ... -shuffle=on ./...`' },
  'BurntSushi+toml': { ecosystem: 'go', batch: 2, test: /^go test( -race)? \.\/\.\.\.$/, why: 'test.yml: `go test -race ./...`' },
  'prometheus+client_golang': { ecosystem: 'go', batch: 2, test: /^(make test|go test( -race)? \.\/\.\.\.)$/, why: 'test.yml: `make test`' },
  'serde-rs+json': { ecosystem: 'rust', batch: 2, test: /^cargo test$/, why: 'ci.yml: `cargo test`, then one run per feature' },
  'astral-sh+uv': { ecosystem: 'rust', batch: 2, test: /^cargo (test|nextest run) (--workspace|--all)$/, why: 'test.yml: `cargo nextest run ... --workspace` with test features' },
  'square+moshi': { ecosystem: 'java', batch: 2, test: /^\.\/gradlew (--no-daemon )?(build|check|test|build check)$/, why: 'build.yml: `./gradlew build check --stacktrace -PkotlinTestMode=...`' },
  'apache+commons-io': { ecosystem: 'java', batch: 2, test: new RegExp(`^${MVN}( -D\\S+| --errors| --show-version)*( (clean )?(verify|test))?$`), why: 'maven.yml: `mvn --batch-mode ...` (default goal), then `clean test`' },
  'ruby+rake': { ecosystem: 'ruby', batch: 2, test: /^(ruby -Ilib exe\/rake|bundle exec rake( test)?)$/, why: 'test.yml: `ruby -Ilib exe/rake` (the default task: test)' },
  'heartcombo+devise': { ecosystem: 'ruby', batch: 2, test: /^bundle exec rake( test)?$/, why: 'test.yml: `bundle exec rake` (default: test)' },
  'libgit2+libgit2': { ecosystem: 'c/c++', batch: 2, test: /^((cd build && )?ctest\b.*|(\.\/)?ci\/test\.sh)$/, setup: /cmake/, why: 'main.yml runs ci/build.sh (cmake) and ci/test.sh (ctest) in containers' },
  'google+googletest': { ecosystem: 'c/c++', batch: 2, test: /^(cd build && )?ctest\b.*$/, why: 'CMake with enable_testing; CI is Bazel on Google’s side' },
  'curl+curl': { ecosystem: 'c/c++', batch: 2, test: /^(make( -C \S+)? (test|test-ci|check)|cmake --build \S+ --target (test-ci|test)|(cd \S+ && )?ctest\b.*)$/, why: 'linux.yml: configure or cmake into bld, then the test-ci target' },
  // ---- Batch 3: the same, after batch 2's fixes.
  'fastify+fastify': { ecosystem: 'node', batch: 3, test: /^(npm run (unit|test:ci)|npm run unit && npm run test:types)$/, why: 'ci.yml test-unit: `npm run unit`; `npm test` lints first' },
  'vuejs+core': { ecosystem: 'node', batch: 3, test: /^pnpm (run )?test-unit$/, why: 'test.yml unit-test: `pnpm run test-unit`; `pnpm test` is vitest in watch mode' },
  'mochajs+mocha': { ecosystem: 'node', batch: 3, test: /^npm run test-node$/, why: 'mocha.yml runs every `test-node:*` part, which `npm run test-node` chains; `npm test` lints and runs browser tests' },
  'pytest-dev+pytest': { ecosystem: 'python', batch: 3, test: /^((python -m )?tox (run )?-e py[\w.]*|(python -m )?pytest( testing)?)$/, why: 'test.yml: `tox run -e ${{ matrix.tox_env }}` per Python' },
  'python-attrs+attrs': { ecosystem: 'python', batch: 3, test: /^((uv run (--\S+( (?!-)\S+)? )*)?tox (run )?-e py[\w.]*(-tests)?|(uv run )?(python -m )?pytest)$/, why: 'ci.yml: `tox run -e $PYTHON-tests` over uv' },
  'marshmallow-code+marshmallow': { ecosystem: 'python', batch: 3, test: /^(python -m )?(pytest|tox (run )?-e py[\w.]*)$/, why: 'tox.ini: py envs run pytest (envlist also has lint, mypy, docs)' },
  'gorilla+mux': { ecosystem: 'go', batch: 3, test: /^(go test\b.*\.\/\.\.\.|make test)$/, why: 'test.yml: `go test -race -cover ... -v ./...`' },
  'charmbracelet+bubbletea': { ecosystem: 'go', batch: 3, test: /^(go test\b.*\.\/\.\.\.|task test)$/, why: 'coverage.yml: `go test -race ... ./...`; Taskfile test' },
  'tokio-rs+axum': { ecosystem: 'rust', batch: 3, test: /^cargo test( --locked)? (--workspace|--all)( --all-features)?( --all-targets)?$/, why: 'CI.yml test-versions: `cargo test --locked --workspace --all-features --all-targets`' },
  'rust-lang+log': { ecosystem: 'rust', batch: 3, test: /^cargo test$/, why: 'main.yml: `cargo hack test --feature-powerset` (every feature combination); the suite is `cargo test`' },
  'jhy+jsoup': { ecosystem: 'java', batch: 3, test: /^mvn( -B)? verify( -B)?( --file pom\.xml)?$/, why: 'build.yml: `mvn -X verify -B --file pom.xml` (without the debug flag)' },
  'sidekiq+sidekiq': { ecosystem: 'ruby', batch: 3, test: /^bundle exec rake test$/, why: 'ci.yml: `bundle exec rake test`; the default task lints too' },
  'rspec+rspec-core': { ecosystem: 'ruby', batch: 3, test: /^(bundle exec (bin\/)?rspec|script\/run_build)$/, why: 'ci.yml: `script/run_build` (specs, then cucumber and more); windows job `bundle exec rspec`' },
  'facebook+zstd': { ecosystem: 'c/c++', batch: 3, test: /^make( -j\S*)? (test|check)$/, why: 'dev-long-tests.yml: `make test`' },
  'lz4+lz4': { ecosystem: 'c/c++', batch: 3, test: /^(make( -j\S*)?( V=1)? (test|check)|make( -j)? -C tests test( V=1)?)$/, why: 'ci.yml: `make -C tests test V=1` among many special targets' },
  // ---- Batch 4: the same, after batch 3's fixes.
  'sindresorhus+got': { ecosystem: 'node', batch: 4, test: AVA_WITHOUT_XO, why: 'main.yml: `npm run test` = `xo && tsc --noEmit && ava`: without xo' },
  'eslint+eslint': { ecosystem: 'node', batch: 4, test: /^(node Makefile(\.js)? mocha|npm run test:cli)$/, why: 'ci.yml test job: `node Makefile mocha`; `npm test` runs the Makefile’s test target, lint included' },
  'pallets+werkzeug': { ecosystem: 'python', batch: 4, test: /^(uv run (--\S+( (?!-)\S+)? )*)?((python -m )?pytest|tox run -e py[\w.]*)$/, why: 'tests.yaml: `tox run` over uv, per Python' },
  'boto+boto3': { ecosystem: 'python', batch: 4, test: /^((python )?scripts\/ci\/run-tests|(python -m )?pytest( tests\/unit)?)$/, why: 'run-tests.yml: `python scripts/ci/install`, then `python scripts/ci/run-tests`' },
  'PyCQA+flake8': { ecosystem: 'python', batch: 4, test: /^((python -m )?tox (run )?-e py|(python -m )?pytest)$/, why: 'main.yml: `tox -e ${{ matrix.toxenv }}`, py for the tests' },
  'labstack+echo': { ecosystem: 'go', batch: 4, test: /^(go test\b.*\.\/\.\.\.|make test)$/, why: 'echo.yml: `go test -race --coverprofile=... ./...`' },
  'go-chi+chi': { ecosystem: 'go', batch: 4, test: /^(make test|go test\b.*\.\/\.\.\.)$/, why: 'ci.yml: `make test`' },
  'rust-random+rand': { ecosystem: 'rust', batch: 4, test: /^cargo test( --workspace| --all)?$/, why: 'test.yml: `cargo test --target ...`, then feature variants' },
  'hyperium+hyper': { ecosystem: 'rust', batch: 4, test: /^cargo test( --features full| --all-features)?$/, why: 'CI.yml: `cargo test ${{ matrix.features }}` (full)' },
  'square+retrofit': { ecosystem: 'java', batch: 4, test: /^\.\/gradlew (--no-daemon )?(build|test|check)$/, why: 'build.yml jvm: `./gradlew build --stacktrace`' },
  'apache+commons-text': { ecosystem: 'java', batch: 4, test: new RegExp(`^${MVN}( -D\\S+| --errors| --show-version)*( (clean )?(verify|test))?$`), why: 'maven.yml: `mvn --batch-mode ...` (default goal)' },
  'thoughtbot+factory_bot': { ecosystem: 'ruby', batch: 4, test: /^bundle exec (rake (all_specs|spec)|rspec)$/, why: 'build.yml: `bundle exec rake all_specs`; `rake standard` is the lint job' },
  'ruby-i18n+i18n': { ecosystem: 'ruby', batch: 4, test: /^bundle exec rake( test)?$/, why: 'ruby.yml: `bundle exec rake` (default: test)' },
  'libevent+libevent': { ecosystem: 'c/c++', batch: 4, test: /^((cd build && )?ctest\b.*|cd build && (cmake --build \. --target verify|make verify))$/, setup: /cmake/, why: 'build.yml: cmake in build/, then the verify target' },
  'google+leveldb': { ecosystem: 'c/c++', batch: 4, test: /^(cd build && )?ctest\b.*$/, setup: /cmake/, why: 'CMake with LEVELDB_BUILD_TESTS on by default; no CI workflow in the tree' },
  'jemalloc+jemalloc': { ecosystem: 'c/c++', batch: 4, test: /^g?make check$/, setup: /configure/, why: 'linux-ci.yml: autoconf, ./configure, make, make tests, `make check`' },
  // ---- Batch 5: the same, after batch 4's fixes.
  'sindresorhus+execa': { ecosystem: 'node', batch: 5, test: /^npm run unit( && npm run type)?$/, why: 'main.yml: `npm run lint`, `npm run type`, `npm run unit`' },
  'remix-run+react-router': { ecosystem: 'node', batch: 5, test: /^pnpm (run )?test$/, why: 'test-unit.yml: `pnpm build`, then `pnpm test` (jest)' },
  'nodejs+undici': { ecosystem: 'node', batch: 5, test: /^npm (run )?test(:javascript)?$|^npm run test:unit$/, why: 'nodejs.yml runs the test:* parts that `npm test` chains' },
  'psf+black': { ecosystem: 'python', batch: 5, test: /^((python -m )?tox (run )?-e (ci-)?py(3\d*)?|(python -m )?pytest)$/, why: 'test.yml: `tox -e ci-py$(version) -- -v`' },
  'encode+starlette': { ecosystem: 'python', batch: 5, test: /^((\.\/)?scripts\/test|(python -m )?pytest)$/, why: 'test-suite.yml: `scripts/install`, `scripts/check`, `scripts/test`' },
  'Textualize+rich': { ecosystem: 'python', batch: 5, test: /^(make test|(python -m )?pytest( tests)?|(python -m )?tox (run )?-e py\w*)$/, why: 'Makefile test target (pytest); tox.ini py envs' },
  'gofiber+fiber': { ecosystem: 'go', batch: 5, test: /^(make test|go test\b.*\.\/\.\.\.|gotestsum\b.*)$/, why: 'test.yml: gotestsum over ./... with -race; Makefile test' },
  'sirupsen+logrus': { ecosystem: 'go', batch: 5, test: /^go test( -race)?( -v)? \.\/\.\.\.$/, why: 'ci.yaml: `go test -race -v ./...`' },
  'dtolnay+anyhow': { ecosystem: 'rust', batch: 5, test: /^cargo test$/, why: 'ci.yml: `cargo test`' },
  'sharkdp+bat': { ecosystem: 'rust', batch: 5, test: /^cargo test( --locked)?$/, why: 'CICD.yml: `cargo test --locked ...`' },
  'google+guice': { ecosystem: 'java', batch: 5, test: new RegExp(`^${MVN}( -\\S+)* (clean )?(install|verify|test)( -\\S+)*$`), why: 'ci.yml maven-test: the local maven-test action (`mvn -B verify --fail-at-end -D...`)' },
  'ReactiveX+RxJava': { ecosystem: 'java', batch: 5, test: /^\.\/gradlew (--no-daemon )?(build|test|check)$/, why: 'gradle_pr.yml: `./gradlew build --stacktrace`' },
  'jnunemaker+httparty': { ecosystem: 'ruby', batch: 5, test: /^bundle exec (rake spec|rspec)$/, why: 'ci.yml: `bundle exec rake` (default: spec and cucumber features)' },
  'h2o+picohttpparser': { ecosystem: 'c/c++', batch: 5, test: /^make test$/, why: 'ci.yml: `make test CC=${{ matrix.cc }}`' },
  'json-c+json-c': { ecosystem: 'c/c++', batch: 5, test: /^(meson test -C \S+|(cd build && )?ctest\b.*)$/, setup: /meson setup|cmake/, why: 'meson.yml: meson setup, compile, test' },
  // ---- Batch 6 (2026-12-01): expectations written from CI before `inspect` ran on them.
  'caddyserver+caddy': { ecosystem: 'go', batch: 6, test: /^go test( -\S+)* \.\/\.\.\.$/, why: 'ci.yml: `go test -coverprofile=... -short -race ./...`' },
  'cli+cli': { ecosystem: 'go', batch: 6, test: /^(go test( -race)?( -tags=integration)? \.\/\.\.\.|make test)$/, why: 'go.yml: `go test -race -tags=integration ./...`; Makefile test = `go test ./...`' },
  'etcd-io+etcd': { ecosystem: 'go', batch: 6, test: /^make test-unit$/, why: 'CONTRIBUTING.md: `make test-unit` runs the unit tests (`make test` adds integration and e2e); CI runs on prow' },
  'gohugoio+hugo': { ecosystem: 'go', batch: 6, test: /^(mage( -v)? test|go test( -race)? \.\/\.\.\.)$/, why: 'test.yml: `mage -v check` (fmt, vet and test with race) on Linux, `mage -v test` on Windows' },
  'open-telemetry+opentelemetry-go': { ecosystem: 'go', batch: 6, test: /^make test(-race|-default|-short)?$/, why: 'ci.yml: `make test-race` (go test in every module of the repository)' },
  'prometheus+prometheus': { ecosystem: 'go', batch: 6, test: /^(make (GO_ONLY=1 )?test( GO_ONLY=1)?( test-flags="")?|go test( -race)? \.\/\.\.\.)$/, why: 'ci.yml: `make test GO_ONLY=1 test-flags=""` (the Go tests; without GO_ONLY it adds the UI tests and lint). The expectation first left out CI’s `test-flags=""`: widened to CI’s own command after first contact' },
  'astral-sh+ruff': { ecosystem: 'rust', batch: 6, test: /^cargo (test|nextest run|insta test)(?!.*\s(-p|--package)\s)/, why: 'ci.yaml: `cargo insta test --all-features --test-runner nextest` over the workspace' },
  'bevyengine+bevy': { ecosystem: 'rust', batch: 6, test: /^(cargo run -p ci -- test|cargo test( --workspace)?\b(?!.*\s(-p|--package)\s).*)$/, why: 'ci.yml: `cargo run -p ci -- test` (its CI tool runs `cargo test --workspace ...`)' },
  'denoland+deno': { ecosystem: 'rust', batch: 6, test: /^cargo test\b(?!.*\s(-p|--package)\s)/, why: 'ci.generated.yml runs `cargo test` per test crate after building deno' },
  'nushell+nushell': { ecosystem: 'rust', batch: 6, test: /^cargo test( --workspace| --all)?\b/, why: 'ci.yml: `cargo test` over the workspace (with CI config and feature options)' },
  'tauri-apps+tauri': { ecosystem: 'rust', batch: 6, test: /^cargo test( --workspace| --all)?\b/, why: 'test-core.yml and test-cli-rs.yml run `cargo test` on the crates' },
  'biomejs+biome': { ecosystem: 'rust', batch: 6, test: /^cargo test( --workspace| --all)?( --features[= ]js_plugin)?$/, why: 'pull_request.yml: `cargo test --workspace --features=js_plugin`' },
  'TanStack+query': { ecosystem: 'node', batch: 6, test: /^pnpm (run )?(test:pr|test:ci|test|test:lib)$/, why: 'pr.yml: `pnpm run test:pr` (nx over every package; `test:lib` is the unit tests alone)' },
  'preactjs+preact': { ecosystem: 'node', batch: 6, test: /^npm run test:unit$/, why: 'build-test.yml: `npm run lint && npm run test:unit` (`npm test` also builds and lints)' },
  'sveltejs+svelte': { ecosystem: 'node', batch: 6, test: /^pnpm (run )?test$/, why: 'ci.yml: `pnpm test` (vitest run)' },
  'tailwindlabs+tailwindcss': { ecosystem: 'node', batch: 6, test: /^pnpm (run )?test$/, why: 'ci.yml: `pnpm run build`, `pnpm run lint`, `pnpm run test` (cargo test and vitest)' },
  'withastro+astro': { ecosystem: 'node', batch: 6, test: /^pnpm (run )?test(:astro)?$/, why: 'ci.yml matrix: `pnpm run test:astro`, `pnpm run test:integrations` (what `pnpm test` chains)' },
  'python+mypy': { ecosystem: 'python', batch: 6, test: /^((python -m )?tox (run )?-e py[\w.]*|(python -m )?pytest)( -n \d+)?$/, why: 'test.yml: `tox run -e py -- -n 4` (pytest)' },
  'statsmodels+statsmodels': { ecosystem: 'python', batch: 6, test: /^(python -m )?pytest\b/, why: 'azure template: `pytest -m ... -n auto statsmodels`' },
  'apache+iceberg': { ecosystem: 'java', batch: 6, test: /^\.\/gradlew (check|test|build)\b/, why: 'java-ci.yml: `./gradlew check -DsparkVersions= ... -Pquick=true -x javadoc -x spotlessCheck`' },
  'tmux+tmux': { ecosystem: 'c/c++', batch: 6, test: /^(make -C regress|cd regress && make)$/, setup: /configure|autogen/, why: 'regress.yml: autogen, configure, make; then `cd regress && make`' },
  // ---- Batch 7 (2026-12-01, after batch 6's fixes): expectations written from CI before `inspect` ran on them.
  'markedjs+marked': { ecosystem: 'node', batch: 7, test: /^npm run test:(unit|specs)$/, why: 'tests.yml: `npm run build`, then `npm run test:unit`, `test:specs`, `test:cjs` (`npm test` also lints)' },
  'pmndrs+zustand': { ecosystem: 'node', batch: 7, test: /^pnpm (run )?test:spec$/, why: 'test.yml: test:format, test:types, test:lint, then `pnpm run test:spec` (vitest run)' },
  'immerjs+immer': { ecosystem: 'node', batch: 7, test: /^yarn (run )?(test|test:src)$/, why: 'test.yml: `yarn test` (vitest, then the build and flow checks)' },
  'scrapy+scrapy': { ecosystem: 'python', batch: 7, test: /^((uvx (--with \S+ )?)?tox( run)? -e py[\w.-]*|(python -m )?pytest)$/, why: 'tests-ubuntu.yml: `uvx --with tox-uv tox` with TOXENV=py' },
  'httpie+cli': { ecosystem: 'python', batch: 7, test: /^((python -m )?pytest( --verbose)?( \.\/httpie \.\/tests)?|make test)$/, why: 'tests.yml: `python -m pytest --verbose ./httpie ./tests`; `make test` on another job' },
  'encode+django-rest-framework': { ecosystem: 'python', batch: 7, test: /^(tox( run)? (-e|-f) py[\w.-]*|(python -m )?pytest|(python3? )?(\.\/)?runtests\.py)$/, why: 'main.yml: `tox run -f py<version>` (tox envs run runtests.py / pytest)' },
  'python-pillow+Pillow': { ecosystem: 'python', batch: 7, test: /^((bash )?\.ci\/test\.sh|make test|python3? -m pytest( -qq)?( Tests)?)$/, why: 'test.yml: `.ci/install.sh`, `.ci/build.sh`, `.ci/test.sh` (pytest Tests)' },
  'uber-go+zap': { ecosystem: 'go', batch: 7, test: /^make (test|cover)$/, why: 'go.yml: `make cover` (go test -race in every module); Makefile test does the same without coverage' },
  'redis+go-redis': { ecosystem: 'go', batch: 7, test: /^make test$/, why: 'doctests.yaml and the test action: `make test` (go test in each module, against a Redis CI starts)' },
  'charmbracelet+lipgloss': { ecosystem: 'go', batch: 7, test: /^go test\b.*\.\/\.\.\.$/, why: 'coverage.yml: `go test -race -covermode atomic -coverprofile=profile.cov ./...`' },
  'tokio-rs+tracing': { ecosystem: 'rust', batch: 7, test: /^cargo (test|nextest run)( --profile ci)?( --workspace| --all)?$/, why: 'CI.yml: `cargo nextest run --profile ci --workspace`' },
  'sharkdp+hyperfine': { ecosystem: 'rust', batch: 7, test: /^cargo test( --locked)?$/, why: 'CICD.yml: `cargo test --locked`' },
  'rayon-rs+rayon': { ecosystem: 'rust', batch: 7, test: /^cargo test( --workspace| --all)?$/, why: 'main.yaml: `cargo test --package rayon` and `--package rayon-core`; the workspace suite covers both' },
  'square+javapoet': { ecosystem: 'java', batch: 7, test: /^mvn( -B| --batch-mode| -ntp| --no-transfer-progress)* (verify|test)$/, why: 'build.yml: `mvn --no-transfer-progress verify source:jar javadoc:jar`' },
  'square+wire': { ecosystem: 'java', batch: 7, test: /^\.\/gradlew\b.*\b(build|test|check)\b/, why: 'build.yml: `./gradlew ... build` (Kotlin multiplatform; JVM targets)' },
  'puma+puma': { ecosystem: 'ruby', batch: 7, test: /^((bundle exec )?test\/runner( --verbose)?|bundle exec rake( test)?)$/, setup: /compile/, why: 'tests.yml: `bundle exec rake compile`, then `test/runner --verbose`' },
  'ruby+rbs': { ecosystem: 'ruby', batch: 7, test: /^bundle exec rake test$/, why: 'ruby.yml: `bundle exec rake ${{ matrix.job }}` (test, stdlib_test...); the default task adds typecheck and rubocop' },
  'hanami+hanami': { ecosystem: 'ruby', batch: 7, test: /^bundle exec (rake( spec)?|rspec)$/, why: 'ci.yml: `bundle exec rake` (default: spec)' },
  'catchorg+Catch2': { ecosystem: 'c/c++', batch: 7, test: /^((cd \S+ && )?ctest\b.*|meson test( -C \S+)?( --verbose)?)$/, setup: /cmake|meson/, why: 'linux-simple-builds.yml: cmake -Bbuild, ninja, `ctest -C <type> -j`' },
  'google+benchmark': { ecosystem: 'c/c++', batch: 7, test: /^((cd \S+ && )?ctest\b.*|bazel test\b.*)$/, setup: /cmake|bazel/, why: 'build-and-test.yml: cmake into _build, build, `ctest -C <type> -VV`' },
  'valkey-io+valkey': { ecosystem: 'c/c++', batch: 7, test: /^(\.\/runtest\b.*|make test)$/, setup: /^make\b/, why: 'ci.yml: `make -j4 all-with-unit-tests ...`, then `./runtest --verbose --tags -slow --dump-logs`' },
};
