import { describe, expect, it } from 'vitest';
import { JobStore } from '../../src/adapters/store/job-store.ts';
import { openDatabase } from '../../src/adapters/store/open-database.ts';
import { migrations } from '../../src/adapters/store/migrations.ts';
import type { Task } from '../../src/protocol/task.ts';
import { tempDir } from '../support/app-harness.ts';

const task = (number: number): Task => ({
  action: 'start',
  repo: { owner: 'o', name: 'r', cloneUrl: 'https://example.test/o/r.git', defaultBranch: 'main' },
  installationId: 1,
  number,
  isPullRequest: false,
  title: 't',
  body: '',
  instructions: '',
  requester: 'me',
  trigger: { kind: 'label', label: 'agent' },
});

describe('JobStore', () => {
  it('records every migration once, across reopenings', () => {
    const dir = tempDir();
    openDatabase(dir).close();
    const db = openDatabase(dir);
    const versions = db
      .prepare('SELECT version FROM schema_migrations ORDER BY version')
      .all()
      .map((r) => r.version);
    expect(versions).toEqual(migrations.map((m) => m.version));
  });

  it('keeps one running job per issue and lets other issues go ahead', () => {
    const jobs = new JobStore(openDatabase(tempDir()));
    jobs.enqueue('d1', task(1));
    jobs.enqueue('d2', task(1));
    jobs.enqueue('d3', task(2));
    expect(jobs.claimNext()?.deliveryId).toBe('d1');
    expect(jobs.claimNext()?.deliveryId).toBe('d3');
    expect(jobs.claimNext()).toBeUndefined();
    jobs.finish(1, 'done');
    expect(jobs.claimNext()?.deliveryId).toBe('d2');
  });

  it('requeues a job after one death and fails it after the second, with timestamps', () => {
    const dir = tempDir();
    let jobs = new JobStore(openDatabase(dir));
    jobs.enqueue('d1', task(1));
    jobs.claimNext();
    jobs = new JobStore(openDatabase(dir));
    expect(jobs.recover().requeued.map((j) => j.id)).toEqual([1]);
    expect(jobs.claimNext()?.attempts).toBe(2);
    jobs = new JobStore(openDatabase(dir));
    const { failed } = jobs.recover();
    expect(failed.map((j) => j.id)).toEqual([1]);
    const job = jobs.get(1);
    expect(job).toMatchObject({ state: 'failed', reason: expect.stringMatching(/stopped twice/) });
    expect(job?.finishedAt).toBeTruthy();
    expect(job?.startedAt).toBeTruthy();
  });

  it('cancels queued jobs of a thread but not the one that supersedes them', () => {
    const jobs = new JobStore(openDatabase(tempDir()));
    jobs.enqueue('a', task(5));
    jobs.enqueue('b', task(5));
    const { job: retry } = jobs.enqueue('c', task(5));
    expect(jobs.cancelQueued('o/r', 5, 'superseded', retry.id).map((j) => j.id)).toEqual([1, 2]);
    expect(jobs.list('queued').map((j) => j.id)).toEqual([retry.id]);
  });
});
