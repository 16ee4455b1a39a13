import fs from 'node:fs';

/** The moments a fault-injection test can stop the app at, to kill it there. */
export type FaultPhase = 'clone' | 'setup' | 'model' | 'test' | 'commit' | 'push' | 'pr' | 'check_run';

let reached = false;

/**
 * For fault-injection tests only: with `PATCHWRIGHT_FAULT_PAUSE=<phase>` the first job to reach that
 * phase writes the phase to `PATCHWRIGHT_FAULT_MARKER` and then waits forever, so the test can kill
 * the process exactly there. Without the variable (every real deployment) it does nothing.
 */
export async function faultPoint(phase: FaultPhase, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (reached || env.PATCHWRIGHT_FAULT_PAUSE !== phase) return;
  reached = true;
  if (env.PATCHWRIGHT_FAULT_MARKER) fs.writeFileSync(env.PATCHWRIGHT_FAULT_MARKER, phase);
  await new Promise<never>(() => {});
}
