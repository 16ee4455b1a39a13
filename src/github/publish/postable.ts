import { stripHidden } from '../../core/prompt/sanitize.ts';
import { quietMentions } from './quiet-mentions.ts';
import { scanTextForSecrets } from '../../adapters/git/secret-scan.ts';

const CLOSING = /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*:?\s+)((?:[\w.-]+\/[\w.-]+)?#\d+|https?:\/\/\S+\/(?:issues|pull)\/\d+)/gi;

/**
 * Model-written text, made safe to post as the app: nothing hidden from the reader (HTML
 * comments, zero-width and bidi characters), no raw HTML (`<details>`, `<img>` to a tracker),
 * no pings, no closing keyword for any issue (the app adds the one link it means itself), and
 * nothing that looks like a credential.
 */
export function postable(text: string): string {
  const visible = stripHidden(text);
  const parts = visible.split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/);
  const out = parts
    .map((part, i) => {
      if (i % 2 === 1) return part;
      return part
        .replace(/<(?=[A-Za-z!/?])/g, '&lt;')
        .replace(CLOSING, (_m, kw: string, sp: string, ref: string) => `${kw}${sp}\`${ref}\``)
        // A line starting with a slash command (`/approve`, `/merge`, `/agent retry`) is one to other bots.
        .replace(/(^|\n)([ \t]*)(\/[A-Za-z][\w-]*)/g, '$1$2`$3`');
    })
    .join('');
  return scanTextForSecrets(quietMentions(out));
}

/** A title or commit subject: the same, but a foreign issue reference loses its closing keyword. */
export function postableTitle(title: string, ownIssue: number | null): string {
  return stripHidden(title).replace(CLOSING, (m, kw: string, sp: string, ref: string) => (ownIssue !== null && ref === `#${ownIssue}` ? m : `${kw}${sp}${ref.replace('#', 'issue ')}`));
}
