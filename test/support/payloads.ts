import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const index = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}>;

export const OWNER = 'octo-org';
export const REPO = 'widgets';
export const INSTALLATION_ID = 4242;

type Json = Record<string, unknown>;

/**
 * A real example payload from @octokit/webhooks-examples, adapted to our test repo and with
 * `patch` deep-merged on top.
 */
export function payload(event: string, action: string, patch: Json = {}): Json {
  const group = index.find((e) => e.name === event);
  const example = group?.examples.find((e) => e.action === action);
  if (!example) throw new Error(`no example for ${event}.${action}`);
  const base = structuredClone(example) as Json;
  const repository = base.repository as Json;
  Object.assign(repository, {
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    clone_url: `https://github.com/${OWNER}/${REPO}.git`,
    default_branch: 'main',
    owner: { ...(repository.owner as Json), login: OWNER },
  });
  base.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  base.sender = { ...(base.sender as Json), login: 'maintainer', type: 'User' };
  return merge(base, patch);
}

function merge(a: Json, b: Json): Json {
  for (const [k, v] of Object.entries(b)) {
    const prev = a[k];
    a[k] = isObj(prev) && isObj(v) ? merge(prev, v) : v;
  }
  return a;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
