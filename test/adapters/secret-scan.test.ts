import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkChanges } from '../../src/adapters/git/commit-and-push.ts';
import type { PreparedWorkspace } from '../../src/adapters/git/workspaces.ts';
import { fixtureRepo } from '../support/fixture-repo.ts';
import { gitEnv } from '../support/git-http-server.ts';

const run = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8' });
const alnum = (n: number) =>
  Array.from(
    crypto.randomBytes(n),
    (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[b % 62],
  ).join('');
const upper = (n: number) =>
  Array.from(crypto.randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
// Joined at run time: no token-shaped string is ever committed.
const j = (...parts: string[]) => parts.join('');

/** Credential shapes the scan must know without being told (the value is random each run). */
const SHAPES: Record<string, string> = {
  'installation token': j('gh', 's_', alnum(36)),
  'personal token': j('gh', 'p_', alnum(36)),
  'OAuth token': j('gh', 'o_', alnum(36)),
  'fine-grained token': j('github', '_pat_', alnum(22), '_', alnum(59)),
  'OpenAI key': j('s', 'k-', alnum(48)),
  'OpenAI project key': j('s', 'k-proj-', alnum(48)),
  'AWS key': j('AK', 'IA', upper(16)),
  'AWS session key': j('AS', 'IA', upper(16)),
  'RSA private key': j('-----BEGIN RSA ', 'PRIVATE KEY-----'),
  'OpenSSH private key': j('-----BEGIN OPENSSH ', 'PRIVATE KEY-----'),
  'PGP private key': j('-----BEGIN PGP ', 'PRIVATE KEY BLOCK-----'),
  'Slack token': j('xo', 'xb-', alnum(24)),
  'npm token': j('np', 'm_', alnum(36)),
  'GitLab token': j('gl', 'pat-', alnum(20)),
};
/** Values only the deployment knows (a setup secret, a sandbox mirror's password, the session key's raw bytes). */
const KNOWN_TEXT = `setup-secret-${crypto.randomBytes(12).toString('hex')}`;
// With line breaks in it for sure: raw bytes are not lines.
const KNOWN_BYTES = Buffer.concat([crypto.randomBytes(14), Buffer.from('\n\r'), crypto.randomBytes(16)]);

/** Places a value can be put so a scan of `git diff` lines does not see it. Each returns the files to commit. */
const PLACES: Array<{
  name: string;
  files: (secret: string, id: string) => Record<string, Buffer | string>;
  attributes?: string;
}> = [
  { name: 'a plain line', files: (s, id) => ({ [`plain/${id}.txt`]: `key = ${s}\n` }) },
  {
    name: 'a line starting with "++ " (a "+++" header in the diff)',
    files: (s, id) => ({ [`plus/${id}.txt`]: `++ ${s}\n` }),
  },
  {
    name: 'a binary file (NUL bytes)',
    files: (s, id) => ({ [`bin/${id}.dat`]: Buffer.concat([Buffer.from([0, 0, 1, 2]), Buffer.from(` ${s}\n`)]) }),
  },
  {
    name: 'a file the same change marks -diff',
    attributes: 'minus/** -diff\n',
    files: (s, id) => ({ [`minus/${id}.cfg`]: `key=${s}\n` }),
  },
  {
    name: 'UTF-16LE with a byte-order mark',
    files: (s, id) => ({ [`u16le/${id}.txt`]: Buffer.from(`\ufeffkey = ${s}\n`, 'utf16le') }),
  },
  {
    name: 'UTF-16BE with a byte-order mark',
    files: (s, id) => ({ [`u16be/${id}.txt`]: Buffer.from(`\ufeffkey = ${s}\n`, 'utf16le').swap16() }),
  },
  {
    name: 'UTF-16LE without a mark',
    files: (s, id) => ({ [`u16/${id}.txt`]: Buffer.from(`key = ${s}\n`, 'utf16le') }),
  },
  { name: 'the end of a 200 KB line', files: (s, id) => ({ [`long/${id}.min.js`]: `${'x'.repeat(200_000)};${s}\n` }) },
  // Glued to letters: only the OpenAI shape keeps a word boundary (words like "risk-management-…" would look like one).
  {
    name: 'glued to the word before it',
    files: (s, id) => (s.startsWith('s') ? {} : { [`glued/${id}.txt`]: `prefix${s}\n` }),
  },
  { name: 'CRLF line endings', files: (s, id) => ({ [`crlf/${id}.txt`]: `a\r\nkey = ${s}\r\n` }) },
];

function workspace(files: Record<string, string | Buffer>, attributes?: string): PreparedWorkspace {
  const repo = fixtureRepo({ 'README.md': 'hi\n', 'old.txt': 'old\n' });
  const startSha = run(repo, 'rev-parse', 'HEAD').trim();
  for (const [rel, data] of Object.entries({ ...files, ...(attributes ? { '.gitattributes': attributes } : {}) })) {
    fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, rel), data);
  }
  run(repo, 'add', '-A');
  run(repo, 'commit', '-qm', 'change');
  return {
    dir: repo,
    mirror: repo,
    branch: 'main',
    baseSha: startSha,
    startSha,
    remoteBranchSha: null,
    coldMirror: false,
    notes: [],
  };
}

describe('the push scan: every credential shape and known value, wherever the change puts it', () => {
  it.each(PLACES)('$name', async (place) => {
    const files: Record<string, string | Buffer> = {};
    const ids: string[] = [];
    for (const [i, value] of Object.values(SHAPES).entries())
      Object.assign(files, place.files(value, `shape${i}`)), ids.push(`shape${i}`);
    Object.assign(files, place.files(KNOWN_TEXT, 'known'));
    ids.push('known');
    const ws = workspace(files, place.attributes);
    const problems = await checkChanges(ws, [], [KNOWN_TEXT]);
    const flagged = new Set(problems.map((p) => p.path));
    const missed = Object.keys(files).filter((p) => !flagged.has(p));
    expect(missed, `not found: ${missed.join(', ')}`).toEqual([]);
    // Reported by place and kind, never by value.
    expect(JSON.stringify(problems)).not.toContain(KNOWN_TEXT);
  });

  it('a known value base64- or hex-encoded (at any alignment), and raw key bytes in a binary file', async () => {
    const b = Buffer.from(KNOWN_TEXT);
    const files: Record<string, string | Buffer> = {
      'enc/b64.txt': `${b.toString('base64')}\n`,
      'enc/b64-off1.txt': `${Buffer.concat([Buffer.from('x'), b]).toString('base64')}\n`,
      'enc/b64-off2.txt': `${Buffer.concat([Buffer.from('xy'), b]).toString('base64url')}\n`,
      'enc/hex.txt': `${b.toString('hex')}\n`,
      'enc/raw.key': Buffer.concat([Buffer.from([0]), KNOWN_BYTES, Buffer.from([0])]),
      'enc/key-hex.txt': `${KNOWN_BYTES.toString('hex')}\n`,
    };
    const problems = await checkChanges(workspace(files), [], [KNOWN_TEXT, KNOWN_BYTES]);
    expect(Object.keys(files).filter((p) => !problems.some((x) => x.path === p))).toEqual([]);
  });

  it('a token in a file name, in a link’s target, or in the commit message', async () => {
    const token = SHAPES['personal token']!;
    const repo = fixtureRepo({ 'a.txt': 'a\n' });
    const startSha = run(repo, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(path.join(repo, `${token}.txt`), 'hello\n');
    fs.symlinkSync(`../${SHAPES['AWS key']}`, path.join(repo, 'link'));
    run(repo, 'add', '-A');
    run(repo, 'commit', '-qm', `add things ${SHAPES['npm token']}`);
    const problems = await checkChanges(
      {
        dir: repo,
        mirror: repo,
        branch: 'main',
        baseSha: startSha,
        startSha,
        remoteBranchSha: null,
        coldMirror: false,
        notes: [],
      },
      [],
      [],
    );
    const text = problems.map((p) => `${p.path}: ${p.reason}`).join('\n');
    expect(text).toMatch(/^\[GitHub token removed\]\.txt: adds what looks like a GitHub token in its name/m);
    expect(text).toMatch(/^link: adds what looks like a AWS access key/m);
    expect(text).toMatch(/^the commit message: adds what looks like a npm token/m);
    expect(text).not.toContain(token);
  });

  it('what the start already had is not the change’s: moved or kept lines are not flagged again', async () => {
    const repo = fixtureRepo({ 'fixtures/key.txt': `${SHAPES['RSA private key']}\nabc\n` });
    const startSha = run(repo, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(path.join(repo, 'fixtures/key.txt'), `comment\n${SHAPES['RSA private key']}\nabc\n`);
    run(repo, 'commit', '-qam', 'reorder');
    expect(
      await checkChanges(
        {
          dir: repo,
          mirror: repo,
          branch: 'main',
          baseSha: startSha,
          startSha,
          remoteBranchSha: null,
          coldMirror: false,
          notes: [],
        },
        [],
        [],
      ),
    ).toEqual([]);
  });
});
