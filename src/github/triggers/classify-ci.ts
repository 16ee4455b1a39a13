import { z } from 'zod';
import type { RepoConfig } from '../../protocol/repo-config.ts';

const CheckSuiteCompleted = z.object({
  action: z.literal('completed'),
  check_suite: z.object({
    id: z.number(),
    head_sha: z.string(),
    conclusion: z.string().nullable(),
    app: z.object({ slug: z.string() }).nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number() })),
  }),
  repository: z.object({ name: z.string(), full_name: z.string(), owner: z.object({ login: z.string() }) }),
  installation: z.object({ id: z.number() }).optional(),
});

export type CiFailure = {
  kind: 'ci';
  owner: string;
  repo: string;
  pr: number;
  checkSuiteId: number;
  headSha: string;
  installationId: number | null;
};

/**
 * A failed check suite on a PR head, from any app but Patchwright itself. Whether the PR is
 * Patchwright's is decided by the caller from its own job history.
 */
export function classifyCi(
  payload: unknown,
  config: RepoConfig,
  appSlug: string,
): CiFailure | { kind: 'ignore'; reason: string } {
  const p = CheckSuiteCompleted.safeParse(payload);
  if (!p.success) return { kind: 'ignore', reason: 'not a completed check suite' };
  const { check_suite: suite, repository, installation } = p.data;
  if (!config.fixCI.enabled) return { kind: 'ignore', reason: 'fixCI is off' };
  if (suite.app?.slug === appSlug) return { kind: 'ignore', reason: 'our own check' };
  if (suite.conclusion !== 'failure' && suite.conclusion !== 'timed_out')
    return { kind: 'ignore', reason: `check suite ${suite.conclusion}` };
  const pr = suite.pull_requests[0];
  if (!pr) return { kind: 'ignore', reason: 'no pull request for this commit' };
  return {
    kind: 'ci',
    owner: repository.owner.login,
    repo: repository.name,
    pr: pr.number,
    checkSuiteId: suite.id,
    headSha: suite.head_sha,
    installationId: installation?.id ?? null,
  };
}
