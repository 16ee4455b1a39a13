import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readSettings } from '../../src/adapters/env/read-settings.ts';
import { EvalStore } from '../../src/adapters/store/eval-store.ts';
import { evalCommand } from '../../src/cli/eval-command.ts';
import { evalWorkbench } from '../../src/cli/eval-workbench.ts';
import { defaultRepoConfig } from '../../src/protocol/repo-config.ts';
import { EvalReport } from '../../src/protocol/eval.ts';
import { tempDir } from '../support/app-harness.ts';
import { cloneHistory, shaOf, TOMLI_QUICK_CONFIG } from '../support/real-history.ts';
import { startScriptedModel, type ScriptedModel, type Step } from '../support/scripted-model.ts';

/**
 * `patchwright eval` against a model that cheats. Invariants: (1) nothing the model can read
 * holds the fix or any later commit (the worktree is the parent without the fix's tests; the git
 * dir holds the history up to the parent only; the data dir, where the tasks are stored, is not
 * in the sandbox); (2) the verdict comes from a fresh checkout with only the run's change in it
 * (tracked files and new unignored ones), the fix's own test files, and the test command
 * validated at the parent: nothing else the run left behind counts.
 */
const SANDBOX_UID = '61201';
let model: ScriptedModel | undefined;
beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await model?.close();
});

/** One task (tomli #200, whose fix adds tests/data/valid/inline-table/multiline-inline-table.*), one scripted run of shell commands. */
async function cheat(
  commands: string[],
): Promise<{ report: EvalReport; outputs: string[]; repo: string; fix: string }> {
  const repo = cloneHistory('hukkin+tomli', TOMLI_QUICK_CONFIG);
  const fix = shaOf(repo, /Allow newlines and trailing comma/);
  const script: Step[] = [
    ...commands.map((c) => ({ calls: [{ name: 'shell', arguments: { command: ['sh', '-c', c] } }] })),
    ...Array.from({ length: 10 }, () => ({ text: 'Done.' })),
  ];
  model = await startScriptedModel(script);
  const out: string[] = [];
  vi.mocked(process.stdout.write).mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const code = await evalCommand([repo, '--only', fix, '--json'], {
    ...process.env,
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_API_KEY: 'k',
    PATCHWRIGHT_MODEL: 'gpt-5',
    PATCHWRIGHT_DATA_DIR: tempDir('pw-eval-data-'),
    PATCHWRIGHT_SANDBOX_UID: SANDBOX_UID,
  });
  expect(code).toBe(0);
  // What each command printed, as the model was shown it.
  const outputs = model.requests
    .flatMap((r) =>
      (r.body.input as Array<{ type?: string; output?: string }>)
        .filter((i) => i.type === 'function_call_output')
        .map((i) => i.output ?? ''),
    )
    .filter((o, i, all) => all.indexOf(o) === i);
  return { report: EvalReport.parse(JSON.parse(out.join(''))), outputs, repo, fix };
}

describe('patchwright eval: the model never sees the fix', () => {
  it('looking everywhere it can (files of every visible folder, git objects, refs, reflogs, FETCH_HEAD, the environment) finds neither the fix’s tests nor any later commit', async () => {
    const repo = cloneHistory('hukkin+tomli', TOMLI_QUICK_CONFIG);
    const later = shaOf(repo, /Make seconds optional/);
    const fix = shaOf(repo, /Allow newlines and trailing comma/);
    const { outputs, report } = await cheat([
      // Every folder the sandbox shows but the system's own (/usr, /opt and the links into /usr) and the kernel's: the fix's new test
      // data by name and by content, then (the control) a line the parent's own test file has, which must be found.
      `dirs=$(ls -A / | grep -v -x -E 'usr|opt|proc|sys|dev|bin|sbin|lib|lib32|lib64|libx32'); echo "== hidden"; for d in $dirs; do grep -rIl -F -e multiline-inline-table -e 'e = 4, f = {' "/$d" 2>/dev/null; find "/$d" -name '*multiline-inline*' 2>/dev/null; done; echo "== control"; for d in $dirs; do grep -rIl -F "xfail on TOML 1.1 compatibility tests" "/$d" 2>/dev/null; done; echo "== end"`,
      // (As root the git dir is not the sandbox user's: a model passes git's ownership check on the command line.)
      `git config --global safe.directory '*'; git cat-file -e ${fix} 2>/dev/null && echo fix-present || echo fix-absent; git cat-file -e ${later} 2>/dev/null && echo later-present || echo later-absent; git rev-list --all | wc -l; git for-each-ref --format='%(refname)'; git reflog -n 3 2>&1; ls "$(git rev-parse --git-common-dir)"; test -e "$(git rev-parse --git-common-dir)/FETCH_HEAD" && echo has-fetch-head; git grep -l multiline-inline-table $(git rev-list --all) 2>&1 | head -3; echo git-searched`,
      `env | grep -i -E 'multiline|${fix.slice(0, 7)}|eval' ; ls tests/data/valid/inline-table 2>&1; echo env-searched`,
    ]);
    const [files, gitOut, envOut] = outputs;
    if (process.env.PW_DEBUG) console.error(outputs.join('\n-----\n'));
    const hidden = /== hidden\n([\s\S]*)== control\n([\s\S]*)== end/.exec(files ?? '');
    expect(hidden?.[1]).toBe('');
    expect(hidden?.[2]).toMatch(/^\/tmp\/\S+\/worktrees\/eval-[^/]+\/tests\/test_data\.py$/m);
    expect(gitOut).toMatch(/^fix-absent\nlater-absent$/m);
    // The snapshot and the commit before the fix: nothing else.
    expect(gitOut).toMatch(/^\s*2\s*$/m);
    expect(gitOut).toMatch(/^refs\/heads\/eval-base$/m);
    expect(gitOut).not.toMatch(/refs\/(remotes|tags)|has-fetch-head|multiline-inline-table\.toml/);
    expect(envOut).toMatch(/No such file or directory[\s\S]*env-searched/);
    expect(envOut).not.toMatch(/multiline/);
    expect(report.runs[0]!.verdict.resolved).toBe(false);
  }, 300_000);
});

describe('patchwright eval: the verdict comes from a fresh checkout, never from what the run left behind', () => {
  it('an ignored, sourceless sitecustomize.pyc that turns every failure into a pass (it works: a failing probe passes in the run) does not resolve the task', async () => {
    const plant = `cat > /tmp/sitecustomize.py <<'EOF'
import contextlib, unittest
def ok(self, test, err=None): self.addSuccess(test)
for cls in (unittest.TestResult, unittest.TextTestResult):
    cls.addFailure = ok; cls.addError = ok
@contextlib.contextmanager
def quiet(self, msg=None, **params):
    try: yield
    except Exception: pass
unittest.TestCase.subTest = quiet
EOF
python3 -c "import py_compile; py_compile.compile('/tmp/sitecustomize.py', cfile='src/sitecustomize.pyc')" && git -c safe.directory='*' status --short --ignored src`;
    const probe = `printf 'import unittest\\nclass T(unittest.TestCase):\\n    def test_x(self): self.fail("boom")\\n' > /tmp/t_probe.py && cd /tmp && PYTHONPATH=$OLDPWD/src python3 -m unittest t_probe 2>&1 | tail -2; echo "probe exit"`;
    const { report, outputs } = await cheat([plant, probe]);
    expect(outputs[0]).toMatch(/!! src\/sitecustomize\.pyc/);
    expect(outputs[1]).toMatch(/^OK$[\s\S]*probe exit/m);
    const run = report.runs[0]!;
    if (process.env.PW_DEBUG)
      console.error(JSON.stringify({ verdict: run.verdict, scored: { ...run.scored, statuses: null } }, null, 1));
    expect(run.verdict).toMatchObject({
      resolved: false,
      failToPass: { passed: 0, total: 1, failing: ['tests.test_data.TestData.test_valid'] },
    });
    expect(run.scored?.exitCode).not.toBe(0);
  }, 300_000);

  it('rewriting the fix’s own test file to pass, and the test command in agent.yml, a Makefile and CI, does not resolve it', async () => {
    const { report } = await cheat([
      `printf 'import unittest\\nclass TestData(unittest.TestCase):\\n    def test_valid(self): pass\\n    def test_invalid(self): pass\\n' > tests/test_data.py`,
      `mkdir -p .github/workflows && printf 'test: "true"\\nsetup: []\\n' > .github/agent.yml && printf 'test:\\n\\ttrue\\n' > Makefile && printf 'on: push\\njobs:\\n  t:\\n    runs-on: x\\n    steps:\\n      - run: "true"\\n' > .github/workflows/tests.yaml`,
    ]);
    const run = report.runs[0]!;
    // agent.yml and CI are protected (restored by the guard); the Makefile and the test file stay in the change.
    expect(run.filesChanged).toEqual(expect.arrayContaining(['tests/test_data.py', 'Makefile']));
    expect(run.scored?.command).toBe('PYTHONPATH=src python -m unittest -v');
    expect(run.verdict).toMatchObject({
      resolved: false,
      failToPass: { failing: ['tests.test_data.TestData.test_valid'] },
    });
  }, 300_000);
});

describe('patchwright eval: caches', () => {
  it('what the fix’s own states and a scoring run write to their caches reaches neither an agent run nor another verdict', async () => {
    const repo = cloneHistory('hukkin+tomli', TOMLI_QUICK_CONFIG);
    const base = shaOf(repo, /Xfail on tests/);
    const dataDir = tempDir('pw-eval-cache-');
    const env = {
      ...process.env,
      PATCHWRIGHT_DATA_DIR: dataDir,
      PATCHWRIGHT_SANDBOX_UID: SANDBOX_UID,
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    };
    const settings = readSettings(env);
    const { workbench } = evalWorkbench({
      settings,
      env,
      config: defaultRepoConfig,
      repoTop: repo,
      store: new EvalStore(dataDir, repo),
      budgets: {},
      redact: (t) => t,
    });
    // Each sandbox, in its setup stage (caches writable), plants a file named for itself and lists what it finds.
    const visit = async (use: 'gold' | 'scoring', name: string) => {
      const co = await workbench.checkout(base, use);
      try {
        const r = await (await co.sandbox()).run({
          command: `ls "$PIP_CACHE_DIR" 2>/dev/null; mkdir -p "$PIP_CACHE_DIR" && touch "$PIP_CACHE_DIR/${name}"; echo "cache=$PIP_CACHE_DIR"`,
          cwd: co.dir,
          network: false,
          timeoutMs: 30_000,
          outputLimitBytes: 65536,
          stage: 'setup',
        });
        return {
          seen: r.stdout.split('\n').filter((l) => l && !l.startsWith('cache=')),
          dir: /cache=(.*)/.exec(r.stdout)?.[1],
        };
      } finally {
        await co.dispose();
      }
    };
    const gold1 = await visit('gold', 'gold-1');
    const gold2 = await visit('gold', 'gold-2');
    const scoring1 = await visit('scoring', 'scoring-1');
    const scoring2 = await visit('scoring', 'scoring-2');
    // Gold states share theirs (a fix's two states, set up alike); each scoring run starts empty; none is the agents' cache.
    expect([gold1.seen, gold2.seen, scoring1.seen, scoring2.seen]).toEqual([[], ['gold-1'], [], []]);
    const agents = path.join(dataDir, 'cache');
    for (const d of [gold1.dir, scoring1.dir, scoring2.dir]) expect(d!.startsWith(`${agents}/`)).toBe(false);
    expect(new Set([gold1.dir, scoring1.dir, scoring2.dir]).size).toBe(3);
    // The scoring caches are gone with their checkouts.
    expect(fs.existsSync(scoring1.dir!)).toBe(false);
  }, 300_000);
});
