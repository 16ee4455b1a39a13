import type { Evidence } from './run-event.ts';

export interface EnergyFactors {
  /** Watt-hours one CPU-hour of the worker costs. */
  whPerCpuHour: number;
  /** Watt-hours 1,000 model tokens cost (the provider's, estimated). */
  whPerThousandTokens: number;
}

/** A run's energy estimate in Wh from stated factors: its sandboxed CPU time and its model tokens. */
export function energyWh(
  e: Pick<Evidence, 'usage' | 'compute'>,
  f: EnergyFactors,
): { total: number; compute: number; model: number } {
  const compute = ((e.compute?.cpuSeconds ?? 0) / 3600) * f.whPerCpuHour;
  const model = ((e.usage.inputTokens + e.usage.outputTokens) / 1000) * f.whPerThousandTokens;
  return { total: compute + model, compute, model };
}

/** One line: the compute, the energy and the assumptions it rests on. */
export function computeLine(e: Pick<Evidence, 'usage' | 'compute'>, f: EnergyFactors): string {
  const w = energyWh(e, f);
  const c = e.compute;
  const used = c
    ? `${c.cpuSeconds.toFixed(1)} CPU-seconds over ${c.commands} sandboxed command${c.commands === 1 ? '' : 's'}${c.peakMemoryMb !== null ? `, peak ${Math.round(c.peakMemoryMb)} MB` : ''}${c.measured < c.commands ? ` (${c.measured} measured)` : ''}`
    : 'no sandboxed command';
  return `${used}; energy ≈ ${w.total < 0.1 ? w.total.toFixed(3) : w.total.toFixed(2)} Wh (${f.whPerCpuHour} Wh per CPU-hour, ${f.whPerThousandTokens} Wh per 1,000 model tokens: stated assumptions)`;
}
