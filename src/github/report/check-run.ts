import type { Octokit } from '@octokit/rest';
import type { RunCompleted } from '../../core/loop/run-agent.ts';
import { outcomeWords } from '../../protocol/outcome.ts';
import { evidenceText } from '../publish/pr-body.ts';
import { block, clipped, md, plainLines, title, type Posted } from '../publish/posted.ts';

/**
 * The `Patchwright` check run on the pushed commit, carrying the run's summary and evidence, with
 * an annotation at the file and line of each failing test whose output names them: a failure for
 * what the change broke, a warning for what already failed before it. Test names, messages and
 * the summary come from the repository and the model: each passes the sanitizer.
 */
export async function reportCheckRun(
  octokit: Pick<Octokit, 'request'>,
  owner: string,
  repo: string,
  headSha: string,
  result: RunCompleted,
  ownIssue: number | null = null,
): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner,
    repo,
    name: 'Patchwright',
    head_sha: headSha,
    status: 'completed',
    // Nothing to verify with is not a pass: `neutral` says so without blocking a merge.
    conclusion: result.outcome !== 'succeeded' ? 'failure' : result.evidence.testCommand ? 'success' : 'neutral',
    output: {
      title: title(`${result.outcome}: ${outcomeWords[result.outcome]}`, ownIssue) as unknown as string,
      summary: clipped(
        md`${block(result.summary.slice(0, 20_000))}\n\n${evidenceText(result)}`,
        65_000,
        md`[… cut at 65,000 characters]`,
      ) as unknown as string,
      annotations: failureAnnotations(result) as unknown as Array<{
        path: string;
        start_line: number;
        end_line: number;
        annotation_level: 'failure' | 'warning';
        message: string;
      }>,
    },
  });
}

type Annotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning';
  title: Posted;
  message: Posted;
};

/** GitHub takes at most 50 annotations per request. */
export function failureAnnotations(result: RunCompleted): Annotation[] {
  const before = new Set(result.evidence.preExistingFailures);
  return (result.evidence.final?.failureLocations ?? []).slice(0, 50).map((f) => {
    const old = before.has(f.name);
    return {
      path: f.path,
      start_line: f.line,
      end_line: f.line,
      annotation_level: old ? 'warning' : 'failure',
      title: fitted((n) =>
        title(old ? `${f.name.slice(0, n)} (failed before this change too)` : `${f.name.slice(0, n)} fails`, null),
      ),
      message: plainLines((f.message || `${f.name} fails`).slice(0, 60_000)),
    };
  });
}

/** GitHub refuses an annotation title over 255 characters; the sanitizer's code spans add some. */
function fitted(make: (nameChars: number) => Posted): Posted {
  for (const n of [200, 80, 20]) {
    const p = make(n);
    if (p.text.length <= 255) return p;
  }
  return make(0);
}
