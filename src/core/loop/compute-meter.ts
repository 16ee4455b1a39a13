import type { EgressRefused, Evidence } from '../../protocol/run-event.ts';
import type { Sandbox } from '../ports.ts';

/** Distinct refused destinations kept in the evidence (a loop over many names must not grow it without end). */
const MAX_EGRESS_LISTED = 50;

/**
 * Every sandboxed command of a run counted (its own and the clean verification's): CPU, memory,
 * time, and what the egress firewall refused, by destination and phase, for the PR and the
 * tracking comment.
 */
export function computeMeter(): {
  counted: (inner: Sandbox) => Sandbox;
  evidence: () => Pick<Evidence, 'compute' | 'egressRefused'>;
} {
  const c = { cpuMs: 0, peakKb: 0, commands: 0, measured: 0, wallMs: 0 };
  const egress = new Map<string, EgressRefused>();
  const noteEgress = (
    stage: 'setup' | 'agent' | undefined,
    refused: NonNullable<Awaited<ReturnType<Sandbox['run']>>['egressRefused']>,
  ) => {
    const phase = stage === 'setup' ? 'setup' : 'agent';
    for (const r of refused) {
      const key = `${phase} ${r.host}:${r.port}`;
      const seen = egress.get(key);
      if (seen) seen.count += r.count;
      else if (egress.size < MAX_EGRESS_LISTED)
        egress.set(key, { host: r.host, port: r.port, phase, count: r.count, reason: r.reason });
    }
  };
  return {
    counted: (inner) => ({
      kind: inner.kind,
      run: async (o) => {
        const r = await inner.run(o);
        c.commands++;
        c.wallMs += r.durationMs;
        if (r.egressRefused) noteEgress(o.stage, r.egressRefused);
        if (r.usage) {
          c.measured++;
          c.cpuMs += r.usage.cpuMs;
          c.peakKb = Math.max(c.peakKb, r.usage.peakRssKb);
        }
        return r;
      },
    }),
    evidence: () => ({
      ...(egress.size ? { egressRefused: [...egress.values()] } : {}),
      ...(c.commands
        ? {
            compute: {
              cpuSeconds: Math.round(c.cpuMs) / 1000,
              peakMemoryMb: c.measured ? Math.round(c.peakKb / 102.4) / 10 : null,
              commands: c.commands,
              measured: c.measured,
              wallMs: c.wallMs,
            },
          }
        : {}),
    }),
  };
}
