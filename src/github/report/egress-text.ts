import type { EgressRefused } from '../../protocol/run-event.ts';
import { literal, md, name, prose, type Posted } from '../publish/posted.ts';

const PHASE: Record<EgressRefused['phase'], string> = { setup: 'setup', agent: 'the agent loop' };

/**
 * What the egress firewall refused during the run, for the PR body and the tracking comment, as
 * Copilot's firewall says it: each destination, the phase, how often and why. Host names come
 * from the sandbox: each is a name (inline code), the reason untrusted prose.
 */
export function egressLines(refused: EgressRefused[] | undefined, max: number): Posted[] {
  if (!refused?.length) return [];
  const shown = refused
    .slice(0, max)
    .map(
      (r) =>
        md`- ${name(`${r.host}:${r.port}`)} during ${PHASE[r.phase]}${r.count > 1 ? `, ${r.count} times` : ''}: ${prose(r.reason.slice(0, 300).replace(/\n/g, ' '))}`,
    );
  const more = refused.length > max ? [md`- … and ${refused.length - max} more`] : [];
  return [
    literal(
      '**The egress firewall blocked these connections** (a deployment allows hosts with `PATCHWRIGHT_EGRESS_ALLOW`):',
    ),
    ...shown,
    ...more,
  ];
}
