import type { FixCandidate, SuiteRun, Validation } from '../protocol/eval.ts';
import { namedTestsCommand } from './named-command.ts';
import type { EvalCheckout, Workbench } from './ports.ts';
import { judgeValidation } from './score.ts';
import { runSetup, runSuite } from './suite.ts';

export interface CandidateInput {
  candidate: FixCandidate;
  text: { title: string; body: string };
  testPatch: string;
  codePatch: string;
  key: string;
}

class Skip extends Error {
  readonly skip: Extract<Validation, { valid: false }>['reason'];
  constructor(code: Extract<Validation, { valid: false }>['reason']['code'], message: string) {
    super(message);
    this.skip = { code, message };
  }
}

/**
 * A candidate checked as SWE-bench checks its tasks, each state in a fresh checkout and sandbox:
 * the parent with the fix's test changes (its tests must fail), then the parent with the whole
 * fix (they must pass). The test command is the repository's, run so that it names each test.
 */
export async function validateCandidate(
  input: CandidateInput,
  wb: Workbench,
  signal: AbortSignal,
): Promise<Validation> {
  const { candidate: c } = input;
  const at = new Date().toISOString();
  let before: SuiteRun | undefined;
  let after: SuiteRun | undefined;
  try {
    let commands: { setup: string[]; test: string | null } = { setup: [], test: null };
    before = await inState(wb, c.base, [[input.testPatch, 'the fix’s test changes']], signal, (co) => {
      commands = co.commands();
      if (!commands.test)
        throw new Skip('no_test_command', 'no test command was found at the parent (set `test:` in .github/agent.yml)');
      return { ...commands, test: commands.test };
    });
    after = await inState(
      wb,
      c.base,
      [
        [input.testPatch, 'the fix’s test changes'],
        [input.codePatch, 'the fix’s code changes'],
      ],
      signal,
      () => ({ ...commands, test: commands.test! }),
    );
    const judged = judgeValidation(before, after);
    if (!judged.ok)
      return {
        valid: false,
        key: input.key,
        at,
        candidate: c,
        title: input.text.title,
        reason: { code: judged.code, message: judged.message },
        before,
        after,
      };
    const { ok: _ok, ...found } = judged;
    return {
      valid: true,
      key: input.key,
      at,
      task: {
        ...c,
        text: input.text,
        setup: commands.setup,
        test: commands.test!,
        testNamed: before.command,
        ...found,
        before,
        after,
        testPatch: input.testPatch,
        codePatch: input.codePatch,
      },
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const reason =
      error instanceof Skip
        ? error.skip
        : {
            code:
              (error as { code?: string }).code === 'patch_failed'
                ? ('patch_failed' as const)
                : ('sandbox_error' as const),
            message: error instanceof Error ? error.message : String(error),
          };
    return {
      valid: false,
      key: input.key,
      at,
      candidate: c,
      title: input.text.title,
      reason: { ...reason, message: wb.redact(reason.message) },
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
    };
  }
}

/** A fresh checkout at `sha` with `patches` applied, set up, its tests run once. */
async function inState(
  wb: Workbench,
  sha: string,
  patches: Array<[string, string]>,
  signal: AbortSignal,
  commandsOf: (co: EvalCheckout) => { setup: string[]; test: string },
): Promise<SuiteRun> {
  const co = await wb.checkout(sha, 'gold');
  try {
    const { setup, test } = commandsOf(co);
    for (const [patch, what] of patches) await co.apply(patch, what);
    const sandbox = await co.sandbox();
    const failed = await runSetup(sandbox, setup, co.dir, wb.limits, signal);
    if (failed) throw new Skip('setup_failed', wb.redact(failed));
    const run = await runSuite(sandbox, namedTestsCommand(test), co.dir, wb.limits, signal);
    return { ...run, tail: wb.redact(run.tail) };
  } finally {
    await co.dispose();
  }
}
