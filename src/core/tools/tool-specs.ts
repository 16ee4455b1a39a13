import { z } from 'zod';
import type { ToolSpec } from '../model/model-port.ts';

export const ShellArgs = z.object({
  command: z.union([z.array(z.string()).min(1), z.string().min(1)]),
  workdir: z.string().optional(),
  timeout_ms: z.int().positive().optional(),
});
export const ApplyPatchArgs = z.object({ input: z.string().min(1) });
export const PlanArgs = z.object({
  explanation: z.string().optional(),
  plan: z.array(z.object({ step: z.string(), status: z.enum(['pending', 'in_progress', 'completed']) })),
});
export const AskArgs = z.object({ question: z.string().min(1) });

const schema = (s: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s) as Record<string, unknown>;
  return rest;
};

/** Codex's tool shapes, because OpenAI's coding models are trained on them. */
export const toolSpecs: ToolSpec[] = [
  {
    name: 'shell',
    description:
      'Runs a command in the repository checkout and returns its exit code and output. `command` is argv (["npm","test"]) or a shell script string.',
    parameters: schema(ShellArgs),
  },
  {
    name: 'apply_patch',
    description:
      'Edits files. `input` is a patch: "*** Begin Patch", then "*** Add File: p" (+lines), "*** Delete File: p", or "*** Update File: p" (optional "*** Move to: q", then hunks of " "/-/+ lines with optional "@@ anchor" lines), then "*** End Patch".',
    parameters: schema(ApplyPatchArgs),
  },
  {
    name: 'update_plan',
    description: 'Records the plan: a short list of steps, each pending, in_progress or completed.',
    parameters: schema(PlanArgs),
  },
  {
    name: 'ask',
    description:
      'Asks the requester one question when the task is genuinely ambiguous. The run stops until they answer.',
    parameters: schema(AskArgs),
  },
];
