import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectConventions } from '../../src/repo/conventions/detect-conventions.ts';
import { isValidTitle, styleTitle } from '../../src/repo/conventions/title-style.ts';
import { RepoFiles } from '../../src/repo/repo-files.ts';
import { findPrTemplate } from '../../src/repo/conventions/pr-template.ts';
import { tempDir } from '../support/app-harness.ts';

const tree = (files: Record<string, string>) => {
  const dir = tempDir('pw-conv-');
  for (const [p, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), t);
  }
  return dir;
};
const plainHistory = ['Fix the parser', 'Add a flag', 'Update docs', 'Remove dead code', 'Speed up startup', 'Handle empty input'].map((subject) => ({ subject, bot: false }));

describe('PR templates', () => {
  it.each([
    ['.github/pull_request_template.md'],
    ['PULL_REQUEST_TEMPLATE.md'],
    ['docs/Pull_Request_Template.md'],
  ])('finds %s', (p) => {
    expect(findPrTemplate(new RepoFiles(tree({ [p]: '## Why\n\n## Testing\n' })))).toMatchObject({ path: p, headings: ['## Why', '## Testing'] });
  });

  it('picks the template named for the kind of change in a PULL_REQUEST_TEMPLATE folder', () => {
    const dir = tree({ '.github/PULL_REQUEST_TEMPLATE/bug_fix.md': '## Bug\n', '.github/PULL_REQUEST_TEMPLATE/feature.md': '## Feature\n' });
    expect(findPrTemplate(new RepoFiles(dir), 'fix')?.path).toBe('.github/PULL_REQUEST_TEMPLATE/bug_fix.md');
    expect(findPrTemplate(new RepoFiles(dir), 'feature')?.path).toBe('.github/PULL_REQUEST_TEMPLATE/feature.md');
  });
});

describe('explicit rules and titles', () => {
  it('a commitlint config makes it conventional whatever the history says', () => {
    const conv = detectConventions(tree({ 'commitlint.config.js': 'module.exports = {}' }), plainHistory, 'agent/{issue}-{slug}');
    expect(conv.commitStyle).toMatchObject({ kind: 'conventional', source: 'config' });
  });

  it('takes the PR title style from merged PRs by humans when there are enough of them', () => {
    const prs = ['feat: add login', 'fix: crash on empty list', 'docs: explain flags', 'fix(ui): align buttons', 'chore: bump deps', 'Update deps'].map((subject, i) => ({ subject, bot: i === 5 }));
    const conv = detectConventions(tree({}), plainHistory, 'x', prs);
    expect(conv.commitStyle?.kind).toBe('plain');
    expect(conv.prTitleStyle?.kind).toBe('conventional');
  });

  it('builds titles in each style and refuses WIP and bot prefixes', () => {
    const plain = detectConventions(tree({}), plainHistory, 'x').commitStyle;
    expect(styleTitle(plain, '[WIP] crash when the list is empty', 'fix')).toBe('Crash when the list is empty');
    const comp = { kind: 'component-prefix' as const, prefixes: ['net/http', 'os'], capitalized: false, imperative: true, confidence: 1, sample: 10, source: 'history' as const };
    expect(styleTitle(comp, 'Fix header parsing', 'fix', ['net/http/header.go'])).toBe('net/http: fix header parsing');
    const emoji = { ...comp, kind: 'gitmoji' as const, prefixes: ['🐛'] };
    expect(styleTitle(emoji, 'handle empty lists', 'fix')).toBe('🐛 Handle empty lists');
    expect(isValidTitle(plain, '[WIP] Fix it')).toBe(false);
    expect(isValidTitle(comp, 'Fix it')).toBe(false);
    expect(isValidTitle(comp, 'os: fix it')).toBe(true);
  });
});
