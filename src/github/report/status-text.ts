import type { ConfigProblem } from '../config/validate-config.ts';
import { CONFIG_PATH } from '../config/load-config.ts';

/** The words of the tracking comment before the run itself reports. */
export const statusText = {
  queued(jobId: number, behind: boolean): string {
    const wait = behind ? ' It will start when the run already going on here ends.' : '';
    return `**Patchwright** · ⏳ queued (job ${jobId}).${wait}`;
  },
  restarted(jobId: number): string {
    return `**Patchwright** · 🔁 the app restarted while job ${jobId} was running; it is queued again and will start over.`;
  },
  startedOver(attempt: number): string {
    return `This was attempt ${attempt}: the app stopped while an earlier attempt was running, so the job started over from the default branch; nothing half-done from before was kept.`;
  },
  diedTwice(jobId: number): string {
    return `**Patchwright** · ❌ job ${jobId} failed: the app stopped twice while it was running, so it was not tried again. Comment \`/agent retry\` to try once more.`;
  },
  stopped(by: string, hadRun: boolean): string {
    return hadRun
      ? `**Patchwright** · ⏹️ stopped by @${by}. Nothing half-done was pushed.`
      : `**Patchwright** · ⏹️ @${by} asked to stop; nothing was running.`;
  },
  configInvalid(problems: ConfigProblem[]): string {
    const lines = problems.slice(0, 20).map((p) => `- \`${p.path}\`: ${p.message}`);
    return [
      `**Patchwright** · ⚠️ \`${CONFIG_PATH}\` on the default branch is not valid, so nothing was started.`,
      '',
      ...lines,
      '',
      'Fix the file on the default branch and trigger again.',
    ].join('\n');
  },
  notAllowed(command: string): string {
    return `Thanks for the suggestion! Only people with write access to this repository can start Patchwright with \`/${command}\`.`;
  },
};
