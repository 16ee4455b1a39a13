import type { Octokit } from '@octokit/rest';
import type { RunCompleted } from '../../core/loop/run-agent.ts';
import { outcomeWords } from '../../protocol/outcome.ts';
import { evidenceText } from '../publish/pr-body.ts';

/** The `Patchwright` check run on the pushed commit, carrying the run's summary and evidence. */
export async function reportCheckRun(octokit: Pick<Octokit, 'request'>, owner: string, repo: string, headSha: string, result: RunCompleted): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner,
    repo,
    name: 'Patchwright',
    head_sha: headSha,
    status: 'completed',
    conclusion: result.outcome === 'succeeded' ? 'success' : 'failure',
    output: {
      title: `${result.outcome}: ${outcomeWords[result.outcome]}`,
      summary: `${result.summary.slice(0, 20_000)}\n\n${evidenceText(result)}`.slice(0, 65_000),
    },
  });
}
