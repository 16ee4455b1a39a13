import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { humanRenderer } from '../../src/cli/render-events.ts';

it('the terminal summary names the outcome, tests, the commit subject and where tests fail', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const r = humanRenderer(out as unknown as NodeJS.WriteStream);
  const summary = {
    command: 'npm test',
    exitCode: 1,
    passed: 1,
    failed: 1,
    skipped: 0,
    failures: ['multiplies'],
    durationMs: 5,
  };
  r.event({
    type: 'run.completed',
    outcome: 'tests_failing',
    summary: 'Added mul.',
    title: { text: 'Add mul', source: 'repaired' },
    evidence: {
      testCommand: 'npm test',
      baseline: { ...summary, failed: 0, passed: 1, failures: [] },
      final: {
        ...summary,
        failureLocations: [{ name: 'multiplies', path: 'test/mul.test.js', line: 6, message: 'mul is not a function' }],
      },
      preExistingFailures: [],
      usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, costUsd: null },
      durationMs: 1500,
      filesChanged: ['math.js'],
    },
  });
  r.close();
  expect(text).toMatch(
    /Outcome: tests_failing[\s\S]*Commit subject: Add mul \(the model’s did not fit the repo’s style; repaired\)\nFailing: multiplies at test\/mul\.test\.js:6\nTests before: passed 1, failed 0[\s\S]*cost unknown/,
  );
});

it('the terminal view shows escape sequences from commands and the model as text, never acting on them', async () => {
  const { humanRenderer, inert } = await import('../../src/cli/render-events.ts');
  expect(inert('ok\x1b]52;c;ZXZpbA==\x07\x1b[2J done\n')).toBe('ok\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J done\n');
  const written: string[] = [];
  const r = humanRenderer({
    isTTY: false,
    write: (s: string) => (written.push(s), true),
  } as unknown as NodeJS.WriteStream);
  r.event({ type: 'item.completed', item: { id: 'i', kind: 'agent_message', text: 'hi \x1b]0;pwned\x07' } });
  expect(written.join('')).not.toContain('\x1b');
});
