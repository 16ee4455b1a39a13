import fs from 'node:fs';
import { Octokit } from '@octokit/rest';

export interface CliTask {
  title: string;
  body: string;
  instructions: string;
}

/** The task from --task, --task-file or --issue OWNER/REPO#N (read with GITHUB_TOKEN). */
export async function readTask(
  v: { task?: string | undefined; 'task-file'?: string | undefined; issue?: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<CliTask> {
  const given = [v.task, v['task-file'], v.issue].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error('give exactly one of --task TEXT, --task-file FILE or --issue OWNER/REPO#N');
  if (v.task) return fromText(v.task);
  if (v['task-file']) return fromText(fs.readFileSync(v['task-file'], 'utf8'));
  const m = /^([\w.-]+)\/([\w.-]+)#(\d+)$/.exec(v.issue ?? '');
  if (!m) throw new Error(`--issue must look like OWNER/REPO#N, got ${v.issue}`);
  if (!env.GITHUB_TOKEN) throw new Error('--issue reads the issue over the GitHub API: set GITHUB_TOKEN');
  const octokit = new Octokit({
    auth: env.GITHUB_TOKEN,
    ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
  });
  const { data } = await octokit.rest.issues.get({ owner: m[1]!, repo: m[2]!, issue_number: Number(m[3]) });
  return { title: data.title, body: data.body ?? '', instructions: '' };
}

function fromText(text: string): CliTask {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('the task is empty');
  const [first = '', ...rest] = trimmed.split('\n');
  return { title: first.slice(0, 200), body: rest.join('\n').trim() || trimmed, instructions: '' };
}
