import type { Octokit } from '@octokit/rest';
import { fence } from '../../core/prompt/sanitize.ts';

type RequestOctokit = Pick<Octokit, 'request'>;

/**
 * What failed in a check suite, as the fix run's instructions: each failing check's output and
 * annotations, and for GitHub Actions the tail of the job's log.
 */
export async function ciFailureInstructions(
  octokit: RequestOctokit,
  owner: string,
  repo: string,
  checkSuiteId: number,
): Promise<string> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/check-suites/{check_suite_id}/check-runs', {
    owner,
    repo,
    check_suite_id: checkSuiteId,
    per_page: 50,
  });
  const failing = data.check_runs.filter((r) => r.conclusion === 'failure' || r.conclusion === 'timed_out');
  const parts = ['CI failed on your pull request. Make it pass without weakening or skipping the checks.'];
  for (const run of failing.slice(0, 10)) {
    const out = [run.output?.title, run.output?.summary, run.output?.text].filter(Boolean).join('\n');
    const { data: annotations } = await octokit
      .request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations', {
        owner,
        repo,
        check_run_id: run.id,
        per_page: 50,
      })
      .catch(() => ({ data: [] as Array<{ path: string; start_line: number; message: string | null }> }));
    const notes = annotations.map((a) => `${a.path}:${a.start_line}: ${a.message ?? ''}`).join('\n');
    let log = '';
    if (run.app?.slug === 'github-actions') {
      log = await octokit
        .request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', { owner, repo, job_id: run.id })
        .then(
          (r) => String(r.data).slice(-6000),
          () => '',
        );
    }
    parts.push(
      `Failing check "${run.name}":`,
      fence('Check output', out || '(no output)', 8000),
      ...(notes ? [fence('Annotations', notes, 6000)] : []),
      ...(log ? [fence('Job log (tail)', log, 6000)] : []),
    );
  }
  return parts.join('\n\n');
}
