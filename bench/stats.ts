export interface Figure {
  name: string;
  value: number;
  unit: string;
  target: string;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)] ?? NaN;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}
