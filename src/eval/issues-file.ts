import { z } from 'zod';
import type { IssueText } from './fix-message.ts';

const Entry = z.object({
  number: z.coerce.number().int().positive(),
  title: z.string(),
  body: z.string().nullable().optional(),
});

export class IssuesFileError extends Error {
  readonly code = 'bad_issues_file';
}

/**
 * The issues and pull requests `--issues-from` gives, by number: what `gh issue list --state all
 * --json number,title,body` (or `gh pr list`, or the REST API) prints, as a JSON array, an
 * object keyed by number, or one JSON object a line.
 */
export function parseIssuesFile(text: string, name: string): Map<number, IssueText> {
  const entries = (() => {
    try {
      const whole: unknown = JSON.parse(text);
      if (Array.isArray(whole)) return whole;
      if (whole && typeof whole === 'object')
        return Object.entries(whole).map(([k, v]) => ({ number: k, ...(v as object) }));
      throw new IssuesFileError(`${name} is JSON but neither a list of issues nor an object keyed by issue number`);
    } catch (error) {
      if (error instanceof IssuesFileError) throw error;
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l, i) => {
          try {
            return JSON.parse(l) as unknown;
          } catch {
            throw new IssuesFileError(
              `${name} line ${i + 1} is not JSON: give the output of \`gh issue list --state all --json number,title,body\` (a JSON array) or one JSON object a line`,
            );
          }
        });
    }
  })();
  const out = new Map<number, IssueText>();
  entries.forEach((raw, i) => {
    const e = Entry.safeParse(raw);
    if (!e.success)
      throw new IssuesFileError(
        `${name}, entry ${i + 1}: each issue needs a number and a title (${e.error.issues.map((x) => `${x.path.join('.') || 'entry'}: ${x.message}`).join('; ')})`,
      );
    out.set(e.data.number, { title: e.data.title, body: e.data.body ?? '' });
  });
  return out;
}
