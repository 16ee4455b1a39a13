import { execFileSync } from 'node:child_process';
import type { Step } from './scripted-model.ts';

export type Replay = 'fix' | 'code' | 'tests' | 'empty';

/**
 * A scripted model that replays a repository's own history: asked about a task, it finds the
 * commit the task came from (by a subject of the commit or of its merged branch, which the task
 * text carries) and applies that commit's change with `git apply` through the shell tool, as a
 * model would make the change itself. `fix` replays the whole change, `code` all but the test
 * files, `tests` only the test files, `empty` nothing. Tests live in `tests/` or `test/` in the
 * fixtures it is used with; the split is made here, independently of the code under test.
 */
export function replayModel(
  repo: string,
  replay: Replay | ((model: string) => Replay),
): (body: Record<string, unknown>) => Step {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  const changes: Array<{
    keys: string[];
    files: { all: string[]; tests: string[]; code: string[] };
    base: string;
    sha: string;
  }> = [];
  for (const sha of git('rev-list', '--first-parent', 'HEAD').split('\n').filter(Boolean)) {
    const parents = git('log', '-1', '--format=%P', sha).trim().split(' ').filter(Boolean);
    if (!parents[0]) continue;
    const all = git('diff', '--name-only', '--no-renames', parents[0], sha).split('\n').filter(Boolean);
    const isTest = (f: string) => /(^|\/)tests?\//.test(f);
    const subjects =
      parents.length > 1
        ? git('log', '--format=%s', '--no-merges', `${parents[0]}..${sha}`).split('\n').filter(Boolean)
        : [
            git('log', '-1', '--format=%s', sha)
              .trim()
              .replace(/\s\(#\d+\)$/, ''),
          ];
    changes.push({
      keys: subjects,
      files: { all, tests: all.filter(isTest), code: all.filter((f) => !isTest(f)) },
      base: parents[0],
      sha,
    });
  }
  return (body) => {
    const text = JSON.stringify(body.input ?? body.messages);
    const mode = typeof replay === 'function' ? replay(String(body.model)) : replay;
    // The change is made once; every later request (its result, the harness's verification feedback) gets a plain answer.
    if (mode === 'empty' || /function_call_output|"role":"tool"/.test(text)) return { text: 'Done.' };
    const change = changes.find((c) => c.keys.some((k) => text.includes(JSON.stringify(k).slice(1, -1))));
    if (!change) return { text: 'I could not tell which change this is.' };
    const files = mode === 'fix' ? change.files.all : mode === 'code' ? change.files.code : change.files.tests;
    if (!files.length) return { text: 'Nothing to change.' };
    const patch = git('diff', '--binary', '--full-index', '--no-renames', change.base, change.sha, '--', ...files);
    const marker = `PATCH_${Math.random().toString(36).slice(2)}`;
    return {
      calls: [
        {
          name: 'shell',
          arguments: {
            command: [
              'sh',
              '-c',
              `cat > /tmp/replay.patch <<'${marker}'\n${patch}\n${marker}\ngit apply --whitespace=nowarn /tmp/replay.patch && echo applied`,
            ],
          },
        },
      ],
    };
  };
}

/** A script long enough for any run: the same replaying step, again and again. */
export function replayScript(
  repo: string,
  replay: Replay | ((model: string) => Replay),
  steps = 2000,
): Array<(body: Record<string, unknown>) => Step> {
  const step = replayModel(repo, replay);
  return Array.from({ length: steps }, () => step);
}
