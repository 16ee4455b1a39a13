import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EvalReport, EvalRun, Validation } from '../../protocol/eval.ts';

const LastArgs = z.object({ args: z.array(z.string()), head: z.string() });

export class EvalStoreError extends Error {
  readonly code = 'eval_busy';
}

/**
 * `patchwright eval`'s results in the data dir, one folder per repository: each candidate's
 * validation (`tasks/<sha>.json`), each run (`runs/<sha>/<model>/<attempt>.json`, with its
 * events beside it), the last report and the last invocation's arguments. Every file is
 * written whole (to a temporary name, then renamed), so an interrupted eval leaves only
 * finished results, and the next one skips them. What does not parse is treated as not done.
 */
export class EvalStore {
  readonly dir: string;

  constructor(dataDir: string, repoDir: string) {
    this.dir = path.join(dataDir, 'eval', repoKey(repoDir));
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Where the history up to `sha` is kept for the task checkouts. */
  historyDir(sha: string): string {
    return path.join(this.dir, 'bases', `${sha}.git`);
  }

  validation(sha: string): Validation | null {
    return readJson(path.join(this.dir, 'tasks', `${sha}.json`), Validation);
  }

  saveValidation(v: Validation): void {
    writeJson(path.join(this.dir, 'tasks', `${v.valid ? v.task.sha : v.candidate.sha}.json`), v);
  }

  run(sha: string, model: string, attempt: number): EvalRun | null {
    return readJson(this.#runFile(sha, model, attempt), EvalRun);
  }

  saveRun(r: EvalRun): void {
    writeJson(this.#runFile(r.task, r.model, r.attempt), r);
  }

  /** The run's event stream (JSON lines), kept for reading how it went. */
  eventsFile(sha: string, model: string, attempt: number): string {
    const file = this.#runFile(sha, model, attempt).replace(/\.json$/, '.events.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
  }

  report(): EvalReport | null {
    return readJson(path.join(this.dir, 'report.json'), EvalReport);
  }

  saveReport(r: EvalReport): void {
    writeJson(path.join(this.dir, 'report.json'), r);
  }

  /** The last eval's arguments and the commit it started from, for `--resume`. */
  lastArgs(): { args: string[]; head: string } | null {
    return readJson(path.join(this.dir, 'last-args.json'), LastArgs);
  }

  saveArgs(args: string[], head: string): void {
    writeJson(path.join(this.dir, 'last-args.json'), { args, head });
  }

  /** One eval at a time per repository: a second one would run the same tasks twice. */
  lock(): () => void {
    const file = path.join(this.dir, 'lock');
    for (let tries = 0; tries < 2; tries++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return () => fs.rmSync(file, { force: true });
      } catch {
        const pid = Number(fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }).trim());
        if (pid && pid !== process.pid && alive(pid))
          throw new EvalStoreError(
            `another patchwright eval (process ${pid}) is running on this repository; wait for it to finish or stop it`,
          );
        fs.rmSync(file, { force: true });
      }
    }
    throw new EvalStoreError(`could not take ${file}`);
  }

  #runFile(sha: string, model: string, attempt: number): string {
    return path.join(this.dir, 'runs', sha, modelKey(model), `${attempt}.json`);
  }
}

/** Every repository's last report under the data dir, newest first, for the dashboard. */
export function evalReports(dataDir: string): Array<{ key: string; report: EvalReport }> {
  const root = path.join(dataDir, 'eval');
  const keys = fs.existsSync(root) ? fs.readdirSync(root) : [];
  return keys
    .map((key) => ({ key, report: readJson(path.join(root, key, 'report.json'), EvalReport) }))
    .filter((r): r is { key: string; report: EvalReport } => r.report !== null)
    .sort((a, b) => b.report.generatedAt.localeCompare(a.report.generatedAt));
}

/** A folder name per repository: readable, and unique per checkout. */
export function repoKey(repoDir: string): string {
  const top = path.resolve(repoDir);
  return `${slug(path.basename(top))}-${crypto.createHash('sha256').update(top).digest('hex').slice(0, 10)}`;
}

function modelKey(model: string): string {
  return `${slug(model)}-${crypto.createHash('sha256').update(model).digest('hex').slice(0, 6)}`;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 40) || 'x';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readJson<T>(file: string, schema: z.ZodType<T>): T | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(tmp, file);
}
