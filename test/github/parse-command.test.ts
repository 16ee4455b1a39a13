import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/github/triggers/parse-command.ts';

describe('parseCommand', () => {
  it.each([
    ['/agent', { verb: 'instructions', text: '' }],
    ['/agent fix the flaky test', { verb: 'instructions', text: 'fix the flaky test' }],
    ['Thanks!\n/agent retry but keep the API\nand add docs', { verb: 'retry', text: 'but keep the API\nand add docs' }],
    ['/AGENT stop', { verb: 'stop', text: '' }],
    ['  /agent approve', { verb: 'approve', text: '' }],
    ['/agent stopping is fine', { verb: 'instructions', text: 'stopping is fine' }],
  ])('reads %j', (body, expected) => {
    expect(parseCommand(body, 'agent')).toEqual(expected);
  });

  it.each([
    ['in a sentence', 'please run /agent now'],
    ['in a quote', '> /agent retry'],
    ['in a fenced block', '```\n/agent stop\n```'],
    ['in a tilde block', '~~~sh\n/agent stop\n~~~'],
    ['indented code', '    /agent stop'],
    ['another word', '/agents do it'],
    ['empty', ''],
  ])('ignores a command %s', (_name, body) => {
    expect(parseCommand(body, 'agent')).toBeUndefined();
  });

  it('uses the configured word', () => {
    expect(parseCommand('/bot stop', 'bot')?.verb).toBe('stop');
    expect(parseCommand('/agent stop', 'bot')).toBeUndefined();
  });

  it('finds a command after a closed code block', () => {
    expect(parseCommand('```\n/agent stop\n```\n/agent retry', 'agent')?.verb).toBe('retry');
  });
});
