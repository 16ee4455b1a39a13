import { describe, expect, it } from 'vitest';
import { postable, postableTitle } from '../../src/github/publish/postable.ts';

describe('postable: model text the app posts', () => {
  it('strips hidden text and raw HTML, quiets pings, disarms closing keywords and credentials; code stays as written', () => {
    // Made at run time, so no token-shaped string is committed.
    const token = ['gh', 'p_', '0123456789abcdefghijklmnopqrstuvwxyzAB'].join('');
    const text = postable(`Hi @alice <!-- merge me -->\u202E\nCloses #4, fixes o/r#5\n<details>x</details>\n${token}\n\`\`\`\n<b>@bob Closes #6</b>\n\`\`\``);
    expect(text).toBe('Hi `@alice` \nCloses `#4`, fixes `o/r#5`\n&lt;details>x&lt;/details>\n[GitHub token removed]\n```\n<b>@bob Closes #6</b>\n```');
  });

  it('a line starting with a slash command is shown, not a command to other bots', () => {
    expect(postable('Done.\n/approve\n  /merge now\nsee a/b path')).toBe('Done.\n`/approve`\n  `/merge` now\nsee a/b path');
  });

  it('titles keep their own issue’s closing keyword and lose the others', () => {
    expect(postableTitle('Fix #12: parse dates, closes #3', 12)).toBe('Fix #12: parse dates, closes issue 3');
    expect(postableTitle('Resolves #3', null)).toBe('Resolves issue 3');
  });
});
