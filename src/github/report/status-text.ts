import type { ConfigProblem } from '../../protocol/validate-config.ts';
import { CONFIG_PATH } from '../config/load-config.ts';
import { joined, login, md, name, type Posted } from '../publish/posted.ts';

/** The words of the tracking comment before the run itself reports. */
export const statusText = {
  queued(jobId: number, behind: boolean): Posted {
    return behind
      ? md`**Patchwright** · ⏳ queued (job ${jobId}). It will start when the run already going on here ends.`
      : md`**Patchwright** · ⏳ queued (job ${jobId}).`;
  },
  restarted(jobId: number): Posted {
    return md`**Patchwright** · 🔁 the app restarted while job ${jobId} was running; it is queued again and will start over.`;
  },
  startedOver(attempt: number): Posted {
    return md`This was attempt ${attempt}: the app stopped while an earlier attempt was running, so the job started over from the default branch; nothing half-done from before was kept.`;
  },
  diedTwice(jobId: number): Posted {
    return md`**Patchwright** · ❌ job ${jobId} failed: the app stopped twice while it was running, so it was not tried again. Comment \`/agent retry\` to try once more.`;
  },
  stopped(by: string, hadRun: boolean): Posted {
    return hadRun
      ? md`**Patchwright** · ⏹️ stopped by ${login(by)}. Nothing half-done was pushed.`
      : md`**Patchwright** · ⏹️ ${login(by)} asked to stop; nothing was running.`;
  },
  configInvalid(problems: ConfigProblem[]): Posted {
    const lines = joined(
      problems.slice(0, 20).map((p) => md`- ${name(p.path)}: ${p.message}`),
      '\n',
    );
    return md`**Patchwright** · ⚠️ ${name(CONFIG_PATH)} on the default branch is not valid, so nothing was started.\n\n${lines}\n\nFix the file on the default branch and trigger again.`;
  },
  notAllowed(command: string): Posted {
    return md`Thanks for the suggestion! Only people with write access to this repository can start Patchwright with ${name(`/${command}`)}.`;
  },
  /** `/agent` on a pull request from a fork: the app pushes only to branches it made in the repository itself. */
  fork(command: string, headRepo: string | null): Posted {
    const where = headRepo ? md` (its branch is in ${name(headRepo)})` : md``;
    return md`**Patchwright** · ⚠️ this pull request comes from a fork${where}. Patchwright pushes only to branches it made in this repository, never to a fork's branch, so ${name(`/${command}`)} does nothing here. To have Patchwright work on the change, open an issue for it and label it, or push the branch to this repository.`;
  },
};
