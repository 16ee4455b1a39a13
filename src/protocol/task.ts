import { z } from 'zod';

/** Who or what started a run; the GitHub side fills it from a webhook, the CLI from flags. */
export const Trigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('label'), label: z.string() }),
  z.object({ kind: z.literal('command'), commentId: z.number(), command: z.string() }),
  z.object({
    kind: z.literal('review'),
    reviewId: z.number(),
    state: z.string(),
    moreReviewIds: z.array(z.number()).optional(),
  }),
  z.object({ kind: z.literal('ci'), checkSuiteId: z.number(), headSha: z.string() }),
  z.object({ kind: z.literal('cli') }),
]);
export type Trigger = z.infer<typeof Trigger>;

export const RepoRef = z.object({
  owner: z.string(),
  name: z.string(),
  cloneUrl: z.string(),
  defaultBranch: z.string(),
});
export type RepoRef = z.infer<typeof RepoRef>;

/**
 * What a job asks for. `mode` says how the branch is prepared: a new attempt from the base
 * branch, or one more iteration on top of an existing PR branch.
 */
export const Task = z.object({
  action: z.enum(['start', 'follow_up', 'retry', 'stop', 'approve', 'doctor']),
  repo: RepoRef,
  installationId: z.number().nullable(),
  number: z.number(),
  isPullRequest: z.boolean(),
  title: z.string(),
  body: z.string(),
  instructions: z.string(),
  requester: z.string(),
  trigger: Trigger,
});
export type Task = z.infer<typeof Task>;
