import type { Octokit } from '@octokit/rest';
import type { RunCompleted } from '../../core/loop/run-agent.ts';
import { outcomeWords } from '../../protocol/outcome.ts';
import { evidenceText } from '../publish/pr-body.ts';
import { postable } from '../publish/postable.ts';

/**
 * The `Patchwright` check run on the pushed commit, carrying the run's summary and evidence, with
 * an annotation at the file and line of each failing test whose output names them: a failure for
 * what the change broke, a warning for what already failed before it.
 */
export async function reportCheckRun(octokit: Pick<Octokit, 'request'>, owner: string, repo: string, headSha: string, result: RunCompleted): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner,
    repo,
    name: 'Patchwright',
    head_sha: headSha,
    status: 'completed',
    // Nothing to verify with is not a pass: `neutral` says so without blocking a merge.
    conclusion: result.outcome !== 'succeeded' ? 'failure' : result.evidence.testCommand ? 'success' : 'neutral',
    output: {
      title: `${result.outcome}: ${outcomeWords[result.outcome]}`,
      summary: `${postable(result.summary.slice(0, 20_000))}\n\n${evidenceText(result)}`.slice(0, 65_000),
      annotations: failureAnnotations(result),
    },
  });
}

type Annotation = { path: string; start_line: number; end_line: number; annotation_level: 'failure' | 'warning'; title: string; message: string };

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
      title: old ? `${f.name} (failed before this change too)`.slice(0, 255) : `${f.name} fails`.slice(0, 255),
      message: f.message || `${f.name} fails`,
    };
  });
}
