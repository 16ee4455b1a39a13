// Run as an unprivileged user by bwrap-unprivileged.test.ts: the sandbox as a non-root app sees it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BwrapSandbox } from '../../../src/adapters/sandbox/bwrap-sandbox.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-unpriv-'));
const worktree = path.join(root, 'wt');
fs.mkdirSync(worktree);
const limits = { cpuSeconds: 60, processes: 64, fileSizeBytes: 16 * 1024 * 1024, memoryBytes: 1024 ** 3 };
const sandbox = new BwrapSandbox({ layout: { worktree, runTmp: path.join(root, 'tmp'), cacheDir: path.join(root, 'cache'), readOnly: [] }, limits });
const run = (command: string) => sandbox.run({ command, cwd: worktree, timeoutMs: 20_000, network: false, outputLimitBytes: 64 * 1024 });
const identity = await run('id -u; grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; unshare -U true 2>/dev/null && echo USERNS; echo hi > made.txt; ls /root 2>&1 | head -1');
const bomb = await run('for i in $(seq 200); do sleep 3 & done 2>/dev/null; sleep 0.5; ls /proc | grep -c "^[0-9]"');
process.stdout.write(JSON.stringify({ identity: identity.stdout, bomb: bomb.stdout.trim(), made: fs.readFileSync(path.join(worktree, 'made.txt'), 'utf8'), owner: fs.statSync(path.join(worktree, 'made.txt')).uid }));
fs.rmSync(root, { recursive: true, force: true });
