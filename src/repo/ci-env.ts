import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';

/** The values a step of a workflow sees: its workflow's, job's and own `env:`, later ones winning; and which of them the step set. */
export interface StepEnv {
  env: Record<string, string>;
  /** Names the step's own `env:` sets (not the workflow's or job's): the step says its command needs them. */
  own: string[];
}

/**
 * For each line of a workflow (or a composite action's `runs.steps`), the `env:` in effect there.
 * Values are as written (`${{ matrix.x }}` stays an expression only CI knows); a file that is not
 * YAML gives none.
 */
export function workflowEnv(text: string): (line: number) => StepEnv {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) return () => ({ env: {}, own: [] });
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const top = doc.contents;
  const level = isMap(top) ? values(top.get('env')) : {};
  const jobs = isMap(top) ? top.get('jobs') : undefined;
  const runs = isMap(top) ? top.get('runs') : undefined;
  const within = (node: { range?: [number, number, number] | null } | null | undefined, at: number) =>
    !!node?.range && node.range[0] <= at && at < node.range[2];
  return (line) => {
    // The end of the line: inside its step even when the line opens it (`- run: pytest`).
    const at = (starts[line] ?? text.length + 1) - 1;
    let job: unknown;
    if (isMap(jobs)) job = jobs.items.find((j) => within(j.value as YAMLMap, at))?.value;
    else if (isMap(runs)) job = runs;
    const stepsNode = isMap(job) ? job.get('steps') : undefined;
    const step = isSeq(stepsNode) ? stepsNode.items.find((s) => within(s as YAMLMap, at)) : undefined;
    const own = isMap(step) ? values(step.get('env')) : {};
    return {
      env: { ...level, ...(isMap(job) && job !== runs ? values(job.get('env')) : {}), ...own },
      own: Object.keys(own),
    };
  };
}

function values(node: unknown): Record<string, string> {
  if (!isMap(node)) return {};
  const out: Record<string, string> = {};
  for (const item of node.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (/^[A-Za-z_]\w*$/.test(key) && isScalar(item.value) && item.value.value !== null)
      out[key] = String(item.value.value);
  }
  return out;
}
