import { z } from 'zod';

const STYLE = z.enum(['conventional', 'gitmoji', 'component-prefix', 'ticket-prefix', 'plain']);
/** An egress allow-list entry: a preset name, `[*.]host[:port]`, an IPv4 address, or `[IPv6]:port`. */
const EGRESS_ENTRY = /^(?:[a-z]+|(?:\*\.)?[A-Za-z0-9_.-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?)$/;
const word = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/, 'must be one word of letters, digits or dashes');

/**
 * `.github/agent.yml`: the per-repo settings. This schema is the source of truth; the JSON
 * Schema in `schema/agent-config.schema.json` is generated from it (`npm run schema`).
 * Budgets set here are capped by the environment's ceilings: a repo can lower them, never raise them.
 */
export const RepoConfig = z
  .strictObject({
    label: word.default('agent').describe('Issue label that starts a run.'),
    command: word.default('agent').describe('Command word in comments: `/agent ...`.'),
    minPermission: z
      .enum(['triage', 'write', 'maintain', 'admin'])
      .default('write')
      .describe('Lowest repository permission a user needs to start anything.'),
    branch: z
      .string()
      .regex(/\{issue\}/, 'must contain {issue}')
      .regex(/^[\w./{}-]+$/, 'may hold only letters, digits, `. _ - /` and {issue}, {slug}, {kind}')
      .optional()
      .describe(
        'Branch name pattern; {issue}, {slug} and {kind} are filled in. Unset: the pattern of recent merged PRs, else agent/{issue}-{slug}.',
      ),
    setup: z.array(z.string().min(1)).optional().describe('Setup commands; override what inspect detects.'),
    test: z.string().min(1).optional().describe('Test command; overrides what inspect detects.'),
    lint: z.string().min(1).optional().describe('Lint command; overrides what inspect detects.'),
    budgets: z
      .strictObject({
        maxTurns: z.int().positive().optional().describe('Model turns a run may take.'),
        maxTokens: z.int().positive().optional().describe('Tokens a run may use.'),
        maxCostUsd: z.number().positive().optional().describe('USD a run may spend.'),
        maxMinutes: z.number().positive().optional().describe('Wall time of a run, in minutes.'),
      })
      .default({})
      .describe('Per-run budgets; each is capped by the environment ceiling.'),
    verificationRounds: z
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('Rounds the model gets to fix failures the harness finds.'),
    protectedPaths: z
      .array(z.string().min(1))
      .default(['.github/workflows/**', '.github/agent.yml'])
      .describe('Glob patterns the agent may never change.'),
    onFailure: z
      .enum(['draft', 'comment'])
      .default('draft')
      .describe('When tests still fail: a draft PR, or only a comment.'),
    labels: z.array(z.string().min(1)).default([]).describe('Labels put on the PR.'),
    sandbox: z
      .strictObject({
        env: z
          .array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name'))
          .default([])
          .describe('Extra environment variable names passed into the sandbox.'),
        network: z
          .boolean()
          .default(false)
          .describe(
            'Ask for network during the agent loop (setup always has it), through the egress firewall; granted only where the deployment sets PATCHWRIGHT_AGENT_NETWORK=allow.',
          ),
        egress: z
          .array(
            z
              .string()
              .regex(
                EGRESS_ENTRY,
                'must be a preset (npm, pypi, crates, go, maven, rubygems), a host name, *.suffix or IP address, with an optional :port',
              ),
          )
          .optional()
          .describe(
            "Narrows the deployment's egress allow-list (PATCHWRIGHT_EGRESS_ALLOW) for this repository: a host must be on both. It can never add a host.",
          ),
        image: z
          .string()
          .min(1)
          .optional()
          .describe(
            'The container image for the docker sandbox backend; only one the deployment approves (PATCHWRIGHT_SANDBOX_IMAGES) is used.',
          ),
      })
      .default({ env: [], network: false }),
    followUp: z
      .strictObject({
        mode: z.enum(['all', 'mention']).default('all').describe('mention: only comments with the command trigger.'),
        batchSeconds: z
          .int()
          .min(0)
          .max(600)
          .default(20)
          .describe('Single review comments within this window are one run.'),
        humanPullRequests: z
          .boolean()
          .default(false)
          .describe('Act on PRs Patchwright did not open when asked with the command.'),
      })
      .default({ mode: 'all', batchSeconds: 20, humanPullRequests: false }),
    fixCI: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Follow up on failing checks of its own PRs.'),
        maxAttempts: z
          .int()
          .min(0)
          .max(10)
          .default(2)
          .describe('Fix runs per PR before the tracking comment says CI still fails.'),
      })
      .default({ enabled: true, maxAttempts: 2 }),
    conventions: z
      .strictObject({
        commitStyle: STYLE.optional().describe('Commit subject style; wins over what history suggests.'),
        prTitleStyle: STYLE.optional().describe('PR title style; defaults to commitStyle when that is set.'),
        closingKeyword: z
          .enum(['Closes', 'Fixes', 'Resolves'])
          .optional()
          .describe('The word that links the issue in the PR body.'),
      })
      .default({})
      .describe('Conventions stated outright; unset ones are learned from history and merged PRs.'),
    approval: z.enum(['none', 'plan']).default('none').describe('plan: post the plan and wait for `/agent approve`.'),
    issueAuthors: z
      .enum(['any', 'permitted'])
      .default('any')
      .describe(
        "Whose issue text reaches the model: any (the label or command of someone with minPermission vouches for it), or permitted: only issues and PRs written by someone with minPermission; others are worked from the requester's instructions alone.",
      ),
  })
  .describe('Patchwright per-repository configuration (.github/agent.yml)');

export type RepoConfig = z.infer<typeof RepoConfig>;
export type RepoConfigInput = z.input<typeof RepoConfig>;

export const defaultRepoConfig: RepoConfig = RepoConfig.parse({});
