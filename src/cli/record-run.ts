import os from 'node:os';
import path from 'node:path';
import { EventLog } from '../adapters/store/event-log.ts';
import { JobStore } from '../adapters/store/job-store.ts';
import { openDatabase } from '../adapters/store/open-database.ts';
import type { RunEvent } from '../protocol/run-event.ts';
import type { CliTask } from './read-task.ts';

/**
 * A local run kept in the data dir like a job (its events and summary), so `patchwright dashboard`
 * shows it. A run that dies without finishing reads as failed there. Recording never stops a run.
 */
export function recordRun(
  dataDir: string,
  runId: string,
  repoDir: string,
  task: CliTask,
  model: string,
  /** Shown as the repository's owner on the dashboard: `local` for `run`, `eval` for an eval's runs. */
  owner = 'local',
): { jobId: number | null; log(e: RunEvent): void; finish(outcome: string): void; close(): void } {
  try {
    const db = openDatabase(dataDir);
    const jobs = new JobStore(db);
    const job = jobs.recordLocalRun(runId, {
      action: 'start',
      repo: { owner, name: path.basename(repoDir), cloneUrl: repoDir, defaultBranch: 'HEAD' },
      installationId: null,
      number: 0,
      isPullRequest: false,
      title: task.title,
      body: task.body,
      instructions: task.instructions,
      requester: whoami(),
      trigger: { kind: 'cli' },
    });
    const append = new EventLog(db).appender(job.id);
    let finished = false;
    return {
      jobId: job.id,
      log: (e) => {
        try {
          append(e.type === 'run.started' ? { ...e, model: e.model ?? model } : e);
        } catch {
          // a full disk or a locked file costs the record, not the run
        }
      },
      finish: (outcome) => {
        finished = true;
        jobs.finish(job.id, 'done', { outcome });
      },
      close: () => {
        if (!finished) jobs.finish(job.id, 'failed', { reason: 'the run stopped before it finished' });
        db.close();
      },
    };
  } catch {
    return { jobId: null, log: () => {}, finish: () => {}, close: () => {} };
  }
}

/** The local user's name; a uid without a passwd entry (a container's arbitrary uid) is named by number. */
function whoami(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || `uid ${process.getuid?.() ?? '?'}`;
  }
}
