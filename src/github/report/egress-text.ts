import type { EgressRefused } from '../../protocol/run-event.ts';
import { postable } from '../publish/postable.ts';

const PHASE: Record<EgressRefused['phase'], string> = { setup: 'setup', agent: 'the agent loop' };

/**
 * What the egress firewall refused during the run, for the PR body and the tracking comment, as
 * Copilot's firewall says it: each destination, the phase, how often and why. Host names come
 * from the sandbox, so they go through `postable` like any text a command made.
 */
export function egressLines(refused: EgressRefused[] | undefined, max: number): string[] {
  if (!refused?.length) return [];
  const shown = refused.slice(0, max).map((r) => `- \`${postable(`${r.host}:${r.port}`)}\` during ${PHASE[r.phase]}${r.count > 1 ? `, ${r.count} times` : ''}: ${postable(r.reason)}`);
  const more = refused.length > max ? [`- … and ${refused.length - max} more`] : [];
  return ['**The egress firewall blocked these connections** (a deployment allows hosts with `PATCHWRIGHT_EGRESS_ALLOW`):', ...shown, ...more];
}
