import type { TokenUsage } from '../model/model-port.ts';

export interface Budgets {
  maxTurns: number;
  maxTokens: number;
  maxCostUsd: number;
  maxMinutes: number;
}

/** The first budget reached, named for the user; undefined while all hold. Fails closed. */
export function exceededBudget(
  b: Budgets,
  s: { turns: number; usage: TokenUsage; costUsd: number | null; elapsedMs: number },
): string | undefined {
  if (s.turns >= b.maxTurns) return `turns (${s.turns} of ${b.maxTurns})`;
  const tokens = s.usage.inputTokens + s.usage.outputTokens;
  if (tokens >= b.maxTokens) return `tokens (${tokens} of ${b.maxTokens})`;
  if (s.costUsd !== null && s.costUsd >= b.maxCostUsd) return `cost ($${s.costUsd.toFixed(2)} of $${b.maxCostUsd})`;
  if (s.elapsedMs >= b.maxMinutes * 60_000)
    return `time (${Math.round(s.elapsedMs / 60_000)} of ${b.maxMinutes} minutes)`;
  return undefined;
}

/** A repository's budgets, capped by the deployment's ceilings. */
export function capBudgets(repo: Partial<Budgets>, ceilings: Budgets): Budgets {
  return {
    maxTurns: Math.min(repo.maxTurns ?? ceilings.maxTurns, ceilings.maxTurns),
    maxTokens: Math.min(repo.maxTokens ?? ceilings.maxTokens, ceilings.maxTokens),
    maxCostUsd: Math.min(repo.maxCostUsd ?? ceilings.maxCostUsd, ceilings.maxCostUsd),
    maxMinutes: Math.min(repo.maxMinutes ?? ceilings.maxMinutes, ceilings.maxMinutes),
  };
}
