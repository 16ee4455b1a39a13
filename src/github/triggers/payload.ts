import { z } from 'zod';

/** The parts of webhook payloads we rely on, checked at the boundary. Everything else is ignored. */
const User = z.object({ login: z.string(), type: z.string() });

const Repository = z.object({
  name: z.string(),
  full_name: z.string(),
  clone_url: z.string(),
  default_branch: z.string(),
  owner: z.object({ login: z.string() }),
});

const Issue = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  user: User,
  pull_request: z.object({ url: z.string() }).optional(),
});

const Common = {
  sender: User,
  repository: Repository,
  installation: z.object({ id: z.number() }).optional(),
};

export const IssuesLabeled = z.object({
  action: z.literal('labeled'),
  label: z.object({ name: z.string() }),
  issue: Issue,
  ...Common,
});

export const IssueCommentCreated = z.object({
  action: z.literal('created'),
  comment: z.object({ id: z.number(), body: z.string().nullable(), user: User }),
  issue: Issue,
  ...Common,
});

export const ReviewSubmitted = z.object({
  action: z.literal('submitted'),
  review: z.object({ id: z.number(), state: z.string(), body: z.string().nullable(), user: User }),
  pull_request: z.object({
    number: z.number(),
    title: z.string(),
    body: z.string().nullable().optional(),
    user: User,
    head: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  }),
  ...Common,
});

export type RepositoryPayload = z.infer<typeof Repository>;
export type UserPayload = z.infer<typeof User>;
