import { expect, it } from 'vitest';
import { fillTemplate as fill } from '../../src/github/publish/fill-template.ts';
import { block, literal, md } from '../../src/github/publish/posted.ts';

const fillTemplate = (
  t: Parameters<typeof fill>[0],
  p: { summary: string; closes: string; evidence: string; testsPassed: boolean; filesChanged: string[] },
) =>
  fill(t, {
    ...p,
    summary: block(p.summary),
    closes: p.closes ? md`${literal('Fixes')} #${Number(p.closes.split('#')[1])}` : literal(''),
    evidence: block(p.evidence),
  }).text;

const TEMPLATE = `<!-- Thanks for contributing! -->
## Description

<!-- What and why? -->

## Checklist

- [ ] Tests pass locally
- [ ] I have added tests that prove my fix is effective
- [ ] Documentation updated
- [ ] I have read the CONTRIBUTING guide
- [x] This is a breaking change

## Testing

## Screenshots
`;
const template = {
  path: '.github/pull_request_template.md',
  headings: ['## Description', '## Checklist', '## Testing', '## Screenshots'],
  text: TEMPLATE,
};
const parts = {
  summary: 'Made add return the sum.',
  closes: 'Fixes #8',
  evidence: 'Test command: `npm test`',
  testsPassed: true,
  filesChanged: ['math.js', 'test/math.test.js'],
};

it('keeps every heading in order, drops the comments, and ticks only what the run did', () => {
  const body = fillTemplate(template, parts);
  expect(body.split('\n').filter((l) => l.startsWith('## '))).toEqual(template.headings);
  expect(body).not.toContain('<!--');
  expect(body).toMatch(/## Description\n\nMade add return the sum.\n\nFixes #8\n\n## Checklist/);
  expect(body).toMatch(/## Testing\n\nTest command: `npm test`/);
  expect(body).toContain(
    [
      '- [x] Tests pass locally',
      '- [x] I have added tests that prove my fix is effective',
      '- [ ] Documentation updated',
      '- [ ] I have read the CONTRIBUTING guide',
      '- [ ] This is a breaking change',
    ].join('\n'),
  );
});

it('ticks docs only when docs changed, tests only when tests passed and were added', () => {
  const body = fillTemplate(template, { ...parts, testsPassed: false, filesChanged: ['README.md', 'math.js'] });
  expect(body).toContain(
    [
      '- [ ] Tests pass locally',
      '- [ ] I have added tests that prove my fix is effective',
      '- [x] Documentation updated',
    ].join('\n'),
  );
});

it('without a template: summary, the issue link, then the evidence', () => {
  expect(fillTemplate(null, parts)).toBe(
    'Made add return the sum.\n\nFixes #8\n\n## Evidence\n\nTest command: `npm test`',
  );
  expect(fillTemplate(null, { ...parts, closes: '' })).toBe(
    'Made add return the sum.\n\n## Evidence\n\nTest command: `npm test`',
  );
});

it('a huge summary is cut so the body stays under GitHub’s 65,536-character limit', async () => {
  const { prBody } = await import('../../src/github/publish/pr-body.ts');
  const usage = { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: null };
  const result = {
    type: 'run.completed' as const,
    outcome: 'succeeded' as const,
    summary: 'x'.repeat(100_000),
    evidence: {
      testCommand: null,
      baseline: null,
      final: null,
      preExistingFailures: [],
      usage,
      durationMs: 1,
      filesChanged: [],
    },
  };
  const body = prBody(3, result, template).text;
  expect(body.length).toBeLessThan(65_536);
  expect(body).toMatch(/\[… 80000 more characters of the summary left out\]/);
  expect(body.split('\n').filter((l) => l.startsWith('## '))).toEqual(template.headings);
});
