import { at, type EcosystemFinding } from './detection.ts';
import type { RepoFiles } from './repo-files.ts';

/** CMake: configure a build folder with testing on, build it, then `ctest`. A CMakeLists without tests says so. */
export function detectCMake(repo: RepoFiles): EcosystemFinding | undefined {
  const text = repo.read('CMakeLists.txt');
  if (text === undefined) return undefined;
  const testing =
    /^\s*(enable_testing|include\s*\(\s*CTest|add_test|gtest_discover_tests|catch_discover_tests|doctest_discover_tests)\b/im;
  const subdirs = [...text.matchAll(/add_subdirectory\s*\(\s*([\w./-]+)/gi)]
    .map((m) => m[1]!)
    .filter((d) => /test/i.test(d));
  const hasTests = testing.test(text) || subdirs.some((d) => testing.test(repo.read(`${d}/CMakeLists.txt`) ?? ''));
  if (!hasTests) {
    return {
      language: 'c',
      packageManager: 'cmake',
      setup: [],
      test: null,
      lint: null,
      testReason: 'CMakeLists.txt defines no tests (no enable_testing, add_test or CTest)',
    };
  }
  // A project option that switches its tests on, off by default (`option(JSON_BuildTests "..." OFF)`).
  const options = [
    ...text.matchAll(/option\s*\(\s*(\w*(?:_BUILD_TESTS?|BuildTests|_TESTS?|_TESTING))\s+"[^"]*"\s+OFF\s*\)/g),
  ]
    .map((m) => m[1]!)
    .filter((o) => !/CUDA|FUZZ|BENCH|COVER|SANITI|VALGRIND|MODULE|INSTALL|FAST|DOC|EXTERNAL|SYSTEM/i.test(o))
    .map((o) => `-D${o}=ON`);
  const line = repo.lineOf('CMakeLists.txt', testing);
  return {
    language: 'c',
    packageManager: 'cmake',
    setup: [
      at(
        ['cmake -S . -B build -DBUILD_TESTING=ON', ...options].join(' '),
        'CMakeLists.txt',
        line,
        'CMake project with tests',
      ),
      at('cmake --build build --parallel', 'CMakeLists.txt', line, 'CMake project with tests'),
    ],
    test: at('ctest --test-dir build --output-on-failure', 'CMakeLists.txt', line, 'CMake project with tests'),
    lint: null,
  };
}

/** Task runners a project drives its tests with: go-task's Taskfile, just, nox. */
export function detectRunners(repo: RepoFiles): EcosystemFinding | undefined {
  const taskfile = ['Taskfile.yml', 'Taskfile.yaml', 'Taskfile.dist.yml', 'taskfile.yml'].find((f) => repo.exists(f));
  if (taskfile && /^ {2}test:\s*$/m.test(repo.read(taskfile) ?? '')) {
    return runner(at('task test', taskfile, repo.lineOf(taskfile, /^ {2}test:\s*$/), 'Taskfile test task'));
  }
  const justfile = ['justfile', 'Justfile', '.justfile'].find((f) => repo.exists(f));
  if (justfile && /^test\b[^:=\n]*:(?!=)/m.test(repo.read(justfile) ?? '')) {
    return runner(at('just test', justfile, repo.lineOf(justfile, /^test\b/), 'just recipe'));
  }
  const nox = repo.read('noxfile.py');
  const session = nox && /@(?:nox\.)?session[^\n]*\n(?:@[^\n]*\n)*def (tests?)\s*\(/.exec(nox)?.[1];
  if (session)
    return runner(
      at(
        `python -m nox -s ${session}`,
        'noxfile.py',
        repo.lineOf('noxfile.py', new RegExp(`def ${session}\\s*\\(`)),
        'nox test session',
      ),
    );
  return undefined;
}

function runner(test: ReturnType<typeof at>): EcosystemFinding {
  return { language: 'runner', packageManager: null, setup: [], test, lint: null };
}

/**
 * An autotools project (configure.ac and Makefile.am, no Makefile checked in): generate the build,
 * configure it, build, then `make check`, automake's test target.
 */
export function detectAutotools(repo: RepoFiles): EcosystemFinding | undefined {
  const configure = ['configure.ac', 'configure.in'].find((f) => repo.exists(f));
  if (!configure || !repo.exists('Makefile.am') || ['Makefile', 'makefile', 'GNUmakefile'].some((f) => repo.exists(f)))
    return undefined;
  // `make check` runs something only with TESTS, a check rule, or a test folder among the SUBDIRS (tmux's check_PROGRAMS are fuzzers).
  const am = repo.read('Makefile.am') ?? '';
  const tests =
    /^TESTS\s*\+?=|^check(-local)?\s*:/m.test(am) ||
    /^SUBDIRS\s*\+?=.*\b(tests?|testsuite|test-suite|t|regress)\b/m.test(am);
  if (!tests)
    return {
      language: 'c',
      packageManager: 'autotools',
      setup: [],
      test: null,
      lint: null,
      testReason: 'Makefile.am names no tests (no TESTS, check rule or test SUBDIRS)',
    };
  const bootstrap = repo.exists('autogen.sh')
    ? './autogen.sh'
    : repo.exists('bootstrap')
      ? './bootstrap'
      : 'autoreconf -fi';
  const why = 'autotools project (configure.ac, Makefile.am)';
  return {
    language: 'c',
    packageManager: 'autotools',
    setup: [at(bootstrap, configure, 1, why), at('./configure', configure, 1, why), at('make', 'Makefile.am', 1, why)],
    test: at('make check', 'Makefile.am', 1, why),
    lint: null,
  };
}
