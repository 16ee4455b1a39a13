import type { Octokit } from '@octokit/core';
import { postable, postableTitle } from './publish/postable.ts';
import { Posted } from './publish/posted.ts';

/** Fields of a request body that GitHub shows to people: markdown, or plain one-line titles and messages. */
const MARKDOWN_FIELDS = new Set(['body', 'summary', 'text']);
const PLAIN_FIELDS = new Set(['title', 'message', 'raw_details']);
/** Parts of a request that carry no text a person reads (GraphQL's query and variables are the app's own). */
const SKIPPED = new Set(['query', 'variables', 'headers', 'request', 'mediaType']);

/**
 * The choke point for everything the app writes to GitHub: every request but a read passes
 * through here. A text field holding a `Posted` (made only by the sanitizer's builders) is sent
 * as its text; any other string in a text field is untrusted and sanitized whole. So a new call
 * site that forgets the builders still posts nothing live, and the tests see it (the markdown
 * the app means to write, like its tracking marker, would be lost).
 */
export function postedOnly(octokit: Octokit): void {
  const done = new WeakSet<object>();
  octokit.hook.wrap('request', async (request, options) => {
    // Octokit hands every wrapper the same options object (a wrapper cannot pass another one on),
    // so its fields are replaced in place, once: a retry that runs the chain again sends the same.
    if (options.method !== 'GET' && options.method !== 'HEAD' && !done.has(options)) {
      const record = options as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(record)) if (!SKIPPED.has(key)) record[key] = clean(value, key);
      done.add(options);
    }
    return request(options);
  });
}

/** A copy of a value of a request's parameters with every text field made safe (the caller's objects are left as they were). */
export function clean(value: unknown, key = ''): unknown {
  if (Posted.of(value)) return value.text;
  if (typeof value === 'string') {
    if (MARKDOWN_FIELDS.has(key)) return postable(value);
    if (PLAIN_FIELDS.has(key)) return postableTitle(value, null, { lines: key !== 'title' });
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => clean(v, key === 'annotations' ? '' : key));
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SKIPPED.has(k) ? v : clean(v, k)]));
  }
  return value;
}
