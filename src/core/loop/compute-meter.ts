import type { Evidence } from '../../protocol/run-event.ts';
import type { Sandbox } from '../ports.ts';

/** Every sandboxed command of a run counted (its own and the clean verification's): CPU, memory, time. */
export function computeMeter(): { counted: (inner: Sandbox) => Sandbox; evidence: () => Pick<Evidence, 'compute'> } {
  const c = { cpuMs: 0, peakKb: 0, commands: 0, measured: 0, wallMs: 0 };
  return {
    counted: (inner) => ({
      kind: inner.kind,
      run: async (o) => {
        const r = await inner.run(o);
        c.commands++;
        c.wallMs += r.durationMs;
        if (r.usage) {
          c.measured++;
          c.cpuMs += r.usage.cpuMs;
          c.peakKb = Math.max(c.peakKb, r.usage.peakRssKb);
        }
        return r;
      },
    }),
    evidence: () =>
      c.commands
        ? { compute: { cpuSeconds: Math.round(c.cpuMs) / 1000, peakMemoryMb: c.measured ? Math.round(c.peakKb / 102.4) / 10 : null, commands: c.commands, measured: c.measured, wallMs: c.wallMs } }
        : {},
  };
}
