import { describe, expect, it } from 'vitest';
import { isReadOnlyCommand, needsApproval, threadApprover } from '../../src/app-server/approvals.ts';
import { narrowSandbox } from '../../src/app-server/thread-hub.ts';
import type { ApprovalRequest } from '../../src/core/tools/execute-tool.ts';

const write = { type: 'workspaceWrite' as const, networkAccess: false };
const readOnly = { type: 'readOnly' as const, networkAccess: false };
const cmd = (command: string): ApprovalRequest => ({ kind: 'command', itemId: 'i', command, cwd: '/r' });
const change: ApprovalRequest = {
  kind: 'file_change',
  itemId: 'f',
  changes: [{ path: 'a', kind: 'update', diff: '' }],
};

describe('approval policies', () => {
  it('untrusted asks for anything but known read-only commands; on-request only for changes to a read-only checkout; never nothing', () => {
    expect(
      ['ls -la', 'cat a.txt', 'git status', 'git diff HEAD', 'grep -rn x .', 'find . -name x'].map((c) =>
        needsApproval('untrusted', write, cmd(c)),
      ),
    ).toEqual([false, false, false, false, false, false]);
    expect(
      [
        'rm -rf x',
        'cat a > b',
        'ls; rm x',
        'find . -delete',
        'git push',
        'git diff --output=x',
        'echo $(id)',
        'npm test',
      ].map((c) => needsApproval('untrusted', write, cmd(c))),
    ).toEqual([true, true, true, true, true, true, true, true]);
    expect(needsApproval('untrusted', write, change)).toBe(true);
    expect(needsApproval('on-request', write, change)).toBe(false);
    expect(needsApproval('on-request', readOnly, change)).toBe(true);
    expect(needsApproval('on-request', readOnly, cmd('rm -rf x'))).toBe(false);
    expect(needsApproval('never', readOnly, change)).toBe(false);
    expect(isReadOnlyCommand('')).toBe(false);
  });

  it('acceptForSession is remembered for that command (and for file changes), decline and cancel pass through', async () => {
    const answers = ['acceptForSession', 'decline', 'acceptForSession', 'cancel'] as const;
    const asked: string[] = [];
    let n = 0;
    const approve = threadApprover(
      () => ({ approval: 'untrusted', sandbox: write }),
      new Set(),
      async (req) => (asked.push(req.kind === 'command' ? req.command : 'change'), answers[n++]!),
    );
    expect(await approve(cmd('npm test'))).toBe('accept');
    expect(await approve(cmd('npm test'))).toBe('accept');
    expect(await approve(cmd('npm run build'))).toBe('decline');
    expect(await approve(change)).toBe('accept');
    expect(await approve(change)).toBe('accept');
    expect(await approve(cmd('make'))).toBe('cancel');
    expect(asked).toEqual(['npm test', 'npm run build', 'change', 'make']);
  });

  it("a client can narrow the deployment's sandbox, never widen it", () => {
    expect(narrowSandbox({ type: 'workspaceWrite', networkAccess: true }, write)).toEqual(write);
    expect(narrowSandbox({ type: 'workspaceWrite', networkAccess: true }, readOnly)).toEqual(readOnly);
    expect(narrowSandbox(readOnly, { type: 'workspaceWrite', networkAccess: true })).toEqual(readOnly);
    expect(narrowSandbox(null, { type: 'workspaceWrite', networkAccess: true })).toEqual({
      type: 'workspaceWrite',
      networkAccess: true,
    });
  });
});
