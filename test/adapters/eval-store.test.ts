import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalStore, evalReports, repoKey } from '../../src/adapters/store/eval-store.ts';
import { tempDir } from '../support/app-harness.ts';

describe('EvalStore', () => {
  it('one folder per checkout, named for it; files are whole or absent, and what does not parse is not done', () => {
    const data = tempDir('pw-store-');
    const store = new EvalStore(data, '/home/ada/work/tomli');
    expect(path.basename(store.dir)).toMatch(/^tomli-[0-9a-f]{10}$/);
    expect(repoKey('/home/ada/other/tomli')).not.toBe(repoKey('/home/ada/work/tomli'));
    expect(store.run('abc', 'gpt-5', 1)).toBeNull();
    const file = path.join(store.dir, 'runs', 'abc');
    fs.mkdirSync(file, { recursive: true });
    const events = store.eventsFile('abc', 'gpt-5', 1);
    fs.writeFileSync(events.replace(/\.events\.jsonl$/, '.json'), '{"task": "abc", "trunc');
    expect(store.run('abc', 'gpt-5', 1)).toBeNull();
    fs.mkdirSync(path.join(store.dir, 'tasks'), { recursive: true });
    fs.writeFileSync(path.join(store.dir, 'tasks', 'abc.json'), JSON.stringify({ valid: true, key: 'k' }));
    expect(store.validation('abc')).toBeNull();
    store.saveArgs(['--from-history', '3'], 'f'.repeat(40));
    expect(store.lastArgs()).toEqual({ args: ['--from-history', '3'], head: 'f'.repeat(40) });
    expect(fs.readdirSync(store.dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(evalReports(data)).toEqual([]);
  });

  it('one eval at a time per repository; a lock left by a process that died is taken over', () => {
    const store = new EvalStore(tempDir('pw-store-'), '/r/tomli');
    const release = store.lock();
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `
      const { EvalStore } = await import(${JSON.stringify(path.resolve('src/adapters/store/eval-store.ts'))});
      try { new EvalStore(${JSON.stringify(path.dirname(path.dirname(store.dir)))}, '/r/tomli').lock(); console.log('locked'); } catch (e) { console.log(e.code, e.message); }
    `,
      ],
      { encoding: 'utf8', input: '' },
    );
    expect(child.stdout.trim()).toBe(
      `eval_busy another patchwright eval (process ${process.pid}) is running on this repository; wait for it to finish or stop it`,
    );
    release();
    // A dead process's lock.
    fs.writeFileSync(path.join(store.dir, 'lock'), '999999999');
    const again = store.lock();
    expect(fs.readFileSync(path.join(store.dir, 'lock'), 'utf8')).toBe(String(process.pid));
    again();
    expect(fs.existsSync(path.join(store.dir, 'lock'))).toBe(false);
  });
});
